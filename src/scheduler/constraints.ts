// Constraint and affinity operators over node targets (${attr.*},
// ${node.*}, ${meta.*}), with Nomad's semantics: what counts as "found",
// numeric-then-lexical ordering, comma-separated sets, version ranges.
import type { Constraint } from "../crds/job/index.js";
import type { SchedulerNode } from "./types.js";

/** Resolves a target against a node; undefined when the node lacks it. Literals resolve to themselves. */
export function resolveTarget(target: string, node: SchedulerNode): string | undefined {
  if (!target.startsWith("${")) return target;
  switch (target) {
    case "${node.unique.id}":
      return node.uniqueId ?? node.id;
    case "${node.datacenter}":
      return node.datacenter;
    case "${node.unique.name}":
      return node.name;
    case "${node.class}":
      return node.nodeClass;
    case "${node.pool}":
      return node.nodePool;
  }
  if (target.startsWith("${attr.")) return node.attributes[target.slice(7, -1)];
  if (target.startsWith("${meta.")) return node.meta[target.slice(7, -1)];
  return undefined;
}

/** Whether the constraint reads something unique to a node, so it cannot be cached per computed class. */
export function escapesComputedClass(target: string | undefined): boolean {
  return (
    target !== undefined &&
    (target.includes("${node.unique.") ||
      target.includes("${attr.unique.") ||
      target.includes("${meta.unique."))
  );
}

/** Nomad's text for a constraint, as placement metrics key it. */
export function constraintText(c: Constraint): string {
  return `${c.attribute ?? ""} ${c.operator ?? "="} ${c.value ?? ""}`;
}

function compareOrder(op: string, l: number | string, r: number | string): boolean {
  switch (op) {
    case "<":
      return l < r;
    case "<=":
      return l <= r;
    case ">":
      return l > r;
    default:
      return l >= r;
  }
}

const INTEGER = /^[+-]?[0-9]+$/;
const FLOAT = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

function checkOrder(op: string, l: string, r: string): boolean {
  if (INTEGER.test(l) && INTEGER.test(r)) return compareOrder(op, Number(l), Number(r));
  if (FLOAT.test(l) && FLOAT.test(r)) return compareOrder(op, Number(l), Number(r));
  return compareOrder(op, l, r);
}

function splitSet(s: string): string[] {
  return s.split(",").map((x) => x.trim());
}

// Regexps and version ranges are compiled once per distinct text: constraint
// values repeat across every node an evaluation looks at.
const regexCache = new Map<string, RegExp | null>();
function compiledRegex(src: string): RegExp | null {
  let re = regexCache.get(src);
  if (re === undefined) {
    try {
      re = new RegExp(src);
    } catch {
      re = null;
    }
    regexCache.set(src, re);
  }
  return re;
}

interface Version {
  segments: number[];
  pre: string;
}

const VERSION_RE = /^v?([0-9]+(?:\.[0-9]+)*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

export function parseVersion(s: string): Version | undefined {
  const m = VERSION_RE.exec(s.trim());
  if (!m) return undefined;
  const segments = (m[1] as string).split(".").map(Number);
  while (segments.length < 3) segments.push(0);
  return { segments, pre: m[2] ?? "" };
}

function comparePre(a: string, b: string): number {
  if (a === b) return 0;
  if (a === "") return 1; // a release sorts after its prereleases
  if (b === "") return -1;
  const pa = a.split(".");
  const pb = b.split(".");
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^[0-9]+$/.test(x);
    const ny = /^[0-9]+$/.test(y);
    if (nx && ny) {
      if (Number(x) !== Number(y)) return Number(x) < Number(y) ? -1 : 1;
    } else if (nx !== ny) {
      return nx ? -1 : 1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

export function compareVersions(a: Version, b: Version): number {
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const x = a.segments[i] ?? 0;
    const y = b.segments[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return comparePre(a.pre, b.pre);
}

type VersionCheck = (v: Version) => boolean;
const versionCache = new Map<string, VersionCheck[] | null>();

/** Parses "≥ 1.2, < 2" style ranges (go-version's and semver's syntax, with ~> pessimistic). */
function parseRange(src: string, semver: boolean): VersionCheck[] | null {
  const key = `${semver ? "s" : "v"}${src}`;
  const hit = versionCache.get(key);
  if (hit !== undefined) return hit;
  const checks: VersionCheck[] = [];
  for (const part of src.split(",")) {
    const m = /^\s*(>=|<=|!=|~>|=|>|<)?\s*(\S+)\s*$/.exec(part);
    const want = m ? parseVersion(m[2] as string) : undefined;
    if (!m || !want) {
      versionCache.set(key, null);
      return null;
    }
    const op = m[1] ?? "=";
    const segCount = (m[2] as string).replace(/^v/, "").split(/[-+]/)[0]?.split(".").length ?? 3;
    checks.push((v) => {
      // go-version: a prerelease only satisfies a range that names a prerelease.
      if (!semver && v.pre !== "" && want.pre === "") return false;
      const c = compareVersions(v, want);
      switch (op) {
        case "=":
          return c === 0;
        case "!=":
          return c !== 0;
        case ">":
          return c > 0;
        case ">=":
          return c >= 0;
        case "<":
          return c < 0;
        case "<=":
          return c <= 0;
        default: {
          // ~> 1.2 allows >= 1.2, < 2.0; ~> 1.2.3 allows >= 1.2.3, < 1.3.0
          if (c < 0) return false;
          const keep = Math.max(1, segCount - 1);
          for (let i = 0; i < keep; i++) {
            if ((v.segments[i] ?? 0) !== (want.segments[i] ?? 0)) return false;
          }
          return true;
        }
      }
    });
  }
  versionCache.set(key, checks);
  return checks;
}

function checkVersion(l: string, r: string, semver: boolean): boolean {
  const v = parseVersion(l);
  if (!v) return false;
  const checks = parseRange(r, semver);
  if (checks === null) return false;
  return checks.every((c) => c(v));
}

/**
 * Applies an operator to resolved values. distinct_hosts and distinct_property
 * are not node properties: they pass here and are enforced by their own stage.
 */
export function checkOperator(
  operator: string,
  l: string | undefined,
  r: string | undefined,
): boolean {
  switch (operator) {
    case "distinct_hosts":
    case "distinct_property":
      return true;
    case "=":
    case "==":
    case "is":
      return l !== undefined && r !== undefined && l === r;
    case "!=":
    case "not":
      return l !== r;
    case "<":
    case "<=":
    case ">":
    case ">=":
      return l !== undefined && r !== undefined && checkOrder(operator, l, r);
    case "is_set":
      return l !== undefined;
    case "is_not_set":
      return l === undefined;
    case "version":
      return l !== undefined && r !== undefined && checkVersion(l, r, false);
    case "semver":
      return l !== undefined && r !== undefined && checkVersion(l, r, true);
    case "regexp": {
      if (l === undefined || r === undefined) return false;
      const re = compiledRegex(r);
      if (re === null) return false;
      return re.test(l);
    }
    case "set_contains":
    case "set_contains_all": {
      if (l === undefined || r === undefined) return false;
      const have = new Set(splitSet(l));
      return splitSet(r).every((x) => have.has(x));
    }
    case "set_contains_any": {
      if (l === undefined || r === undefined) return false;
      const have = new Set(splitSet(l));
      return splitSet(r).some((x) => have.has(x));
    }
    default:
      return false;
  }
}

/** Whether a node satisfies a constraint (or matches an affinity). */
export function nodeMatches(
  c: { attribute?: string; operator?: string; value?: string },
  node: SchedulerNode,
): boolean {
  const l = c.attribute === undefined ? undefined : resolveTarget(c.attribute, node);
  const r = c.value === undefined ? undefined : resolveTarget(c.value, node);
  return checkOperator(c.operator ?? "=", l, r);
}
