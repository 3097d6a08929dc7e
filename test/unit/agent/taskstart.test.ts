import { describe, expect, it } from "vitest";
import { interpolateConfig, taskStartRequest } from "../../../src/agent/taskstart.js";
import type { NomadAllocation } from "../../../src/crds/objects.js";

const alloc = {
  metadata: { name: "web-g-0-abc", namespace: "default" },
  spec: {
    jobName: "web",
    group: "g",
    resources: {
      tasks: { t: { cpu: 250, memoryMB: 128, memoryMaxMB: 256 } },
      shared: {
        ports: [
          { label: "http", value: 23456, to: -1 },
          { label: "admin", value: 23457, to: 9000, hostIP: "10.0.0.1" },
        ],
      },
    },
  },
} as unknown as NomadAllocation;

describe("task start request", () => {
  it("gives the driver the allocated resources and ports (to = -1 means the host port)", () => {
    const req = taskStartRequest({
      alloc,
      task: { name: "t", driver: "raw_exec", user: "nobody" },
      config: { command: "/bin/true" },
      env: { A: "1" },
      allocDir: "/d/alloc/web-g-0-abc",
      taskDir: "/d/alloc/web-g-0-abc/t",
      logs: { stdoutPath: "/l/out", stderrPath: "/l/err" },
    });
    expect(req).toMatchObject({
      allocId: "web-g-0-abc",
      jobName: "web",
      groupName: "g",
      taskName: "t",
      user: "nobody",
      stdoutPath: "/l/out",
      resources: { cpuMHz: 250, memoryMB: 128, memoryMaxMB: 256 },
      ports: [
        { label: "http", value: 23456, to: 23456, hostIP: "" },
        { label: "admin", value: 23457, to: 9000, hostIP: "10.0.0.1" },
      ],
    });
  });

  it("falls back to the task's own resources when the allocation has none for it", () => {
    const req = taskStartRequest({
      alloc,
      task: { name: "other", driver: "raw_exec", resources: { cpu: 50, memory: 32 } },
      config: {},
      env: {},
      allocDir: "/a",
      taskDir: "/a/other",
      logs: { stdoutPath: "/o", stderrPath: "/e" },
    });
    expect(req.resources).toEqual({ cpuMHz: 50, memoryMB: 32 });
    expect(req.user).toBeUndefined();
  });

  it("interpolates every string of a config block, nested too", () => {
    expect(
      interpolateConfig(
        {
          command: "${NOMAD_TASK_DIR}/run",
          args: ["--port", "${NOMAD_PORT_http}"],
          n: 3,
          o: { k: "${X}" },
        },
        { NOMAD_TASK_DIR: "/t/local", NOMAD_PORT_http: "8080", X: "x" },
        undefined,
      ),
    ).toEqual({ command: "/t/local/run", args: ["--port", "8080"], n: 3, o: { k: "x" } });
  });
});
