// Jobs to allocations on a real API server: the jobs controller, eval broker,
// scheduler workers and plan applier together, as `kubectl apply` drives them.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { evaluationName } from "../../src/crds/new-evaluation.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { allocationsOf, type Obj, runningOf } from "../support/allocations.js";
import { specEvaluation } from "../support/evaluations.js";
import { createNamespace, eventually, kubectl, kubectlOk } from "../support/kubectl.js";
import { registerNode } from "../support/nodes.js";

const kubeconfig = inject("kubeconfig");
const run = Math.random().toString(36).slice(2, 7);

function job(ns: string, name: string, count: number, memoryMB = 256): string {
  return stringify({
    apiVersion: "caravan.dev/v1alpha1",
    kind: "NomadJob",
    metadata: { name, namespace: ns },
    spec: {
      type: "service",
      datacenters: [`sched-${run}`],
      groups: [
        {
          name: "web",
          count,
          tasks: [
            {
              name: "app",
              driver: "docker",
              config: { image: "app:1" },
              resources: { cpu: 500, memory: memoryMB },
            },
          ],
        },
      ],
    },
  });
}

describe("scheduling jobs onto nodes", () => {
  let ns: string;
  let controllers: Controllers;
  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "sched");
    for (const i of [1, 2, 3]) {
      await registerNode(kubeconfig, {
        name: `sched-${run}-n${i}`,
        datacenter: `sched-${run}`,
        cpuMHz: 4000,
        memoryMB: 4096,
      });
    }
    controllers = await startControllers(
      loadKubeConfig(kubeconfig),
      createLogger({ level: "warn", json: false }),
      {
        namespace: ns,
        numSchedulers: 2,
      },
    );
  });
  afterAll(async () => {
    await controllers?.stop();
  });

  it("places a job of 5 allocations over 3 nodes with their resources", async () => {
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, "web", 5));
    const placed = await eventually(async () => {
      const a = await runningOf(kubeconfig, ns, "web");
      return a.length === 5 ? a : undefined;
    }, "5 allocations");
    const nodes = new Set(placed.map((a) => a.spec.nodeName));
    expect([...nodes].every((n) => n.startsWith(`sched-${run}-n`))).toBe(true);
    expect(nodes.size).toBeGreaterThan(1);
    for (const a of placed) {
      expect(a.spec.resources.tasks.app).toMatchObject({ cpu: 500, memoryMB: 256 });
      expect(a.metadata.labels).toMatchObject({
        "caravan.dev/job": "web",
        "caravan.dev/group": "web",
        "caravan.dev/node": a.spec.nodeName,
      });
      expect(a.metadata.ownerReferences[0]).toMatchObject({ kind: "NomadJob", name: "web" });
    }
    expect(placed.map((a) => a.spec.index).sort()).toEqual([0, 1, 2, 3, 4]);
    const evaluation = JSON.parse(
      await kubectlOk(kubeconfig, [
        "get",
        "nomadevaluation",
        specEvaluation(ns, "web", 1),
        "-n",
        ns,
        "-o",
        "json",
      ]),
    );
    expect(evaluation.status.status).toBe("complete");

    // As the agents would: the allocations start running.
    for (const a of placed) {
      await kubectlOk(kubeconfig, [
        "patch",
        "nomadallocation",
        a.metadata.name,
        "-n",
        ns,
        "--subresource=status",
        "--type=merge",
        "-p",
        '{"status":{"clientStatus":"running"}}',
      ]);
    }
    const ready = await eventually(async () => {
      const j = JSON.parse(
        await kubectlOk(kubeconfig, ["get", "nomadjob", "web", "-n", ns, "-o", "json"]),
      );
      return j.status?.conditions?.some((c: Obj) => c.type === "Ready" && c.status === "True")
        ? j
        : undefined;
    }, "the job to be Ready");
    expect(ready.status.summary.web).toMatchObject({ running: 5, queued: 0 });
  });

  it("adds allocations when the count grows, and stops the highest indexes when it shrinks", async () => {
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, "web", 8));
    await eventually(
      async () => ((await runningOf(kubeconfig, ns, "web")).length === 8 ? true : undefined),
      "8 allocations",
    );
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, "web", 2));
    const left = await eventually(async () => {
      const a = await runningOf(kubeconfig, ns, "web");
      return a.length === 2 ? a : undefined;
    }, "2 allocations");
    expect(left.map((a) => a.spec.index).sort()).toEqual([0, 1]);
    const stopped = (await allocationsOf(kubeconfig, ns, "web")).filter(
      (a) => a.spec.desiredStatus === "stop",
    );
    expect(stopped).toHaveLength(6);
  });

  it("keeps a job that does not fit queued, says why, and places it when a node joins", async () => {
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, "big", 1, 16_000));
    const queued = await eventually(async () => {
      const j = JSON.parse(
        await kubectlOk(kubeconfig, ["get", "nomadjob", "big", "-n", ns, "-o", "json"]),
      );
      const c = j.status?.conditions?.find((x: Obj) => x.type === "Reconciling");
      return c?.reason === "AllocationsQueued" ? { job: j, condition: c } : undefined;
    }, "the job to report queued allocations");
    expect(queued.condition.message).toMatch(
      /^1 allocation of group "web" not placed: memory exhausted on 3 nodes/,
    );
    expect(queued.job.status.summary.web.queued).toBe(1);
    const blocked = JSON.parse(
      await kubectlOk(kubeconfig, [
        "get",
        "nomadevaluation",
        evaluationName(ns, "big", { kind: "blocked" }),
        "-n",
        ns,
        "-o",
        "json",
      ]),
    );
    expect(blocked.status).toMatchObject({ status: "blocked", queuedAllocations: { web: 1 } });
    expect(blocked.status.failedTGAllocs.web.dimensionExhausted.memory).toBe(3);
    const events = await kubectl(kubeconfig, [
      "get",
      "events.events.k8s.io",
      "-n",
      ns,
      "-o",
      "json",
    ]);
    const queuedEvent = JSON.parse(events.stdout).items.find(
      (e: Obj) => e.reason === "AllocationsQueued" && e.regarding.name === "big",
    );
    expect(queuedEvent?.note).toMatch(/memory exhausted on 3 nodes/);
    expect(await runningOf(kubeconfig, ns, "big")).toHaveLength(0);

    await registerNode(kubeconfig, {
      name: `sched-${run}-big`,
      datacenter: `sched-${run}`,
      cpuMHz: 8000,
      memoryMB: 32_000,
    });
    const placed = await eventually(async () => {
      const a = await runningOf(kubeconfig, ns, "big");
      return a.length === 1 ? a : undefined;
    }, "the queued allocation to be placed on the new node");
    expect(placed[0]?.spec.nodeName).toBe(`sched-${run}-big`);
    // The evaluation that placed it keeps the group's placement metrics, naming the chosen node.
    const placing = await eventually(async () => {
      const e = JSON.parse(
        await kubectlOk(kubeconfig, [
          "get",
          "nomadevaluation",
          placed[0]?.spec.evalName ?? "",
          "-n",
          ns,
          "-o",
          "json",
        ]),
      );
      return e.status?.placementMetrics ? e : undefined;
    }, "the placing evaluation's metrics");
    expect(placing.status.placementMetrics.web.scoreMetaData[0].nodeName).toBe(`sched-${run}-big`);
  });

  it("replaces a failed allocation per the reschedule policy, and leaves it when the policy says not to", async () => {
    const withPolicy = (name: string, reschedule: Obj) =>
      stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadJob",
        metadata: { name, namespace: ns },
        spec: {
          datacenters: [`sched-${run}`],
          groups: [
            {
              name: "g",
              count: 1,
              reschedule,
              tasks: [
                {
                  name: "t",
                  driver: "docker",
                  config: { image: "x" },
                  resources: { cpu: 100, memory: 64 },
                },
              ],
            },
          ],
        },
      });
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      withPolicy("retry", { delay: "1s", delayFunction: "constant", unlimited: true }),
    );
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      withPolicy("noretry", { attempts: 0, unlimited: false }),
    );
    for (const name of ["retry", "noretry"]) {
      const [a] = await eventually(async () => {
        const list = await runningOf(kubeconfig, ns, name);
        return list.length === 1 ? list : undefined;
      }, `${name} placed`);
      await kubectlOk(kubeconfig, [
        "patch",
        "nomadallocation",
        a?.metadata.name,
        "-n",
        ns,
        "--subresource=status",
        "--type=merge",
        "-p",
        '{"status":{"clientStatus":"failed"}}',
      ]);
    }
    const replaced = await eventually(async () => {
      const all = await allocationsOf(kubeconfig, ns, "retry");
      const next = all.find((x) => x.spec.previousAllocation && x.spec.desiredStatus === "run");
      return next ? { all, next } : undefined;
    }, "the failed allocation to be replaced after its delay");
    const failed = replaced.all.find(
      (x) => x.metadata.name === replaced.next.spec.previousAllocation,
    );
    expect(failed?.status.clientStatus).toBe("failed");
    expect(replaced.next.spec.rescheduleTracker.events).toHaveLength(1);

    await new Promise((r) => setTimeout(r, 2_500));
    const noretry = await allocationsOf(kubeconfig, ns, "noretry");
    expect(noretry).toHaveLength(1);
    expect(noretry[0]?.status.clientStatus).toBe("failed");
  });
});
