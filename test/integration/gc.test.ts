// Garbage collection on a real API server with the controllers running (GC
// every half second, Nomad's default thresholds): terminal evaluations,
// allocations and deployments older than their thresholds and nodes down for
// longer than node_gc_threshold go, everything younger or still live stays;
// `caravan system gc` collects everything terminal at once, stopped jobs too.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import type { Obj } from "../support/allocations.js";
import { runCaravan } from "../support/cli.js";
import { createNamespace, eventually, kubectl, kubectlOk } from "../support/kubectl.js";

const kubeconfig = inject("kubeconfig");
const run = Math.random().toString(36).slice(2, 7);
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const hour = 3_600_000;

/** `caravan ARGS` against the test cluster. */
const caravan = (...args: string[]) => runCaravan([...args, "-kubeconfig", kubeconfig]);

/** Creates an object, then writes its status through the status subresource. */
async function make(kind: string, metadata: Obj, spec: Obj, status: Obj): Promise<void> {
  await kubectlOk(
    kubeconfig,
    ["apply", "-f", "-"],
    stringify({ apiVersion: "caravan.dev/v1alpha1", kind, metadata, spec }),
  );
  const args = ["patch", kind.toLowerCase(), metadata.name, "--subresource=status", "--type=merge"];
  if (metadata.namespace) args.push("-n", metadata.namespace);
  await kubectlOk(kubeconfig, [...args, "-p", JSON.stringify({ status })]);
}

async function exists(what: string, ns?: string): Promise<boolean> {
  const r = await kubectl(kubeconfig, ["get", what, ...(ns ? ["-n", ns] : []), "-o", "name"]);
  return r.code === 0;
}

describe("garbage collection", () => {
  let ns: string;
  let controllers: Controllers;
  const evaluation = (name: string) => ({
    metadata: { name, namespace: ns },
    spec: { jobName: "gone", type: "service", priority: 50, triggeredBy: "job-register" },
  });
  const allocation = (name: string, node: string) => ({
    metadata: { name, namespace: ns },
    spec: {
      jobName: "gone",
      jobVersion: 0,
      group: "g",
      nodeName: node,
      desiredStatus: "run",
      name: `gone.g[0]`,
      index: 0,
      evalName: "e",
      resources: {},
    },
  });

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "gc");
    controllers = await startControllers(
      loadKubeConfig(kubeconfig),
      createLogger({ level: "warn", json: false }),
      { namespace: ns, gc: { intervalMs: 500 } },
    );
  });
  afterAll(async () => {
    await controllers?.stop();
  });

  it("removes terminal objects older than the thresholds and keeps everything younger", async () => {
    const e = (name: string, status: Obj) =>
      make("NomadEvaluation", evaluation(name).metadata, evaluation(name).spec, status);
    await e("eval-old", { status: "complete", modifyTime: ago(2 * hour) });
    await e("eval-young", { status: "complete", modifyTime: ago(10 * 60_000) });
    await e("eval-blocked-old", { status: "blocked", modifyTime: ago(5 * hour) });

    const a = (name: string, status: Obj) =>
      make(
        "NomadAllocation",
        allocation(name, `gc-${run}-up`).metadata,
        allocation(name, `gc-${run}-up`).spec,
        status,
      );
    await a("alloc-old", { clientStatus: "complete", modifyTime: ago(2 * hour) });
    await a("alloc-young", { clientStatus: "complete", modifyTime: ago(5 * 60_000) });
    await a("alloc-running-old", { clientStatus: "running", modifyTime: ago(9 * hour) });
    // Failed and never replaced: it may still be rescheduled.
    await a("alloc-failed-old", { clientStatus: "failed", modifyTime: ago(9 * hour) });

    const d = (name: string, version: number, status: Obj) =>
      make(
        "NomadDeployment",
        { name, namespace: ns },
        { jobName: "gone", jobVersion: version },
        status,
      );
    await d("dep-old", 0, { status: "successful", modifyTime: ago(2 * hour) });
    await d("dep-young", 1, { status: "failed", modifyTime: ago(60_000) });

    const n = (name: string, status: Obj) => make("NomadNode", { name }, {}, status);
    await n(`gc-${run}-long-down`, { status: "down", statusUpdatedAt: ago(25 * hour) });
    await n(`gc-${run}-recently-down`, { status: "down", statusUpdatedAt: ago(2 * hour) });

    await eventually(
      async () => {
        const gone = await Promise.all([
          exists("nomadevaluation/eval-old", ns),
          exists("nomadallocation/alloc-old", ns),
          exists("nomaddeployment/dep-old", ns),
          exists(`nomadnode/gc-${run}-long-down`),
        ]);
        return gone.every((x) => !x) ? true : undefined;
      },
      "the old terminal objects to be collected",
      60_000,
    );
    await new Promise((r) => setTimeout(r, 2_000)); // a few more passes
    for (const [what, where] of [
      ["nomadevaluation/eval-young", ns],
      ["nomadevaluation/eval-blocked-old", ns],
      ["nomadallocation/alloc-young", ns],
      ["nomadallocation/alloc-running-old", ns],
      ["nomadallocation/alloc-failed-old", ns],
      ["nomaddeployment/dep-young", ns],
      [`nomadnode/gc-${run}-recently-down`, undefined],
    ] as const)
      expect(await exists(what, where), what).toBe(true);
  }, 120_000);

  it("caravan system gc collects everything terminal now, stopped jobs included", async () => {
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadJob",
        metadata: { name: "retired", namespace: ns },
        spec: {
          type: "service",
          stop: true,
          datacenters: [`gc-${run}`],
          groups: [{ name: "g", tasks: [{ name: "t", driver: "docker", config: { image: "x" } }] }],
        },
      }),
    );
    await eventually(async () => {
      const r = await kubectl(kubeconfig, ["get", "nomadjob/retired", "-n", ns, "-o", "json"]);
      return r.code === 0 && JSON.parse(r.stdout).status?.status === "dead" ? true : undefined;
    }, "the stopped job dead");
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await exists("nomadjob/retired", ns)).toBe(true); // younger than job_gc_threshold

    const r = await caravan("system", "gc", "-namespace", ns);
    expect(r.err).toBe("");
    expect(r.out).toMatch(
      /Garbage collected: 1 jobs, \d+ evaluations, 1 allocations, 1 deployments, 0 nodes/,
    );
    await eventually(
      async () => ((await exists("nomadjob/retired", ns)) ? undefined : true),
      "the stopped job gone",
    );
    expect(await exists("nomadevaluation/eval-young", ns)).toBe(false);
    expect(await exists("nomadallocation/alloc-young", ns)).toBe(false);
    expect(await exists("nomadallocation/alloc-running-old", ns)).toBe(true);
    expect(await exists("nomaddeployment/dep-young", ns)).toBe(false);
    // Nodes are cluster-wide: a namespace's gc leaves them.
    expect(await exists(`nomadnode/gc-${run}-recently-down`)).toBe(true);

    const s = await caravan("system", "reconcile", "summaries", "-namespace", ns);
    expect(s.out).toBe("Reconciled job summaries: 0 jobs\n");
  }, 120_000);
});
