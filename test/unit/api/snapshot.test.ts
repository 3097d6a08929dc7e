// The snapshot archive as Nomad's CLI reads it (a gzipped tar of meta.json,
// state.bin and SHA256SUMS, checked entry by entry), state.bin's framing, and
// how each archived object is made again.
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { Header } from "tar";
import { describe, expect, it } from "vitest";
import { readArchive, writeArchive } from "../../../src/api/snapshot/archive.js";
import {
  caravanSecrets,
  creatable,
  nomadNamespaces,
  ownerReferences,
  restoredStatus,
  snapshotKinds,
} from "../../../src/api/snapshot/contents.js";
import { planRestore } from "../../../src/api/snapshot/restore.js";
import { decodeState, encodeState, type SnapshotRecord } from "../../../src/api/snapshot/state.js";
import type { ApiObject } from "../../../src/crds/meta.js";
import { kinds } from "../../../src/crds/registry.js";

/** The tar's entries, read with the tar library's own header parser. */
function entries(archive: Buffer): { name: string; data: Buffer }[] {
  const tar = gunzipSync(archive);
  const out: { name: string; data: Buffer }[] = [];
  for (let off = 0; off < tar.length; ) {
    const h = new Header(tar, off);
    if (h.nullBlock) break;
    expect(h.cksumValid).toBe(true);
    const size = h.size ?? 0;
    out.push({ name: h.path ?? "", data: tar.subarray(off + 512, off + 512 + size) });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

function rebuild(files: { name: string; data: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    const h = Buffer.alloc(512);
    new Header({ path: f.name, mode: 0o600, size: f.data.length, type: "File" }).encode(h, 0);
    parts.push(h, f.data, Buffer.alloc((512 - (f.data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

const job: ApiObject & Record<string, unknown> = {
  apiVersion: "caravan.dev/v1alpha1",
  kind: "NomadJob",
  metadata: {
    name: "web",
    namespace: "prod",
    uid: "old-job-uid",
    resourceVersion: "41",
    generation: 3,
    creationTimestamp: "2026-01-01T00:00:00Z",
    labels: { team: "a" },
    annotations: { note: "x" },
    finalizers: ["caravan.dev/deregister"],
  },
  spec: { type: "service", groups: [{ name: "g", count: 2 }] },
  status: {
    observedGeneration: 3,
    version: 2,
    conditions: [{ type: "Ready", status: "True", observedGeneration: 3 }],
  },
};

describe("snapshot archive", () => {
  const state = encodeState([{ type: 1, object: job }]);
  const archive = writeArchive(state, "41", Date.UTC(2026, 0, 2, 3, 4, 5, 678));

  it("is the tar Nomad's CLI checks: meta.json, state.bin, then SHA256SUMS of both", () => {
    const files = entries(archive);
    expect(files.map((f) => f.name)).toEqual(["meta.json", "state.bin", "SHA256SUMS"]);
    const [meta, bin, sums] = files.map((f) => f.data) as [Buffer, Buffer, Buffer];
    expect(sums.toString()).toBe(`${sha(meta)}  meta.json\n${sha(bin)}  state.bin\n`);
    expect(bin.equals(state)).toBe(true);
    const parsed = JSON.parse(meta.toString());
    // Raft's SnapshotMeta; the ID ends in the time `snapshot inspect` prints.
    expect(parsed).toMatchObject({
      Version: 1,
      ID: `1-41-${Date.UTC(2026, 0, 2, 3, 4, 5, 678)}`,
      Index: 41,
      Size: state.length,
      Caravan: { format: 1, resourceVersion: "41" },
    });
  });

  it("reads back what it wrote", () => {
    const read = readArchive(archive);
    expect(read.ok && read.state.equals(state)).toBe(true);
  });

  it("refuses an archive whose files do not match their sums, or hold anything else", () => {
    const files = entries(archive);
    const tampered = files.map((f) =>
      f.name === "state.bin" ? { ...f, data: Buffer.from(f.data).fill(0x20, 10, 12) } : f,
    );
    expect(readArchive(rebuild(tampered))).toEqual({
      ok: false,
      error: 'failed checking integrity of snapshot: hash check failed for "state.bin"',
    });
    expect(readArchive(rebuild([...files, { name: "extra", data: Buffer.from("x") }]))).toEqual({
      ok: false,
      error: 'unexpected file "extra" in snapshot',
    });
    expect(readArchive(rebuild(files.filter((f) => f.name !== "state.bin")))).toEqual({
      ok: false,
      error: 'failed checking integrity of snapshot: file missing for "state.bin"',
    });
    const notGzip = readArchive(Buffer.from('{"Job": {}}'));
    expect(notGzip.ok || notGzip.error).toMatch(/^failed to decompress snapshot: /);
  });

  it("refuses a Nomad server's own snapshot, which it cannot read", () => {
    const meta = Buffer.from(JSON.stringify({ Version: 1, ID: "2-100-1", Index: 100 }));
    const bin = Buffer.from([0x80, 1, 0x80]);
    const sums = Buffer.from(`${sha(meta)}  meta.json\n${sha(bin)}  state.bin\n`);
    const r = readArchive(
      rebuild([
        { name: "meta.json", data: meta },
        { name: "state.bin", data: bin },
        { name: "SHA256SUMS", data: sums },
      ]),
    );
    expect(r.ok || r.error).toMatch(/^not a Caravan snapshot/);
  });
});

describe("snapshot state", () => {
  it("frames each object as Nomad's FSM snapshot does: a type byte and a MessagePack value", () => {
    const policy = {
      apiVersion: "caravan.dev/v1alpha1",
      kind: "NomadACLPolicy",
      metadata: { name: "p" },
    };
    const small = encodeState([{ type: 11, object: policy }]);
    const json = JSON.stringify(policy);
    expect(small[0]).toBe(0x80); // the header: an empty map
    expect(small[1]).toBe(11);
    expect(small[2]).toBe(0xd9); // str 8
    expect(small[3]).toBe(json.length);
    expect(small.subarray(4).toString()).toBe(json);
  });

  it("decodes what it encodes, whatever the length of the object", () => {
    const big = { ...job, spec: { text: "y".repeat(70_000) } };
    const mid = { ...job, spec: { text: "z".repeat(300) } };
    const records: SnapshotRecord[] = [
      { type: 1, object: big },
      { type: 4, object: mid },
      { type: 200, object: job },
    ];
    expect(decodeState(encodeState(records))).toEqual({ ok: true, records });
  });

  it("refuses records that are not Caravan's objects", () => {
    expect(decodeState(Buffer.from([0x80, 1, 0x80]))).toEqual({
      ok: false,
      error: "snapshot state: record 1 is not Caravan's",
    });
    const noKind = encodeState([{ type: 1, object: { metadata: { name: "x" } } }]);
    expect(decodeState(noKind).ok).toBe(false);
  });
});

describe("snapshot contents", () => {
  const order = snapshotKinds().map((k) => k.ref.kind);

  it("holds every Caravan kind, the job versions and Secrets, in the order a restore needs", () => {
    for (const k of kinds) expect(order).toContain(k.kind);
    expect(order.slice(0, 2)).toEqual(["Namespace", "Secret"]);
    const at = (k: string) => order.indexOf(k);
    expect(at("NomadACLToken")).toBeGreaterThan(at("NomadACLRole"));
    // The scheduler reads its configuration before it evaluates a restored job.
    expect(at("NomadSchedulerConfiguration")).toBeLessThan(at("NomadJob"));
    expect(snapshotKinds().find((k) => k.ref.kind === "NomadSchedulerConfiguration")?.type).toBe(
      13,
    );
    expect(at("ControllerRevision")).toBeLessThan(at("NomadJob"));
    expect(at("NomadAllocation")).toBeLessThan(at("NomadJob"));
    // Service registrations come back after the allocations that own them, in Nomad's table.
    expect(at("NomadServiceRegistration")).toBeGreaterThan(at("NomadAllocation"));
    expect(snapshotKinds().find((k) => k.ref.kind === "NomadServiceRegistration")?.type).toBe(21);
    expect(at("NomadDeployment")).toBeGreaterThan(at("NomadJob"));
    expect(at("NomadEvaluation")).toBeGreaterThan(at("NomadDeployment"));
  });

  it("keeps Nomad's namespaces, not Kubernetes' own, and never deletes one or a live node", () => {
    const ns = (name: string) => ({ metadata: { name } });
    expect(
      nomadNamespaces([ns("default"), ns("kube-system"), ns("prod")]).map((n) => n.metadata.name),
    ).toEqual(["default", "prod"]);
    const kept = snapshotKinds()
      .filter((k) => k.kept)
      .map((k) => k.ref.kind);
    expect(kept).toEqual(["Namespace", "NomadNode"]);
  });

  it("keeps the Secrets Caravan objects own or tokens name, and no other", () => {
    const secret = (name: string, owner?: string): ApiObject => ({
      metadata: {
        name,
        namespace: "ops",
        ...(owner
          ? { ownerReferences: [{ apiVersion: owner, kind: "K", name: "o", uid: "u" }] }
          : {}),
      },
    });
    const tokens = [
      { metadata: { name: "t" }, spec: { secretRef: { name: "named", namespace: "ops" } } },
    ];
    const kept = caravanSecrets(
      [
        secret("owned", "caravan.dev/v1alpha1"),
        secret("named"),
        secret("foreign", "apps/v1"),
        secret("plain"),
      ],
      tokens,
    );
    expect(kept.map((s) => s.metadata.name)).toEqual(["owned", "named"]);
  });

  it("creates an object again from its name, labels, annotations, finalizers and content only", () => {
    const restoredTwice = creatable({
      ...job,
      metadata: {
        ...job.metadata,
        creationTimestamp: "2026-06-01T00:00:00Z",
        annotations: { "caravan.dev/created-at": "2025-01-01T00:00:00Z" },
      },
    });
    expect(restoredTwice.metadata.annotations).toEqual({
      "caravan.dev/created-at": "2025-01-01T00:00:00Z",
    });
    expect(
      creatable({
        ...job,
        metadata: {
          ...job.metadata,
          ownerReferences: [{ apiVersion: "v1", kind: "K", name: "o", uid: "u" }],
        },
      }),
    ).toEqual({
      apiVersion: "caravan.dev/v1alpha1",
      kind: "NomadJob",
      metadata: {
        name: "web",
        namespace: "prod",
        labels: { team: "a" },
        // When the original was created, which Nomad's times report.
        annotations: { note: "x", "caravan.dev/created-at": "2026-01-01T00:00:00Z" },
        finalizers: ["caravan.dev/deregister"],
      },
      spec: job.spec,
    });
  });

  it("keeps an ACL role's Nomad ID, which was its UID, as an annotation", () => {
    const role = {
      apiVersion: "caravan.dev/v1alpha1",
      kind: "NomadACLRole",
      metadata: { name: "devs", uid: "7b0c1a52-0000-4000-8000-000000000001" },
      spec: { policies: ["readers"] },
    };
    expect(creatable(role).metadata).toEqual({
      name: "devs",
      annotations: { "caravan.dev/nomad-id": "7b0c1a52-0000-4000-8000-000000000001" },
    });
    // Restored twice, it keeps the first ID.
    const again = {
      ...role,
      metadata: { ...role.metadata, uid: "other", ...creatable(role).metadata },
    };
    expect(creatable(again).metadata.annotations).toEqual({
      "caravan.dev/nomad-id": "7b0c1a52-0000-4000-8000-000000000001",
    });
  });

  it("carries an observed generation over to the new object's, and drops one that lagged", () => {
    const created = { metadata: { name: "web", generation: 1 } };
    expect(restoredStatus(job, created)).toEqual({
      observedGeneration: 1,
      version: 2,
      conditions: [{ type: "Ready", status: "True", observedGeneration: 1 }],
    });
    const lagging = { ...job, metadata: { ...job.metadata, generation: 4 } };
    expect(restoredStatus(lagging, created)).toEqual({
      version: 2,
      conditions: [{ type: "Ready", status: "True" }],
    });
    expect(restoredStatus({ metadata: { name: "x" } }, created)).toBeUndefined();
  });

  it("points owner references at the owners' new UIDs, dropping owners not restored", () => {
    const alloc: ApiObject = {
      metadata: {
        name: "a",
        ownerReferences: [
          { apiVersion: "caravan.dev/v1alpha1", kind: "NomadJob", name: "web", uid: "old-job-uid" },
          { apiVersion: "v1", kind: "ConfigMap", name: "gone", uid: "elsewhere" },
        ],
      },
    };
    expect(ownerReferences(alloc, new Map([["old-job-uid", "new-job-uid"]]))).toEqual([
      { apiVersion: "caravan.dev/v1alpha1", kind: "NomadJob", name: "web", uid: "new-job-uid" },
    ]);
  });
});

describe("planning a restore", () => {
  const archiveOf = (objects: ApiObject[]) =>
    writeArchive(encodeState(objects.map((object) => ({ type: 1, object }))), "7", 0);
  const policy: ApiObject = {
    apiVersion: "caravan.dev/v1alpha1",
    kind: "NomadACLPolicy",
    metadata: { name: "readers" },
  };

  it("puts the archive's objects in restore order", () => {
    const plan = planRestore(archiveOf([job, policy]), { secretNamespace: "caravan" });
    expect(plan.ok && plan.objects.map((p) => p.object.kind)).toEqual([
      "NomadACLPolicy",
      "NomadJob",
    ]);
  });

  it("refuses kinds Caravan does not restore and namespaces this server does not serve", () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "prod" } };
    expect(planRestore(archiveOf([pod]), { secretNamespace: "caravan" })).toEqual({
      ok: false,
      error: "snapshot holds Pod prod/p (v1), which Caravan does not restore",
    });
    expect(planRestore(archiveOf([job]), { secretNamespace: "caravan", namespace: "dev" })).toEqual(
      {
        ok: false,
        error: 'snapshot holds NomadJob prod/web, outside namespace "dev" this server serves',
      },
    );
    const prod = { apiVersion: "v1", kind: "Namespace", metadata: { name: "prod" } };
    expect(
      planRestore(archiveOf([prod]), { secretNamespace: "caravan", namespace: "dev" }),
    ).toEqual({
      ok: false,
      error: 'snapshot holds Namespace prod, not namespace "dev" this server serves',
    });
  });
});
