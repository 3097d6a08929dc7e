// The jobs controller on a real API server, driven with kubectl as a user
// would: a new spec becomes a job version (ControllerRevision) and an
// evaluation, status follows the allocations, stop deregisters, and deleting
// a job waits for its allocations to stop before it goes.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { type Obj, runningOf, setClientStatus } from "../support/allocations.js";
import { specEvaluation } from "../support/evaluations.js";
import { createNamespace, eventually, kubectl, kubectlOk } from "../support/kubectl.js";
import { registerNode } from "../support/nodes.js";

const kubeconfig = inject("kubeconfig");
const run = Math.random().toString(36).slice(2, 7);

function job(ns: string, count: number, extra: Obj = {}): string {
  return stringify({
    apiVersion: "caravan.dev/v1alpha1",
    kind: "NomadJob",
    metadata: { name: "web", namespace: ns },
    spec: {
      type: "service",
      datacenters: [`jobs-${run}`],
      groups: [
        {
          name: "frontend",
          count,
          tasks: [{ name: "nginx", driver: "docker", config: { image: "nginx:1.25" } }],
        },
      ],
      ...extra,
    },
  });
}

async function get(ns: string, what: string): Promise<Obj | undefined> {
  const r = await kubectl(kubeconfig, ["get", "-n", ns, what, "-o", "json"]);
  return r.code === 0 ? (JSON.parse(r.stdout) as Obj) : undefined;
}

describe("jobs controller", () => {
  let ns: string;
  let controllers: Controllers;
  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "jobs");
    controllers = await startControllers(
      loadKubeConfig(kubeconfig),
      createLogger({ level: "warn", json: false }),
      { namespace: ns },
    );
  });
  afterAll(async () => {
    await controllers?.stop();
  });

  it("records version 0 and a job-register evaluation for a new job", async () => {
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, 2));
    const registered = await eventually(async () => {
      const j = await get(ns, "nomadjob/web");
      return j?.status?.observedGeneration === 1 ? j : undefined;
    }, "the job status");
    expect(registered.metadata.finalizers).toContain("caravan.dev/deregister");
    expect(registered.status).toMatchObject({ version: 0, status: "pending", desired: 2 });
    const reconciling = registered.status.conditions.find((c: Obj) => c.type === "Reconciling");
    // No node in the job's datacenter yet: evaluating, or already queued.
    expect(reconciling.status).toBe("True");
    expect(["Evaluating", "AllocationsQueued"]).toContain(reconciling.reason);

    const revision = await get(ns, "controllerrevision/web-v0");
    expect(revision?.revision).toBe(0);
    expect(revision?.data.spec.groups[0].count).toBe(2);
    const evaluation = await get(ns, `nomadevaluation/${specEvaluation(ns, "web", 1)}`);
    expect(evaluation?.spec).toMatchObject({
      jobName: "web",
      jobVersion: 0,
      triggeredBy: "job-register",
      type: "service",
      priority: 50,
    });
  });

  it("records a new version and evaluation for a spec change, and nothing for an unchanged apply", async () => {
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, 3));
    await eventually(
      async () => ((await get(ns, "nomadjob/web"))?.status?.version === 1 ? true : undefined),
      "version 1",
    );
    expect(
      (await get(ns, `nomadevaluation/${specEvaluation(ns, "web", 2)}`))?.spec.jobVersion,
    ).toBe(1);

    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, 3));
    await new Promise((r) => setTimeout(r, 1_000));
    const revisions = await kubectlOk(kubeconfig, [
      "get",
      "controllerrevisions",
      "-n",
      ns,
      "-l",
      "caravan.dev/job=web",
      "-o",
      "name",
    ]);
    expect(revisions.trim().split("\n").sort()).toEqual([
      "controllerrevision.apps/web-v0",
      "controllerrevision.apps/web-v1",
    ]);
    const evals = await kubectlOk(kubeconfig, ["get", "nomadevaluations", "-n", ns, "-o", "name"]);
    expect(evals).not.toContain(specEvaluation(ns, "web", 3));
  });

  it("reports running allocations in status, printer columns and the Ready condition", async () => {
    await registerNode(kubeconfig, { name: `jobs-${run}-n1`, datacenter: `jobs-${run}` });
    const placed = await eventually(async () => {
      const a = await runningOf(kubeconfig, ns, "web");
      return a.length === 3 ? a : undefined;
    }, "the scheduler to place 3 allocations");
    for (const a of placed) await setClientStatus(kubeconfig, ns, a.metadata.name, "running");
    const ready = await eventually(async () => {
      const j = await get(ns, "nomadjob/web");
      return j?.status?.conditions?.find((c: Obj) => c.type === "Ready" && c.status === "True")
        ? j
        : undefined;
    }, "the job to be Ready");
    expect(ready.status).toMatchObject({ status: "running", running: 3, desired: 3 });
    expect(ready.status.summary.frontend).toMatchObject({ running: 3, queued: 0, starting: 0 });
    const table = (await kubectlOk(kubeconfig, ["get", "nomadjobs", "-n", ns])).split("\n");
    expect(table[1]).toMatch(/^web\s+service\s+running\s+3\s+3\s/);
  });

  it("deregisters on stop with a job-deregister evaluation that stops the allocations", async () => {
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, 3, { stop: true }));
    const evaluation = await eventually(
      () => get(ns, `nomadevaluation/${specEvaluation(ns, "web", 3)}`),
      "the deregister evaluation",
    );
    expect(evaluation.spec).toMatchObject({ triggeredBy: "job-deregister", jobVersion: 2 });
    await eventually(
      async () => ((await runningOf(kubeconfig, ns, "web")).length === 0 ? true : undefined),
      "allocations to stop",
    );
  });

  it("on deletion stops the allocations, waits for them on a live node, then lets the job go", async () => {
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, 1).replace("name: web", "name: db"));
    const [alloc] = await eventually(async () => {
      const a = await runningOf(kubeconfig, ns, "db");
      return a.length === 1 ? a : undefined;
    }, "the db allocation");
    await setClientStatus(kubeconfig, ns, alloc?.metadata.name, "running");

    await kubectlOk(kubeconfig, ["delete", "nomadjob", "db", "-n", ns, "--wait=false"]);
    await eventually(
      async () => ((await runningOf(kubeconfig, ns, "db")).length === 0 ? true : undefined),
      "the allocation told to stop",
    );
    expect(await get(ns, "nomadjob/db")).toBeDefined(); // still there: the allocation has not stopped

    await setClientStatus(kubeconfig, ns, alloc?.metadata.name, "complete");
    await eventually(
      async () => ((await get(ns, "nomadjob/db")) === undefined ? true : undefined),
      "the job to go",
    );
    await eventually(async () => {
      const left = await kubectlOk(kubeconfig, [
        "get",
        "nomadallocations,controllerrevisions",
        "-n",
        ns,
        "-l",
        "caravan.dev/job=db",
        "-o",
        "name",
      ]);
      return left.trim() === "" ? true : undefined;
    }, "allocations and versions to be garbage-collected");
  });
});
