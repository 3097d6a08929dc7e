// `caravan job dispatch` against a real API server with the controllers
// running: a dispatch creates a child job carrying the payload and meta,
// which is scheduled like any job while the parameterized parent never is;
// bad dispatches are refused with the key or limit named.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { allocationsOf, type Obj } from "../support/allocations.js";
import { runCaravan } from "../support/cli.js";
import { createNamespace, eventually, kubectlOk } from "../support/kubectl.js";
import { registerNode } from "../support/nodes.js";

const kubeconfig = inject("kubeconfig");
const run = Math.random().toString(36).slice(2, 7);
const dc = `dispatch-${run}`;
const dir = mkdtempSync(path.join(os.tmpdir(), "caravan-dispatch-"));

/** `caravan ARGS` against the test cluster. */
const caravan = (...args: string[]) => runCaravan([...args, "-kubeconfig", kubeconfig]);

async function children(ns: string): Promise<Obj[]> {
  const out = await kubectlOk(kubeconfig, [
    ...["get", "nomadjobs", "-n", ns, "-l", "caravan.dev/parent=render", "-o", "json"],
  ]);
  return JSON.parse(out).items as Obj[];
}

describe("caravan job dispatch", () => {
  let ns: string;
  let controllers: Controllers;
  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "dispatch");
    await registerNode(kubeconfig, { name: `${dc}-n1`, datacenter: dc });
    controllers = await startControllers(
      loadKubeConfig(kubeconfig),
      createLogger({ level: "warn", json: false }),
      { namespace: ns },
    );
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadJob",
        metadata: { name: "render", namespace: ns },
        spec: {
          type: "batch",
          datacenters: [dc],
          meta: { team: "video" },
          parameterized: {
            payload: "required",
            metaRequired: ["customer"],
            metaOptional: ["quality"],
          },
          groups: [
            {
              name: "render",
              tasks: [
                {
                  name: "render",
                  driver: "docker",
                  config: { image: "render:1" },
                  dispatchPayload: { file: "input.json" },
                },
              ],
            },
          ],
        },
      }),
    );
  });
  afterAll(async () => {
    await controllers?.stop();
  });

  it("creates a child with the payload and meta, which is scheduled; the parent never is", async () => {
    const payload = path.join(dir, "input.json");
    writeFileSync(payload, '{"frames": 240}\n');
    const r = await caravan(
      ...["job", "dispatch", "-meta", "customer=acme", "-meta=quality=high"],
      ...["-namespace", ns, "render", payload],
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const id = /Dispatched Job ID = (\S+)/.exec(r.out)?.[1];
    expect(id).toMatch(/^render\/dispatch-\d+-[0-9a-f]{8}$/);
    const [child] = await children(ns);
    expect(child?.metadata.name).toBe(id?.replace("/", "-"));
    expect(child?.spec).toMatchObject({
      id,
      parentId: "render",
      dispatched: true,
      meta: { team: "video", customer: "acme", quality: "high" },
    });
    expect(child?.spec.parameterized).toBeUndefined();
    expect(Buffer.from(child?.spec.payload, "base64").toString()).toBe('{"frames": 240}\n');
    await eventually(async () => {
      const a = await allocationsOf(kubeconfig, ns, child?.metadata.name);
      return a.length === 1 ? a : undefined;
    }, "the child's allocation");
    expect(await allocationsOf(kubeconfig, ns, "render")).toHaveLength(0);
  });

  it("refuses a dispatch without required meta, with unknown meta, without or with too big a payload", async () => {
    const payload = path.join(dir, "small.json");
    writeFileSync(payload, "{}");
    const missing = await caravan("job", "dispatch", "-namespace", ns, "render", payload);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("Dispatch did not provide required meta keys: [customer]");

    const unknown = await caravan(
      ...["job", "dispatch", "-meta", "customer=a", "-meta", "colour=red"],
      ...["-namespace", ns, "render", payload],
    );
    expect(unknown.err).toContain("Dispatch request included unpermitted metadata keys: [colour]");

    const none = await caravan(
      "job",
      "dispatch",
      "-meta",
      "customer=a",
      "-namespace",
      ns,
      "render",
    );
    expect(none.err).toContain('job "render" requires a payload');

    const big = path.join(dir, "big.bin");
    writeFileSync(big, Buffer.alloc(17 * 1024, 1));
    const tooBig = await caravan(
      ...["job", "dispatch", "-meta", "customer=a", "-namespace", ns, "render", big],
    );
    expect(tooBig.err).toContain("payload exceeds the maximum size: 17408 > 16384 bytes");

    const notParameterized = await caravan(
      ...["job", "dispatch", "-namespace", ns, (await children(ns))[0]?.spec.id, payload],
    );
    expect(notParameterized.err).toContain("is not a parameterized job");
    expect(await children(ns)).toHaveLength(1);
  });

  it("dispatches at most once per idempotency token", async () => {
    const payload = path.join(dir, "once.json");
    writeFileSync(payload, "{}");
    const args = ["job", "dispatch", "-meta", "customer=b", "-idempotency-token", "t-1"];
    const first = await caravan(...args, "-namespace", ns, "render", payload);
    const second = await caravan(...args, "-namespace", ns, "render", payload);
    expect(first.code).toBe(0);
    expect(second.out).toContain("idempotency token already used");
    const id = /Dispatched Job ID = (\S+)/.exec(first.out)?.[1];
    expect(/Dispatched Job ID = (\S+)/.exec(second.out)?.[1]).toBe(id);
    expect(await children(ns)).toHaveLength(2);
  });

  it("keeps the children running when the parent is purged, as Nomad does", async () => {
    const before = await children(ns);
    expect(before).toHaveLength(2);
    // Nothing Kubernetes' garbage collector would delete them through.
    for (const c of before) expect(c.metadata.ownerReferences).toBeUndefined();
    // Purged (deleted), as `nomad job stop -purge` and `kubectl delete` do.
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "render", "-n", ns, "--timeout=60s"]);
    // Kubernetes' garbage collector (not run here) acts within seconds of
    // that; the children must not depend on it.
    const after = await children(ns);
    expect(after.map((c) => c.metadata.name).sort()).toEqual(
      before.map((c) => c.metadata.name).sort(),
    );
    for (const c of after) {
      expect(c.spec.stop).not.toBe(true);
      const allocs = await eventually(async () => {
        const a = await allocationsOf(kubeconfig, ns, c.metadata.name);
        return a.length === 1 ? a : undefined;
      }, `${c.metadata.name}'s allocation`);
      expect(allocs[0]?.spec.desiredStatus).toBe("run");
    }
  });
});
