// `caravan agent --simulate N`: N simulated client nodes in one process, for
// scale tests and benchmarks. Each node has its own NomadNode (a plausible
// fingerprint with the mock driver) and its own heartbeat Lease; renewals are
// spread over the renewal period. One allocation informer serves every node
// (filtered in memory by the caravan.dev/node label, not N watches), each
// allocation runs with the mock driver, and status writes are batched.

import PQueue from "p-queue";
import type { Logger } from "../../common/log.js";
import type { NomadAllocationStatus } from "../../crds/allocation.js";
import { datacenterLabel, nodeLabel } from "../../crds/names.js";
import type { NomadAllocation, NomadNode } from "../../crds/objects.js";
import { isClientTerminal } from "../../crds/terminal.js";
import { applyStatus, createObject } from "../../kube/apply.js";
import { Informer } from "../../kube/informer.js";
import type { KubeConfig } from "../../kube/kubeconfig.js";
import { caravanResource } from "../../kube/resources.js";
import { ApiError } from "../../kube/rest.js";
import { objectKey } from "../../kube/store.js";
import { renewNodeLease } from "../heartbeat.js";
import { agentFieldManager } from "../registration.js";
import { StatusBatcher } from "./batcher.js";
import { JobVersions } from "./jobs.js";
import { type SimulatedNodeSpec, simulatedNodeStatus } from "./node.js";
import { SimAllocRunner } from "./runner.js";
import { Spread } from "./spread.js";

export interface SimulationOptions {
  count: number;
  log: Logger;
  /** Node names are `<prefix>-<i>`; default "sim". */
  prefix?: string;
  datacenter?: string;
  nodeClass?: string;
  nodePool?: string;
  meta?: Record<string, string>;
  /** Per node; defaults 4000 MHz, 8192 MB, 100 GB. */
  cpuMHz?: number;
  memoryMB?: number;
  diskMB?: number;
  version?: string;
  /** Heartbeat lease; renewed every third of it. Default 30 s. */
  leaseSeconds?: number;
  /** How often each node re-reports its fingerprint, as a real agent does; 0 never. Default 30 s. */
  fingerprintIntervalMs?: number;
  /** Requests in flight for registration and heartbeats. Default 16. */
  concurrency?: number;
  /** Status batching: flush interval (default 200 ms) and writes in flight (default 16). */
  statusFlushMs?: number;
  statusConcurrency?: number;
}

export interface Simulation {
  nodeNames: string[];
  /** Allocations running now, and status writes made so far. */
  stats(): { running: number; statusWrites: number };
  /**
   * Stops heartbeats and the informer and ends the mock tasks without
   * reporting them, as if the hosts died: the controller marks the nodes down
   * when their leases lapse, as it would for real agents.
   */
  stop(): Promise<void>;
}

export async function startSimulation(
  kc: KubeConfig,
  options: SimulationOptions,
): Promise<Simulation> {
  const log = options.log.child({ component: "simulation" });
  const prefix = options.prefix ?? "sim";
  const nodes: SimulatedNodeSpec[] = Array.from({ length: options.count }, (_, index) => ({
    name: `${prefix}-${index}`,
    index,
    datacenter: options.datacenter ?? "dc1",
    ...(options.nodeClass ? { nodeClass: options.nodeClass } : {}),
    nodePool: options.nodePool ?? "default",
    meta: options.meta ?? {},
    cpuMHz: options.cpuMHz ?? 4000,
    memoryMB: options.memoryMB ?? 8192,
    diskMB: options.diskMB ?? 100_000,
    version: options.version ?? "0.1.0",
  }));
  const nodeNames = new Set(nodes.map((n) => n.name));
  const leaseSeconds = options.leaseSeconds ?? 30;
  const concurrency = options.concurrency ?? 16;
  const nodeResource = caravanResource("NomadNode");
  const allocResource = caravanResource("NomadAllocation");

  const report = (node: SimulatedNodeSpec) =>
    applyStatus(
      kc,
      nodeResource,
      { metadata: { name: node.name } } as NomadNode,
      simulatedNodeStatus(node, new Date()),
      agentFieldManager,
    );
  const register = async (node: SimulatedNodeSpec) => {
    await renewNodeLease(kc, node.name, leaseSeconds);
    try {
      await createObject(kc, nodeResource, {
        metadata: { name: node.name, labels: { [datacenterLabel]: node.datacenter } },
        spec: { eligibility: "eligible" },
      });
    } catch (err) {
      if (!(err instanceof ApiError && err.statusCode === 409)) throw err;
    }
    await report(node);
  };
  const registering = new PQueue({ concurrency });
  await Promise.all(nodes.map((node) => registering.add(() => register(node))));
  log.info({ nodes: nodes.length }, "simulated nodes registered");

  let heartbeatFailures = 0;
  const heartbeats = new Spread({
    count: nodes.length,
    periodMs: (leaseSeconds * 1000) / 3,
    concurrency,
    action: (i) => renewNodeLease(kc, (nodes[i] as SimulatedNodeSpec).name, leaseSeconds),
    onError: (i, err) => {
      // One line per hundred failures: a flapping API server must not flood the log.
      if (heartbeatFailures++ % 100 === 0)
        log.warn({ err, node: nodes[i]?.name, failures: heartbeatFailures }, "heartbeat failed");
    },
  });
  heartbeats.start();
  const fingerprintMs = options.fingerprintIntervalMs ?? 30_000;
  const fingerprints =
    fingerprintMs > 0
      ? new Spread({
          count: nodes.length,
          periodMs: fingerprintMs,
          concurrency: Math.max(1, Math.floor(concurrency / 4)),
          action: (i) => report(nodes[i] as SimulatedNodeSpec).then(() => undefined),
          onError: (i, err) =>
            log.debug({ err, node: nodes[i]?.name }, "fingerprint update failed"),
        })
      : undefined;
  fingerprints?.start();

  const batcher = new StatusBatcher<NomadAllocation>({
    flushMs: options.statusFlushMs ?? 200,
    concurrency: options.statusConcurrency ?? 16,
    write: async (alloc, status) => {
      try {
        await applyStatus(kc, allocResource, alloc, status, agentFieldManager);
      } catch (err) {
        if (err instanceof ApiError && err.statusCode === 404) return; // deleted meanwhile
        throw err;
      }
    },
    onError: (alloc, err) =>
      log.debug({ err, alloc: alloc.metadata.name }, "could not report allocation status"),
  });
  const sink = (alloc: NomadAllocation, status: NomadAllocationStatus) =>
    batcher.update(objectKey(alloc), alloc, status);

  const jobs = new JobVersions(kc);
  const runners = new Map<string, SimAllocRunner>();
  const finished = new Set<string>();
  const starting = new Set<string>();
  const sync = async (alloc: NomadAllocation) => {
    const node = alloc.metadata.labels?.[nodeLabel] ?? alloc.spec.nodeName;
    if (!nodeNames.has(node)) return;
    const key = objectKey(alloc);
    const runner = runners.get(key);
    if (alloc.spec.desiredStatus !== "run") {
      runner?.stop(alloc.spec.desiredDescription ?? "allocation stopped");
      return;
    }
    if (runner || starting.has(key) || finished.has(key)) return;
    if (isClientTerminal(alloc.status?.clientStatus)) return;
    starting.add(key);
    try {
      const { group, jobType } = await jobs.groupOf(alloc);
      const created = new SimAllocRunner(alloc, group, jobType, sink);
      runners.set(key, created);
      void created.done.then(() => {
        finished.add(key);
        runners.delete(key);
      });
    } catch (err) {
      log.warn({ err, alloc: alloc.metadata.name }, "could not read the allocation's job");
    } finally {
      starting.delete(key);
    }
  };
  // Every allocation on some node; which ones are ours is decided in memory.
  const informer = new Informer<NomadAllocation>(kc, allocResource, log, {
    labelSelector: nodeLabel,
  });
  informer.addHandlers({
    onAdd: (a) => void sync(a),
    onUpdate: (_o, a) => void sync(a),
    onDelete: (a) => runners.get(objectKey(a))?.stop("allocation deleted"),
  });
  informer.start();

  return {
    nodeNames: nodes.map((n) => n.name),
    stats: () => ({ running: runners.size, statusWrites: batcher.writes }),
    async stop() {
      informer.stop();
      await heartbeats.stop();
      await fingerprints?.stop();
      const all = [...runners.values()];
      for (const r of all) r.abandon();
      await Promise.all(all.map((r) => r.done));
      await batcher.stop();
    },
  };
}
