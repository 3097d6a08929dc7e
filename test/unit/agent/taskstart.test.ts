import { describe, expect, it } from "vitest";
import {
  hostVolumeMounts,
  interpolateConfig,
  taskStartRequest,
} from "../../../src/agent/taskstart.js";
import type { NomadAllocation, NomadNode } from "../../../src/crds/objects.js";

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
    expect(req.taskNetworkPorts).toBeUndefined();
  });

  it("names the ports of the task's own (deprecated) network, for drivers that publish them", () => {
    const req = taskStartRequest({
      alloc,
      task: {
        name: "t",
        driver: "docker",
        resources: { networks: [{ ports: [{ label: "admin" }] }, { ports: [{ label: "x" }] }] },
      },
      config: {},
      env: {},
      allocDir: "/a",
      taskDir: "/a/t",
      logs: { stdoutPath: "/o", stderrPath: "/e" },
    });
    expect(req.taskNetworkPorts).toEqual(["admin"]);
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

describe("host volume mounts", () => {
  const group = {
    name: "g",
    volumes: [
      { name: "data", type: "host" as const, source: "data" },
      { name: "certs", type: "host" as const, source: "certs", readOnly: true },
    ],
    tasks: [],
  };
  const node = {
    metadata: { name: "n1" },
    spec: {},
    status: { hostVolumes: { data: { path: "/mnt/data" }, certs: { path: "/etc/ssl/certs" } } },
  } as unknown as NomadNode;

  it("resolves each volume_mount to this node's host volume path, read-only if any side says so", () => {
    const task = {
      name: "t",
      driver: "exec",
      volumeMounts: [
        { volume: "data", destination: "/srv/data" },
        { volume: "certs", destination: "/etc/ssl/certs" },
      ],
    };
    expect(hostVolumeMounts(task, group, node)).toEqual([
      { hostPath: "/mnt/data", taskPath: "/srv/data", readOnly: false },
      { hostPath: "/etc/ssl/certs", taskPath: "/etc/ssl/certs", readOnly: true },
    ]);
  });

  it("names what is missing: the group's volume, or the node's host volume", () => {
    const mount = (volume: string) => ({
      name: "t",
      driver: "exec",
      volumeMounts: [{ volume, destination: "/x" }],
    });
    expect(() => hostVolumeMounts(mount("nope"), group, node)).toThrow(
      'volume "nope" is not a volume of the group',
    );
    const bare = { ...node, status: {} } as unknown as NomadNode;
    expect(() => hostVolumeMounts(mount("data"), group, bare)).toThrow(
      'host volume "data" is not configured on this node',
    );
  });
});
