// `bin/caravan dev` as a user runs it: it comes up, kubectl answers through the
// kubeconfig it writes, and Ctrl-C (SIGINT) leaves no process behind; with
// --kubeconfig it joins an existing cluster, installs the CRDs and leaves that
// cluster running when it stops.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createLogger } from "../../src/common/log.js";
import { startControlPlane } from "../../src/controlplane/start.js";
import { specEvaluation } from "../support/evaluations.js";
import { kubectl, kubectlOk } from "../support/kubectl.js";
import { collectOutput } from "../support/output.js";

const root = path.resolve(import.meta.dirname, "../..");

/** PIDs of live processes whose command line mentions `needle`. */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (cmdline.includes(needle) && !/\) Z /.test(stat)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** PIDs of live processes whose whole command line is `cmdline` (NUL-separated). */
function processesRunning(cmdline: string): number[] {
  return processesMentioning(cmdline).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8") === cmdline;
    } catch {
      return false;
    }
  });
}

/** Runs a command to completion and returns its stdout; a failure carries stderr. */
async function run(command: string, args: string[]): Promise<string> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  const output = collectOutput(child);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0)
    throw new Error(`${command} ${args.join(" ")} failed (${code}):\n${output.stderr}`);
  return output.stdout;
}

/** Runs `sleep <seconds>` as a raw_exec service job; returns its command line to look for. */
async function runSleeper(
  kubeconfig: string,
  name: string,
  seconds: string,
  deadline: number,
): Promise<string> {
  const task = {
    name: "s",
    driver: "raw_exec",
    config: { command: "/bin/sleep", args: [seconds] },
    resources: { cpu: 100, memory: 64 },
  };
  await kubectlOk(
    kubeconfig,
    ["apply", "-f", "-"],
    JSON.stringify({
      apiVersion: "caravan.dev/v1alpha1",
      kind: "NomadJob",
      metadata: { name },
      spec: { groups: [{ name: "g", tasks: [task] }] },
    }),
  );
  const cmdline = `/bin/sleep\u0000${seconds}\u0000`;
  while (processesRunning(cmdline).length === 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 250));
  return cmdline;
}

/** Starts `bin/caravan dev` and waits for its banner. */
/** Every dev started, so a failed test still stops it (and its tasks) afterwards. */
const started: ChildProcess[] = [];

async function startDev(args: string[]) {
  const dev = spawn(path.join(root, "bin/caravan"), ["dev", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(dev);
  const output = collectOutput(dev);
  const exited = new Promise<number | null>((resolve) => dev.on("exit", (code) => resolve(code)));
  const deadline = Date.now() + 120_000;
  while (!output.stdout.includes("Press Ctrl-C to stop")) {
    if (dev.exitCode !== null) throw new Error(`caravan dev exited early:\n${output.stderr}`);
    if (Date.now() > deadline) throw new Error(`caravan dev did not start:\n${output.stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { dev, stdout: output.stdout, exited };
}

describe("caravan dev", () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "caravan-dev-e2e-"));
  afterAll(async () => {
    for (const dev of started) {
      if (dev.exitCode !== null || dev.signalCode !== null) continue;
      const exited = new Promise((resolve) => dev.once("exit", resolve));
      dev.kill("SIGINT");
      const timer = setTimeout(() => dev.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  // ports { http = 0 }: a free port, so the tests never collide with a running dev agent.
  const config = path.join(tmp, "dev.hcl");
  writeFileSync(config, "ports {\n  http = 0\n}\n");

  it("starts, answers kubectl, serves metrics, and stops cleanly on Ctrl-C", async () => {
    const dataDir = path.join(tmp, "embedded");
    const { dev, stdout, exited } = await startDev(["--data-dir", dataDir, "--config", config]);
    const kubeconfig = path.join(dataDir, "kubeconfig");
    expect(stdout).toContain(`export KUBECONFIG=${kubeconfig}`);
    expect(existsSync(kubeconfig)).toBe(true);

    const get = await kubectl(kubeconfig, ["get", "nomadjobs"]);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stderr).toContain("No resources found in default namespace.");
    expect(processesMentioning(dataDir).length).toBeGreaterThan(1);

    // The controller runs inside dev: an applied job gets a version and an evaluation.
    await kubectlOk(kubeconfig, ["apply", "-f", path.join(root, "examples/web-app.yaml")]);
    const deadline = Date.now() + 30_000;
    let evaluations = "";
    const first = specEvaluation("default", "web-app", 1);
    while (!evaluations.includes(first) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      evaluations = (await kubectl(kubeconfig, ["get", "nomadevaluations", "-o", "name"])).stdout;
    }
    expect(evaluations).toContain(`nomadevaluation.caravan.dev/${first}`);

    const metricsUrl = /HTTP \(metrics\): (\S+)/.exec(stdout)?.[1] ?? "";
    let metrics = "";
    while (!metrics.includes('triggered_by="job-register"') && Date.now() < deadline) {
      metrics = await (await fetch(metricsUrl)).text();
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(metrics).toMatch(/^nomad_nomad_broker_total_ready \d+$/m);
    expect(metrics).toMatch(
      /^caravan_evaluations_total\{triggered_by="job-register",outcome="complete"\} 1$/m,
    );

    // Like `nomad agent -dev`, the one agent is both server and client.
    const base = new URL(metricsUrl).origin;
    const self = (await (await fetch(`${base}/v1/agent/self`)).json()) as {
      config: { Server: { Enabled: boolean }; Client: { Enabled: boolean } };
    };
    expect(self.config).toMatchObject({ Server: { Enabled: true }, Client: { Enabled: true } });
    expect(await (await fetch(`${base}/v1/agent/health`)).json()).toEqual({
      server: { ok: true, message: "ok" },
      client: { ok: true, message: "ok" },
    });

    dev.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(processesMentioning(dataDir)).toEqual([]);
  });

  it("joins an existing cluster with --kubeconfig, installs the CRDs and leaves the cluster up", async () => {
    const log = createLogger({ level: "warn", json: false });
    const cluster = await startControlPlane({
      dataDir: path.join(tmp, "cluster"),
      log,
      controllers: [],
    });
    try {
      const before = await kubectl(cluster.kubeconfigPath, ["get", "crd", "nomadjobs.caravan.dev"]);
      expect(before.stderr).toContain("NotFound");

      const { dev, exited } = await startDev([
        "--kubeconfig",
        cluster.kubeconfigPath,
        "--config",
        config,
      ]);
      const stored = JSON.parse(
        await kubectlOk(cluster.kubeconfigPath, [
          "get",
          "crd",
          "nomadjobs.caravan.dev",
          "-o",
          "json",
        ]),
      );
      const file = parse(
        readFileSync(path.join(root, "charts/caravan/crds/caravan.dev_nomadjobs.yaml"), "utf8"),
      );
      expect(stored.spec.versions[0].schema).toEqual(file.spec.versions[0].schema);

      dev.kill("SIGINT");
      expect(await exited).toBe(0);
      const after = await kubectl(cluster.kubeconfigPath, ["get", "nomadjobs", "-A"]);
      expect(after.code, "the joined cluster is still serving").toBe(0);
    } finally {
      await cluster.stop();
    }
  });

  it("runs raw_exec tasks on its own node: a batch job to completion, a service until its job is deleted", async () => {
    const dataDir = path.join(tmp, "tasks");
    const { dev, exited } = await startDev(["--data-dir", dataDir, "--config", config]);
    const kubeconfig = path.join(dataDir, "kubeconfig");
    // The README's quick start: a Nomad job file, converted and applied.
    const converted = await run(path.join(root, "bin/caravan"), [
      "job",
      "convert",
      path.join(root, "examples/hello.nomad.hcl"),
    ]);
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], converted);
    const deadline = Date.now() + 30_000;
    let job: {
      status?: { status?: string; conditions?: { type: string; status: string; reason: string }[] };
    } = {};
    while (job.status?.status !== "dead" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      job = JSON.parse(await kubectlOk(kubeconfig, ["get", "nomadjob", "hello", "-o", "json"]));
    }
    expect(job.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({
      status: "True",
      reason: "Complete",
    });
    const allocDirs = readdirSync(path.join(dataDir, "client", "alloc"));
    const outputs = allocDirs.map((a) =>
      readFileSync(
        path.join(dataDir, "client", "alloc", a, "alloc", "logs", "say.stdout.0"),
        "utf8",
      ),
    );
    expect(outputs.sort()).toEqual(["hello from 0 on linux\n", "hello from 1 on linux\n"]);

    // A failing service task restarts per its restart policy, then its allocation fails.
    const attemptsFile = path.join(tmp, "attempts");
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadJob",
        metadata: { name: "flaky" },
        spec: {
          groups: [
            {
              name: "g",
              restart: { attempts: 2, interval: "1m", delay: "1s", mode: "fail" },
              reschedule: { attempts: 0, unlimited: false },
              tasks: [
                {
                  name: "t",
                  driver: "raw_exec",
                  config: {
                    command: "/bin/sh",
                    args: ["-c", `echo try >> ${attemptsFile}; exit 3`],
                  },
                  resources: { cpu: 100, memory: 64 },
                },
              ],
            },
          ],
        },
      }),
    );
    let flaky: {
      status?: {
        clientStatus?: string;
        taskStates?: Record<
          string,
          { restarts?: number; failed?: boolean; events?: { type: string }[] }
        >;
      };
    } = {};
    while (flaky.status?.clientStatus !== "failed" && Date.now() < deadline + 15_000) {
      await new Promise((r) => setTimeout(r, 250));
      const list = JSON.parse(
        await kubectlOk(kubeconfig, [
          "get",
          "nomadallocations",
          "-l",
          "caravan.dev/job=flaky",
          "-o",
          "json",
        ]),
      );
      flaky = list.items[0] ?? {};
    }
    expect(flaky.status?.clientStatus).toBe("failed");
    expect(flaky.status?.taskStates?.t).toMatchObject({ restarts: 2, failed: true });
    expect(flaky.status?.taskStates?.t?.events?.map((e) => e.type)).toContain("Not Restarting");
    expect(readFileSync(attemptsFile, "utf8")).toBe("try\ntry\ntry\n");

    const sleeper = await runSleeper(kubeconfig, "sleeper", "424242", deadline);
    expect(processesRunning(sleeper)).toHaveLength(1);
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "sleeper", "--timeout=30s"]);
    expect(processesRunning(sleeper)).toEqual([]);

    // A task still running when dev stops is stopped with it.
    const leftRunning = await runSleeper(kubeconfig, "left-running", "434343", deadline);
    expect(processesRunning(leftRunning)).toHaveLength(1);

    dev.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(processesRunning(leftRunning)).toEqual([]);
  });
});
