// Runs the feasibility checkers with Nomad's computed-class cache: the
// job's constraints once per class, each group's drivers, constraints,
// devices and network once per class per group. Checks that read a node's
// unique attributes (escaped constraints), its host volumes or other
// placements (distinct_*) run for every node.
import type { Constraint } from "../../crds/job/index.js";
import { escapesComputedClass } from "../constraints.js";
import type { EvalContext } from "../context.js";
import type { ResolvedGroup } from "../defaults.js";
import type { SchedulerNode } from "../types.js";
import { checkConstraints } from "./constraint.js";
import { checkDevices } from "./devices.js";
import { checkDistinct, type DistinctRules, distinctRules } from "./distinct.js";
import { checkDrivers } from "./drivers.js";
import { checkNetwork } from "./network.js";
import { checkHostVolumes } from "./volumes.js";

const UNKNOWN = 0;
const ELIGIBLE = 1;
const INELIGIBLE = 2;

function splitEscaped(cs: readonly Constraint[]): [Constraint[], Constraint[]] {
  const cached: Constraint[] = [];
  const escaped: Constraint[] = [];
  for (const c of cs) {
    (escapesComputedClass(c.attribute) || escapesComputedClass(c.value) ? escaped : cached).push(c);
  }
  return [cached, escaped];
}

interface GroupChecks {
  readonly cache: Int8Array;
  readonly reasons: (string | undefined)[];
  readonly cached: Constraint[];
  readonly escaped: Constraint[];
  readonly distinct: DistinctRules;
  readonly groupCounts: Int32Array;
}

export class FeasibilityWrapper {
  private readonly jobCache: Int8Array;
  private readonly jobReasons: (string | undefined)[];
  private readonly jobCached: Constraint[];
  private readonly jobEscaped: Constraint[];
  private readonly groups = new Map<string, GroupChecks>();
  /** Per class key: feasible for the job and some group (what a blocked evaluation waits on). */
  readonly classEligibility: Record<string, boolean> = {};
  readonly escaped: boolean;

  constructor(
    private readonly ctx: EvalContext,
    private readonly jobConstraints: readonly Constraint[],
  ) {
    const classes = ctx.classKeys.length;
    this.jobCache = new Int8Array(classes);
    this.jobReasons = new Array(classes);
    [this.jobCached, this.jobEscaped] = splitEscaped(jobConstraints);
    this.escaped = this.jobEscaped.length > 0;
  }

  private lastGroup: ResolvedGroup | undefined;
  private lastChecks: GroupChecks | undefined;

  private groupChecks(tg: ResolvedGroup): GroupChecks {
    // Selects check one group against many nodes in a row: remember the last.
    if (tg === this.lastGroup && this.lastChecks) return this.lastChecks;
    let g = this.groups.get(tg.name);
    if (!g) {
      const [cached, escaped] = splitEscaped(tg.constraints);
      g = {
        cache: new Int8Array(this.ctx.classKeys.length),
        reasons: new Array(this.ctx.classKeys.length),
        cached,
        escaped,
        distinct: distinctRules(this.jobConstraints, tg),
        groupCounts: this.ctx.groupCountsOf(tg.name),
      };
      this.groups.set(tg.name, g);
      if (escaped.length > 0) (this as { escaped: boolean }).escaped = true;
    }
    this.lastGroup = tg;
    this.lastChecks = g;
    return g;
  }

  /** Undefined when node i can take the group; otherwise the reason metrics file it under. */
  check(tg: ResolvedGroup, i: number, node: SchedulerNode): string | undefined {
    const cls = this.ctx.classOf[i] as number;
    let state = this.jobCache[cls] as number;
    if (state === UNKNOWN) {
      const reason = checkConstraints(this.jobCached, node);
      state = reason === undefined ? ELIGIBLE : INELIGIBLE;
      this.jobCache[cls] = state;
      this.jobReasons[cls] = reason;
      if (reason !== undefined) this.classEligibility[this.ctx.classKeys[cls] as string] = false;
    }
    if (state === INELIGIBLE) return this.jobReasons[cls];
    const g = this.groupChecks(tg);
    state = g.cache[cls] as number;
    if (state === UNKNOWN) {
      const reason =
        checkDrivers(tg.drivers, node) ??
        checkConstraints(g.cached, node) ??
        checkDevices(tg, node) ??
        checkNetwork(tg, node);
      state = reason === undefined ? ELIGIBLE : INELIGIBLE;
      g.cache[cls] = state;
      g.reasons[cls] = reason;
      const key = this.ctx.classKeys[cls] as string;
      this.classEligibility[key] = this.classEligibility[key] === true || reason === undefined;
    }
    if (state === INELIGIBLE) return g.reasons[cls];
    if (this.jobEscaped.length > 0) {
      const r = checkConstraints(this.jobEscaped, node);
      if (r !== undefined) return r;
    }
    if (g.escaped.length > 0) {
      const r = checkConstraints(g.escaped, node);
      if (r !== undefined) return r;
    }
    if (tg.hostVolumes.length > 0) {
      const r = checkHostVolumes(tg, node);
      if (r !== undefined) return r;
    }
    if (g.distinct.hosts !== 0 || g.distinct.properties.length > 0) {
      return checkDistinct(g.distinct, this.ctx, tg, g.groupCounts, i, node);
    }
    return undefined;
  }
}
