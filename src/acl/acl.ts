// A token's effective rights: its policies merged into one ACL object that
// answers capability questions, with Nomad's rules — deny always wins, an
// exact namespace beats a glob, and among globs the closest match wins.
import type { CoarseKind, CoarsePolicy, NamespaceRule, Policy, VariableRule } from "./policy.js";

export interface Acl {
  readonly management: boolean;
  /** The token may use the capability in the namespace. */
  allowNamespace(namespace: string, capability: string): boolean;
  /** The token has any capability at all in the namespace (what namespace listings show). */
  anyInNamespace(namespace: string): boolean;
  /** Some namespace rule grants the capability: Nomad's check for namespace=*. */
  anyNamespaceAllows(capability: string): boolean;
  allowHostVolume(name: string, capability: string): boolean;
  /** A Nomad Variables capability (list, read, write, destroy) on a path in a namespace. */
  allowVariable(namespace: string, path: string, capability: string): boolean;
  allowNodePool(name: string, capability: string): boolean;
  /** node, agent, operator, quota and plugin rules: read needs read or write, write needs write. */
  allow(kind: CoarseKind, level: "list" | "read" | "write"): boolean;
}

export const managementAcl: Acl = {
  management: true,
  allowNamespace: () => true,
  anyInNamespace: () => true,
  anyNamespaceAllows: () => true,
  allowHostVolume: () => true,
  allowVariable: () => true,
  allowNodePool: () => true,
  allow: () => true,
};

const rank: Record<CoarsePolicy, number> = { deny: -1, list: 1, read: 2, write: 3 };
const need = { list: 1, read: 2, write: 3 };

type Rules = Map<string, Set<string>>;

function mergeRules(into: Rules, rules: readonly NamespaceRule[]): void {
  for (const r of rules) {
    const set = into.get(r.name) ?? new Set<string>();
    for (const c of r.capabilities) set.add(c);
    into.set(r.name, set);
  }
}

function globMatch(pattern: string, value: string): boolean {
  const parts = pattern.split("*");
  if (parts.length === 1) return pattern === value;
  const first = parts[0] ?? "";
  const last = parts[parts.length - 1] ?? "";
  if (!value.startsWith(first) || value.length < first.length + last.length) return false;
  let at = first.length;
  for (const middle of parts.slice(1, -1)) {
    const found = value.indexOf(middle, at);
    if (found < 0) return false;
    at = found + middle.length;
  }
  return value.endsWith(last) && at <= value.length - last.length;
}

/**
 * Variables rules keyed as Nomad keys them, "<namespace>\0<path>", so one
 * lookup finds the exact rule or the closest glob over namespace and path together.
 */
function mergeVariableRules(into: Rules, rules: readonly VariableRule[]): void {
  mergeRules(
    into,
    rules.map((r) => ({ name: `${r.namespace}\0${r.path}`, capabilities: r.capabilities })),
  );
}

/** The capabilities for a name: the exact rule, else the glob whose wildcards cover the fewest characters. */
function lookup(rules: Rules, name: string): Set<string> | undefined {
  const exact = rules.get(name);
  if (exact) return exact;
  let best: Set<string> | undefined;
  let bestDifference = Number.POSITIVE_INFINITY;
  for (const [pattern, caps] of rules) {
    if (!pattern.includes("*") || !globMatch(pattern, name)) continue;
    const literal = pattern.replaceAll("*", "").length;
    const difference = name.length - literal;
    if (difference < bestDifference) {
      best = caps;
      bestDifference = difference;
    }
  }
  return best;
}

function allows(caps: Set<string> | undefined, capability: string): boolean {
  return !!caps && !caps.has("deny") && caps.has(capability);
}

/** Merges a client token's policies (a management token uses managementAcl). */
export function compileAcl(policies: readonly Policy[]): Acl {
  const namespaces: Rules = new Map();
  const hostVolumes: Rules = new Map();
  const nodePools: Rules = new Map();
  const variables: Rules = new Map();
  const coarse: Partial<Record<CoarseKind, CoarsePolicy>> = {};
  for (const p of policies) {
    mergeRules(namespaces, p.namespaces);
    mergeRules(hostVolumes, p.hostVolumes);
    mergeRules(nodePools, p.nodePools);
    mergeVariableRules(variables, p.variables ?? []);
    for (const [kind, level] of Object.entries(p.coarse) as [CoarseKind, CoarsePolicy][]) {
      const current = coarse[kind];
      // deny sticks; otherwise the most generous level of any policy.
      if (current === "deny") continue;
      if (level === "deny" || !current || rank[level] > rank[current]) coarse[kind] = level;
    }
  }
  return {
    management: false,
    allowNamespace: (ns, capability) => allows(lookup(namespaces, ns), capability),
    anyInNamespace: (ns) => {
      const caps = lookup(namespaces, ns);
      return !!caps && !caps.has("deny") && caps.size > 0;
    },
    anyNamespaceAllows: (capability) =>
      [...namespaces.values()].some((caps) => allows(caps, capability)),
    allowHostVolume: (name, capability) => allows(lookup(hostVolumes, name), capability),
    allowNodePool: (name, capability) => allows(lookup(nodePools, name), capability),
    allowVariable: (ns, path, capability) =>
      allows(lookup(variables, `${ns}\0${path}`), capability),
    allow: (kind, level) => {
      const have = coarse[kind];
      return !!have && rank[have] >= need[level];
    },
  };
}
