// Node liveness on a real API server: a node whose heartbeat Lease expires is
// marked down, its allocations are lost and replaced on other nodes, and the
// batch work that already completed there is not run again.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { allocationsOf, type Obj, runningOf, setClientStatus } from "../support/allocations.js";
import { createNamespace, eventually, kubectlOk } from "../support/kubectl.js";
import { type NodeHandle, registerNode } from "../support/nodes.js";

const kubeconfig = inject("kubeconfig");
const run = Math.random().toString(36).slice(2, 7);
const dc = `live-${run}`;
const dc2 = `disc-${run}`;

function job(
  ns: string,
  name: string,
  type: "service" | "batch",
  count: number,
  constraints: Obj[] = [],
): string {
  return stringify({
    apiVersion: "caravan.dev/v1alpha1",
    kind: "NomadJob",
    metadata: { name, namespace: ns },
    spec: {
      type,
      datacenters: [dc],
      constraints,
      groups: [
        {
          name: "g",
          count,
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
}

describe("node liveness", () => {
  let ns: string;
  let controllers: Controllers;
  const nodes = new Map<string, NodeHandle>();
  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "live");
    // Three nodes for the down test, two more in their own datacenter for the disconnect test.
    for (const [datacenter, count] of [
      [dc, 3],
      [dc2, 2],
    ] as const) {
      for (let i = 1; i <= count; i++) {
        const name = `${datacenter}-n${i}`;
        nodes.set(name, await registerNode(kubeconfig, { name, datacenter, leaseSeconds: 3 }));
      }
    }
    controllers = await startControllers(
      loadKubeConfig(kubeconfig),
      createLogger({ level: "warn", json: false }),
      { namespace: ns },
    );
  });
  afterAll(async () => {
    for (const n of nodes.values()) n.stopHeartbeat();
    await controllers?.stop();
  });

  it("marks a node down when its lease expires, loses its allocations and replaces them elsewhere", async () => {
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      job(ns, "svc", "service", 2, [{ operator: "distinct_hosts", value: "true" }]),
    );
    const placed = await eventually(async () => {
      const a = (await allocationsOf(kubeconfig, ns, "svc")).filter(
        (x) => x.spec.desiredStatus === "run",
      );
      return a.length === 2 ? a : undefined;
    }, "2 service allocations");
    for (const a of placed) await setClientStatus(kubeconfig, ns, a.metadata.name, "running");
    const doomed = placed[0]?.spec.nodeName as string;

    // Batch work that finished on the doomed node.
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      job(ns, "once", "batch", 1, [{ attribute: "${node.unique.name}", value: doomed }]),
    );
    const [batch] = await eventually(async () => {
      const a = await allocationsOf(kubeconfig, ns, "once");
      return a.length === 1 ? a : undefined;
    }, "the batch allocation");
    await setClientStatus(kubeconfig, ns, batch?.metadata.name, "complete");

    nodes.get(doomed)?.stopHeartbeat();
    const down = await eventually(
      async () => {
        const n = JSON.parse(
          await kubectlOk(kubeconfig, ["get", "nomadnode", doomed, "-o", "json"]),
        );
        return n.status.status === "down" ? n : undefined;
      },
      "the node to be marked down",
      20_000,
    );
    expect(down.status.statusDescription).toBe("node heartbeat missed: its lease expired");

    const after = await eventually(
      async () => {
        const a = await allocationsOf(kubeconfig, ns, "svc");
        const live = a.filter((x) => x.spec.desiredStatus === "run");
        return live.length === 2 && live.every((x) => x.spec.nodeName !== doomed) ? a : undefined;
      },
      "a replacement on another node",
      20_000,
    );
    const lost = after.find((x) => x.spec.nodeName === doomed);
    expect(lost?.spec.desiredStatus).toBe("stop");
    expect(lost?.status.clientStatus).toBe("lost");
    const replacement = after.find((x) => x.spec.previousAllocation === lost?.metadata.name);
    expect(replacement?.spec.nodeName).not.toBe(doomed);

    // The completed batch allocation is neither lost nor run again.
    await new Promise((r) => setTimeout(r, 1_000));
    const batchAfter = await allocationsOf(kubeconfig, ns, "once");
    expect(batchAfter).toHaveLength(1);
    expect(batchAfter[0]?.status.clientStatus).toBe("complete");
  });

  it("marks the node ready again when its heartbeat resumes", async () => {
    const down = JSON.parse(
      await kubectlOk(kubeconfig, ["get", "nomadnodes", "-o", "json"]),
    ).items.find((n: Obj) => n.metadata.name.startsWith(dc) && n.status.status === "down");
    expect(down, "the node the first test let die").toBeDefined();
    nodes.get(down.metadata.name)?.resumeHeartbeat();
    await eventually(async () => {
      const n = JSON.parse(
        await kubectlOk(kubeconfig, ["get", "nomadnode", down.metadata.name, "-o", "json"]),
      );
      return n.status.status === "ready" ? true : undefined;
    }, "the node to be ready again");
  });

  it("marks a node with disconnect-tolerant allocations disconnected, their allocations unknown, and replaces them", async () => {
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadJob",
        metadata: { name: "tolerant", namespace: ns },
        spec: {
          datacenters: [dc2],
          groups: [
            {
              name: "g",
              count: 1,
              maxClientDisconnect: "1h",
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
    const [alloc] = await eventually(async () => {
      const a = await runningOf(kubeconfig, ns, "tolerant");
      return a.length === 1 ? a : undefined;
    }, "the allocation");
    await setClientStatus(kubeconfig, ns, alloc?.metadata.name, "running");
    const node = alloc?.spec.nodeName as string;
    nodes.get(node)?.stopHeartbeat();

    await eventually(
      async () => {
        const n = JSON.parse(await kubectlOk(kubeconfig, ["get", "nomadnode", node, "-o", "json"]));
        return n.status.status === "disconnected" ? true : undefined;
      },
      "the node to be disconnected",
      20_000,
    );
    const after = await eventually(
      async () => {
        const all = await allocationsOf(kubeconfig, ns, "tolerant");
        const original = all.find((a) => a.metadata.name === alloc?.metadata.name);
        const replacement = all.find(
          (a) => a.metadata.name !== alloc?.metadata.name && a.spec.desiredStatus === "run",
        );
        return original?.status?.clientStatus === "unknown" && replacement
          ? { original, replacement }
          : undefined;
      },
      "the allocation to be unknown and replaced",
      20_000,
    );
    expect(after.replacement.spec.nodeName).not.toBe(node);

    nodes.get(node)?.resumeHeartbeat();
    await eventually(async () => {
      const n = JSON.parse(await kubectlOk(kubeconfig, ["get", "nomadnode", node, "-o", "json"]));
      return n.status.status === "ready" ? true : undefined;
    }, "the node to be ready again");
  });
});
