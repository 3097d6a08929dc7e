// Pure job lifecycle rules: dispatch validation and the child it makes, the
// garbage collector's choices, and field diffs between job versions.
import { describe, expect, it } from "vitest";
import { dispatchJob, parseMetaFlags } from "../../../src/controllers/dispatch/dispatch.js";
import {
  collectGarbage,
  defaultThresholds,
  thresholdsFrom,
} from "../../../src/controllers/gc/collect.js";
import { diffSpecs } from "../../../src/controllers/jobs/diff.js";
import type {
  NomadAllocation,
  NomadEvaluation,
  NomadJob,
  NomadNode,
} from "../../../src/crds/objects.js";

const parent = {
  metadata: { name: "render", namespace: "default", uid: "u1" },
  spec: {
    type: "batch",
    meta: { team: "video" },
    parameterized: { payload: "required", metaRequired: ["customer"], metaOptional: ["quality"] },
    groups: [{ name: "g", tasks: [{ name: "t", driver: "exec" }] }],
  },
} as unknown as NomadJob;
const now = Date.parse("2026-05-01T12:00:00Z");

describe("dispatch", () => {
  it("makes a child with merged meta, the payload in base64, and no parameterized block", () => {
    const r = dispatchJob(parent, {
      meta: { customer: "acme" },
      payload: new TextEncoder().encode("hi"),
      now,
      id: "ABCDEF0123456789",
    });
    if (!r.ok) throw new Error(r.errors.join());
    expect(r.child.metadata).toMatchObject({
      name: `render-dispatch-${now / 1000}-abcdef01`,
      labels: { "caravan.dev/parent": "render" },
    });
    // Not owned: deleting the parent leaves its children, as Nomad does.
    expect(r.child.metadata.ownerReferences).toBeUndefined();
    expect(r.child.spec).toMatchObject({
      id: `render/dispatch-${now / 1000}-abcdef01`,
      parentId: "render",
      dispatched: true,
      meta: { team: "video", customer: "acme" },
      payload: "aGk=",
    });
    expect(r.child.spec.parameterized).toBeUndefined();
  });

  it("names every problem: missing and unknown meta, payload rules and size", () => {
    const r = dispatchJob(parent, {
      meta: { colour: "red" },
      payload: new Uint8Array(16 * 1024 + 1),
      now,
      id: "x",
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      "payload exceeds the maximum size: 16385 > 16384 bytes",
      "Dispatch did not provide required meta keys: [customer]",
      "Dispatch request included unpermitted metadata keys: [colour]",
    ]);
    const forbidden = dispatchJob(
      { ...parent, spec: { ...parent.spec, parameterized: { payload: "forbidden" } } },
      { meta: {}, payload: new Uint8Array(1), now, id: "x" },
    );
    expect(forbidden).toEqual({ ok: false, errors: ['job "render" does not allow a payload'] });
    expect(parseMetaFlags(["a=b=c", "d="])).toEqual({ ok: true, meta: { a: "b=c", d: "" } });
    expect(parseMetaFlags(["=x"])).toEqual({ ok: false, error: '-meta "=x": expected key=value' });
  });
});

describe("garbage collection", () => {
  const ago = (ms: number) => new Date(now - ms).toISOString();
  const alloc = (name: string, client: string, age: number, extra: object = {}) =>
    ({
      metadata: { name, namespace: "default" },
      spec: { jobName: "web", nodeName: "n1", desiredStatus: "run", ...extra },
      status: { clientStatus: client, modifyTime: ago(age) },
    }) as unknown as NomadAllocation;
  const web = { metadata: { name: "web", namespace: "default" }, spec: { type: "service" } };

  it("takes terminal allocations and evaluations past the threshold, and keeps the rest", () => {
    const g = collectGarbage(
      {
        jobs: [web as unknown as NomadJob],
        evaluations: [
          {
            metadata: { name: "e-old", namespace: "default" },
            spec: { jobName: "web" },
            status: { status: "complete", modifyTime: ago(2 * 3_600_000) },
          },
          {
            metadata: { name: "e-blocked", namespace: "default" },
            spec: { jobName: "web" },
            status: { status: "blocked", modifyTime: ago(9 * 3_600_000) },
          },
        ] as unknown as NomadEvaluation[],
        allocations: [
          alloc("done-old", "complete", 2 * 3_600_000),
          alloc("done-young", "complete", 60_000),
          alloc("failed-unreplaced", "failed", 9 * 3_600_000),
          alloc("failed-replaced", "failed", 9 * 3_600_000),
          alloc("replacement", "running", 0, { previousAllocation: "failed-replaced" }),
        ],
        deployments: [],
        nodes: [
          {
            metadata: { name: "n1" },
            spec: {},
            status: { status: "down", statusUpdatedAt: ago(25 * 3_600_000) },
          },
          {
            metadata: { name: "n2" },
            spec: {},
            status: { status: "down", statusUpdatedAt: ago(25 * 3_600_000) },
          },
        ] as unknown as NomadNode[],
      },
      defaultThresholds,
      now,
    );
    expect(g.allocations.map((a) => a.metadata.name)).toEqual(["done-old", "failed-replaced"]);
    expect(g.evaluations.map((e) => e.metadata.name)).toEqual(["e-old"]);
    // n1 still holds a running allocation.
    expect(g.nodes.map((n) => n.metadata.name)).toEqual(["n2"]);
    expect(g.jobs).toEqual([]);
  });

  it("reads thresholds as the server block gives them", () => {
    expect(thresholdsFrom({ jobGcThreshold: "30m", nodeGcThreshold: "bad" })).toMatchObject({
      jobMs: 1_800_000,
      nodeMs: 24 * 3_600_000,
      evalMs: 3_600_000,
    });
  });
});

describe("job diffs", () => {
  it("matches groups and tasks by name and names each changed field", () => {
    const before = {
      type: "service",
      groups: [
        { name: "web", count: 2, tasks: [{ name: "srv", config: { image: "a:1" } }] },
        { name: "old", tasks: [] },
      ],
    };
    const after = {
      type: "service",
      meta: { owner: "me" },
      groups: [{ name: "web", count: 3, tasks: [{ name: "srv", config: { image: "a:2" } }] }],
    };
    expect(diffSpecs(before, after)).toEqual([
      { kind: "+/-", path: 'groups["web"].count', old: 2, new: 3 },
      { kind: "+/-", path: 'groups["web"].tasks["srv"].config.image', old: "a:1", new: "a:2" },
      { kind: "-", path: 'groups["old"]', old: { name: "old", tasks: [] } },
      { kind: "+", path: "meta", new: { owner: "me" } },
    ]);
  });
});
