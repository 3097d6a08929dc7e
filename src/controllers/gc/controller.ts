// Runs Nomad's core garbage collection on an interval (and on demand for
// `caravan system gc` and PUT /v1/system/gc): decides from the informer caches what is old enough
// to go (collect.ts), then deletes it. Deleting a job goes through the jobs
// controller's finalizer like any deletion; a node's heartbeat Lease goes with
// it, and an ACL token's Secret (owned by the token) with the token.
import { nodeLeaseNamespace } from "../../crds/names.js";
import type {
  NomadACLToken,
  NomadAllocation,
  NomadDeployment,
  NomadEvaluation,
  NomadJob,
  NomadNode,
} from "../../crds/objects.js";
import { deleteObject } from "../../kube/apply.js";
import type { KubeConfig } from "../../kube/kubeconfig.js";
import { every, type Runnable } from "../../kube/manager.js";
import { caravanResource, collectionPath, leaseResource } from "../../kube/resources.js";
import { ApiError, getJson } from "../../kube/rest.js";
import type { ControllerContext } from "../context.js";
import {
  collectGarbage,
  forceThresholds,
  type Garbage,
  type GcState,
  type GcThresholds,
} from "./collect.js";

export interface GcCounts {
  jobs: number;
  evaluations: number;
  allocations: number;
  deployments: number;
  nodes: number;
  tokens: number;
}

async function remove(
  kc: KubeConfig,
  kind: string,
  obj: { metadata: { name: string; namespace?: string } },
) {
  try {
    await deleteObject(kc, caravanResource(kind), obj);
  } catch (err) {
    if (!(err instanceof ApiError && err.statusCode === 404)) throw err;
  }
}

/** Deletes what collectGarbage chose; returns how many of each. */
export async function deleteGarbage(kc: KubeConfig, g: Garbage): Promise<GcCounts> {
  for (const a of g.allocations) await remove(kc, "NomadAllocation", a);
  for (const e of g.evaluations) await remove(kc, "NomadEvaluation", e);
  for (const d of g.deployments) await remove(kc, "NomadDeployment", d);
  for (const j of g.jobs) await remove(kc, "NomadJob", j);
  for (const n of g.nodes) {
    await remove(kc, "NomadNode", n);
    try {
      await deleteObject(kc, leaseResource, {
        metadata: { name: n.metadata.name, namespace: nodeLeaseNamespace },
      });
    } catch (err) {
      if (!(err instanceof ApiError && err.statusCode === 404)) throw err;
    }
  }
  for (const t of g.tokens) await remove(kc, "NomadACLToken", t);
  return {
    jobs: g.jobs.length,
    evaluations: g.evaluations.length,
    allocations: g.allocations.length,
    deployments: g.deployments.length,
    nodes: g.nodes.length,
    tokens: g.tokens.length,
  };
}

/**
 * Nomad's forced collection (`nomad system gc`, PUT /v1/system/gc): everything
 * terminal goes now, whatever its age, read fresh from the API server. With a
 * namespace, only that namespace's objects, and no nodes or tokens (cluster-wide).
 */
export async function forceGarbageCollection(
  kc: KubeConfig,
  namespace?: string,
): Promise<GcCounts> {
  const list = async <T>(kind: string, ns?: string) =>
    (await getJson<{ items: T[] }>(kc, collectionPath(caravanResource(kind), ns))).items;
  const [jobs, evaluations, allocations, deployments, nodes, tokens] = await Promise.all([
    list<NomadJob>("NomadJob", namespace),
    list<NomadEvaluation>("NomadEvaluation", namespace),
    list<NomadAllocation>("NomadAllocation", namespace),
    list<NomadDeployment>("NomadDeployment", namespace),
    namespace ? Promise.resolve([]) : list<NomadNode>("NomadNode"),
    namespace ? Promise.resolve([]) : list<NomadACLToken>("NomadACLToken"),
  ]);
  return deleteGarbage(
    kc,
    collectGarbage(
      { jobs, evaluations, allocations, deployments, nodes, tokens },
      forceThresholds,
      Date.now(),
    ),
  );
}

/** Nomad's periodic core GC: a pass every intervalMs over the informer caches. */
export function garbageCollector(
  ctx: ControllerContext,
  options: { thresholds: GcThresholds; intervalMs: number },
): Runnable {
  const { kc, informers: i, log, now } = ctx;
  return every(
    "gc",
    options.intervalMs,
    async () => {
      try {
        const state: GcState = {
          jobs: i.jobs.store.list(),
          evaluations: i.evaluations.store.list(),
          allocations: i.allocations.store.list(),
          deployments: i.deployments.store.list(),
          nodes: i.nodes.store.list(),
          // Few, and not cached by the controllers: read at each pass.
          tokens: (
            await getJson<{ items: NomadACLToken[] }>(
              kc,
              collectionPath(caravanResource("NomadACLToken")),
            )
          ).items,
        };
        const counts = await deleteGarbage(kc, collectGarbage(state, options.thresholds, now()));
        if (Object.values(counts).some((n) => n > 0)) log.info(counts, "garbage collected");
      } catch (err) {
        log.warn({ err }, "garbage collection failed");
      }
    },
    log,
  );
}
