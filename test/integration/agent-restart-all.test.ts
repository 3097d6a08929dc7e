// POST /v1/client/allocation/:alloc/restart with AllTasks (`nomad alloc
// restart -all-tasks`), as Nomad's RestartAll: every task restarts, the dead
// prestart task too, in lifecycle order: the prestart task runs again to
// completion before the main task starts again. Without AllTasks only the
// running tasks restart.
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type RunningAgent, startAgent } from "../../src/agent/agent.js";
import { createLogger } from "../../src/common/log.js";
import { defaultAgentConfig } from "../../src/config/agent-config.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { type Obj, runningOf } from "../support/allocations.js";
import { createNamespace, eventually, kubectlOk } from "../support/kubectl.js";
import { applyJob, eventTypes, shTask } from "./agent-harness.js";
import { apiClient } from "./api-client.js";

const kubeconfig = inject("kubeconfig");
const kc = loadKubeConfig(kubeconfig);
const log = createLogger({ level: "warn", json: false });
const run = Math.random().toString(36).slice(2, 7);
const dc = `restart-all-${run}`;
const nodeName = `restart-all-${run}-node`;
const dataDir = mkdtempSync(path.join(os.tmpdir(), "caravan-restart-all-"));

describe("restart with AllTasks", () => {
  let ns: string;
  let controllers: Controllers;
  let agent: RunningAgent;

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "restart-all");
    controllers = await startControllers(kc, log, { namespace: ns });
    const base = defaultAgentConfig();
    agent = await startAgent(
      kc,
      {
        ...base,
        name: nodeName,
        datacenter: dc,
        ports: { http: 0 },
        client: {
          ...base.client,
          enabled: true,
          options: { "driver.raw_exec.enable": "1", "driver.allowlist": "raw_exec" },
        },
      },
      log,
      "0.1.0",
      dataDir,
    );
  });
  afterAll(async () => {
    await agent?.stop(true);
    await controllers?.stop();
  });

  const alloc = async (): Promise<Obj> =>
    (
      JSON.parse(
        await kubectlOk(kubeconfig, [
          "get",
          "-n",
          ns,
          "nomadallocation",
          (await runningOf(kubeconfig, ns, "web"))[0]?.metadata.name,
          "-o",
          "json",
        ]),
      ) as Obj
    ).status;

  it("runs the prestart task again before the main task; without AllTasks only the main task", async () => {
    // Each run appends its name to a file shared by the allocation's tasks.
    const order = 'echo "$0" >> "$NOMAD_ALLOC_DIR/data/order"';
    await applyJob(kubeconfig, ns, "web", {
      datacenters: [dc],
      groups: [
        {
          name: "g",
          restart: { attempts: 0, mode: "fail", interval: "10m", delay: "1s" },
          tasks: [
            shTask("init", `sleep 0.5; ${order.replace("$0", "init")}`, {
              lifecycle: { hook: "prestart", sidecar: false },
            }),
            shTask("main", `${order.replace("$0", "main")}; exec sleep 600`),
          ],
        },
      ],
    });
    const [running] = await eventually(async () => {
      const r = await runningOf(kubeconfig, ns, "web");
      return r.length === 1 && r[0]?.status?.taskStates?.main?.state === "running" ? r : undefined;
    }, "the main task to run");
    const id = running?.metadata.name as string;
    const orderFile = path.join(dataDir, "alloc", id, "alloc", "data", "order");
    const lines = () => readFileSync(orderFile, "utf8").trim().split("\n");
    await eventually(async () => (lines().length === 2 ? true : undefined), "both first runs");
    expect(lines()).toEqual(["init", "main"]);
    const direct = apiClient(`http://${agent.httpAddr}`);

    // Only the running task.
    const running1 = await direct("POST", `/v1/client/allocation/${id}/restart`, {});
    expect(running1.status).toBe(200);
    await eventually(async () => (lines().length === 3 ? true : undefined), "main's restart");
    expect(lines()).toEqual(["init", "main", "main"]);
    await eventually(
      async () => ((await alloc()).taskStates.main.state === "running" ? true : undefined),
      "main running again",
    );

    // Every task: the prestart task first, the main task only after it completed.
    const all = await direct("POST", `/v1/client/allocation/${id}/restart`, { AllTasks: true });
    expect(all.status).toBe(200);
    await eventually(async () => (lines().length === 5 ? true : undefined), "both runs again");
    expect(lines()).toEqual(["init", "main", "main", "init", "main"]);
    const status = await eventually(async () => {
      const s = await alloc();
      return s.taskStates.main.state === "running" && s.taskStates.init.state === "dead"
        ? s
        : undefined;
    }, "main running after init completed");
    expect(status.clientStatus).toBe("running");
    expect(status.taskStates.init).toMatchObject({ failed: false, restarts: 1 });
    expect(status.taskStates.main).toMatchObject({ failed: false, restarts: 2 });
    const init = eventTypes({ status }, "init");
    expect(init.filter((t) => t === "Started")).toHaveLength(2);
    expect(init.slice(init.indexOf("Restart Signaled"))).toContain("Terminated");
    expect(eventTypes({ status }, "main").filter((t) => t === "Restart Signaled")).toHaveLength(2);

    // A task named with AllTasks is refused, as Nomad does.
    const both = await direct("POST", `/v1/client/allocation/${id}/restart`, {
      AllTasks: true,
      TaskName: "main",
    });
    expect([both.status, both.text]).toEqual([
      400,
      "Task name cannot be set when restarting all tasks",
    ]);
  }, 90_000);
});
