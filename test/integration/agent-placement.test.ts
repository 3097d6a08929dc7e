// Two node agents with different node_class and meta, both in this process:
// the scheduler honours constraints and spread across them, and each agent
// runs only what was placed on its node.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { runningOf } from "../support/allocations.js";
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
const dc = `place-${run}`;

describe("placement across two agents", () => {
  let ns: string;
  let controllers: Controllers;
  let gpu: TestAgent;
  let general: TestAgent;

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "agentplace");
    controllers = await startControllers(kc, log, { namespace: ns });
    gpu = await startTestAgent(kc, log, {
      name: `place-${run}-gpu`,
      datacenter: dc,
      nodeClass: "gpu",
      meta: { rack: "r1" },
    });
    general = await startTestAgent(kc, log, {
      name: `place-${run}-general`,
      datacenter: dc,
      nodeClass: "general",
      meta: { rack: "r2" },
    });
    // Both nodes ready before any job is placed.
    await eventually(async () => {
      const out = await kubectlOk(kubeconfig, ["get", "nomadnodes", "-o", "json"]);
      const ready = (
        JSON.parse(out).items as { metadata: { name: string }; status?: { status?: string } }[]
      ).filter((n) => n.metadata.name.startsWith(`place-${run}`) && n.status?.status === "ready");
      return ready.length === 2 || undefined;
    }, "both nodes to be ready");
  });
  afterAll(async () => {
    await gpu?.stop(true);
    await general?.stop(true);
    await controllers?.stop();
  });

  const nodeOf = (pid: number) => environOf(pid).NOMAD_TASK_DIR ?? "";
  const sleepTask = (m: string) => ({
    name: "t",
    driver: "raw_exec",
    config: { command: "/bin/sleep", args: [m] },
    resources: { cpu: 50, memory: 32 },
  });

  it("places a node_class constraint only on the matching agent", async () => {
    const m = marker();
    await applyJob(kubeconfig, ns, "trainer", {
      datacenters: [dc],
      constraints: [{ attribute: "${node.class}", operator: "=", value: "gpu" }],
      groups: [{ name: "g", count: 3, tasks: [sleepTask(m)] }],
    });
    const pids = await eventually(
      async () => (sleepers(m).length === 3 ? sleepers(m) : undefined),
      "three processes",
    );
    for (const pid of pids) expect(nodeOf(pid).startsWith(gpu.dataDir)).toBe(true);
    const allocs = await runningOf(kubeconfig, ns, "trainer");
    expect(new Set(allocs.map((a) => a.spec.nodeName))).toEqual(new Set([gpu.name]));
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "trainer", "-n", ns, "--timeout=60s"]);
  });

  it("spreads over meta.rack evenly, and a meta constraint picks the other agent", async () => {
    const m = marker();
    await applyJob(kubeconfig, ns, "spready", {
      datacenters: [dc],
      groups: [
        {
          name: "g",
          count: 4,
          spreads: [{ attribute: "${meta.rack}", weight: 100 }],
          tasks: [sleepTask(m)],
        },
      ],
    });
    const pids = await eventually(
      async () => (sleepers(m).length === 4 ? sleepers(m) : undefined),
      "four processes",
    );
    const onGpu = pids.filter((pid) => nodeOf(pid).startsWith(gpu.dataDir)).length;
    const onGeneral = pids.filter((pid) => nodeOf(pid).startsWith(general.dataDir)).length;
    expect([onGpu, onGeneral]).toEqual([2, 2]);

    const m2 = marker();
    await applyJob(kubeconfig, ns, "rack2", {
      datacenters: [dc],
      groups: [
        {
          name: "g",
          count: 2,
          constraints: [{ attribute: "${meta.rack}", operator: "=", value: "r2" }],
          tasks: [sleepTask(m2)],
        },
      ],
    });
    const pids2 = await eventually(
      async () => (sleepers(m2).length === 2 ? sleepers(m2) : undefined),
      "two processes",
    );
    for (const pid of pids2) expect(nodeOf(pid).startsWith(general.dataDir)).toBe(true);
    await kubectlOk(kubeconfig, [
      "delete",
      "nomadjob",
      "spready",
      "rack2",
      "-n",
      ns,
      "--timeout=60s",
    ]);
  });
});
