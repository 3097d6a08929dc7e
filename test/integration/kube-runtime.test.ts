// The shared controller plumbing against a real API server: an informer's
// store and events follow list and watch; a controller reconciles every key,
// retries failures with backoff, leaves a terminal failure alone until the
// spec changes, runs a finalizer's cleanup, maps owned children to their
// owner, and aborts in-flight work on stop; leader election hands over when
// the leader stops or is killed.
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { createLogger } from "../../src/common/log.js";
import type { ApiObject, ObjectMeta } from "../../src/crds/meta.js";
import type { NomadNodePoolSpec } from "../../src/crds/nodepool.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import {
  defineController,
  owned,
  ownerReference,
  runController,
  TerminalError,
} from "../../src/kube/controller.js";
import { EventRecorder } from "../../src/kube/events.js";
import { withFinalizer } from "../../src/kube/finalizer.js";
import { Informer } from "../../src/kube/informer.js";
import { LeaderElector } from "../../src/kube/leaderelection.js";
import { caravanResource, leaseResource } from "../../src/kube/resources.js";
import { createNamespace, eventually, kubectl, kubectlOk } from "../support/kubectl.js";
import { collectOutput } from "../support/output.js";

const kubeconfig = inject("kubeconfig");
const kc = loadKubeConfig(kubeconfig);
const log = createLogger({ level: "warn", json: false });
const run = Math.random().toString(36).slice(2, 8);

type NodePool = {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: NomadNodePoolSpec;
};

function pool(name: string, description: string): string {
  return stringify({
    apiVersion: "caravan.dev/v1alpha1",
    kind: "NomadNodePool",
    metadata: { name: `${run}-${name}`, labels: { "test-run": run } },
    spec: { description },
  });
}

describe("informer", () => {
  const informer = new Informer<NodePool>(kc, caravanResource("NomadNodePool"), log, {
    labelSelector: `test-run=${run}`,
    pageSize: 1, // exercise paging
  });
  const events: string[] = [];
  afterAll(() => informer.stop());

  it("lists existing objects (all pages), then follows adds, updates and deletes", async () => {
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      `${pool("a", "first")}---\n${pool("b", "second")}`,
    );
    informer.addHandlers({
      onAdd: (o) => events.push(`add ${o.metadata.name}`),
      onUpdate: (_old, o) => events.push(`update ${o.metadata.name} ${o.spec.description}`),
      onDelete: (o) => events.push(`delete ${o.metadata.name}`),
    });
    informer.start();
    await informer.waitForSync();
    expect(informer.store.size).toBe(2);
    const a = informer.store.get(`${run}-a`);
    expect(a?.kind).toBe("NomadNodePool");
    expect(a?.spec.description).toBe("first");

    await kubectlOk(kubeconfig, ["apply", "-f", "-"], pool("c", "third"));
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], pool("a", "changed"));
    await kubectlOk(kubeconfig, ["delete", "nomadnodepool", `${run}-b`]);
    await eventually(
      async () => (events.includes(`delete ${run}-b`) ? true : undefined),
      "the delete event",
    );
    expect(events).toEqual([
      `add ${run}-a`,
      `add ${run}-b`,
      `add ${run}-c`,
      `update ${run}-a changed`,
      `delete ${run}-b`,
    ]);
    expect(informer.store.keys().sort()).toEqual([`${run}-a`, `${run}-c`]);
  });
});

describe("controller", () => {
  /** A controller over the pools labelled for one test, stopped after it. */
  const poolInformer = (label: string) => {
    const informer = new Informer<NodePool>(kc, caravanResource("NomadNodePool"), log, {
      labelSelector: `test-run=${label}`,
    });
    informer.start();
    return informer;
  };
  const pools = (label: string, names: string[], description = "") =>
    names
      .map((n) =>
        stringify({
          apiVersion: "caravan.dev/v1alpha1",
          kind: "NomadNodePool",
          metadata: { name: `${label}-${n}`, labels: { "test-run": label } },
          spec: { description },
        }),
      )
      .join("---\n");
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it("reconciles every object's key once it settles, retrying a failure with growing backoff", async () => {
    const label = `${run}-ctl`;
    const informer = poolInformer(label);
    const reconciled = new Map<string, number>();
    const failures: number[] = [];
    const controller = runController(
      defineController({
        name: "test",
        for: informer,
        concurrency: 2,
        rateLimit: { baseMs: 200, maxMs: 5_000 },
        reconcile: async (key) => {
          if (key.endsWith("-x") && failures.length < 3) {
            failures.push(Date.now());
            throw new Error("transient");
          }
          reconciled.set(key, (reconciled.get(key) ?? 0) + 1);
          return undefined;
        },
      }),
      { log },
    );
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], pools(label, ["x", "y", "z"]));
    await eventually(async () => (reconciled.size === 3 ? true : undefined), "three reconciles");
    expect(reconciled.get(`${label}-x`)).toBe(1);
    // Three failures, then success: 200 ms, then 400 ms, then 800 ms apart.
    expect(failures).toHaveLength(3);
    const [a = 0, b = 0, c = 0] = failures;
    expect(b - a).toBeGreaterThanOrEqual(190);
    expect(c - b).toBeGreaterThanOrEqual(390);
    informer.stop();
    await controller.stop();
  });

  it("records a terminal error as an Event and does not retry until the spec changes", async () => {
    const label = `${run}-term`;
    const informer = poolInformer(label);
    const attempts: string[] = [];
    const controller = runController(
      defineController({
        name: "test-terminal",
        for: informer,
        rateLimit: { baseMs: 50, maxMs: 1_000 },
        reconcile: async (key) => {
          const pool = informer.store.get(key);
          attempts.push(pool?.spec.description ?? "");
          if (pool?.spec.description === "bad") throw new TerminalError("bad spec", "BadSpec");
          return undefined;
        },
      }),
      { log, events: new EventRecorder(kc, "caravan.dev/test", log) },
    );
    const name = `${label}-p`;
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], pools(label, ["p"], "bad"));
    await eventually(async () => (attempts.length > 0 ? true : undefined), "a reconcile");
    const event = await eventually(async () => {
      const items = JSON.parse(
        await kubectlOk(kubeconfig, ["get", "events.events.k8s.io", "-n", "default", "-o", "json"]),
      ).items as { reason: string; note: string; type: string; regarding: { name: string } }[];
      return items.find((e) => e.regarding.name === name && e.reason === "BadSpec");
    }, "the BadSpec event");
    expect(event.type).toBe("Warning");
    expect(event.note).toBe("bad spec");

    // A change outside the spec is no reason to try again; a requeue is not either.
    await kubectlOk(kubeconfig, ["label", "nomadnodepool", name, "touched=yes"]);
    await eventually(
      async () => (informer.store.get(name)?.metadata.labels?.touched ? true : undefined),
      "the label in the cache",
    );
    await sleep(1_000);
    expect(attempts).toEqual(["bad"]);

    await kubectlOk(kubeconfig, ["apply", "-f", "-"], pools(label, ["p"], "good"));
    await eventually(
      async () => (attempts.includes("good") ? true : undefined),
      "a reconcile of the fixed spec",
    );
    expect(attempts).toEqual(["bad", "good"]);
    informer.stop();
    await controller.stop();
  });

  it("withFinalizer adds the finalizer before apply, runs cleanup on delete, then removes it", async () => {
    const label = `${run}-fin`;
    const informer = poolInformer(label);
    const resource = caravanResource("NomadNodePool");
    const calls: string[] = [];
    let cleanups = 0;
    const controller = runController(
      defineController({
        name: "test-finalizer",
        for: informer,
        reconcile: async (key, context) => {
          const pool = informer.store.get(key);
          if (!pool) return undefined;
          return withFinalizer(kc, resource, pool, "caravan.dev/test", context, {
            apply: async (p) => {
              calls.push(`apply ${(p.metadata.finalizers ?? []).join(",")}`);
              return undefined;
            },
            cleanup: async () => {
              cleanups++;
              calls.push("cleanup");
              // Not done the first time: the finalizer stays until a later look.
              return cleanups === 1 ? { requeueAfterMs: 200 } : undefined;
            },
          });
        },
      }),
      { log },
    );
    const name = `${label}-p`;
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], pools(label, ["p"]));
    await eventually(async () => (calls.length > 0 ? true : undefined), "apply");
    expect(calls[0]).toBe("apply caravan.dev/test");
    const held = JSON.parse(
      await kubectlOk(kubeconfig, ["get", "nomadnodepool", name, "-o", "json"]),
    );
    expect(held.metadata.finalizers).toEqual(["caravan.dev/test"]);

    await kubectlOk(kubeconfig, ["delete", "nomadnodepool", name, "--wait=false"]);
    await eventually(async () => {
      const got = await kubectl(kubeconfig, ["get", "nomadnodepool", name]);
      return got.code !== 0 && /NotFound/.test(got.stderr) ? true : undefined;
    }, "the pool to go");
    expect(calls.filter((c) => c === "cleanup")).toHaveLength(2);
    informer.stop();
    await controller.stop();
  });

  it("aborts an in-flight reconcile on stop and waits for it", async () => {
    const label = `${run}-stop`;
    const informer = poolInformer(label);
    let started = false;
    let finished = false;
    const controller = runController(
      defineController({
        name: "test-stop",
        for: informer,
        reconcile: async (_key, { signal }) => {
          started = true;
          await new Promise<void>((resolve) =>
            signal.addEventListener("abort", () => resolve(), { once: true }),
          );
          await sleep(200); // winding down
          finished = true;
          signal.throwIfAborted();
          return undefined;
        },
      }),
      { log },
    );
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], pools(label, ["p"]));
    await eventually(async () => (started ? true : undefined), "the reconcile to start");
    await controller.stop();
    expect(finished).toBe(true);
    informer.stop();
  });

  it("maps an owned child's change to its owner's key", async () => {
    const label = `${run}-own`;
    const ns = await createNamespace(kubeconfig, "owns");
    const owners = poolInformer(label);
    const leases = new Informer<ApiObject>(kc, leaseResource, log, { namespace: ns });
    leases.start();
    const reconciled: string[] = [];
    const controller = runController(
      defineController({
        name: "test-owns",
        for: owners,
        owns: [owned(leases, ownerReference(caravanResource("NomadNodePool")))],
        reconcile: async (key) => {
          reconciled.push(key);
          return undefined;
        },
      }),
      { log },
    );
    const name = `${label}-p`;
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], pools(label, ["p"]));
    await eventually(async () => owners.store.get(name), "the owner in the cache");
    await eventually(async () => (reconciled.includes(name) ? true : undefined), "the owner");
    reconciled.length = 0;
    const uid = owners.store.get(name)?.metadata.uid;
    const lease = (holder: string) =>
      stringify({
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: {
          name: "child",
          namespace: ns,
          ownerReferences: [
            { apiVersion: "caravan.dev/v1alpha1", kind: "NomadNodePool", name, uid },
          ],
        },
        spec: { holderIdentity: holder },
      });
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], lease("a"));
    await eventually(async () => (reconciled.includes(name) ? true : undefined), "on create");
    reconciled.length = 0;
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], lease("b"));
    await eventually(async () => (reconciled.includes(name) ? true : undefined), "on update");
    expect(reconciled.every((k) => k === name)).toBe(true);
    owners.stop();
    leases.stop();
    await controller.stop();
  });
});

describe("leader election", () => {
  let ns: string;

  it("hands over when the leader releases, and within the lease duration when it is killed", async () => {
    ns = await createNamespace(kubeconfig, "leader");
    const elect = (identity: string, onStart: () => void) =>
      new LeaderElector(kc, {
        namespace: ns,
        name: "caravan-controller",
        identity,
        leaseDurationMs: 3_000,
        renewDeadlineMs: 2_000,
        retryPeriodMs: 300,
        log,
        onStartedLeading: onStart,
        onStoppedLeading: () => {},
      });

    let leader = "";
    const a = elect("a", () => {
      leader = "a";
    });
    const b = elect("b", () => {
      leader = "b";
    });
    a.start();
    await eventually(async () => (leader === "a" ? true : undefined), "a to lead");
    b.start();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(leader).toBe("a");
    expect(b.isLeader()).toBe(false);

    const released = Date.now();
    await a.stop();
    await eventually(async () => (leader === "b" ? true : undefined), "b to take over");
    expect(Date.now() - released).toBeLessThan(2_000);
    await b.stop();

    // A leader in another process dies without releasing the lease.
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        path.join(import.meta.dirname, "../support/campaign.ts"),
        kubeconfig,
        ns,
        "caravan-controller",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const output = collectOutput(child);
    await eventually(
      async () => (output.stdout.includes("leading") ? true : undefined),
      "the child to lead",
    );
    const c = elect("c", () => {
      leader = "c";
    });
    c.start();
    const killed = Date.now();
    child.kill("SIGKILL");
    await eventually(
      async () => (leader === "c" ? true : undefined),
      "c to take over from the killed leader",
      10_000,
    );
    const takeover = Date.now() - killed;
    expect(takeover).toBeLessThan(3_000 + 1_000);
    const lease = JSON.parse(
      await kubectlOk(kubeconfig, ["get", "lease", "caravan-controller", "-n", ns, "-o", "json"]),
    );
    expect(lease.spec.holderIdentity).toBe("c");
    expect(lease.spec.leaseTransitions).toBeGreaterThanOrEqual(2);
    await c.stop();
  });
});
