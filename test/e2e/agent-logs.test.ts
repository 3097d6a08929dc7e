// A task's logs as a user reads them with `bin/caravan alloc logs`, and the
// agent's log monitor outliving its agent: after `kill -9` of the agent the
// task's output keeps reaching its files, and the restarted agent reuses the
// same monitor process.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/common/log.js";
import { type ControlPlane, startControlPlane } from "../../src/controlplane/start.js";
import { kubectlOk } from "../support/kubectl.js";
import { collectOutput } from "../support/output.js";

const root = path.resolve(import.meta.dirname, "../..");
const caravan = path.join(root, "bin/caravan");

async function until<T>(
  what: string,
  f: () => Promise<T | undefined> | T | undefined,
  ms = 60_000,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Runs bin/caravan to completion; stdout, stderr and the exit code. */
async function caravanRun(args: string[]) {
  const child = spawn(caravan, args, { stdio: ["ignore", "pipe", "pipe"] });
  const out = collectOutput(child);
  const code = await new Promise<number | null>((r) => child.on("close", r));
  return { code, stdout: out.stdout, stderr: out.stderr };
}

/** Live processes whose command line mentions every needle. */
function processes(...needles: string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (needles.every((n) => cmdline.includes(n)) && !/\) Z /.test(stat))
        pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

describe("caravan alloc logs and the log monitor across agent restarts", () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "caravan-agent-logs-e2e-"));
  const dataDir = path.join(tmp, "dev");
  const config = path.join(tmp, "dev.hcl");
  writeFileSync(config, "ports {\n  http = 0\n}\n");
  const started: ChildProcess[] = [];
  let cluster: ControlPlane;
  let kubeconfig = "";
  const m = `tick-${Math.random().toString(36).slice(2, 8)}`;

  async function startDev(): Promise<ChildProcess> {
    const dev = spawn(
      caravan,
      ["dev", "--kubeconfig", kubeconfig, "--data-dir", dataDir, "--config", config],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    started.push(dev);
    const out = collectOutput(dev);
    await until(
      "caravan dev to start",
      () => {
        if (dev.exitCode !== null) throw new Error(`caravan dev exited:\n${out.stderr}`);
        return out.stdout.includes("Press Ctrl-C to stop") || undefined;
      },
      120_000,
    );
    return dev;
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
    for (const dev of started) {
      if (dev.exitCode !== null || dev.signalCode !== null) continue;
      const exited = new Promise((r) => dev.once("exit", r));
      dev.kill("SIGINT");
      const timer = setTimeout(() => dev.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    }
    for (const pid of processes(m)) process.kill(pid, "SIGKILL");
    await cluster?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("prints a task's stdout and stderr, its tail, and keeps collecting while the agent is killed and restarted", async () => {
    const first = await startDev();
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadJob",
        metadata: { name: "ticker" },
        spec: {
          groups: [
            {
              name: "g",
              tasks: [
                {
                  name: "t",
                  driver: "raw_exec",
                  config: {
                    command: "/bin/sh",
                    args: [
                      "-c",
                      `echo "starting up" >&2; i=0; while true; do echo "${m} $i"; i=$((i+1)); sleep 0.2; done`,
                    ],
                  },
                  resources: { cpu: 50, memory: 32 },
                },
              ],
            },
          ],
        },
      }),
    );
    const allocName = await until("the allocation to run", async () => {
      const out = await kubectlOk(kubeconfig, ["get", "nomadallocations", "-o", "json"]);
      const [a] = JSON.parse(out).items;
      return a?.status?.clientStatus === "running" ? (a.metadata.name as string) : undefined;
    });
    const prefix = allocName.slice(0, allocName.length - 2);
    const logs = (...args: string[]) =>
      caravanRun(["alloc", "logs", "-kubeconfig", kubeconfig, "-data-dir", dataDir, ...args]);

    const out = await until("a few lines of output", async () => {
      const r = await logs(prefix);
      return r.stdout.includes(`${m} 3\n`) ? r : undefined;
    });
    expect(out.code).toBe(0);
    expect(out.stdout.startsWith(`${m} 0\n${m} 1\n`)).toBe(true);
    expect((await logs("-stderr", allocName, "t")).stdout).toBe("starting up\n");
    const tail = await logs("-tail", "-n", "1", prefix);
    expect(tail.stdout).toMatch(new RegExp(`^${m} \\d+\\n$`));
    const missing = await logs("nope-no-such-alloc");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no allocation matches "nope-no-such-alloc"');

    // The agent dies hard; the task and its log monitor do not.
    const [monitor] = processes("logmon-main", dataDir);
    expect(monitor).toBeGreaterThan(0);
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));
    const linesBefore = (await logs(prefix)).stdout.split("\n").length;
    await until("output written while no agent runs", async () => {
      const now = (await logs(prefix)).stdout.split("\n").length;
      return now > linesBefore + 5 || undefined;
    });
    expect(processes("logmon-main", dataDir)).toEqual([monitor]);

    // The restarted agent re-attaches to the task and reuses the monitor.
    await startDev();
    await until("the agent to re-attach", async () => {
      const a = JSON.parse(
        await kubectlOk(kubeconfig, ["get", "nomadallocation", allocName, "-o", "json"]),
      );
      const events = (a.status?.taskStates?.t?.events ?? []) as { message: string }[];
      return (
        events.some((e) => e.message === "Task re-attached after an agent restart") || undefined
      );
    });
    expect(processes("logmon-main", dataDir)).toEqual([monitor]);

    // -f keeps printing as the task writes.
    const follow = spawn(
      caravan,
      ["alloc", "logs", "-f", "-kubeconfig", kubeconfig, "-data-dir", dataDir, prefix],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const followed = collectOutput(follow);
    const current = Number(/(\d+)\n$/.exec((await logs(prefix)).stdout)?.[1]);
    await until(
      "-f to print new lines",
      () => followed.stdout.includes(`${m} ${current + 5}\n`) || undefined,
    );
    follow.kill("SIGINT");

    // Stopping the job ends the task; the agent's monitor lets go of its pipes
    // (it stays, one for the agent, while the agent runs).
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "ticker", "--timeout=60s"]);
    await until("the task to end and its pipes to be let go", () =>
      processes(m).length === 0 &&
      readdirSync(path.join(dataDir, "client", "alloc", allocName, "alloc", "logs")).every(
        (f) => !f.endsWith(".fifo"),
      )
        ? true
        : undefined,
    );
    expect(processes("logmon-main", dataDir)).toEqual([monitor]);
  });
});
