// Alloc dir garbage collection on a real agent: with gc_max_allocs = 1 the
// older of two finished allocations loses its directory, and deleting a job
// removes the directories of its allocations.
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { allocationsOf } from "../support/allocations.js";
import { createNamespace, eventually, kubectlOk } from "../support/kubectl.js";
import { applyJob, shTask, startTestAgent, type TestAgent } from "./agent-harness.js";

const kubeconfig = inject("kubeconfig");
const kc = loadKubeConfig(kubeconfig);
const log = createLogger({ level: "warn", json: false });
const run = Math.random().toString(36).slice(2, 7);
const dc = `gc-${run}`;

describe("alloc dir gc", () => {
  let ns: string;
  let controllers: Controllers;
  let agent: TestAgent;
  const allocDir = (name: string) => path.join(agent.dataDir, "alloc", name);

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "agentgc");
    controllers = await startControllers(kc, log, { namespace: ns });
    agent = await startTestAgent(
      kc,
      log,
      { name: `gc-${run}-node`, datacenter: dc },
      { gc: { intervalMs: 300, maxAllocs: 1, diskUsageThreshold: 100 } },
    );
  });
  afterAll(async () => {
    await agent?.stop(true);
    await controllers?.stop();
  });

  const completed = async (job: string) => {
    await applyJob(kubeconfig, ns, job, {
      type: "batch",
      datacenters: [dc],
      groups: [{ name: "g", tasks: [shTask("t", "echo hi")] }],
    });
    const [a] = await eventually(async () => {
      const all = await allocationsOf(kubeconfig, ns, job);
      return all[0]?.status?.clientStatus === "complete" ? all : undefined;
    }, `${job} to complete`);
    return a?.metadata.name as string;
  };

  it("keeps gc_max_allocs terminal allocations, removing the oldest first, and removes deleted ones", async () => {
    const first = await completed("first");
    const second = await completed("second");
    await eventually(async () => !existsSync(allocDir(first)) || undefined, "the older dir to go");
    expect(existsSync(allocDir(second))).toBe(true);
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "second", "-n", ns, "--timeout=60s"]);
    await eventually(
      async () => (await allocationsOf(kubeconfig, ns, "second")).length === 0 || undefined,
      "the allocation to be deleted",
    );
    await eventually(
      async () => !existsSync(allocDir(second)) || undefined,
      "the deleted one's dir to go",
    );
  });
});
