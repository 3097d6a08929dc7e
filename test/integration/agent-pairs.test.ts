// Issue #6's first check, as a user would run it: one service job whose group
// pairs a raw_exec task with an isolated exec task, both templated from a
// ConfigMap; count 3 is three process pairs on this host with Nomad's
// environment and the rendered files, and count 5 then 2 is followed.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { execDriver } from "../../src/drivers/exec/index.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { createNamespace, eventually, kubectlOk } from "../support/kubectl.js";
import {
  applyJob,
  environOf,
  marker,
  sleepers,
  startTestAgent,
  type TestAgent,
} from "./agent-harness.js";

const kubeconfig = inject("kubeconfig");
const kc = loadKubeConfig(kubeconfig);
const log = createLogger({ level: "warn", json: false });
const run = Math.random().toString(36).slice(2, 7);
const dc = `pairs-${run}`;

describe("a raw_exec and an exec task side by side", () => {
  let ns: string;
  let controllers: Controllers;
  let agent: TestAgent;

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "pairs");
    controllers = await startControllers(kc, log, { namespace: ns });
    agent = await startTestAgent(kc, log, {
      name: `pairs-${run}-node`,
      datacenter: dc,
      drivers: [execDriver],
    });
  });
  afterAll(async () => {
    await agent?.stop(true);
    await controllers?.stop();
  });

  it("runs count 3 as three process pairs with their environment and templates, then follows count 5 and 2", async () => {
    await kubectlOk(
      kubeconfig,
      ["apply", "-n", ns, "-f", "-"],
      JSON.stringify({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "app" },
        data: { greeting: "hola", port: "8080" },
      }),
    );
    const host = marker();
    const isolated = marker();
    const template = {
      data: 'greeting = "{{ key "app/greeting" }}" index = {{ env "NOMAD_ALLOC_INDEX" }}\n',
      destination: "local/app.conf",
    };
    const envTemplate = {
      data: 'PORT={{ key "app/port" }}\n',
      destination: "secrets/app.env",
      env: true,
    };
    const job = (count: number) => ({
      datacenters: [dc],
      groups: [
        {
          name: "app",
          count,
          tasks: [
            {
              name: "host",
              driver: "raw_exec",
              config: { command: "/bin/sleep", args: [host] },
              templates: [template, envTemplate],
              resources: { cpu: 50, memory: 32 },
            },
            {
              name: "isolated",
              driver: "exec",
              config: { command: "/bin/sleep", args: [isolated] },
              templates: [template, envTemplate],
              resources: { cpu: 50, memory: 64 },
            },
          ],
        },
      ],
    });
    const pairs = () => ({ host: sleepers(host), isolated: sleepers(isolated) });
    await applyJob(kubeconfig, ns, "pairs", job(3));
    const three = await eventually(async () => {
      const p = pairs();
      return p.host.length === 3 && p.isolated.length === 3 ? p : undefined;
    }, "three process pairs");

    for (const [task, pids] of Object.entries(three)) {
      const envs = pids.map(environOf);
      expect(envs.map((e) => e.NOMAD_ALLOC_INDEX).sort()).toEqual(["0", "1", "2"]);
      pids.forEach((pid, i) => {
        const env = envs[i] ?? {};
        expect(env).toMatchObject({
          NOMAD_JOB_NAME: "pairs",
          NOMAD_GROUP_NAME: "app",
          NOMAD_TASK_NAME: task,
          NOMAD_DC: dc,
          PORT: "8080",
        });
        // The rendered file where the task sees it: an exec task's root is its
        // chroot (its task dir), a raw_exec task's the host's.
        const file =
          task === "isolated"
            ? `/proc/${pid}/root/local/app.conf`
            : path.join(env.NOMAD_TASK_DIR ?? "", "app.conf");
        expect(readFileSync(file, "utf8")).toBe(
          `greeting = "hola" index = ${env.NOMAD_ALLOC_INDEX}\n`,
        );
      });
    }
    // The exec task is isolated: its own PID namespace, as user nobody.
    for (const pid of three.isolated) {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      expect(/^Uid:\s+65534/m.test(status)).toBe(true);
      expect(/^NSpid:\s+\d+\s+\d+/m.test(status)).toBe(true);
    }

    await applyJob(kubeconfig, ns, "pairs", job(5));
    await eventually(async () => {
      const p = pairs();
      return (p.host.length === 5 && p.isolated.length === 5) || undefined;
    }, "five process pairs");
    await applyJob(kubeconfig, ns, "pairs", job(2));
    await eventually(async () => {
      const p = pairs();
      return (p.host.length === 2 && p.isolated.length === 2) || undefined;
    }, "two process pairs");
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "pairs", "-n", ns, "--timeout=60s"]);
    await eventually(async () => {
      const p = pairs();
      return (p.host.length === 0 && p.isolated.length === 0) || undefined;
    }, "no processes");
  });
});
