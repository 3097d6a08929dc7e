// `nomad operator snapshot save`: every object a snapshot holds
// (contents.ts), all read at one etcd revision, in Nomad's archive.
import type { ApiObject } from "../../crds/meta.js";
import type { KubeConfig } from "../../kube/kubeconfig.js";
import { namespaceResource, secretResource } from "../../kube/resources.js";
import { type KindQuery, listAtOneRevision } from "../../kube/revision.js";
import { writeArchive } from "./archive.js";
import { caravanSecrets, nomadNamespaces, type SnapshotKind, snapshotKinds } from "./contents.js";
import { encodeState, type SnapshotRecord } from "./state.js";

export interface Scope {
  /** The one namespace the API serves, when it is limited to one. */
  namespace?: string;
  /** Where ACL tokens' Secrets are written. */
  secretNamespace: string;
}

/** The queries that list what a snapshot holds, each with the kind it lists. */
export function scopedQueries(scope: Scope): { kind: SnapshotKind; query: KindQuery }[] {
  const out: { kind: SnapshotKind; query: KindQuery }[] = [];
  for (const kind of snapshotKinds()) {
    const base = {
      ref: kind.ref,
      ...(kind.labelSelector ? { labelSelector: kind.labelSelector } : {}),
    };
    if (!scope.namespace || !kind.ref.namespaced) out.push({ kind, query: base });
    else if (kind.ref === secretResource)
      for (const ns of new Set([scope.namespace, scope.secretNamespace]))
        out.push({ kind, query: { ...base, namespace: ns } });
    else out.push({ kind, query: { ...base, namespace: scope.namespace } });
  }
  return out;
}

/** The objects a snapshot holds, in restore order, and the revision they were read at. */
export async function currentObjects(
  kc: KubeConfig,
  scope: Scope,
): Promise<{ revision: string; records: SnapshotRecord[] }> {
  const queries = scopedQueries(scope);
  const { revision, lists } = await listAtOneRevision(
    kc,
    queries.map((q) => q.query),
  );
  const tokens = lists.filter((_, i) => queries[i]?.kind.ref.kind === "NomadACLToken").flat();
  const records: SnapshotRecord[] = [];
  lists.forEach((items, i) => {
    const kind = (queries[i] as { kind: SnapshotKind }).kind;
    const kept: ApiObject[] =
      kind.ref === secretResource
        ? caravanSecrets(items, tokens)
        : kind.ref === namespaceResource
          ? nomadNamespaces(items).filter((n) => inScope(scope, n.metadata.name))
          : items;
    for (const object of kept) records.push({ type: kind.type, object });
  });
  return { revision, records };
}

/** Whether a namespace is one this scope saves and restores. */
export function inScope(scope: Scope, namespace: string): boolean {
  return !scope.namespace || namespace === scope.namespace || namespace === scope.secretNamespace;
}

/** The snapshot archive of the cluster now. */
export async function saveSnapshot(kc: KubeConfig, scope: Scope, nowMs: number): Promise<Buffer> {
  const { revision, records } = await currentObjects(kc, scope);
  return writeArchive(encodeState(records), revision, nowMs, scope.namespace);
}
