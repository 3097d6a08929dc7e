// Nomad's ACL policy language: namespace (with its variables paths),
// host_volume, node, agent, operator, quota and plugin rules, parsed from HCL
// into plain data. Pure: the text
// comes in, a policy or errors naming the line come out.
import { evaluate, type Scope } from "../jobspec/expressions/eval.js";
import { type Attribute, type Block, type Body, HclError } from "../jobspec/hcl/ast.js";
import { parseHcl } from "../jobspec/hcl/parser.js";

/** What a `policy = "…"` shorthand of a namespace rule grants. */
export const namespaceCapabilities = {
  deny: ["deny"],
  read: [
    "list-jobs",
    "parse-job",
    "read-job",
    "csi-list-volume",
    "csi-read-volume",
    "read-job-scaling",
    "list-scaling-policies",
    "read-scaling-policy",
    "list-host-volume",
    "read-host-volume",
  ],
  scale: ["list-scaling-policies", "read-scaling-policy", "read-job-scaling", "scale-job"],
} as const;

const writeCapabilities = [
  ...namespaceCapabilities.read,
  "scale-job",
  "submit-job",
  "dispatch-job",
  "read-logs",
  "read-fs",
  "alloc-exec",
  "alloc-lifecycle",
  "csi-mount-volume",
  "csi-write-volume",
  "submit-recommendation",
  "host-volume-create",
  "host-volume-register",
  "host-volume-write",
];

/** Every capability a namespace rule may list. */
export const validNamespaceCapabilities = new Set([
  ...writeCapabilities,
  "deny",
  "alloc-node-exec",
  "delete-service-registration",
  "sentinel-override",
  "host-volume-delete",
]);

const hostVolumeCapabilities: Record<string, string[]> = {
  deny: ["deny"],
  read: ["mount-readonly"],
  write: ["mount-readonly", "mount-readwrite"],
};
const validHostVolumeCapabilities = new Set(["deny", "mount-readonly", "mount-readwrite"]);

const nodePoolCapabilities: Record<string, string[]> = {
  deny: ["deny"],
  read: ["read"],
  write: ["read", "write", "delete"],
};
const validNodePoolCapabilities = new Set(["deny", "read", "write", "delete"]);

/** Coarse rules (node, agent, operator, quota, plugin) are one of these, least to most. */
export type CoarsePolicy = "deny" | "list" | "read" | "write";
const coarseKinds = ["node", "agent", "operator", "quota", "plugin"] as const;
export type CoarseKind = (typeof coarseKinds)[number];

export interface NamespaceRule {
  /** The namespace name or a glob with `*`. */
  name: string;
  capabilities: string[];
}

/** Capabilities a variables path rule may list (Nomad's VariablesCapability*). */
export const validVariableCapabilities = new Set(["list", "read", "write", "destroy", "deny"]);

/** A `variables { path "…" { capabilities = […] } }` rule of a namespace block. */
export interface VariableRule {
  /** The namespace name or glob of the enclosing block. */
  namespace: string;
  /** The variable path or a glob with `*`. */
  path: string;
  capabilities: string[];
}

export interface Policy {
  namespaces: NamespaceRule[];
  /** Nomad Variables path rules, from the namespace blocks. */
  variables: VariableRule[];
  hostVolumes: NamespaceRule[];
  /** node_pool rules (Nomad 1.6+). */
  nodePools: NamespaceRule[];
  coarse: Partial<Record<CoarseKind, CoarsePolicy>>;
}

export type PolicyResult = { ok: true; policy: Policy } | { ok: false; error: string };

const noScope: Scope = { vars: new Map(), functions: {} };

/** Parses rules in Nomad's policy HCL or its JSON form; errors name the line and the block. */
export function parsePolicy(rules: string): PolicyResult {
  try {
    const body = rules.trimStart().startsWith("{") ? jsonBody(rules) : parseHcl(rules);
    const policy: Policy = {
      namespaces: [],
      variables: [],
      hostVolumes: [],
      nodePools: [],
      coarse: {},
    };
    for (const attr of body.attrs)
      throw new HclError(`unexpected attribute "${attr.name}" outside of a rule block`, attr.pos);
    for (const block of body.blocks) {
      if (block.type === "namespace") {
        policy.namespaces.push(namespaceRule(block));
        policy.variables.push(...variableRules(block));
      } else if (block.type === "host_volume") policy.hostVolumes.push(hostVolumeRule(block));
      else if (block.type === "node_pool")
        policy.nodePools.push({
          name: labelled(block),
          capabilities: ruleCapabilities(block, nodePoolCapabilities, validNodePoolCapabilities),
        });
      else if ((coarseKinds as readonly string[]).includes(block.type)) {
        const kind = block.type as CoarseKind;
        if (block.labels.length) throw new HclError(`${kind} takes no label`, block.pos);
        const value = attrs(block).policy;
        const allowed = kind === "plugin" ? ["deny", "list", "read"] : ["deny", "read", "write"];
        if (typeof value !== "string" || !allowed.includes(value))
          throw new HclError(
            `${kind}: policy must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${JSON.stringify(value ?? null)}`,
            block.pos,
          );
        policy.coarse[kind] = value as CoarsePolicy;
      } else
        throw new HclError(
          `unknown rule block "${block.type}"; expected namespace, host_volume, node_pool, node, agent, operator, quota or plugin`,
          block.pos,
        );
    }
    return { ok: true, policy };
  } catch (err) {
    if (err instanceof HclError)
      return { ok: false, error: `line ${err.pos.line}: ${err.message}` };
    // A bare word such as `policy = read` is a reference the policy language has no value for.
    const pos = (err as { pos?: { line: number } }).pos;
    const message = err instanceof Error ? err.message : "values must be quoted strings or lists";
    return { ok: false, error: pos ? `line ${pos.line}: ${message}` : message };
  }
}

function attrs(block: Block): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of block.body.attrs) out[a.name] = evaluate(a.expr, noScope);
  return out;
}

function labelled(block: Block): string {
  const [name] = block.labels;
  if (block.labels.length !== 1 || !name)
    throw new HclError(`${block.type} needs one label, the name or a glob`, block.pos);
  return name;
}

function ruleCapabilities(
  block: Block,
  shorthands: Record<string, readonly string[]>,
  valid: Set<string>,
): string[] {
  const name = labelled(block);
  // variables { path … } (the JSON form's attribute) is read by variableRules.
  const { policy, capabilities, variables: _variables, ...rest } = attrs(block);
  const unknown = Object.keys(rest)[0];
  if (unknown)
    throw new HclError(`${block.type} "${name}": unknown attribute "${unknown}"`, block.pos);
  const out = new Set<string>();
  if (policy !== undefined) {
    const expanded = typeof policy === "string" ? shorthands[policy] : undefined;
    if (!expanded)
      throw new HclError(
        `${block.type} "${name}": policy must be one of ${Object.keys(shorthands)
          .map((s) => `"${s}"`)
          .join(", ")}, got ${JSON.stringify(policy)}`,
        block.pos,
      );
    for (const c of expanded) out.add(c);
  }
  if (capabilities !== undefined) {
    if (!Array.isArray(capabilities))
      throw new HclError(`${block.type} "${name}": capabilities must be a list`, block.pos);
    for (const c of capabilities) {
      if (typeof c !== "string" || !valid.has(c))
        throw new HclError(
          `${block.type} "${name}": unknown capability ${JSON.stringify(c)}`,
          block.pos,
        );
      out.add(c);
    }
  }
  return [...out];
}

function namespaceRule(block: Block): NamespaceRule {
  return {
    name: labelled(block),
    capabilities: ruleCapabilities(
      block,
      { ...namespaceCapabilities, write: writeCapabilities },
      validNamespaceCapabilities,
    ),
  };
}

/**
 * The variables paths of a namespace block, as Nomad checks them: at least one
 * path, none starting with "/", known capabilities; "deny" alone wins, and
 * "read" brings "list" with it.
 */
function variableRules(block: Block): VariableRule[] {
  const namespace = labelled(block);
  const paths: { path: string; body: Record<string, unknown>; pos: Block["pos"] }[] = [];
  const variablesBlocks = block.body.blocks.filter((b) => b.type === "variables");
  const unknownBlock = block.body.blocks.find((b) => b.type !== "variables");
  if (unknownBlock)
    throw new HclError(
      `namespace "${namespace}": unknown block "${unknownBlock.type}"`,
      unknownBlock.pos,
    );
  for (const v of variablesBlocks) {
    if (v.labels.length) throw new HclError("variables takes no label", v.pos);
    if (v.body.attrs[0])
      throw new HclError(
        `variables: unknown attribute "${v.body.attrs[0].name}"`,
        v.body.attrs[0].pos,
      );
    for (const p of v.body.blocks) {
      if (p.type !== "path") throw new HclError(`variables: unknown block "${p.type}"`, p.pos);
      paths.push({ path: p.labels[0] ?? "", body: attrs(p), pos: p.pos });
    }
    if (v.body.blocks.length === 0)
      throw new HclError(
        `Invalid variable policy: no variable paths in namespace ${namespace}`,
        v.pos,
      );
  }
  // The JSON form: "variables": {"path": {"<path>": {"capabilities": […]}}}.
  const json = attrs(block).variables;
  if (json !== undefined) {
    const bodies = (x: unknown): Record<string, unknown>[] =>
      (Array.isArray(x) ? x : [x]).filter(
        (b): b is Record<string, unknown> => !!b && typeof b === "object" && !Array.isArray(b),
      );
    const byPath = bodies(json).flatMap((b) => bodies(b.path));
    for (const entry of byPath)
      for (const [path, body] of Object.entries(entry))
        for (const b of bodies(body)) paths.push({ path, body: b, pos: block.pos });
    if (byPath.length === 0)
      throw new HclError(
        `Invalid variable policy: no variable paths in namespace ${namespace}`,
        block.pos,
      );
  }
  return paths.map(({ path, body, pos }) => {
    if (!path) throw new HclError(`Invalid missing variable path in namespace ${namespace}`, pos);
    if (path.startsWith("/"))
      throw new HclError(
        `Invalid variable path "${path}" in namespace ${namespace}: cannot start with a leading '/'`,
        pos,
      );
    const { capabilities, ...rest } = body;
    const unknown = Object.keys(rest)[0];
    if (unknown) throw new HclError(`path "${path}": unknown attribute "${unknown}"`, pos);
    const caps = capabilities === undefined ? [] : capabilities;
    if (!Array.isArray(caps))
      throw new HclError(`path "${path}": capabilities must be a list`, pos);
    for (const c of caps)
      if (typeof c !== "string" || !validVariableCapabilities.has(c))
        throw new HclError(
          `Invalid variable capability '${String(c)}' in namespace ${namespace}`,
          pos,
        );
    const list = caps as string[];
    const expanded = list.includes("deny")
      ? ["deny"]
      : list.includes("read") && !list.includes("list")
        ? [...list, "list"]
        : [...list];
    return { namespace, path, capabilities: expanded };
  });
}

function hostVolumeRule(block: Block): NamespaceRule {
  return {
    name: labelled(block),
    capabilities: ruleCapabilities(block, hostVolumeCapabilities, validHostVolumeCapabilities),
  };
}

const start = { line: 1, column: 1 };

/**
 * The JSON form of a policy as the syntax tree the HCL form gives:
 * `{"namespace": {"default": {"policy": "read"}}, "node": {"policy": "read"}}`,
 * blocks also as lists of bodies (what hcl2json writes). Errors point at line 1.
 */
function jsonBody(rules: string): Body {
  let value: unknown;
  try {
    value = JSON.parse(rules);
  } catch (err) {
    throw new HclError(`invalid JSON: ${(err as Error).message}`, start);
  }
  const bodies = (v: unknown): Record<string, unknown>[] =>
    (Array.isArray(v) ? v : [v]).map((b) => {
      if (!b || typeof b !== "object" || Array.isArray(b))
        throw new HclError("a rule block must be a JSON object", start);
      return b as Record<string, unknown>;
    });
  const leaf = (type: string, labels: string[], body: Record<string, unknown>): Block => ({
    type,
    labels,
    pos: start,
    body: {
      attrs: Object.entries(body).map(
        ([name, v]): Attribute => ({ name, expr: { k: "lit", v, pos: start }, pos: start }),
      ),
      blocks: [],
      pos: start,
    },
  });
  const blocks: Block[] = [];
  for (const top of bodies(value))
    for (const [type, v] of Object.entries(top)) {
      if (type === "namespace" || type === "host_volume" || type === "node_pool") {
        for (const byName of bodies(v))
          for (const [name, inner] of Object.entries(byName))
            for (const b of bodies(inner)) blocks.push(leaf(type, [name], b));
      } else for (const b of bodies(v)) blocks.push(leaf(type, [], b));
    }
  return { attrs: [], blocks, pos: start };
}
