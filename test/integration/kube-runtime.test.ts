// The shared controller plumbing against a real API server: an informer's
// store and events follow list and watch, a controller reconciles every key
// (retrying failures), and leader election hands over when the leader stops
// or is killed.
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { createLogger } from "../../src/common/log.js";
import type { NomadNodePoolSpec } from "../../src/crds/nodepool.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { runController } from "../../src/kube/controller.js";
import { Informer } from "../../src/kube/informer.js";
import { LeaderElector } from "../../src/kube/leaderelection.js";
import { caravanResource } from "../../src/kube/resources.js";
import { WorkQueue } from "../../src/kube/workqueue.js";
import { createNamespace, eventually, kubectlOk } from "../support/kubectl.js";
import { collectOutput } from "../support/output.js";

const kubeconfig = inject("kubeconfig");
const kc = loadKubeConfig(kubeconfig);
const log = createLogger({ level: "warn", json: false });
const run = Math.random().toString(36).slice(2, 8);

type NodePool = {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; labels?: Record<string, string> };
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
  it("reconciles every object's key once it settles, retrying a failure with backoff", async () => {
    const informer = new Informer<NodePool>(kc, caravanResource("NomadNodePool"), log, {
      labelSelector: `test-run=${run}-ctl`,
    });
    const queue = new WorkQueue({ baseMs: 50, maxMs: 1_000 });
    informer.addHandlers({
      onAdd: (o) => queue.add(o.metadata.name),
      onUpdate: (_old, o) => queue.add(o.metadata.name),
    });
    const reconciled = new Map<string, number>();
    let failedOnce = false;
    const controller = runController({
      name: "test",
      queue,
      concurrency: 2,
      log,
      reconcile: async (key) => {
        if (key.endsWith("-x") && !failedOnce) {
          failedOnce = true;
          throw new Error("transient");
        }
        reconciled.set(key, (reconciled.get(key) ?? 0) + 1);
        return undefined;
      },
    });
    informer.start();
    const docs = ["x", "y", "z"].map((n) =>
      stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadNodePool",
        metadata: { name: `${run}-ctl-${n}`, labels: { "test-run": `${run}-ctl` } },
        spec: {},
      }),
    );
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], docs.join("---\n"));
    await eventually(async () => (reconciled.size === 3 ? true : undefined), "three reconciles");
    expect(failedOnce).toBe(true);
    expect(reconciled.get(`${run}-ctl-x`)).toBe(1);
    informer.stop();
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
