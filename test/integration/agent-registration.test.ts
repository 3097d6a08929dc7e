// A node agent registering on a real API server: its NomadNode carries the
// fingerprint under Nomad's attribute names, the scheduler places a job on it,
// and when it stops heartbeating the controller marks it down.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { NodeRegistration } from "../../src/agent/registration.js";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { createNamespace, eventually, kubectlOk } from "../support/kubectl.js";

const kubeconfig = inject("kubeconfig");
const kc = loadKubeConfig(kubeconfig);
const log = createLogger({ level: "warn", json: false });
const run = Math.random().toString(36).slice(2, 7);
const dc = `agent-${run}`;
const nodeName = `agent-${run}-node`;

describe("node agent registration", () => {
  let ns: string;
  let controllers: Controllers;
  let agent: NodeRegistration;
  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "agent");
    controllers = await startControllers(kc, log, { namespace: ns });
    agent = new NodeRegistration(
      kc,
      log,
      {
        name: nodeName,
        datacenter: dc,
        nodePool: "default",
        nodeClass: "test",
        meta: { rack: "r1" },
        dataDir: mkdtempSync(path.join(os.tmpdir(), "caravan-agent-")),
        reserved: { cpu: 100, memory: 128 },
        version: "0.1.0",
      },
      async () => ({
        raw_exec: { detected: true, healthy: true, healthDescription: "Healthy", attributes: {} },
      }),
      { leaseSeconds: 3 },
    );
    await agent.start();
  });
  afterAll(async () => {
    agent?.stop();
    await controllers?.stop();
  });

  it("registers a ready node with Nomad's attributes, resources and drivers", async () => {
    const node = JSON.parse(
      await kubectlOk(kubeconfig, ["get", "nomadnode", nodeName, "-o", "json"]),
    );
    expect(node.status).toMatchObject({
      status: "ready",
      datacenter: dc,
      nodeClass: "test",
      meta: { rack: "r1" },
    });
    expect(Number(node.status.attributes["cpu.numcores"])).toBe(os.cpus().length);
    expect(node.status.attributes["kernel.name"]).toBe("linux");
    expect(node.status.attributes["unique.hostname"]).toBe(os.hostname());
    expect(node.status.attributes["driver.raw_exec"]).toBe("1");
    expect(node.status.resources.memory.memoryMB).toBeGreaterThan(0);
    expect(node.status.reserved).toMatchObject({ cpuShares: 100, memoryMB: 128 });
    const lease = JSON.parse(
      await kubectlOk(kubeconfig, [
        "get",
        "lease",
        nodeName,
        "-n",
        "caravan-node-lease",
        "-o",
        "json",
      ]),
    );
    expect(lease.spec.holderIdentity).toBe(nodeName);
    const table = await kubectlOk(kubeconfig, ["get", "nomadnodes", nodeName]);
    expect(table.split("\n")[1]).toMatch(
      new RegExp(`^${nodeName}\\s+${dc}\\s+default\\s+eligible\\s+ready`),
    );
  });

  it("gets allocations placed on it", async () => {
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadJob",
        metadata: { name: "hello", namespace: ns },
        spec: {
          datacenters: [dc],
          constraints: [{ attribute: "${meta.rack}", value: "r1" }],
          groups: [
            {
              name: "g",
              tasks: [
                {
                  name: "t",
                  driver: "raw_exec",
                  config: { command: "/bin/true" },
                  resources: { cpu: 100, memory: 64 },
                },
              ],
            },
          ],
        },
      }),
    );
    const alloc = await eventually(async () => {
      const list = JSON.parse(
        await kubectlOk(kubeconfig, ["get", "nomadallocations", "-n", ns, "-o", "json"]),
      ).items;
      return list[0];
    }, "an allocation");
    expect(alloc.spec.nodeName).toBe(nodeName);
  });

  it("is marked down once it stops heartbeating", async () => {
    agent.stop();
    await eventually(
      async () => {
        const node = JSON.parse(
          await kubectlOk(kubeconfig, ["get", "nomadnode", nodeName, "-o", "json"]),
        );
        return node.status.status === "down" ? true : undefined;
      },
      "the node to be down",
      20_000,
    );
  });
});
