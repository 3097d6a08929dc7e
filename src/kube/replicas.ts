// Which controller replicas are alive, for Nomad's Raft peer list: each
// replica renews a Lease of its own ("<election>-replica-<hash of identity>",
// labelled with the election's Lease name) while it runs, and deletes it when
// it stops. A Lease renewed within its duration is a live replica; the leader
// is the holder of the election's Lease. Nothing else reads these Leases.
import { createHash } from "node:crypto";
import type { Logger } from "../common/log.js";
import type { KubeConfig } from "./kubeconfig.js";
import { collectionPath, leaseResource, objectPath } from "./resources.js";
import { ApiError, getJson, microTime, requestJson } from "./rest.js";

/** Label on a replica's Lease: the name of the leader election's Lease it takes part in. */
export const replicaOfLabel = "caravan.dev/replica-of";
/** Annotation on a replica's Lease: where the replica serves the HTTP API. */
export const replicaAddressAnnotation = "caravan.dev/http-address";
/** Annotation on a replica's Lease: its server name, as Nomad names a server ("<name>.<region>"). */
export const replicaNodeAnnotation = "caravan.dev/node-name";

export interface Replica {
  identity: string;
  /** Its server name. */
  node: string;
  /** host:port of its HTTP API. */
  address: string;
  leader: boolean;
}

interface Lease {
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string };
}

export interface ReplicaOptions {
  namespace: string;
  /** The leader election's Lease name. */
  election: string;
  identity: string;
  node: string;
  address: string;
  log: Logger;
  durationSeconds?: number;
  now?: () => number;
}

function leaseName(election: string, identity: string): string {
  return `${election}-replica-${createHash("sha256").update(identity).digest("hex").slice(0, 12)}`;
}

/** Renews this replica's Lease until stopped; stop deletes it. */
export function announceReplica(kc: KubeConfig, o: ReplicaOptions): { stop(): Promise<void> } {
  const now = o.now ?? Date.now;
  const duration = o.durationSeconds ?? 15;
  const name = leaseName(o.election, o.identity);
  const path = objectPath(leaseResource, name, o.namespace);
  const renew = async () => {
    const lease: Lease & { apiVersion: string; kind: string } = {
      apiVersion: leaseResource.apiVersion,
      kind: leaseResource.kind,
      metadata: {
        name,
        namespace: o.namespace,
        labels: { [replicaOfLabel]: o.election },
        annotations: { [replicaAddressAnnotation]: o.address, [replicaNodeAnnotation]: o.node },
      },
      spec: {
        holderIdentity: o.identity,
        leaseDurationSeconds: duration,
        renewTime: microTime(now()),
      },
    };
    await requestJson(kc, {
      method: "PATCH",
      path,
      query: { fieldManager: "caravan-replica", force: true },
      body: lease,
      contentType: "application/apply-patch+yaml",
    });
  };
  const tick = () =>
    renew().catch((err: unknown) => o.log.debug({ err }, "could not renew the replica's Lease"));
  void tick();
  const timer = setInterval(tick, (duration * 1000) / 3);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await requestJson(kc, { method: "DELETE", path }).catch((err: unknown) => {
        if (!(err instanceof ApiError && err.statusCode === 404))
          o.log.warn({ err }, "could not delete the replica's Lease");
      });
    },
  };
}

/** The replicas whose Leases are current, the leader marked; and the list's resourceVersion. */
export async function listReplicas(
  kc: KubeConfig,
  namespace: string,
  election: string,
  nowMs: number,
): Promise<{ replicas: Replica[]; index: number }> {
  const list = await getJson<{ metadata: { resourceVersion: string }; items: Lease[] }>(
    kc,
    collectionPath(leaseResource, namespace),
    { labelSelector: `${replicaOfLabel}=${election}` },
  );
  let leader: string | undefined;
  try {
    const lease = await getJson<Lease>(kc, objectPath(leaseResource, election, namespace));
    if (isCurrent(lease, nowMs)) leader = lease.spec?.holderIdentity;
  } catch (err) {
    if (!(err instanceof ApiError && err.statusCode === 404)) throw err;
  }
  const replicas = list.items
    .filter((l) => isCurrent(l, nowMs) && l.spec?.holderIdentity)
    .map((l) => ({
      identity: l.spec?.holderIdentity as string,
      node: l.metadata.annotations?.[replicaNodeAnnotation] ?? "(unknown)",
      address: l.metadata.annotations?.[replicaAddressAnnotation] ?? "",
      leader: l.spec?.holderIdentity === leader,
    }))
    .sort((a, b) => a.identity.localeCompare(b.identity));
  return { replicas, index: Number(list.metadata.resourceVersion) || 0 };
}

function isCurrent(lease: Lease, nowMs: number): boolean {
  const renewed = lease.spec?.renewTime ? Date.parse(lease.spec.renewTime) : 0;
  return renewed + (lease.spec?.leaseDurationSeconds ?? 0) * 1000 > nowMs;
}
