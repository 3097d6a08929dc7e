// The spread block: allocations of a group are steered towards attribute
// values that have fewer of them than wanted. With targets, a value's boost
// is (desired − used) / desired, weighted; values without a target share the
// remainder as an implicit target. Without targets, values are evened out:
// values below the least-used one gain, the most-used lose. Counts include the
// group's existing and planned allocations and are recomputed only when the
// plan changes, once per Select rather than once per candidate.
import { resolveTarget } from "../constraints.js";
import type { EvalContext } from "../context.js";
import type { ResolvedGroup } from "../defaults.js";
import type { SchedulerNode } from "../types.js";

interface SpreadState {
  readonly weight: number;
  /** Per node index: index of the node's value, −1 when the node lacks the attribute. */
  readonly nodeValue: Int32Array;
  readonly valueIndex: Map<string, number>;
  /** Per value: its bucket (the value itself, the implicit target, or −1 untargeted). */
  bucketOf: Int32Array;
  /** Per bucket: desired count, empty for an even spread. */
  readonly desired: number[];
  counts: Float64Array;
  present: Uint8Array;
  min: number;
  max: number;
}

export class SpreadScorer {
  private readonly spreads: SpreadState[] = [];
  private readonly sumWeights: number;
  private seenChanges = 0;
  private lowestBoost = -1;

  constructor(
    private readonly ctx: EvalContext,
    private readonly tg: ResolvedGroup,
  ) {
    this.sumWeights = tg.spreads.reduce((s, x) => s + x.weight, 0);
    const n = ctx.nodes.length;
    for (const sp of tg.spreads) {
      const nodeValue = new Int32Array(n);
      const valueIndex = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        const v = resolveTarget(sp.attribute, ctx.nodes[i] as SchedulerNode);
        if (v === undefined) {
          nodeValue[i] = -1;
          continue;
        }
        let at = valueIndex.get(v);
        if (at === undefined) {
          at = valueIndex.size;
          valueIndex.set(v, at);
        }
        nodeValue[i] = at;
      }
      const desired: number[] = [];
      const targets = sp.targets ?? [];
      const targetBucket = new Map<string, number>();
      let sum = 0;
      for (const t of targets) {
        const want = ((t.percent ?? 0) / 100) * tg.count;
        targetBucket.set(t.value, desired.length);
        desired.push(want);
        sum += want;
      }
      let implicit = -1;
      if (sum > 0 && sum < tg.count) {
        implicit = desired.length;
        desired.push(tg.count - sum);
      }
      const state: SpreadState = {
        weight: sp.weight,
        nodeValue,
        valueIndex,
        bucketOf: new Int32Array(0),
        desired,
        counts: new Float64Array(0),
        present: new Uint8Array(0),
        min: 0,
        max: 0,
      };
      this.spreads.push(state);
      // Targets may name values no node has yet; they still get a bucket.
      for (const t of targets)
        if (!valueIndex.has(t.value)) valueIndex.set(t.value, valueIndex.size);
      const bucketOf = new Int32Array(valueIndex.size);
      for (const [value, at] of valueIndex) {
        bucketOf[at] = targets.length === 0 ? at : (targetBucket.get(value) ?? implicit);
      }
      state.bucketOf = bucketOf;
      const buckets = targets.length === 0 ? valueIndex.size : desired.length;
      state.counts = new Float64Array(buckets);
      state.present = new Uint8Array(buckets);
    }
  }

  get active(): boolean {
    return this.spreads.length > 0;
  }

  /** Brings counts up to date with the plan's changes since the last call; call once per Select. */
  prepare(): void {
    const changes = this.ctx.changes;
    if (this.seenChanges === changes.length) return;
    for (let k = this.seenChanges; k < changes.length; k++) {
      const { alloc: a, sign } = changes[k] as (typeof changes)[number];
      if (a.group !== this.tg.name) continue;
      const i = this.ctx.indexOf.get(a.nodeId);
      if (i === undefined) continue;
      for (const s of this.spreads) {
        const v = s.nodeValue[i] as number;
        if (v < 0) continue;
        const b = s.bucketOf[v] as number;
        if (b < 0) continue;
        s.counts[b] = (s.counts[b] as number) + sign;
        s.present[b] = 1;
      }
    }
    this.seenChanges = changes.length;
    for (const s of this.spreads) {
      let min = 0;
      let max = 0;
      for (let b = 0; b < s.counts.length; b++) {
        const c = s.counts[b] as number;
        if (!s.present[b] || c <= 0) continue;
        if (min === 0 || c < min) min = c;
        if (max === 0 || c > max) max = c;
      }
      s.min = min;
      s.max = max;
    }
  }

  private even(s: SpreadState, b: number): number {
    if (s.max === 0) return 0; // nothing placed yet: no preference
    const current = s.counts[b] as number;
    const min = s.min;
    if (current !== min) return min === 0 ? -1 : (min - current) / min;
    if (min === s.max) return -1;
    return (s.max - min) / min;
  }

  /** The summed spread boost for node i (0 means no score to average in). */
  score(i: number): number {
    let total = 0;
    for (const s of this.spreads) {
      const v = s.nodeValue[i] as number;
      if (v < 0) {
        total -= 1;
        continue;
      }
      const b = s.bucketOf[v] as number;
      if (s.desired.length === 0) {
        total += this.even(s, b);
        continue;
      }
      if (b < 0) {
        total -= 1;
        continue;
      }
      const desired = s.desired[b] as number;
      if (desired === 0) {
        total += this.lowestBoost;
        continue;
      }
      const used = (s.counts[b] as number) + 1;
      const boost = ((desired - used) / desired) * (s.weight / this.sumWeights);
      total += boost;
      if (boost < this.lowestBoost) this.lowestBoost = boost;
    }
    return total;
  }
}
