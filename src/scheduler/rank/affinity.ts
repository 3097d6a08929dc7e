// Node affinity: the weights of the affinities a node matches, over the sum
// of absolute weights, so the score lies in [−1, 1]. Matching depends only on
// the node's class unless an affinity reads a unique attribute, so the score
// is cached per computed class.
import { escapesComputedClass, nodeMatches } from "../constraints.js";
import type { EvalContext } from "../context.js";
import type { ResolvedGroup } from "../defaults.js";
import type { SchedulerNode } from "../types.js";

export class AffinityScorer {
  private readonly cache: Float64Array;
  private readonly escaped: boolean;
  private readonly sumWeight: number;

  constructor(
    private readonly ctx: EvalContext,
    private readonly tg: ResolvedGroup,
  ) {
    this.cache = new Float64Array(ctx.classKeys.length).fill(Number.NaN);
    this.escaped = tg.affinities.some(
      (a) => escapesComputedClass(a.attribute) || escapesComputedClass(a.value),
    );
    this.sumWeight = tg.affinities.reduce((s, a) => s + Math.abs(a.weight), 0);
  }

  get active(): boolean {
    return this.tg.affinities.length > 0 && this.sumWeight > 0;
  }

  private compute(node: SchedulerNode): number {
    let total = 0;
    for (const a of this.tg.affinities) if (nodeMatches(a, node)) total += a.weight;
    return total / this.sumWeight;
  }

  score(i: number, node: SchedulerNode): number {
    if (this.escaped) return this.compute(node);
    const cls = this.ctx.classOf[i] as number;
    let s = this.cache[cls] as number;
    if (Number.isNaN(s)) {
      s = this.compute(node);
      this.cache[cls] = s;
    }
    return s;
  }
}
