// The placement pipeline, assembled in one place as Nomad's stack.go:
//
//   source (shuffled nodes, round-robin across Selects)
//   → feasibility (drivers, constraints, devices, network — cached per
//     computed class — then host volumes, distinct_hosts/property)
//   → rank: binpack (or spread algorithm) → job anti-affinity → reschedule
//     penalty → node affinity → spread block → (preemption) → average
//   → limit (log2(nodes) for services, 2 for batch, max(100, count) with
//     spreads or affinities; up to 3 non-positive scores skipped)
//   → max score.
//
// The stages are small functions in feasible/ and rank/; this file only
// wires them and keeps the loop free of allocations.
import type { EvalContext } from "./context.js";
import type { ResolvedGroup, ResolvedJob } from "./defaults.js";
import { assignDevices } from "./feasible/devices.js";
import { FeasibilityWrapper } from "./feasible/wrapper.js";
import { freeCores, groupExhausted, mhzPerCore } from "./fit.js";
import { Metrics } from "./metrics.js";
import { findPreemptions, preemptionScore } from "./preemption.js";
import { AffinityScorer } from "./rank/affinity.js";
import { antiAffinityScore } from "./rank/anti-affinity.js";
import { binpackScore } from "./rank/binpack.js";
import { reschedulePenalty } from "./rank/penalty.js";
import { SpreadScorer } from "./rank/spread.js";
import type {
  PlacedPort,
  SchedulerAlloc,
  SchedulerNode,
  SchedulerResources,
  TaskResources,
} from "./types.js";

const SKIP_SCORE_THRESHOLD = 0;
const MAX_SKIP = 3;

export interface SelectOptions {
  /** Nodes where this allocation's predecessors failed. */
  readonly penaltyNodes?: ReadonlySet<string>;
  /** Try this node first (sticky disks, reconnects). */
  readonly preferredNode?: string;
}

export interface Selection {
  readonly nodeIndex: number;
  readonly node: SchedulerNode;
  readonly score: number;
  readonly resources: SchedulerResources;
  readonly ports: PlacedPort[];
  readonly preempted: SchedulerAlloc[];
}

interface GroupRankers {
  readonly affinity: AffinityScorer;
  readonly spread: SpreadScorer;
  readonly groupCounts: Int32Array;
  /** Binpack score per node, valid while the node's usage stamp is unchanged. */
  readonly fit: Float64Array;
  readonly fitStamp: Int32Array;
  readonly fitDimension: string[];
}

export class Stack {
  readonly feasibility: FeasibilityWrapper;
  /** Candidate node indexes (ready, eligible, in the job's datacenters and pool), shuffled. */
  private readonly order: Int32Array;
  private offset = 0;
  private readonly baseLimit: number;
  private readonly rankers = new Map<string, GroupRankers>();
  private readonly spreadAlgorithm: boolean;
  private readonly preempt: boolean;
  private readonly random: () => number;
  metrics = new Metrics();
  private readonly skipped = new Int32Array(MAX_SKIP);
  private readonly skippedScore = new Float64Array(MAX_SKIP);

  constructor(
    private readonly ctx: EvalContext,
    private readonly job: ResolvedJob,
    candidates: Int32Array,
    opts: { batch: boolean; random: () => number; preempt: boolean },
  ) {
    this.feasibility = new FeasibilityWrapper(ctx, job.constraints);
    this.order = candidates;
    this.random = opts.random;
    const n = candidates.length;
    // Power of two choices for batch; log2(n) candidates for services.
    this.baseLimit = opts.batch || n === 0 ? 2 : Math.max(2, Math.ceil(Math.log2(n)));
    this.spreadAlgorithm = ctx.config.algorithm === "spread";
    this.preempt = opts.preempt;
  }

  private groupRankers(tg: ResolvedGroup): GroupRankers {
    let r = this.rankers.get(tg.name);
    if (!r) {
      const n = this.ctx.nodes.length;
      r = {
        affinity: new AffinityScorer(this.ctx, tg),
        spread: new SpreadScorer(this.ctx, tg),
        groupCounts: this.ctx.groupCountsOf(tg.name),
        fit: new Float64Array(n),
        fitStamp: new Int32Array(n).fill(-1),
        fitDimension: new Array<string>(n),
      };
      this.rankers.set(tg.name, r);
    }
    return r;
  }

  /**
   * Ranks node i for the group: the averaged score, or NaN when it does not
   * fit. Records metrics. `preempted` receives evictions when preemption made it fit.
   */
  private rank(
    tg: ResolvedGroup,
    r: GroupRankers,
    i: number,
    node: SchedulerNode,
    opts: SelectOptions | undefined,
    preempted: SchedulerAlloc[] | undefined,
  ): number {
    // A node's fit only changes when its usage does: most candidates reuse the last verdict.
    const u = this.ctx.usage;
    const stamp = u.stamp[i] as number;
    let binpack: number;
    let exhausted: string | undefined;
    if (r.fitStamp[i] === stamp) {
      binpack = r.fit[i] as number;
      if (binpack < 0) exhausted = r.fitDimension[i];
    } else {
      exhausted = groupExhausted(u, tg, i, node);
      binpack = exhausted === undefined ? binpackScore(u, tg, i, node, this.spreadAlgorithm) : -1;
      r.fitStamp[i] = stamp;
      r.fit[i] = binpack;
      if (exhausted !== undefined) r.fitDimension[i] = exhausted;
    }
    let preemptScore = 0;
    if (exhausted !== undefined) {
      const evict =
        this.preempt && preempted ? findPreemptions(this.ctx, tg, i, this.job.priority) : undefined;
      if (!evict) {
        this.metrics.exhaust(node, exhausted);
        if (exhausted === "cpu" || exhausted === "memory" || exhausted === "cores")
          this.metrics.exhaustResources(tg.tasks);
        return Number.NaN;
      }
      for (const a of evict) u.apply(i, a.resources, -1);
      const still = groupExhausted(u, tg, i, node);
      binpack = still === undefined ? binpackScore(u, tg, i, node, this.spreadAlgorithm) : -1;
      for (const a of evict) u.apply(i, a.resources, 1);
      if (still !== undefined) {
        this.metrics.exhaust(node, still);
        return Number.NaN;
      }
      preempted?.push(...evict);
      preemptScore = preemptionScore(evict);
    }
    let sum = binpack;
    let count = 1;
    // Free device instances (and device affinities) depend on the node's
    // instances in use: checked per candidate, only for groups with devices.
    if (tg.hasDevices) {
      const devices = assignDevices(tg, node, i, this.ctx.usage);
      if (!devices) {
        this.metrics.exhaust(node, "devices: no free instances");
        return Number.NaN;
      }
      if (tg.hasDeviceAffinities) {
        sum += devices.score;
        count++;
      }
    }
    const anti = antiAffinityScore(r.groupCounts[i] as number, tg.count);
    if (anti !== 0) {
      sum += anti;
      count++;
    }
    const penalty = reschedulePenalty(opts?.penaltyNodes, node.id);
    if (penalty !== 0) {
      sum += penalty;
      count++;
    }
    let affinity = 0;
    if (r.affinity.active) {
      affinity = r.affinity.score(i, node);
      sum += affinity;
      count++;
    }
    let spread = 0;
    if (r.spread.active) {
      spread = r.spread.score(i);
      if (spread !== 0) {
        sum += spread;
        count++;
      }
    }
    if (preemptScore !== 0) {
      sum += preemptScore;
      count++;
    }
    const final = sum / count;
    this.metrics.score(node, final, binpack, anti, penalty, affinity, spread);
    return final;
  }

  /** Picks the best node for one allocation of the group, or undefined (see metrics). */
  select(tg: ResolvedGroup, opts?: SelectOptions): Selection | undefined {
    this.metrics = new Metrics();
    if (opts?.preferredNode !== undefined) {
      const i = this.ctx.indexOf.get(opts.preferredNode);
      if (i !== undefined && this.order.includes(i)) {
        const picked = this.selectOn(tg, i, opts);
        if (picked) return picked;
      }
      this.metrics = new Metrics();
    }
    const r = this.groupRankers(tg);
    r.spread.prepare();
    const limit =
      r.spread.active || r.affinity.active
        ? Math.max(this.ctx.config.nodeLimitForFeasibilityChecks, tg.count)
        : this.baseLimit;
    const order = this.order;
    const n = order.length;
    const nodes = this.ctx.nodes;
    const metrics = this.metrics;
    let seen = 0;
    let skippedCount = 0;
    let best = -1;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let visited = 0; visited < n && seen < limit; visited++) {
      const i = order[this.offset] as number;
      this.offset = this.offset + 1 === n ? 0 : this.offset + 1;
      const node = nodes[i] as SchedulerNode;
      metrics.nodesEvaluated++;
      const reason = this.feasibility.check(tg, i, node);
      if (reason !== undefined) {
        metrics.filter(node, reason);
        continue;
      }
      const score = this.rank(tg, r, i, node, opts, undefined);
      if (Number.isNaN(score)) continue;
      if (score <= SKIP_SCORE_THRESHOLD && skippedCount < MAX_SKIP) {
        this.skipped[skippedCount] = i;
        this.skippedScore[skippedCount] = score;
        skippedCount++;
        continue;
      }
      seen++;
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    }
    for (let k = 0; k < skippedCount && seen < limit; k++, seen++) {
      if ((this.skippedScore[k] as number) > bestScore) {
        best = this.skipped[k] as number;
        bestScore = this.skippedScore[k] as number;
      }
    }
    if (best < 0) {
      return this.preempt ? this.selectWithPreemption(tg, opts) : undefined;
    }
    return this.finish(tg, best, bestScore, []);
  }

  /** With preemption on, a second pass lets lower-priority allocations make room. */
  private selectWithPreemption(tg: ResolvedGroup, opts?: SelectOptions): Selection | undefined {
    const r = this.groupRankers(tg);
    let best: { i: number; score: number; evict: SchedulerAlloc[] } | undefined;
    for (let k = 0; k < this.order.length; k++) {
      const i = this.order[k] as number;
      const node = this.ctx.nodes[i] as SchedulerNode;
      if (this.feasibility.check(tg, i, node) !== undefined) continue;
      const evict: SchedulerAlloc[] = [];
      const score = this.rank(tg, r, i, node, opts, evict);
      if (!Number.isNaN(score) && (!best || score > best.score)) best = { i, score, evict };
    }
    return best ? this.finish(tg, best.i, best.score, best.evict) : undefined;
  }

  /** Feasibility and fit on one node only (system jobs, preferred nodes, in-place updates). */
  selectOn(tg: ResolvedGroup, i: number, opts?: SelectOptions): Selection | undefined {
    const node = this.ctx.nodes[i] as SchedulerNode;
    this.metrics.nodesEvaluated++;
    const reason = this.feasibility.check(tg, i, node);
    if (reason !== undefined) {
      this.metrics.filter(node, reason);
      return undefined;
    }
    const r = this.groupRankers(tg);
    r.spread.prepare();
    const evict: SchedulerAlloc[] = [];
    const score = this.rank(tg, r, i, node, opts, this.preempt ? evict : undefined);
    if (Number.isNaN(score)) return undefined;
    return this.finish(tg, i, score, evict);
  }

  /** Whether node i passes the group's feasibility checks (no resources considered). */
  feasible(tg: ResolvedGroup, i: number): boolean {
    return this.feasibility.check(tg, i, this.ctx.nodes[i] as SchedulerNode) === undefined;
  }

  /** Concrete resources for the winner: ports, cores and device instances. */
  private finish(
    tg: ResolvedGroup,
    i: number,
    score: number,
    preempted: SchedulerAlloc[],
  ): Selection | undefined {
    const node = this.ctx.nodes[i] as SchedulerNode;
    for (const a of preempted) this.ctx.usage.apply(i, a.resources, -1);
    try {
      const ports = this.assignPorts(tg, i, node);
      const devices = tg.hasDevices ? assignDevices(tg, node, i, this.ctx.usage) : undefined;
      if (tg.hasDevices && !devices) {
        this.metrics.exhaust(node, "devices: no free instances");
        return undefined;
      }
      const free = tg.coresTotal > 0 ? freeCores(this.ctx.usage, i, node) : [];
      const perCore = tg.coresTotal > 0 ? mhzPerCore(node) : 0;
      const tasks: Record<string, TaskResources> = {};
      let cpu = 0;
      const cores: number[] = [];
      for (const t of tg.tasks) {
        const taskCores = free.splice(0, t.cores);
        cores.push(...taskCores);
        const taskCpu = t.cpuMHz + taskCores.length * perCore;
        cpu += taskCpu;
        tasks[t.name] = {
          cpuMHz: taskCpu,
          memoryMB: t.memoryMB,
          memoryMaxMB: this.ctx.config.memoryOversubscription ? t.memoryMaxMB : t.memoryMB,
          cores: taskCores,
        };
        const taskDevices = devices?.byTask.get(t.name);
        if (taskDevices && taskDevices.length > 0)
          (tasks[t.name] as TaskResources).devices = taskDevices;
      }
      const resources: SchedulerResources = {
        cpuMHz: cpu,
        memoryMB: tg.memoryMB,
        memoryMaxMB: this.ctx.config.memoryOversubscription ? tg.memoryMaxMB : tg.memoryMB,
        diskMB: tg.diskMB,
        cores,
        ports,
        devices: devices ? [...devices.byTask.values()].flat() : [],
        tasks,
      };
      return { nodeIndex: i, node, score, resources, ports, preempted };
    } finally {
      for (const a of preempted) this.ctx.usage.apply(i, a.resources, 1);
    }
  }

  private assignPorts(tg: ResolvedGroup, i: number, node: SchedulerNode): PlacedPort[] {
    if (tg.ports.length === 0) return [];
    const out: PlacedPort[] = [];
    const taken = new Set<number>();
    for (const p of tg.ports) {
      if (p.static && p.static > 0) {
        taken.add(p.static);
        out.push(portOf(p.label, p.static, p.to, hostIPOf(p.hostNetwork, node)));
      }
    }
    const lo = node.minDynamicPort;
    const span = node.maxDynamicPort - lo + 1;
    for (const p of tg.ports) {
      if (p.static && p.static > 0) continue;
      // Random probes first (as Nomad), then a linear scan so a nearly full range still works.
      let port = -1;
      for (let tries = 0; tries < 20 && port < 0; tries++) {
        const c = lo + Math.floor(this.random() * span);
        if (!taken.has(c) && !this.ctx.usage.portInUse(i, c)) port = c;
      }
      for (let c = lo; port < 0 && c < lo + span; c++) {
        if (!taken.has(c) && !this.ctx.usage.portInUse(i, c)) port = c;
      }
      taken.add(port);
      out.push(portOf(p.label, port, p.to === -1 ? port : p.to, hostIPOf(p.hostNetwork, node)));
    }
    return out;
  }
}

function portOf(
  label: string,
  value: number,
  to: number | undefined,
  hostIP: string | undefined,
): PlacedPort {
  return {
    label,
    value,
    ...(to === undefined ? {} : { to }),
    ...(hostIP === undefined ? {} : { hostIP }),
  };
}

/** A port asking for a host_network is placed on that network's address (feasibility saw it exists). */
function hostIPOf(hostNetwork: string | undefined, node: SchedulerNode): string | undefined {
  if (!hostNetwork || hostNetwork === "default") return undefined;
  return node.hostNetworkAddresses?.[hostNetwork];
}
