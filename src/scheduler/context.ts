// The evaluation context: the snapshot indexed for the hot loops, the usage
// accumulator, and where this job's allocations are (proposed: existing
// minus the plan's stops plus its placements), which distinct_hosts,
// distinct_property, job anti-affinity and spread all read.
import { defaultPreemptionConfig as p } from "../crds/scheduler-config.js";
import { isTerminal } from "../crds/terminal.js";
import { classIds } from "./computed-class.js";
import type { ResolvedJob } from "./defaults.js";
import type { SchedulerAlloc, SchedulerConfig, SchedulerNode, SchedulerSnapshot } from "./types.js";
import { NodeUsage } from "./usage.js";

export const DEFAULT_CONFIG: SchedulerConfig = {
  algorithm: "binpack",
  memoryOversubscription: false,
  preemption: {
    system: p.systemSchedulerEnabled,
    sysbatch: p.sysBatchSchedulerEnabled,
    batch: p.batchSchedulerEnabled,
    service: p.serviceSchedulerEnabled,
  },
  nodeLimitForFeasibilityChecks: 100,
};

export class EvalContext {
  readonly nodes: readonly SchedulerNode[];
  readonly indexOf = new Map<string, number>();
  readonly classOf: Int32Array;
  readonly classKeys: string[];
  readonly usage: NodeUsage;
  readonly config: SchedulerConfig;
  /** Per group, per node index: proposed allocations of this job's group. */
  private readonly groupCounts = new Map<string, Int32Array>();
  /** Per node index: proposed allocations of this job, any group. */
  readonly jobCounts: Int32Array;
  /** Proposed allocations of this job (for distinct_property and spread). */
  readonly proposed = new Set<SchedulerAlloc>();
  /** Every change to the proposed allocations, in order, so rankers can follow incrementally. */
  readonly changes: { alloc: SchedulerAlloc; sign: 1 | -1 }[] = [];

  constructor(
    readonly snapshot: SchedulerSnapshot,
    readonly job: ResolvedJob | undefined,
  ) {
    this.nodes = snapshot.nodes;
    for (let i = 0; i < this.nodes.length; i++) {
      this.indexOf.set((this.nodes[i] as SchedulerNode).id, i);
    }
    const { ids, keys } = classIds(this.nodes);
    this.classOf = ids;
    this.classKeys = keys;
    this.usage = new NodeUsage(this.nodes, this.indexOf);
    this.config = { ...DEFAULT_CONFIG, ...snapshot.config };
    this.jobCounts = new Int32Array(this.nodes.length);
    for (const a of snapshot.allocs) {
      if (isTerminal(a)) continue;
      this.usage.addAlloc(a);
      if (this.isJobAlloc(a)) this.propose(a);
    }
  }

  isJobAlloc(a: SchedulerAlloc): boolean {
    return a.jobId === this.snapshot.jobId && a.namespace === this.snapshot.namespace;
  }

  groupCountsOf(group: string): Int32Array {
    let c = this.groupCounts.get(group);
    if (!c) {
      c = new Int32Array(this.nodes.length);
      this.groupCounts.set(group, c);
    }
    return c;
  }

  private propose(a: SchedulerAlloc): void {
    const i = this.indexOf.get(a.nodeId);
    this.proposed.add(a);
    this.changes.push({ alloc: a, sign: 1 });
    if (i === undefined) return;
    this.jobCounts[i] = (this.jobCounts[i] as number) + 1;
    const g = this.groupCountsOf(a.group);
    g[i] = (g[i] as number) + 1;
  }

  /** Records a placement: its resources are taken and it counts as the job's. */
  place(a: SchedulerAlloc): void {
    this.usage.addAlloc(a);
    this.propose(a);
  }

  /** Records a stop: its resources are freed and it no longer counts. */
  stop(a: SchedulerAlloc): void {
    this.usage.removeAlloc(a);
    if (!this.proposed.delete(a)) return;
    this.changes.push({ alloc: a, sign: -1 });
    const i = this.indexOf.get(a.nodeId);
    if (i === undefined) return;
    this.jobCounts[i] = (this.jobCounts[i] as number) - 1;
    const g = this.groupCountsOf(a.group);
    g[i] = (g[i] as number) - 1;
  }
}
