// What a snapshot holds and how each object comes back. Pure.
//
// Every Caravan custom resource (each kind in the CRD registry), the job
// versions (ControllerRevisions labelled with their job), the Secrets
// Caravan objects own or ACL tokens name in spec.secretRef, those holding Nomad
// Variables (labelled caravan.dev/variable), and Nomad's
// namespaces (Kubernetes namespaces). They are listed in
// the order a restore creates them: what others point at first (namespaces, Secrets before
// the tokens reading them, versions before their jobs), allocations before
// their jobs so the scheduler sees them when it evaluates the job, then
// deployments and evaluations, so that neither is acted on for a job that is
// not there yet (a deployment watcher cancels the deployment of a missing job).

import { type ApiObject, createdAt, type OwnerReference } from "../../crds/meta.js";
import { createdAtAnnotation, jobLabel, nomadIDAnnotation } from "../../crds/names.js";
import type { NomadACLRole } from "../../crds/objects.js";
import { group, kinds } from "../../crds/registry.js";
import { isVariableSecret } from "../../crds/variable.js";
import { roleID } from "../../http/acl-objects.js";
import {
  caravanResource,
  controllerRevisionResource,
  namespaceResource,
  type ResourceRef,
  secretResource,
} from "../../kube/resources.js";

export interface SnapshotKind {
  ref: ResourceRef;
  /** Nomad's snapshot type of the table it plays, so `nomad operator snapshot inspect` names it. */
  type: number;
  labelSelector?: string;
  /** Caravan's own kind: its status is written back through the status subresource. */
  status: boolean;
  /**
   * Objects of this kind already where the snapshot is restored stay as they
   * are and are never deleted: a live client's node, a namespace (it holds
   * more than Caravan's objects). Those only in the archive are created.
   */
  kept?: boolean;
}

/** Kinds Nomad has no table for (Secrets, kinds added later): `snapshot inspect` shows Unknown(200). */
export const caravanType = 200;

const ordered: readonly [string, number][] = [
  ["NomadACLPolicy", 11],
  ["NomadACLRole", 25],
  ["NomadACLToken", 12],
  ["NomadNodePool", 28],
  ["NomadSchedulerConfiguration", 13],
  ["NomadNode", 0],
  ["NomadAllocation", 4],
  // After the allocations owning them (Nomad's ServiceRegistration table).
  ["NomadServiceRegistration", 21],
  ["NomadJob", 1],
  ["NomadDeployment", 10],
];

/** Every kind a snapshot holds, in restore order. */
export function snapshotKinds(): SnapshotKind[] {
  const known = new Set([...ordered.map(([k]) => k), "NomadEvaluation"]);
  const later = kinds.filter((k) => !known.has(k.kind));
  const caravan = (kind: string, type: number): SnapshotKind => ({
    ref: caravanResource(kind),
    type,
    status: true,
    ...(kind === "NomadNode" ? { kept: true } : {}),
  });
  const out: SnapshotKind[] = [
    { ref: namespaceResource, type: 64, status: false, kept: true },
    { ref: secretResource, type: caravanType, status: false },
  ];
  for (const [kind, type] of ordered) {
    if (kind === "NomadJob")
      out.push({
        ref: controllerRevisionResource,
        type: 9,
        labelSelector: jobLabel,
        status: false,
      });
    out.push(caravan(kind, type));
  }
  out.push(caravan("NomadEvaluation", 3));
  for (const k of later) out.push(caravan(k.kind, caravanType));
  return out;
}

/** Nomad's namespaces among Kubernetes': all but Kubernetes' own (kube-system…). */
export function nomadNamespaces<T extends ApiObject>(namespaces: readonly T[]): T[] {
  return namespaces.filter((n) => !n.metadata.name.startsWith("kube-"));
}

interface SecretRefHolder extends ApiObject {
  spec?: { secretRef?: { name?: string; namespace?: string } };
}

/** The Secrets among `secrets` that Caravan objects own, that tokens name, or that hold Nomad Variables. */
export function caravanSecrets<T extends ApiObject>(
  secrets: readonly T[],
  tokens: readonly ApiObject[],
): T[] {
  const named = new Set(
    (tokens as SecretRefHolder[]).map(
      (t) => `${t.spec?.secretRef?.namespace ?? ""}/${t.spec?.secretRef?.name ?? ""}`,
    ),
  );
  return secrets.filter(
    (s) =>
      named.has(`${s.metadata.namespace ?? ""}/${s.metadata.name}`) ||
      isVariableSecret(s) ||
      (s.metadata.ownerReferences ?? []).some((o) => o.apiVersion.startsWith(`${group}/`)),
  );
}

/**
 * The body that creates the object again: its name, namespace, labels,
 * annotations, finalizers and content (spec, data…), with when the original
 * was created (createdAtAnnotation) and, for a role, its Nomad ID
 * (nomadIDAnnotation), without what the API
 * server assigns (uid, resourceVersion, generation, timestamps, managedFields),
 * without status (written after, through the status subresource) and without
 * owner references (their UIDs are new: see ownerReferences).
 */
export function creatable(
  obj: ApiObject & Record<string, unknown>,
): ApiObject & Record<string, unknown> {
  const { metadata, status: _status, ...content } = obj;
  const { name, namespace, labels, finalizers } = metadata;
  // A role's Nomad ID is its UID, which a new object cannot have: it keeps the ID as an annotation.
  const created = createdAt(metadata);
  const annotations = {
    ...metadata.annotations,
    // When the original was created, as Nomad's create and submit times report it.
    ...(created ? { [createdAtAnnotation]: created } : {}),
    // A role's Nomad ID is its UID, which a new object cannot have.
    ...(obj.kind === "NomadACLRole" && obj.apiVersion?.startsWith(`${group}/`)
      ? { [nomadIDAnnotation]: roleID(obj as unknown as NomadACLRole) }
      : {}),
  };
  return {
    ...content,
    metadata: {
      name,
      ...(namespace ? { namespace } : {}),
      ...(labels ? { labels } : {}),
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ...(finalizers ? { finalizers } : {}),
    },
  };
}

interface WithStatus {
  status?: Record<string, unknown> & { observedGeneration?: number; conditions?: unknown };
}

/**
 * The status to write on the recreated object. A status that had observed
 * the object's generation says it has observed the new one (the spec is the
 * same); one that lagged loses observedGeneration, so its controller looks
 * again. Undefined when there is no status.
 */
export function restoredStatus(
  archived: ApiObject & WithStatus,
  created: ApiObject,
): Record<string, unknown> | undefined {
  const status = archived.status;
  if (!status || Object.keys(status).length === 0) return undefined;
  const was = archived.metadata.generation;
  const now = created.metadata.generation;
  const observed = (g: unknown) => (g !== undefined && g === was ? now : undefined);
  const out: Record<string, unknown> = { ...status };
  if ("observedGeneration" in status) {
    const g = observed(status.observedGeneration);
    if (g === undefined) delete out.observedGeneration;
    else out.observedGeneration = g;
  }
  if (Array.isArray(status.conditions))
    out.conditions = (status.conditions as Record<string, unknown>[]).map((c) => {
      if (!("observedGeneration" in c)) return c;
      const { observedGeneration, ...rest } = c;
      const g = observed(observedGeneration);
      return g === undefined ? rest : { ...rest, observedGeneration: g };
    });
  return out;
}

/**
 * The archived object's owner references with its owners' new UIDs
 * (`uids`: archived UID → UID of the recreated owner). A reference to an
 * owner the snapshot did not hold is dropped: Kubernetes' garbage collector
 * would delete a dependent whose owner is gone.
 */
export function ownerReferences(
  archived: ApiObject,
  uids: ReadonlyMap<string, string>,
): OwnerReference[] {
  const out: OwnerReference[] = [];
  for (const o of archived.metadata.ownerReferences ?? []) {
    const uid = uids.get(o.uid);
    if (uid) out.push({ ...o, uid });
  }
  return out;
}

/** "<kind> <namespace>/<name>", for messages. */
export function describe(obj: ApiObject): string {
  const { namespace, name } = obj.metadata;
  return `${obj.kind ?? "object"} ${namespace ? `${namespace}/` : ""}${name}`;
}
