// Runs Nomad's core garbage collection on an interval (and on demand for
// `caravan system gc` and PUT /v1/system/gc): decides from the informer caches what is old enough
// to go (collect.ts), then deletes it. Deleting a job goes through the jobs
// controller's finalizer like any deletion; a node's heartbeat Lease goes with
// it, and an ACL token's Secret (owned by the token) with the token.
import type { Logger } from "../../common/log.js";
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
import { caravanResource, collectionPath, leaseResource } from "../../kube/resources.js";
import { ApiError, getJson } from "../../kube/rest.js";
import { nodeLeaseNamespace, type SharedInformers } from "../informers.js";
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

export interface GcLoop {
  stop(): void;
}

export function startGc(deps: {
  kc: KubeConfig;
  informers: SharedInformers;
  log: Logger;
  thresholds: GcThresholds;
  intervalMs: number;
  now?: () => number;
}): GcLoop {
  const now = deps.now ?? Date.now;
  let running = false;
  const pass = async () => {
    if (running) return;
    running = true;
    try {
      const i = deps.informers;
      const state: GcState = {
        jobs: i.jobs.store.list(),
        evaluations: i.evaluations.store.list(),
        allocations: i.allocations.store.list(),
        deployments: i.deployments.store.list(),
        nodes: i.nodes.store.list(),
        // Few, and not cached by the controllers: read at each pass.
        tokens: (
          await getJson<{ items: NomadACLToken[] }>(
            deps.kc,
            collectionPath(caravanResource("NomadACLToken")),
          )
        ).items,
      };
      const counts = await deleteGarbage(deps.kc, collectGarbage(state, deps.thresholds, now()));
      if (Object.values(counts).some((n) => n > 0)) deps.log.info(counts, "garbage collected");
    } catch (err) {
      deps.log.warn({ err }, "garbage collection failed");
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void pass(), deps.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
