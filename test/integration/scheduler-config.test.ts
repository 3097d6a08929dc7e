// The scheduler configuration applied by the running controllers: a node
// pool's schedulerConfiguration (algorithm, memory oversubscription) decides
// where the workers place its jobs and what memory limit a task gets. Each
// pool here has its own nodes, a small one and a big one: binpack fills the
// small one, spread picks the big one, as Nomad's ScoreFitBinPack and its
// inverse rank them. (The cluster-wide NomadSchedulerConfiguration would
// change other test files' scheduling, so pools carry the settings here; the
// same function merges both.)
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { allocationsOf } from "../support/allocations.js";
import { createNamespace, eventually, kubectlOk } from "../support/kubectl.js";
import { registerNode } from "../support/nodes.js";

const kubeconfig = inject("kubeconfig");
const run = Math.random().toString(36).slice(2, 7);
const datacenter = `schedcfg-${run}`;

function job(ns: string, name: string, pool: string): string {
  return stringify({
    apiVersion: "caravan.dev/v1alpha1",
    kind: "NomadJob",
    metadata: { name, namespace: ns },
    spec: {
      type: "service",
      datacenters: [datacenter],
      nodePool: pool,
      groups: [
        {
          name: "web",
          count: 1,
          tasks: [
            {
              name: "app",
              driver: "docker",
              config: { image: "app:1" },
              resources: { cpu: 500, memory: 256, memoryMax: 1024 },
            },
          ],
        },
      ],
    },
  });
}

function pool(name: string, schedulerConfiguration: Record<string, unknown>): string {
  return stringify({
    apiVersion: "caravan.dev/v1alpha1",
    kind: "NomadNodePool",
    metadata: { name },
    spec: { schedulerConfiguration },
  });
}

describe("the scheduler configuration, applied by the scheduler workers", () => {
  let ns: string;
  let controllers: Controllers;
  const packed = `packed-${run}`;
  const spread = `spread-${run}`;

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "schedcfg");
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      pool(packed, { schedulerAlgorithm: "binpack", memoryOversubscriptionEnabled: false }),
    );
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      pool(spread, { schedulerAlgorithm: "spread", memoryOversubscriptionEnabled: true }),
    );
    for (const p of [packed, spread]) {
      await registerNode(kubeconfig, {
        name: `${p}-small`,
        datacenter,
        nodePool: p,
        cpuMHz: 2000,
        memoryMB: 2048,
      });
      await registerNode(kubeconfig, {
        name: `${p}-big`,
        datacenter,
        nodePool: p,
        cpuMHz: 16000,
        memoryMB: 32768,
      });
    }
    controllers = await startControllers(
      loadKubeConfig(kubeconfig),
      createLogger({ level: "warn", json: false }),
      { namespace: ns, numSchedulers: 1 },
    );
  });
  afterAll(async () => {
    await controllers?.stop();
    await kubectlOk(kubeconfig, ["delete", "nomadnodepool", packed, spread, "--ignore-not-found"]);
  });

  const placed = async (name: string) =>
    eventually(async () => {
      const a = (await allocationsOf(kubeconfig, ns, name)).filter(
        (x) => x.spec.desiredStatus === "run",
      );
      return a.length === 1 ? a[0] : undefined;
    }, `the allocation of ${name}`);

  it("binpacks in a binpack pool: the small node, and memory_max ignored without oversubscription", async () => {
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, "in-packed", packed));
    const a = await placed("in-packed");
    expect(a.spec.nodeName).toBe(`${packed}-small`);
    expect(a.spec.resources.tasks.app.memoryMB).toBe(256);
    expect(a.spec.resources.tasks.app.memoryMaxMB ?? 256).toBe(256);
  });

  it("spreads in a spread pool: the big node, and memory_max given with the pool's oversubscription", async () => {
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, "in-spread", spread));
    const a = await placed("in-spread");
    expect(a.spec.nodeName).toBe(`${spread}-big`);
    expect(a.spec.resources.tasks.app).toMatchObject({ memoryMB: 256, memoryMaxMB: 1024 });
  });
});
