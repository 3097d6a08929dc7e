// The exec driver under a real agent, control plane and controller: tasks
// run isolated (own PID, UTS, mount namespaces, a chroot of chroot_env, as
// nobody, in a memory cgroup), an over-limit task is OOM-killed and says so,
// and a restarted agent re-attaches to a running task and reports its exit.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { AgentClient } from "../../src/agent/client.js";
import { agentFieldManager, NodeRegistration } from "../../src/agent/registration.js";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { execDriver } from "../../src/drivers/exec/index.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { allocationsOf, type Obj } from "../support/allocations.js";
import { createNamespace, eventually, kubectlOk } from "../support/kubectl.js";

const kubeconfig = inject("kubeconfig");
const kc = loadKubeConfig(kubeconfig);
const log = createLogger({ level: "warn", json: false });
const run = Math.random().toString(36).slice(2, 7);
const dc = `exec-${run}`;
const nodeName = `exec-${run}-node`;

const exec = execDriver({ options: {}, pluginConfig: {}, dataDir: os.tmpdir(), log });

function execJob(
  ns: string,
  name: string,
  script: string,
  extra: { type?: string; memory?: number; user?: string } = {},
) {
  return stringify({
    apiVersion: "caravan.dev/v1alpha1",
    kind: "NomadJob",
    metadata: { name, namespace: ns },
    spec: {
      type: extra.type ?? "batch",
      datacenters: [dc],
      groups: [
        {
          name: "g",
          restart: { attempts: 0, mode: "fail" },
          reschedule: { attempts: 0, unlimited: false },
          tasks: [
            {
              name: "t",
              driver: "exec",
              config: { command: "/bin/sh", args: ["-c", script] },
              env: { GREETING: "hello from ${node.unique.name}" },
              resources: { cpu: 200, memory: extra.memory ?? 64 },
              ...(extra.user ? { user: extra.user } : {}),
            },
          ],
        },
      ],
    },
  });
}

/** The job's one allocation once its client status is one of `statuses`. */
async function allocIn(ns: string, job: string, statuses: string[], timeoutMs = 90_000) {
  return eventually(
    async () => {
      const [a] = await allocationsOf(kubeconfig, ns, job);
      return a && statuses.includes(a.status?.clientStatus) ? a : undefined;
    },
    `${job} to be ${statuses.join(" or ")}`,
    timeoutMs,
  );
}

describe("exec driver", () => {
  let ns: string;
  let controllers: Controllers;
  let registration: NodeRegistration;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "caravan-exec-"));
  const client = () =>
    new AgentClient({
      kc,
      log,
      nodeName,
      dataDir,
      region: "global",
      drivers: new Map([["exec", exec]]),
      fieldManager: agentFieldManager,
    });
  const logOf = (alloc: Obj, stream = "stdout") =>
    readFileSync(
      path.join(dataDir, "alloc", alloc.metadata.name, "alloc", "logs", `t.${stream}.0`),
      "utf8",
    );

  beforeAll(async () => {
    expect((await exec.fingerprint()).detected).toBe(true);
    ns = await createNamespace(kubeconfig, "exec");
    controllers = await startControllers(kc, log, { namespace: ns });
    registration = new NodeRegistration(
      kc,
      log,
      {
        name: nodeName,
        datacenter: dc,
        nodePool: "default",
        meta: {},
        dataDir,
        reserved: {},
        version: "0.1.0",
      },
      async () => ({ exec: await exec.fingerprint() }),
    );
    await registration.start();
  });
  afterAll(async () => {
    registration?.stop();
    await controllers?.stop();
    // A test that failed midway may leave its task running: end it and free its cgroup.
    const names = JSON.parse(
      await kubectlOk(kubeconfig, ["get", "nomadallocations", "-n", ns, "-o", "json"]),
    ).items.map((a: Obj) => `${a.metadata.name}.t`) as string[];
    for (const name of names) {
      const procs = `/sys/fs/cgroup/memory/caravan/${name}/cgroup.procs`;
      if (!existsSync(procs)) continue;
      for (const p of readFileSync(procs, "utf8").split("\n").filter(Boolean))
        process.kill(Number(p), "SIGKILL");
      await new Promise((r) => setTimeout(r, 500));
      for (const c of ["memory", "cpu", "cpuacct", "pids"])
        try {
          rmdirSync(`/sys/fs/cgroup/${c}/caravan/${name}`);
        } catch {
          // Removed by the agent already.
        }
    }
  });

  it("runs a task isolated: its own PID and UTS namespaces, a chroot of chroot_env, as nobody, with Nomad's environment", async () => {
    // A host directory outside chroot_env: the task must not see it.
    const hostDir = mkdtempSync(path.join(os.tmpdir(), "caravan-exec-host-"));
    writeFileSync(path.join(hostDir, "marker"), "host only");
    const agent = client();
    agent.start();
    const script = [
      "echo pid=$$",
      "echo hostname=$(hostname)",
      "echo uid=$(id -u)",
      `if [ -e ${hostDir}/marker ]; then echo sees-host-dir; else echo no-host-dir; fi`,
      "echo root=$(ls / | tr '\\n' ,)",
      "echo procs=$(ls /proc | grep -c '^[0-9]')",
      "echo alloc_dir=$NOMAD_ALLOC_DIR task_dir=$NOMAD_TASK_DIR job=$NOMAD_JOB_NAME task=$NOMAD_TASK_NAME",
      "echo mem=$NOMAD_MEMORY_LIMIT greeting=$GREETING",
      "echo note > /local/note && echo wrote-local",
      "touch /usr/escape 2>/dev/null && echo wrote-usr || echo usr-read-only",
      "echo to-stderr >&2",
    ].join("; ");
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], execJob(ns, "isolated", script));
    const alloc = await allocIn(ns, "isolated", ["complete", "failed"]);
    await agent.stop();
    const out = logOf(alloc);
    expect(alloc.status.clientStatus, out).toBe("complete");
    const pid = Number(/pid=(\d+)/.exec(out)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(pid).toBeLessThan(100); // the PID namespace is the task's own
    expect(out).toMatch(/hostname=(\S+)/);
    expect(/hostname=(\S+)/.exec(out)?.[1]).not.toBe(os.hostname());
    expect(out).toContain("uid=65534");
    expect(out).toContain("no-host-dir");
    const root = (/root=(\S+)/.exec(out)?.[1] ?? "").split(",").filter(Boolean);
    expect(root).toEqual(
      expect.arrayContaining(["alloc", "local", "secrets", "tmp", "usr", "etc"]),
    );
    expect(root).not.toContain("root");
    expect(root).not.toContain("home");
    // Only the task's own processes are visible.
    expect(Number(/procs=(\d+)/.exec(out)?.[1])).toBeLessThan(10);
    expect(out).toContain("alloc_dir=/alloc task_dir=/local job=isolated task=t");
    expect(out).toContain(`mem=64 greeting=hello from ${nodeName}`);
    expect(out).toContain("wrote-local");
    expect(out).toContain("usr-read-only");
    expect(logOf(alloc, "stderr")).toContain("to-stderr");
    // The task's local/ is the host's task directory; the chroot's mounts never reached the host.
    const taskDir = path.join(dataDir, "alloc", alloc.metadata.name, "t");
    expect(readFileSync(path.join(taskDir, "local", "note"), "utf8")).toBe("note\n");
    expect(readdirSync(path.join(taskDir, "usr"))).toEqual([]);
    expect(readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(taskDir);
  }, 120_000);

  it("kills a task that exceeds its memory, and the event says OOM Killed", async () => {
    const agent = client();
    agent.start();
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      execJob(
        ns,
        "hungry",
        'echo start; exec perl -e \'$x = "a" x (200 * 1024 * 1024); print "survived\\n"\'',
        {
          memory: 32,
        },
      ),
    );
    const alloc = await allocIn(ns, "hungry", ["failed", "complete"]);
    await agent.stop();
    expect(alloc.status.clientStatus).toBe("failed");
    const terminated = (alloc.status.taskStates.t.events as Obj[]).find(
      (e) => e.type === "Terminated",
    );
    expect(terminated?.message).toContain("OOM Killed");
    expect(terminated?.details?.oom_killed).toBe("true");
    expect(logOf(alloc)).not.toContain("survived");
    // destroy() removed the task's cgroup.
    expect(
      readdirSync("/sys/fs/cgroup/memory/caravan").filter((d) => d.startsWith(alloc.metadata.name)),
    ).toEqual([]);
  }, 120_000);

  it("re-attaches to a running task after the agent restarts (same PID) and reports its later exit", async () => {
    const first = client();
    first.start();
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      execJob(
        ns,
        "lasting",
        "echo started; while [ ! -e /alloc/data/finish ]; do sleep 0.2; done; echo finishing; exit 3",
        { type: "service" },
      ),
    );
    const running = await allocIn(ns, "lasting", ["running"]);
    const state = () =>
      (JSON.parse(readFileSync(path.join(dataDir, "state.json"), "utf8")) as Obj).tasks as Record<
        string,
        Record<string, Obj>
      >;
    const record = await eventually(
      async () => state()[`${ns}/${running.metadata.name}`]?.t,
      "the task in the agent's state file",
    );
    const pid = record.pid as number;
    expect(readFileSync(`/proc/${pid}/stat`, "utf8")).not.toMatch(/\) Z /);
    await first.stop(); // the agent goes away; the task keeps running

    const second = client();
    second.start();
    await eventually(async () => {
      const [a] = await allocationsOf(kubeconfig, ns, "lasting");
      const events = (a?.status?.taskStates?.t?.events ?? []) as Obj[];
      return events.some((e) => e.message === "Task re-attached after an agent restart")
        ? a
        : undefined;
    }, "the new agent to re-attach");
    expect(state()[`${ns}/${running.metadata.name}`]?.t?.pid).toBe(pid);
    expect(readFileSync(`/proc/${pid}/stat`, "utf8")).not.toMatch(/\) Z /);

    mkdirSync(path.join(dataDir, "alloc", running.metadata.name, "alloc", "data"), {
      recursive: true,
    });
    writeFileSync(
      path.join(dataDir, "alloc", running.metadata.name, "alloc", "data", "finish"),
      "",
    );
    const failed = await allocIn(ns, "lasting", ["failed"]);
    const terminated = (failed.status.taskStates.t.events as Obj[]).find(
      (e) => e.type === "Terminated",
    );
    expect(terminated?.exitCode).toBe(3);
    expect(logOf(failed)).toContain("finishing");
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "lasting", "-n", ns, "--timeout=60s"]);
    await second.stop();
  }, 180_000);
});
