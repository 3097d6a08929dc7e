// Node liveness, as Nomad's heartbeat timers do it but on Kubernetes Leases:
// each agent renews a Lease named after its node. A node whose lease expires
// is marked down, and every job with allocations there is evaluated (the
// scheduler marks them lost and places replacements per the reschedule
// policy). A down node whose lease is renewed again is ready once more and its
// jobs are evaluated (reconnect). A node that becomes ready also evaluates
// every system job, which places one allocation on it.

import { nodeLeaseNamespace } from "../../crds/names.js";
import { newEvaluation } from "../../crds/new-evaluation.js";
import type { NomadNode } from "../../crds/objects.js";
import { applyStatus, createIfAbsent } from "../../kube/apply.js";
import { type Controller, defineController, owned } from "../../kube/controller.js";
import { caravanResource } from "../../kube/resources.js";
import type { ControllerContext } from "../context.js";
import { byNode, jobKey } from "../informers.js";

/**
 * What the lease says about a node: whether it is alive, until when, and the
 * status change that follows (a ready node whose lease expired goes down; a
 * down node whose lease is renewed is ready again). Initializing nodes are the
 * agent's to report.
 */
export function livenessOf(
  current: string,
  lease: { renewTime?: string; leaseDurationSeconds?: number } | undefined,
  now: number,
  /** Some allocation on the node tolerates disconnects (max_client_disconnect, disconnect.lost_after). */
  tolerates = false,
): { alive: boolean; expiresAt: number; next?: "ready" | "down" | "disconnected" } {
  const renewed = lease?.renewTime ? Date.parse(lease.renewTime) : Number.NaN;
  const expiresAt = Number.isNaN(renewed)
    ? 0
    : renewed + (lease?.leaseDurationSeconds ?? 40) * 1000;
  const alive = expiresAt > now;
  // Nomad marks a node disconnected, not down, when its allocations may outlive a lost connection.
  if (!alive && current === "ready")
    return { alive, expiresAt, next: tolerates ? "disconnected" : "down" };
  if (alive && (current === "down" || current === "disconnected"))
    return { alive, expiresAt, next: "ready" };
  return { alive, expiresAt };
}

/** Nodes, and their heartbeat Leases (one per node, named after it). */
export function nodeLiveness(ctx: ControllerContext): Controller {
  const { kc, informers, events, now } = ctx;
  const nodes = caravanResource("NomadNode");
  const evaluations = caravanResource("NomadEvaluation");

  // Ready nodes seen so far: a node seen ready for the first time evaluates the system jobs.
  const seenReady = new Set<string>();

  return defineController({
    name: "node-liveness",
    for: informers.nodes,
    owns: [owned(informers.leases, (l) => l.metadata.name)],
    concurrency: 2,
    reconcile: async (name) => {
      const node = informers.nodes.store.get(name);
      if (!node) {
        seenReady.delete(name);
        return undefined;
      }
      const current = node.status?.status ?? "initializing";
      const lease = informers.leases.store.get(`${nodeLeaseNamespace}/${name}`)?.spec;
      const { alive, expiresAt, next } = livenessOf(
        current,
        lease,
        now(),
        toleratesDisconnect(name),
      );
      if (next) {
        const description =
          next === "ready" ? "node heartbeat resumed" : "node heartbeat missed: its lease expired";
        // Only the liveness fields: the agent owns the rest of the node's status.
        await applyStatus(kc, nodes, node, {
          status: next,
          statusDescription: description,
          statusUpdatedAt: new Date(now()).toISOString(),
        });
        void events.record(
          node,
          next === "ready" ? "Normal" : "Warning",
          next === "ready" ? "NodeReady" : next === "down" ? "NodeDown" : "NodeDisconnected",
          description,
        );
        await evaluateJobsOn(name, node, next);
        if (next !== "ready") seenReady.delete(name);
        else seenReady.add(name);
      } else if (current === "ready" && !seenReady.has(name)) {
        seenReady.add(name);
        await evaluateJobsOn(name, node, "ready");
      }
      // Look again just after the lease would expire.
      return alive ? { requeueAfterMs: Math.max(expiresAt - now(), 0) + 100 } : undefined;
    },
  });

  /** Whether an allocation running on the node belongs to a group that tolerates disconnects. */
  function toleratesDisconnect(name: string): boolean {
    for (const a of informers.allocations.store.byIndex(byNode, name)) {
      if (a.spec.desiredStatus !== "run") continue;
      const job = informers.jobs.store.get(jobKey(a.metadata.namespace, a.spec.jobName));
      const group = job?.spec.groups.find((g) => g.name === a.spec.group);
      if (group?.maxClientDisconnect || group?.disconnect?.lostAfter) return true;
    }
    return false;
  }

  async function evaluateJobsOn(name: string, node: NomadNode, status: string): Promise<void> {
    const jobs = new Set<string>();
    for (const a of informers.allocations.store.byIndex(byNode, name)) {
      jobs.add(jobKey(a.metadata.namespace, a.spec.jobName));
    }
    if (status === "ready") {
      for (const j of informers.jobs.store.list()) {
        if (j.spec.type === "system" || j.spec.type === "sysbatch")
          jobs.add(jobKey(j.metadata.namespace, j.metadata.name));
      }
    }
    // The node's resourceVersion tells successive changes of one node apart.
    const resourceVersion = node.metadata.resourceVersion ?? "0";
    for (const key of jobs) {
      const job = informers.jobs.store.get(key);
      if (!job || job.metadata.deletionTimestamp) continue;
      const evaluation = newEvaluation({
        job,
        trigger: "node-update",
        cause: { kind: "node-status", node: name, status, resourceVersion },
      });
      await createIfAbsent(kc, evaluations, evaluation);
    }
  }
}
