// Placement rules shared by jobs, groups, tasks and devices: constraint,
// affinity and spread.
import type { Integer } from "../common.js";

/**
 * How a constraint or affinity compares its attribute with its value.
 * "=", "==" and "is" test equality; "!=" and "not" inequality; "<", "<=", ">"
 * and ">=" compare lexically or numerically; "regexp", "version", "semver" and
 * the set operators match the value as a pattern, version range or list;
 * "is_set" and "is_not_set" test the attribute's presence. "distinct_hosts"
 * and "distinct_property" are for constraints only.
 */
export type ConstraintOperator =
  | "="
  | "=="
  | "is"
  | "!="
  | "not"
  | "<"
  | "<="
  | ">"
  | ">="
  | "regexp"
  | "version"
  | "semver"
  | "set_contains"
  | "set_contains_all"
  | "set_contains_any"
  | "is_set"
  | "is_not_set"
  | "distinct_hosts"
  | "distinct_property";

/**
 * A hard placement rule: nodes that fail it are never chosen. The HCL
 * shorthands (`regexp = "..."`, `distinct_hosts = true`, …) are written here
 * as an operator and a value.
 */
export interface Constraint {
  /**
   * The node attribute to test, e.g. "${attr.kernel.name}", "${node.class}" or "${meta.rack}". Not needed for distinct_hosts.
   */
  attribute?: string;
  /**
   * The comparison. Nomad's default is "=".
   * @default "="
   */
  operator?: ConstraintOperator;
  /** The value compared with the attribute; may interpolate another attribute. For distinct_property, the number of allocations allowed per value (default 1). */
  value?: string;
}

/** A comparison usable in an affinity: every constraint operator except distinct_hosts and distinct_property. */
export type AffinityOperator = Exclude<ConstraintOperator, "distinct_hosts" | "distinct_property">;

/**
 * A soft placement preference: matching nodes score higher (or lower, with a
 * negative weight) but any feasible node may still be chosen. System jobs may
 * not use affinities.
 */
export interface Affinity {
  /** The node attribute to test, e.g. "${node.datacenter}". */
  attribute: string;
  /**
   * The comparison. Nomad's default is "=".
   * @default "="
   */
  operator?: AffinityOperator;
  /** The value compared with the attribute. */
  value?: string;
  /**
   * How strongly to prefer (positive) or avoid (negative) matching nodes, -100 to 100 but never 0. Nomad's default is 50.
   * @minimum -100
   * @maximum 100
   * @validation {"rule": "self != 0", "message": "an affinity weight cannot be 0"}
   */
  weight?: Integer;
}

/** A share of the allocations that should land on nodes with one value of the spread attribute. */
export interface SpreadTarget {
  /** The attribute value this target is for, e.g. "dc1". */
  value: string;
  /**
   * Percentage of the group's allocations wanted on this value (0 to 100); all targets of a spread add up to at most 100.
   * @minimum 0
   * @maximum 100
   */
  percent?: Integer;
}

/**
 * Distributes allocations across the values of a node attribute (datacenter,
 * rack…). Without targets the allocations are spread evenly. System jobs may
 * not use spreads.
 * @validation {"rule": "!has(self.targets) || self.targets.map(t, has(t.percent) ? t.percent : 0).sum() <= 100", "message": "spread target percentages add up to more than 100"}
 */
export interface Spread {
  /** The node attribute to spread over, e.g. "${node.datacenter}" or "${meta.rack}". */
  attribute: string;
  /**
   * Relative importance of this spread against other spreads and affinities, 1 to 100. Nomad's default is 50.
   * @minimum 1
   * @maximum 100
   */
  weight?: Integer;
  /**
   * Wanted percentages per attribute value (`target "<value>"` blocks); values not listed share the rest.
   * @listMapKeys value
   * @maxItems 100
   */
  targets?: SpreadTarget[];
}
