// An exec task under the built `bin/caravan dev` (controller and agent in one
// process): `kill -9` of that process leaves the isolated task running; the
// restarted agent re-attaches to the same PID and reports the task's later
// exit; `kubectl delete` then stops what runs and frees its cgroup.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { createLogger } from "../../src/common/log.js";
import { type ControlPlane, startControlPlane } from "../../src/controlplane/start.js";
import { eventually, kubectlOk } from "../support/kubectl.js";
import { collectOutput } from "../support/output.js";

const root = path.resolve(import.meta.dirname, "../..");
const caravan = path.join(root, "bin/caravan");
// biome-ignore lint/suspicious/noExplicitAny: objects read back as JSON
type Obj = Record<string, any>;

function alive(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

describe("exec tasks across an agent kill -9", () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "caravan-e2e-exec-"));
  const dataDir = path.join(tmp, "data");
  const config = path.join(tmp, "dev.hcl");
  writeFileSync(config, "ports {\n  http = 0\n}\n");
  const started: ChildProcess[] = [];
  let cluster: ControlPlane;
  let kubeconfig = "";
  /** Cgroups of tasks started here: whatever is left in them is killed at the end. */
  const cgroups: string[] = [];

  async function startDev(): Promise<ChildProcess> {
    const dev = spawn(
      caravan,
      ["dev", "--kubeconfig", kubeconfig, "--data-dir", dataDir, "--config", config],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    started.push(dev);
    const out = collectOutput(dev);
    await eventually(
      async () => {
        if (dev.exitCode !== null) throw new Error(`caravan dev exited:\n${out.stderr}`);
        return out.stdout.includes("Press Ctrl-C to stop") || undefined;
      },
      "caravan dev to start",
      120_000,
    );
    return dev;
  }

  async function allocOf(job: string): Promise<Obj | undefined> {
    const out = await kubectlOk(kubeconfig, [
      "get",
      "nomadallocations",
      "-n",
      "default",
      "-l",
      `caravan.dev/job=${job}`,
      "-o",
      "json",
    ]);
    return (JSON.parse(out).items as Obj[])[0];
  }

  beforeAll(async () => {
    cluster = await startControlPlane({
      dataDir: path.join(tmp, "cluster"),
      log: createLogger({ level: "warn", json: false }),
      controllers: [],
    });
    kubeconfig = cluster.kubeconfigPath;
  }, 180_000);
  afterAll(async () => {
    for (const dev of started)
      if (dev.exitCode === null && dev.signalCode === null) dev.kill("SIGKILL");
    for (const name of cgroups) {
      const procs = `/sys/fs/cgroup/memory/caravan/${name}/cgroup.procs`;
      if (!existsSync(procs)) continue;
      for (const p of readFileSync(procs, "utf8").split("\n").filter(Boolean))
        process.kill(Number(p), "SIGKILL");
      await new Promise((r) => setTimeout(r, 500));
      for (const c of ["memory", "cpu", "cpuacct", "pids"])
        try {
          rmdirSync(`/sys/fs/cgroup/${c}/caravan/${name}`);
        } catch {
          // Already removed by the agent.
        }
    }
    await cluster?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("keeps the task through kill -9 of the agent, re-attaches to the same PID and reports its exit", async () => {
    const first = await startDev();
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadJob",
        metadata: { name: "isolated", namespace: "default" },
        spec: {
          datacenters: ["dc1"],
          groups: [
            {
              name: "g",
              restart: { attempts: 0, mode: "fail" },
              reschedule: { attempts: 0, unlimited: false },
              tasks: [
                {
                  name: "t",
                  driver: "exec",
                  config: {
                    command: "/bin/sh",
                    args: [
                      "-c",
                      "echo up as $(id -u); while [ ! -e /alloc/data/finish ]; do sleep 0.2; done; exit 4",
                    ],
                  },
                  resources: { cpu: 100, memory: 64 },
                },
              ],
            },
          ],
        },
      }),
    );
    const running = await eventually(
      async () => {
        const a = await allocOf("isolated");
        return a?.status?.clientStatus === "running" ? a : undefined;
      },
      "the exec task to run",
      120_000,
    );
    cgroups.push(`${running.metadata.name}.t`);
    // caravan dev keeps its agent's state under <data-dir>/client.
    const allocDir = path.join(dataDir, "client", "alloc", running.metadata.name);
    const stateFile = path.join(dataDir, "client", "state.json");
    const pid = await eventually(async () => {
      const state = JSON.parse(readFileSync(stateFile, "utf8")) as Obj;
      return state.tasks?.[`default/${running.metadata.name}`]?.t?.pid as number | undefined;
    }, "the task in the agent's state file");
    await eventually(
      async () =>
        readFileSync(path.join(allocDir, "alloc/logs/t.stdout.0"), "utf8").includes("up as 65534")
          ? true
          : undefined,
      "the task's output",
    );

    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));
    expect(alive(pid)).toBe(true);

    await startDev();
    await eventually(
      async () => {
        const a = await allocOf("isolated");
        const events = (a?.status?.taskStates?.t?.events ?? []) as Obj[];
        return events.some((e) => e.message === "Task re-attached after an agent restart")
          ? a
          : undefined;
      },
      "the restarted agent to re-attach",
      120_000,
    );
    expect(alive(pid)).toBe(true);
    const state = JSON.parse(readFileSync(stateFile, "utf8")) as Obj;
    expect(state.tasks[`default/${running.metadata.name}`].t.pid).toBe(pid);

    writeFileSync(path.join(allocDir, "alloc/data/finish"), "");
    const failed = await eventually(
      async () => {
        const a = await allocOf("isolated");
        return a?.status?.clientStatus === "failed" ? a : undefined;
      },
      "the task's exit to be reported",
      60_000,
    );
    const terminated = (failed.status.taskStates.t.events as Obj[]).find(
      (e) => e.type === "Terminated",
    );
    expect(terminated?.exitCode).toBe(4);
    expect(alive(pid)).toBe(false);
    await eventually(
      async () =>
        existsSync(`/sys/fs/cgroup/memory/caravan/${running.metadata.name}.t`) ? undefined : true,
      "the task's cgroup to be removed",
    );
  });
});
