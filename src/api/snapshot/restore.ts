// `nomad operator snapshot restore`: as Nomad's restore replaces its servers'
// state with the snapshot's, this replaces Caravan's objects with the
// archive's. The archive is checked whole first (a bad one changes nothing);
// then every object a snapshot would hold is deleted (finalizers dropped: the
// allocations it would stop are replaced too), except the NomadNodes of
// clients registered here, which live agents keep, and namespaces, which hold
// more than Caravan's objects (those only in the archive are created); then the archive's objects
// are created in its order with their statuses, and their owner references
// are pointed at their owners' new UIDs.
import type { Logger } from "../../common/log.js";
import type { ApiObject } from "../../crds/meta.js";
import {
  applyStatus,
  createObject,
  deleteObject,
  mergePatch,
  replaceObject,
} from "../../kube/apply.js";
import type { KubeConfig } from "../../kube/kubeconfig.js";
import { ensureNamespace } from "../../kube/namespaces.js";
import { namespaceResource, type ResourceRef } from "../../kube/resources.js";
import { ApiError, getObject } from "../../kube/rest.js";
import { readArchive } from "./archive.js";
import {
  creatable,
  describe,
  ownerReferences,
  restoredStatus,
  type SnapshotKind,
  snapshotKinds,
} from "./contents.js";
import { currentObjects, inScope, type Scope } from "./save.js";
import { decodeState, type SnapshotRecord } from "./state.js";

export type RestoreResult =
  | { ok: true; restored: number; index: number }
  /** The archive is refused; nothing was changed. */
  | { ok: false; error: string };

type Obj = ApiObject & Record<string, unknown>;
interface Planned {
  kind: SnapshotKind;
  object: Obj;
}

const concurrency = 16;
const goneTimeoutMs = 60_000;

/** The archive's objects, in restore order, or why it cannot be restored here. */
export function planRestore(
  archive: Buffer,
  scope: Scope,
): { ok: true; objects: Planned[] } | { ok: false; error: string } {
  const read = readArchive(archive);
  if (!read.ok) return read;
  const decoded = decodeState(read.state);
  if (!decoded.ok) return decoded;
  const kinds = snapshotKinds();
  const rank = (r: SnapshotRecord) =>
    kinds.findIndex(
      (k) => k.ref.kind === r.object.kind && k.ref.apiVersion === r.object.apiVersion,
    );
  const objects: Planned[] = [];
  for (const r of decoded.records) {
    const i = rank(r);
    const kind = kinds[i];
    if (!kind)
      return {
        ok: false,
        error: `snapshot holds ${describe(r.object)} (${r.object.apiVersion}), which Caravan does not restore`,
      };
    const ns = r.object.metadata.namespace;
    if (kind.ref.namespaced && !ns)
      return { ok: false, error: `snapshot holds ${describe(r.object)} without a namespace` };
    if (
      scope.namespace &&
      ns &&
      ns !== scope.namespace &&
      !(kind.ref.kind === "Secret" && ns === scope.secretNamespace)
    )
      return {
        ok: false,
        error: `snapshot holds ${describe(r.object)}, outside namespace "${scope.namespace}" this server serves`,
      };
    if (kind.ref === namespaceResource && !inScope(scope, r.object.metadata.name))
      return {
        ok: false,
        error: `snapshot holds ${describe(r.object)}, not namespace "${scope.namespace}" this server serves`,
      };
    objects.push({ kind, object: r.object as Obj });
  }
  objects.sort((a, b) => kinds.indexOf(a.kind) - kinds.indexOf(b.kind));
  return { ok: true, objects };
}

export async function restoreSnapshot(
  kc: KubeConfig,
  archive: Buffer,
  scope: Scope,
  log: Logger,
): Promise<RestoreResult> {
  const plan = planRestore(archive, scope);
  if (!plan.ok) return plan;

  const kept = new Set(
    snapshotKinds()
      .filter((k) => k.kept)
      .map((k) => k.ref.kind),
  );
  const existing = (await currentObjects(kc, scope)).records;
  const here = new Set(
    existing.filter((r) => kept.has(r.object.kind ?? "")).map((r) => keyOf(r.object)),
  );
  const doomed = existing.filter((r) => !kept.has(r.object.kind ?? "")).reverse();
  log.info({ deleting: doomed.length, restoring: plan.objects.length }, "restoring a snapshot");
  await inBatches(doomed, (r) => remove(kc, refOf(r.object), r.object));
  await inBatches(doomed, (r) => gone(kc, refOf(r.object), r.object));

  const toCreate = plan.objects.filter((p) => !here.has(keyOf(p.object)));
  // Namespaces the archive's objects live in and it does not hold itself.
  const archivedNamespaces = new Set(
    plan.objects.filter((p) => p.kind.ref === namespaceResource).map((p) => p.object.metadata.name),
  );
  const namespaces = new Set(
    plan.objects.flatMap((p) => (p.kind.ref.namespaced ? [p.object.metadata.namespace] : [])),
  );
  for (const ns of namespaces) if (ns && !archivedNamespaces.has(ns)) await ensureNamespace(kc, ns);

  const uids = new Map<string, string>();
  const created = new Map<Planned, ApiObject>();
  let index = 0;
  // Kind by kind, in order: what a kind points at exists before it.
  for (const batch of byKind(toCreate)) {
    await inBatches(batch, async (p) => {
      let made = await createOrReplace(kc, p.kind.ref, creatable(p.object));
      const status = p.kind.status ? restoredStatus(p.object, made) : undefined;
      if (status) made = await applyStatus(kc, p.kind.ref, made, status);
      if (p.object.metadata.uid && made.metadata.uid)
        uids.set(p.object.metadata.uid, made.metadata.uid);
      created.set(p, made);
      index = Math.max(index, Number(made.metadata.resourceVersion) || 0);
    });
  }
  await inBatches([...created], async ([p, made]) => {
    const owners = ownerReferences(p.object, uids);
    if (!owners.length) return;
    const patched = await mergePatch(kc, p.kind.ref, made, {
      metadata: { ownerReferences: owners },
    });
    index = Math.max(index, Number(patched.metadata.resourceVersion) || 0);
  });
  return { ok: true, restored: created.size, index };
}

function keyOf(obj: ApiObject): string {
  return `${obj.kind}/${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
}

function refOf(obj: ApiObject): ResourceRef {
  const kind = snapshotKinds().find(
    (k) => k.ref.kind === obj.kind && k.ref.apiVersion === obj.apiVersion,
  );
  if (!kind) throw new Error(`no snapshot kind for ${describe(obj)}`);
  return kind.ref;
}

/**
 * Creates the object; one a controller here made meanwhile (the evaluation
 * the jobs controller makes for a job it has just seen, under the name of the
 * archived one) is replaced by the archive's.
 */
async function createOrReplace(kc: KubeConfig, ref: ResourceRef, obj: Obj): Promise<ApiObject> {
  try {
    return await createObject(kc, ref, obj);
  } catch (err) {
    if (!(err instanceof ApiError && err.statusCode === 409)) throw err;
  }
  for (let attempt = 1; ; attempt++) {
    const current = await getObject<ApiObject>(kc, ref, obj.metadata.name, obj.metadata.namespace);
    try {
      return await replaceObject(kc, ref, {
        ...obj,
        metadata: { ...obj.metadata, resourceVersion: current.metadata.resourceVersion },
      });
    } catch (err) {
      // Changed again between the read and the write: read it again.
      if (!(err instanceof ApiError && err.statusCode === 409) || attempt >= 10) throw err;
    }
  }
}

/** Deletes the object and drops its finalizers, so it goes at once. */
async function remove(kc: KubeConfig, ref: ResourceRef, obj: ApiObject): Promise<void> {
  await ignoreNotFound(deleteObject(kc, ref, obj));
  if (obj.metadata.finalizers?.length)
    await ignoreNotFound(mergePatch(kc, ref, obj, { metadata: { finalizers: null } }));
}

/** Waits until the object is gone (a controller may have held it with a finalizer meanwhile). */
async function gone(kc: KubeConfig, ref: ResourceRef, obj: ApiObject): Promise<void> {
  const deadline = Date.now() + goneTimeoutMs;
  for (;;) {
    let current: ApiObject;
    try {
      current = await getObject<ApiObject>(kc, ref, obj.metadata.name, obj.metadata.namespace);
    } catch (err) {
      if (err instanceof ApiError && err.statusCode === 404) return;
      throw err;
    }
    if (Date.now() > deadline) throw new Error(`${describe(obj)} was not deleted`);
    if (current.metadata.finalizers?.length)
      await ignoreNotFound(mergePatch(kc, ref, current, { metadata: { finalizers: null } }));
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof ApiError && err.statusCode === 404)) throw err;
  }
}

function byKind(objects: readonly Planned[]): Planned[][] {
  const out: Planned[][] = [];
  for (const p of objects) {
    const last = out[out.length - 1];
    if (last && last[0]?.kind === p.kind) last.push(p);
    else out.push([p]);
  }
  return out;
}

/** Runs `fn` over `items`, at most `concurrency` at a time; the first failure is thrown. */
async function inBatches<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
