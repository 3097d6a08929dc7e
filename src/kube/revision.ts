// Lists of several kinds as they all were at one etcd revision: the first is
// a consistent (quorum) list, and every other is read at exactly its
// resourceVersion, which Kubernetes serves while etcd still holds that
// revision (until compaction, 5 minutes by default). All of Caravan's kinds
// share one etcd, whose revision numbers every change, so together the lists
// are a point-in-time picture, as Nomad's snapshot of its state store is.
import type { ApiObject } from "../crds/meta.js";
import type { KubeConfig } from "./kubeconfig.js";
import { collectionPath, type ResourceRef } from "./resources.js";
import { ApiError, getJson, type Query } from "./rest.js";

export interface KindQuery {
  ref: ResourceRef;
  labelSelector?: string;
  /** One namespace of a namespaced kind; unset is every namespace. */
  namespace?: string;
}

interface List {
  metadata: { resourceVersion: string };
  items: ApiObject[];
}

/**
 * Each query's objects (with apiVersion and kind set), all at one revision,
 * and that revision. A revision etcd compacted meanwhile (410 Gone) starts
 * the lists again at a newer one.
 */
export async function listAtOneRevision(
  kc: KubeConfig,
  queries: readonly KindQuery[],
): Promise<{ revision: string; lists: ApiObject[][] }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await listAll(kc, queries);
    } catch (err) {
      if (!(err instanceof ApiError && err.statusCode === 410) || attempt >= 3) throw err;
    }
  }
}

async function listAll(
  kc: KubeConfig,
  queries: readonly KindQuery[],
): Promise<{ revision: string; lists: ApiObject[][] }> {
  let revision: string | undefined;
  const lists: ApiObject[][] = [];
  for (const q of queries) {
    const query: Query = { labelSelector: q.labelSelector };
    if (revision) {
      query.resourceVersion = revision;
      query.resourceVersionMatch = "Exact";
    }
    const list = await getJson<List>(kc, collectionPath(q.ref, q.namespace), query);
    revision ??= list.metadata.resourceVersion;
    lists.push(list.items.map((o) => ({ apiVersion: q.ref.apiVersion, kind: q.ref.kind, ...o })));
  }
  return { revision: revision ?? "0", lists };
}
