// `caravan controller` killed with SIGKILL while it places a 1000-allocation
// job: after a restart (or a follower's takeover) the job has exactly 1000
// allocations, none duplicated, and no node is over-committed.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/common/log.js";
import { type ControlPlane, startControlPlane } from "../../src/controlplane/start.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { requestJson } from "../../src/kube/rest.js";
import { eventually, kubectlOk } from "../support/kubectl.js";
import { type NodeHandle, registerNode } from "../support/nodes.js";
import { collectOutput } from "../support/output.js";

const root = path.resolve(import.meta.dirname, "../..");
const allocCount = 1000;
const nodeCount = 20;
// biome-ignore lint/suspicious/noExplicitAny: objects read back as JSON
type Obj = Record<string, any>;

describe("controller crash safety", () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "caravan-crash-"));
  let cluster: ControlPlane;
  let kubeconfig: string;
  const nodes: NodeHandle[] = [];
  const children: ChildProcess[] = [];
  const config = path.join(tmp, "controller.hcl");

  beforeAll(async () => {
    cluster = await startControlPlane({
      dataDir: path.join(tmp, "cluster"),
      log: createLogger({ level: "warn", json: false }),
      crds: [path.join(root, "charts/caravan/crds")],
      controllers: [],
    });
    kubeconfig = cluster.kubeconfigPath;
    writeFileSync(config, "ports {\n  http = 0\n}\n");
    for (let i = 0; i < nodeCount; i++) {
      // Room for 60 allocations of 100 MHz each: 1000 need most of the cluster.
      nodes.push(
        await registerNode(kubeconfig, {
          name: `crash-n${i}`,
          cpuMHz: 6000,
          memoryMB: 64_000,
          leaseSeconds: 20,
        }),
      );
    }
  }, 180_000);

  afterAll(async () => {
    for (const c of children) c.kill("SIGKILL");
    for (const n of nodes) n.stopHeartbeat();
    await cluster?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  function controller(namespace: string): ChildProcess {
    const child = spawn(
      path.join(root, "bin/caravan"),
      [
        "controller",
        "--kubeconfig",
        kubeconfig,
        "--namespace",
        namespace,
        "--config",
        config,
        "--log-level",
        "warn",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    collectOutput(child);
    children.push(child);
    return child;
  }

  async function countAllocations(namespace: string): Promise<number> {
    const list = await requestJson<Obj>(loadKubeConfig(kubeconfig), {
      method: "GET",
      path: `/apis/caravan.dev/v1alpha1/namespaces/${namespace}/nomadallocations`,
      query: { limit: 1 },
    });
    return list.items.length + (list.metadata.remainingItemCount ?? 0);
  }

  async function applyBigJob(namespace: string): Promise<void> {
    await kubectlOk(kubeconfig, ["create", "namespace", namespace]);
    await kubectlOk(
      kubeconfig,
      ["apply", "-n", namespace, "-f", "-"],
      JSON.stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadJob",
        metadata: { name: "big" },
        spec: {
          groups: [
            {
              name: "g",
              count: allocCount,
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
      }),
    );
  }

  async function expectExactlyPlaced(namespace: string): Promise<void> {
    const done = await eventually(
      async () => {
        const evals = JSON.parse(
          await kubectlOk(kubeconfig, ["get", "nomadevaluations", "-n", namespace, "-o", "json"]),
        ).items as Obj[];
        return evals.length > 0 &&
          evals.every((e) => e.status?.status && e.status.status !== "pending")
          ? evals
          : undefined;
      },
      "the evaluations to finish",
      120_000,
    );
    expect(done.some((e) => e.status.status === "complete")).toBe(true);
    const allocs = JSON.parse(
      await kubectlOk(kubeconfig, ["get", "nomadallocations", "-n", namespace, "-o", "json"]),
    ).items as Obj[];
    const live = allocs.filter((a) => a.spec.desiredStatus === "run");
    expect(live).toHaveLength(allocCount);
    expect(new Set(live.map((a) => a.spec.index)).size).toBe(allocCount);
    const cpu = new Map<string, number>();
    for (const a of live) cpu.set(a.spec.nodeName, (cpu.get(a.spec.nodeName) ?? 0) + 100);
    for (const [node, used] of cpu) expect(used, node).toBeLessThanOrEqual(6000);
  }

  it("places exactly 1000 after a kill -9 and restart", async () => {
    const ns = "crash-restart";
    let c = controller(ns);
    await applyBigJob(ns);
    await eventually(
      async () => ((await countAllocations(ns)) >= 100 ? true : undefined),
      "placement to be under way",
      60_000,
    );
    c.kill("SIGKILL");
    const atKill = await countAllocations(ns);
    c = controller(ns);
    await expectExactlyPlaced(ns);
    expect(atKill, "the kill landed mid-placement").toBeLessThan(allocCount);
    c.kill("SIGTERM");
  });

  it("places exactly 1000 when the leader of two replicas is killed", async () => {
    const ns = "crash-failover";
    const a = controller(ns);
    await new Promise((r) => setTimeout(r, 3_000)); // a leads
    const b = controller(ns);
    await applyBigJob(ns);
    await eventually(
      async () => ((await countAllocations(ns)) >= 100 ? true : undefined),
      "placement to be under way",
      60_000,
    );
    const lease = JSON.parse(
      await kubectlOk(kubeconfig, ["get", "lease", "caravan-controller", "-n", ns, "-o", "json"]),
    );
    const leader = String(lease.spec.holderIdentity).includes(`_${a.pid}_`) ? a : b;
    leader.kill("SIGKILL");
    await expectExactlyPlaced(ns);
    const after = JSON.parse(
      await kubectlOk(kubeconfig, ["get", "lease", "caravan-controller", "-n", ns, "-o", "json"]),
    );
    expect(after.spec.holderIdentity).not.toBe(lease.spec.holderIdentity);
  });
});
