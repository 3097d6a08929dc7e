// Jobs run end to end: the real control plane and controllers place them, a
// node agent in this process runs them as raw_exec processes on this host.
// What a user checks: the processes, their environment, their logs, restarts
// and rescheduling, completion, and stopping with the kill timeout honoured.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { listLogFiles } from "../../src/agent/logs/files.js";
import { readLogs } from "../../src/agent/logs/reader.js";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { allocationsOf, runningOf } from "../support/allocations.js";
import { createNamespace, eventually, kubectlOk } from "../support/kubectl.js";
import {
  applyJob,
  environOf,
  eventTypes,
  marker,
  processesWith,
  shTask,
  sleepers,
  startTestAgent,
  type TestAgent,
} from "./agent-harness.js";

const kubeconfig = inject("kubeconfig");
const kc = loadKubeConfig(kubeconfig);
const log = createLogger({ level: "warn", json: false });
const run = Math.random().toString(36).slice(2, 7);
const dc = `jobs-${run}`;

/** The task's stdout so far, as `caravan alloc logs` reads it. */
function stdoutOf(agent: TestAgent, allocName: string, task: string): string {
  const dir = path.join(agent.dataDir, "alloc", allocName, "alloc", "logs");
  return readLogs(dir, task, "stdout").data.toString();
}

describe("agent running jobs", () => {
  let ns: string;
  let controllers: Controllers;
  let agent: TestAgent;

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "agentjobs");
    controllers = await startControllers(kc, log, { namespace: ns });
    agent = await startTestAgent(kc, log, { name: `jobs-${run}-node`, datacenter: dc });
  });
  afterAll(async () => {
    await agent?.stop(true);
    await controllers?.stop();
  });

  it("runs count 3 as three processes with Nomad's environment, then follows count 5 and 2", async () => {
    const m = marker();
    const job = (count: number) => ({
      datacenters: [dc],
      meta: { team: "web" },
      groups: [
        {
          name: "web",
          count,
          tasks: [
            {
              name: "server",
              driver: "raw_exec",
              config: { command: "/bin/sleep", args: [m] },
              env: { GREETING: "hello ${NOMAD_ALLOC_INDEX}", DC: "${node.datacenter}" },
              resources: { cpu: 50, memory: 32 },
            },
          ],
        },
      ],
    });
    await applyJob(kubeconfig, ns, "web", job(3));
    const pids = await eventually(
      async () => (sleepers(m).length === 3 ? sleepers(m) : undefined),
      "three processes",
    );
    const envs = pids.map(environOf);
    expect(envs.map((e) => e.NOMAD_ALLOC_INDEX).sort()).toEqual(["0", "1", "2"]);
    for (const env of envs) {
      expect(env).toMatchObject({
        NOMAD_JOB_NAME: "web",
        NOMAD_GROUP_NAME: "web",
        NOMAD_TASK_NAME: "server",
        NOMAD_NAMESPACE: ns,
        NOMAD_DC: dc,
        NOMAD_REGION: "global",
        NOMAD_CPU_LIMIT: "50",
        NOMAD_MEMORY_LIMIT: "32",
        GREETING: `hello ${env.NOMAD_ALLOC_INDEX}`,
        DC: dc,
      });
      expect(env.NOMAD_TASK_DIR?.startsWith(path.join(agent.dataDir, "alloc"))).toBe(true);
      expect(env.NOMAD_TASK_DIR?.endsWith("/server/local")).toBe(true);
    }
    await applyJob(kubeconfig, ns, "web", job(5));
    await eventually(async () => sleepers(m).length === 5 || undefined, "five processes");
    await applyJob(kubeconfig, ns, "web", job(2));
    await eventually(async () => sleepers(m).length === 2 || undefined, "two processes");
    // The survivors are two of the first three.
    expect(sleepers(m).every((pid) => pids.includes(pid))).toBe(true);
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "web", "-n", ns, "--timeout=60s"]);
    await eventually(async () => sleepers(m).length === 0 || undefined, "no processes");
  });

  it("runs a service job's prestart task once: its success is not restarted", async () => {
    const m = marker();
    await applyJob(kubeconfig, ns, "init", {
      datacenters: [dc],
      groups: [
        {
          name: "app",
          tasks: [
            shTask("setup", "echo ready", {
              lifecycle: { hook: "prestart" },
              restart: { attempts: 3, delay: "1s" },
            }),
            { ...shTask("main", ""), config: { command: "/bin/sleep", args: [m] } },
          ],
        },
      ],
    });
    await eventually(async () => sleepers(m).length === 1 || undefined, "the main task");
    // Well past the restart delay: the prestart task stayed done.
    await new Promise((r) => setTimeout(r, 2_500));
    const [alloc] = await allocationsOf(kubeconfig, ns, "init");
    expect(alloc?.status?.taskStates?.setup).toMatchObject({
      state: "dead",
      failed: false,
      restarts: 0,
    });
    expect(eventTypes(alloc, "setup")).not.toContain("Restarting");
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "init", "-n", ns, "--timeout=60s"]);
  });

  it("restarts a killed task per its restart policy, then fails the allocation and reschedules it", async () => {
    const m = marker();
    await applyJob(kubeconfig, ns, "crashy", {
      datacenters: [dc],
      groups: [
        {
          name: "g",
          restart: { attempts: 1, interval: "10m", delay: "1s", mode: "fail" },
          reschedule: { attempts: 1, interval: "1h", delay: "1s", unlimited: false },
          tasks: [
            {
              name: "t",
              driver: "raw_exec",
              config: { command: "/bin/sleep", args: [m] },
              resources: { cpu: 50, memory: 32 },
            },
          ],
        },
      ],
    });
    const [first] = await eventually(
      async () => (sleepers(m).length === 1 ? sleepers(m) : undefined),
      "the task",
    );
    const [original] = await runningOf(kubeconfig, ns, "crashy");
    process.kill(first as number, "SIGKILL");
    const [second] = await eventually(async () => {
      const now = sleepers(m);
      return now.length === 1 && now[0] !== first ? now : undefined;
    }, "the restarted task");
    const restarted = (await allocationsOf(kubeconfig, ns, "crashy")).find(
      (a) => a.metadata.name === original?.metadata.name,
    );
    expect(eventTypes(restarted, "t")).toEqual(
      expect.arrayContaining(["Received", "Task Setup", "Started", "Terminated", "Restarting"]),
    );
    expect(restarted?.status.taskStates.t.restarts).toBe(1);
    const events = (restarted?.status.taskStates.t.events ?? []) as { type: string }[];
    const terminated = events.find((e) => e.type === "Terminated");
    // The shell raw_exec runs the task under reports a SIGKILLed command as 128 + 9.
    expect(terminated).toMatchObject({ exitCode: 137, message: "Exit Code: 137" });

    process.kill(second as number, "SIGKILL");
    const failed = await eventually(async () => {
      const a = (await allocationsOf(kubeconfig, ns, "crashy")).find(
        (x) => x.metadata.name === original?.metadata.name,
      );
      return a?.status?.clientStatus === "failed" ? a : undefined;
    }, "the allocation to fail");
    expect(eventTypes(failed, "t").at(-1)).toBe("Not Restarting");
    expect(failed.status.taskStates.t).toMatchObject({ state: "dead", failed: true });
    // Rescheduled: a replacement allocation runs a new process.
    const replacement = await eventually(
      async () => {
        const all = await allocationsOf(kubeconfig, ns, "crashy");
        return all.find(
          (a) =>
            a.metadata.name !== original?.metadata.name && a.status?.clientStatus === "running",
        );
      },
      "a replacement allocation",
      90_000,
    );
    expect(replacement.spec.desiredStatus).toBe("run");
    await eventually(
      async () => (sleepers(m).length === 1 && sleepers(m)[0] !== second) || undefined,
      "the replacement's process",
    );
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "crashy", "-n", ns, "--timeout=60s"]);
  });

  it("runs a batch job to completion and the job's summary shows it complete", async () => {
    await applyJob(kubeconfig, ns, "once", {
      type: "batch",
      datacenters: [dc],
      groups: [{ name: "g", count: 2, tasks: [shTask("t", 'echo "done $NOMAD_ALLOC_INDEX"')] }],
    });
    const job = await eventually(async () => {
      const j = JSON.parse(
        await kubectlOk(kubeconfig, ["get", "nomadjob", "once", "-n", ns, "-o", "json"]),
      );
      const ready = (j.status?.conditions ?? []).find((c: { type: string }) => c.type === "Ready");
      return j.status?.summary?.g?.complete === 2 && ready?.reason === "Complete" ? j : undefined;
    }, "the job summary to count two complete allocations and its Ready condition to say Complete");
    expect(job.status.status).toBe("dead");
    expect(job.status.summary.g).toMatchObject({ complete: 2, failed: 0, running: 0 });
    const allocs = await allocationsOf(kubeconfig, ns, "once");
    expect(allocs.map((a) => a.status.clientStatus)).toEqual(["complete", "complete"]);
    const outputs = allocs.map((a) => stdoutOf(agent, a.metadata.name, "t")).sort();
    expect(outputs).toEqual(["done 0\n", "done 1\n"]);
    expect(eventTypes(allocs[0], "t")).toEqual(["Received", "Task Setup", "Started", "Terminated"]);
  });

  it("stops every process on kubectl delete: kill_signal first (SIGTERM, or SIGINT when set; its trap runs), SIGKILL after kill_timeout", async () => {
    const m = marker();
    await applyJob(kubeconfig, ns, "graceful", {
      datacenters: [dc],
      groups: [
        {
          name: "g",
          tasks: [
            shTask(
              "polite",
              `trap 'echo "got SIGTERM, cleaning up"; exit 0' TERM; echo ready; while true; do sleep 0.1; done; : ${m}`,
              { killTimeout: "20s" },
            ),
            shTask(
              "interrupted",
              `trap 'echo "got SIGINT"; exit 0' INT; echo ready; while true; do sleep 0.1; done; : ${m}`,
              { killSignal: "SIGINT" },
            ),
            shTask(
              "stubborn",
              `trap 'echo ignoring TERM' TERM; echo ready; while true; do sleep 0.1; done; : ${m}`,
              {
                killTimeout: "2s",
              },
            ),
          ],
        },
      ],
    });
    const [alloc] = await eventually(async () => {
      const [a] = await runningOf(kubeconfig, ns, "graceful");
      return a &&
        stdoutOf(agent, a.metadata.name, "polite") === "ready\n" &&
        stdoutOf(agent, a.metadata.name, "stubborn") === "ready\n" &&
        stdoutOf(agent, a.metadata.name, "interrupted") === "ready\n"
        ? [a]
        : undefined;
    }, "both tasks to be ready");
    const started = Date.now();
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "graceful", "-n", ns, "--timeout=60s"]);
    await eventually(async () => processesWith(m).length === 0 || undefined, "no processes");
    const elapsed = Date.now() - started;
    const name = alloc?.metadata.name as string;
    await eventually(
      async () => stdoutOf(agent, name, "polite").includes("got SIGTERM, cleaning up") || undefined,
      "the polite task's trap output in its log",
    );
    await eventually(
      async () => stdoutOf(agent, name, "stubborn").includes("ignoring TERM") || undefined,
      "the stubborn task's trap output in its log",
    );
    await eventually(
      async () => stdoutOf(agent, name, "interrupted").includes("got SIGINT") || undefined,
      "the kill_signal SIGINT task's trap output in its log",
    );
    // The stubborn one outlived SIGTERM until its 2 s kill timeout.
    expect(elapsed).toBeGreaterThanOrEqual(2000);
  });

  it("rotates a task's log by max_file_size, keeping max_files", async () => {
    await applyJob(kubeconfig, ns, "chatty", {
      type: "batch",
      datacenters: [dc],
      groups: [
        {
          name: "g",
          tasks: [
            // 2.5 MB of output with 1 MB files, 2 kept: files 1 and 2 remain.
            shTask("t", "head -c 2621440 /dev/zero | tr '\\0' x", {
              logs: { maxFiles: 2, maxFileSize: 1 },
            }),
          ],
        },
      ],
    });
    const [alloc] = await eventually(async () => {
      const all = await allocationsOf(kubeconfig, ns, "chatty");
      return all[0]?.status?.clientStatus === "complete" ? all : undefined;
    }, "the job to complete");
    const dir = path.join(agent.dataDir, "alloc", alloc?.metadata.name, "alloc", "logs");
    const files = await eventually(async () => {
      const f = listLogFiles(dir, "t", "stdout").map((x) => path.basename(x));
      return f.join() === "t.stdout.1,t.stdout.2" ? f : undefined;
    }, "two rotated files");
    expect(files).toEqual(["t.stdout.1", "t.stdout.2"]);
    expect(readFileSync(path.join(dir, "t.stdout.1")).length).toBe(1024 * 1024);
    expect(readFileSync(path.join(dir, "t.stdout.2")).length).toBe(512 * 1024);
  });

  describe("artifacts", () => {
    let server: http.Server;
    let base = "";
    const served = mkdtempSync(path.join(os.tmpdir(), "caravan-job-artifacts-"));
    let sum = "";
    beforeAll(async () => {
      const src = path.join(served, "src");
      mkdirSync(src);
      writeFileSync(path.join(src, "hello.txt"), "hello from the artifact\n");
      execFileSync("tar", ["-czf", path.join(served, "bundle.tgz"), "-C", src, "hello.txt"]);
      sum = createHash("sha256")
        .update(readFileSync(path.join(served, "bundle.tgz")))
        .digest("hex");
      server = http.createServer((req, res) => {
        try {
          res.writeHead(200).end(readFileSync(path.join(served, path.basename(req.url ?? ""))));
        } catch {
          res.writeHead(404).end();
        }
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => server?.close());

    it("downloads, verifies and unpacks an artifact before the task starts", async () => {
      await applyJob(kubeconfig, ns, "fetcher", {
        type: "batch",
        datacenters: [dc],
        groups: [
          {
            name: "g",
            tasks: [
              shTask("t", "cat local/bundle/hello.txt", {
                artifacts: [
                  {
                    source: `${base}/bundle.tgz`,
                    destination: "local/bundle",
                    options: { checksum: `sha256:${sum}` },
                  },
                ],
              }),
            ],
          },
        ],
      });
      const [alloc] = await eventually(async () => {
        const all = await allocationsOf(kubeconfig, ns, "fetcher");
        return all[0]?.status?.clientStatus === "complete" ? all : undefined;
      }, "the job to complete");
      expect(stdoutOf(agent, alloc?.metadata.name, "t")).toBe("hello from the artifact\n");
      expect(eventTypes(alloc, "t")).toEqual([
        "Received",
        "Task Setup",
        "Downloading Artifacts",
        "Started",
        "Terminated",
      ]);
    });

    it("fails the task with the reason when the checksum does not match", async () => {
      await applyJob(kubeconfig, ns, "badsum", {
        type: "batch",
        datacenters: [dc],
        groups: [
          {
            name: "g",
            restart: { attempts: 0, mode: "fail" },
            reschedule: { attempts: 0, unlimited: false },
            tasks: [
              shTask("t", "echo should not run", {
                artifacts: [
                  {
                    source: `${base}/bundle.tgz`,
                    options: { checksum: `sha256:${"0".repeat(64)}` },
                  },
                ],
              }),
            ],
          },
        ],
      });
      const [alloc] = await eventually(async () => {
        const all = await allocationsOf(kubeconfig, ns, "badsum");
        return all[0]?.status?.clientStatus === "failed" ? all : undefined;
      }, "the allocation to fail");
      const events = alloc?.status.taskStates.t.events as { type: string; message: string }[];
      const failure = events.find((e) => e.type === "Failed Artifact Download");
      expect(failure?.message).toMatch(
        /^checksums did not match: expected sha256:0{64}, got sha256:/,
      );
      expect(events.at(-1)?.type).toBe("Not Restarting");
      expect(stdoutOf(agent, alloc?.metadata.name, "t")).toBe("");
    });
  });
});
