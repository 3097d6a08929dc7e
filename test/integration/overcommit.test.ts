// Four scheduler workers placing ten jobs at once on a tight cluster: the plan
// applier's re-check keeps every node within its capacity, as read back from
// the allocations in the API.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import type { Obj } from "../support/allocations.js";
import { specEvaluation } from "../support/evaluations.js";
import { createNamespace, eventually, kubectlOk } from "../support/kubectl.js";
import { registerNode } from "../support/nodes.js";

const kubeconfig = inject("kubeconfig");
const run = Math.random().toString(36).slice(2, 7);
const dc = `tight-${run}`;
const nodeCount = 5;

describe("several workers on a tight cluster", () => {
  let ns: string;
  let controllers: Controllers;
  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "tight");
    for (let i = 0; i < nodeCount; i++) {
      await registerNode(kubeconfig, {
        name: `${dc}-n${i}`,
        datacenter: dc,
        cpuMHz: 4000,
        memoryMB: 4096,
      });
    }
    controllers = await startControllers(
      loadKubeConfig(kubeconfig),
      createLogger({ level: "warn", json: false }),
      {
        namespace: ns,
        numSchedulers: 4,
      },
    );
  });
  afterAll(async () => {
    await controllers?.stop();
  });

  it("never over-commits a node, and queues what does not fit", async () => {
    // 10 jobs × 4 allocations × 1000 MHz = 40000 MHz wanted, 20000 MHz there.
    const jobs = Array.from({ length: 10 }, (_, j) =>
      stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadJob",
        metadata: { name: `job-${j}`, namespace: ns },
        spec: {
          datacenters: [dc],
          groups: [
            {
              name: "g",
              count: 4,
              tasks: [
                {
                  name: "t",
                  driver: "docker",
                  config: { image: "x" },
                  resources: { cpu: 1000, memory: 512 },
                },
              ],
            },
          ],
        },
      }),
    );
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], jobs.join("---\n"));

    const settled = await eventually(
      async () => {
        const evals = JSON.parse(
          await kubectlOk(kubeconfig, ["get", "nomadevaluations", "-n", ns, "-o", "json"]),
        ).items as Obj[];
        const done =
          evals.filter(
            (e) =>
              e.metadata.name === specEvaluation(ns, e.spec.jobName, 1) &&
              e.status?.status === "complete",
          ).length === 10;
        const pending = evals.some((e) => (e.status?.status ?? "pending") === "pending");
        return done && !pending ? evals : undefined;
      },
      "every evaluation to finish",
      60_000,
    );

    const allocs = JSON.parse(
      await kubectlOk(kubeconfig, ["get", "nomadallocations", "-n", ns, "-o", "json"]),
    ).items as Obj[];
    const live = allocs.filter((a) => a.spec.desiredStatus === "run");
    const cpuByNode = new Map<string, number>();
    for (const a of live) {
      const cpu = Object.values(a.spec.resources.tasks as Record<string, { cpu: number }>).reduce(
        (n, t) => n + t.cpu,
        0,
      );
      cpuByNode.set(a.spec.nodeName, (cpuByNode.get(a.spec.nodeName) ?? 0) + cpu);
    }
    for (const [node, cpu] of cpuByNode)
      expect(cpu, `CPU committed on ${node}`).toBeLessThanOrEqual(4000);
    expect(live).toHaveLength(20);
    const blocked = settled.filter((e) => e.status?.status === "blocked");
    const queued = blocked.reduce((n, e) => n + (e.status.queuedAllocations?.g ?? 0), 0);
    expect(queued).toBe(20);
  });
});
