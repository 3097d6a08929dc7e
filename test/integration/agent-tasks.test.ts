// A node agent running tasks on a real API server: Nomad's task lifecycle
// (prestart, sidecar, poststop), and re-attaching to running tasks after the
// agent restarts instead of starting them again.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { AgentClient } from "../../src/agent/client.js";
import { agentFieldManager, NodeRegistration } from "../../src/agent/registration.js";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { rawExecDriver } from "../../src/drivers/raw_exec/index.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { allocationsOf, runningOf } from "../support/allocations.js";
import { createNamespace, eventually, kubectlOk } from "../support/kubectl.js";

const kubeconfig = inject("kubeconfig");
const kc = loadKubeConfig(kubeconfig);
const log = createLogger({ level: "warn", json: false });
const run = Math.random().toString(36).slice(2, 7);
const dc = `restart-${run}`;
const nodeName = `restart-${run}-node`;
const marker = `5${Math.floor(Math.random() * 1e6)}`;

/** PIDs of `sleep <marker>` processes. */
function sleepers(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8") === `/bin/sleep\0${marker}\0`)
        pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

const rawExec = rawExecDriver({
  options: { "driver.raw_exec.enable": "1" },
  pluginConfig: {},
  dataDir: os.tmpdir(),
  log,
});

describe("agent tasks", () => {
  let ns: string;
  let controllers: Controllers;
  let registration: NodeRegistration;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "caravan-agent-restart-"));
  const client = () =>
    new AgentClient({
      kc,
      log,
      nodeName,
      dataDir,
      region: "global",
      drivers: new Map([["raw_exec", rawExec]]),
      fieldManager: agentFieldManager,
    });

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "restart");
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
      async () => ({ raw_exec: await rawExec.fingerprint() }),
    );
    await registration.start();
  });
  afterAll(async () => {
    registration?.stop();
    await controllers?.stop();
  });

  it("re-attaches to a running task after a restart, without starting it again, and can stop it", async () => {
    const first = client();
    first.start();
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadJob",
        metadata: { name: "long", namespace: ns },
        spec: {
          datacenters: [dc],
          groups: [
            {
              name: "g",
              tasks: [
                {
                  name: "t",
                  driver: "raw_exec",
                  config: { command: "/bin/sleep", args: [marker] },
                  resources: { cpu: 100, memory: 64 },
                },
              ],
            },
          ],
        },
      }),
    );
    const [pid] = await eventually(
      async () => (sleepers().length === 1 ? sleepers() : undefined),
      "the task to start",
    );
    await first.stop(); // the agent goes away; its task keeps running

    const second = client();
    second.start();
    const alloc = await eventually(async () => {
      const [a] = await runningOf(kubeconfig, ns, "long");
      const events = (a?.status?.taskStates?.t?.events ?? []) as { message: string }[];
      return events.some((e) => e.message === "Task re-attached after an agent restart")
        ? a
        : undefined;
    }, "the new agent to re-attach");
    expect(alloc.status.clientStatus).toBe("running");
    expect(sleepers()).toEqual([pid]);

    await kubectlOk(kubeconfig, ["delete", "nomadjob", "long", "-n", ns, "--timeout=30s"]);
    expect(sleepers()).toEqual([]);
    await second.stop();
  });

  it("runs prestart tasks first, a sidecar beside the main task until it ends, and poststop tasks last", async () => {
    const agent = client();
    agent.start();
    const out = path.join(dataDir, "lifecycle.log");
    const sh = (name: string, script: string, lifecycle?: Record<string, unknown>) => ({
      name,
      driver: "raw_exec",
      config: { command: "/bin/sh", args: ["-c", script] },
      resources: { cpu: 100, memory: 64 },
      ...(lifecycle ? { lifecycle } : {}),
    });
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadJob",
        metadata: { name: "phases", namespace: ns },
        spec: {
          type: "batch",
          datacenters: [dc],
          groups: [
            {
              name: "g",
              tasks: [
                sh("main", `sleep 1; echo main >> ${out}`),
                sh("setup", `echo setup >> ${out}`, { hook: "prestart" }),
                sh("proxy", `echo proxy >> ${out}; exec sleep 600`, {
                  hook: "prestart",
                  sidecar: true,
                }),
                sh("cleanup", `echo cleanup >> ${out}`, { hook: "poststop" }),
              ],
            },
          ],
        },
      }),
    );
    const alloc = await eventually(async () => {
      const [a] = await allocationsOf(kubeconfig, ns, "phases");
      return a?.status?.clientStatus === "complete" ? a : undefined;
    }, "the allocation to complete");
    expect(readFileSync(out, "utf8")).toBe("setup\nproxy\nmain\ncleanup\n");
    expect(alloc.status.taskStates.proxy).toMatchObject({ state: "dead", failed: false });
    await agent.stop();
  });

  it("stops a task whose allocation was stopped while no agent ran, once an agent is back", async () => {
    const m = `6${Math.floor(Math.random() * 1e6)}`;
    const mine = () =>
      readdirSync("/proc").filter((e) => {
        try {
          return (
            /^\d+$/.test(e) && readFileSync(`/proc/${e}/cmdline`, "utf8") === `/bin/sleep\0${m}\0`
          );
        } catch {
          return false;
        }
      });
    const first = client();
    first.start();
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadJob",
        metadata: { name: "orphan", namespace: ns },
        spec: {
          datacenters: [dc],
          groups: [
            {
              name: "g",
              restart: { attempts: 0, mode: "fail" },
              tasks: [
                {
                  name: "t",
                  driver: "raw_exec",
                  config: { command: "/bin/sleep", args: [m] },
                  resources: { cpu: 100, memory: 64 },
                },
              ],
            },
          ],
        },
      }),
    );
    await eventually(async () => mine().length === 1 || undefined, "the task to start");
    await first.stop(); // the agent goes away; its task keeps running
    await kubectlOk(kubeconfig, [
      "patch",
      "nomadjob",
      "orphan",
      "-n",
      ns,
      "--type=merge",
      "-p",
      JSON.stringify({ spec: { stop: true } }),
    ]);
    await eventually(async () => {
      const all = await allocationsOf(kubeconfig, ns, "orphan");
      return all.length > 0 && all.every((a) => a.spec.desiredStatus !== "run") ? true : undefined;
    }, "the allocation to be told to stop");
    expect(mine().length).toBe(1);

    const second = client();
    second.start();
    await eventually(
      async () => mine().length === 0 || undefined,
      "the new agent to stop the task",
    );
    await second.stop();
  });
});
