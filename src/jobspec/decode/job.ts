// Decodes the `job` block into the model, then folds the forms Nomad accepts
// as shorthands (constraint `version = …`, `distinct_hosts = true`) into the
// attribute/operator/value triple the model stores.
import type { NomadJobSpec } from "../../crds/job/index.js";
import type { Scope } from "../expressions/eval.js";
import type { Block } from "../hcl/ast.js";
import { type DecodeContext, decodeBody, type Obj } from "./body.js";
import { job as jobSpec } from "./schema.js";

const shorthands = [
  "version",
  "semver",
  "regexp",
  "set_contains",
  "set_contains_any",
  "set_contains_all",
];
const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function foldConstraint(c: Obj, ctx: DecodeContext, affinity: boolean): void {
  const origin = ctx.origins.get(c);
  for (const op of shorthands) {
    const f = camel(op);
    if (c[f] === undefined) continue;
    const at = origin?.fields[f] ?? origin?.pos;
    if (c.operator !== undefined && at)
      ctx.errors.push({
        pos: at,
        message: `"${op}" already sets the operator; remove operator = "${c.operator}"`,
      });
    c.operator = op;
    c.value = c[f];
    delete c[f];
    if (origin && at) origin.fields.value = at;
  }
  if (!affinity) {
    // jobspec2 keeps the shorthand's boolean as the value: distinct_hosts = false
    // is a distinct_hosts constraint that is switched off.
    if (c.distinctHosts !== undefined) {
      c.operator = "distinct_hosts";
      c.value = String(c.distinctHosts);
      delete c.distinctHosts;
    }
    if (c.distinctProperty !== undefined) {
      c.operator = "distinct_property";
      c.attribute = c.distinctProperty;
      delete c.distinctProperty;
    }
  }
  // jobspec2 fills the operator it defaults to, in constraints and affinities alike.
  c.operator ??= "=";
  // Keep the order people write: attribute, operator, value, weight.
  const { attribute, operator, value, weight, ...rest } = c;
  for (const k of Object.keys(c)) delete c[k];
  Object.assign(c, { attribute, operator, value, weight, ...rest });
  for (const k of Object.keys(c)) if (c[k] === undefined) delete c[k];
}

/** Every constraint and affinity object in the decoded tree, wherever it sits. */
function walk(node: unknown, ctx: DecodeContext): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, ctx);
    return;
  }
  if (node === null || typeof node !== "object") return;
  for (const [k, v] of Object.entries(node as Obj)) {
    if (k === "config" || k === "policy" || k === "meta" || k === "env") continue;
    if ((k === "constraints" || k === "affinities") && Array.isArray(v))
      for (const c of v) foldConstraint(c as Obj, ctx, k === "affinities");
    walk(v, ctx);
  }
}

/**
 * A task's scaling blocks, as jobspec2 reads them: the label names the
 * resource ("cpu" or "mem", in any case), once each per task.
 */
function checkTaskScaling(groups: unknown, ctx: DecodeContext): void {
  for (const g of Array.isArray(groups) ? (groups as Obj[]) : [])
    for (const t of Array.isArray(g.tasks) ? (g.tasks as Obj[]) : []) {
      if (!Array.isArray(t.scaling)) continue;
      const seen = new Map<string, number>();
      t.scaling = (t.scaling as Obj[]).filter((p) => {
        const pos = ctx.origins.get(p)?.pos;
        const name = String(p.name).toLowerCase();
        if (name !== "cpu" && name !== "mem") {
          if (pos)
            ctx.errors.push({
              pos,
              message: `scaling policy name must be "cpu" or "mem", not "${String(p.name)}"`,
            });
          return false;
        }
        const previous = seen.get(name);
        if (previous !== undefined) {
          if (pos)
            ctx.errors.push({
              pos,
              message: `only one scaling "${name}" block is allowed in task "${String(t.name)}"; another is at line ${previous}`,
            });
          return false;
        }
        seen.set(name, pos?.line ?? 0);
        p.name = name;
        return true;
      });
    }
}

/**
 * A task's identity blocks, as jobspec2 reads them: the one without a name
 * (or named "default", which it keeps) is the task's identity, the others its
 * named identities.
 */
function splitIdentities(groups: unknown, ctx: DecodeContext): void {
  for (const g of Array.isArray(groups) ? (groups as Obj[]) : [])
    for (const t of Array.isArray(g.tasks) ? (g.tasks as Obj[]) : []) {
      if (!Array.isArray(t.identities)) continue;
      const named: Obj[] = [];
      for (const i of t.identities as Obj[]) {
        if (i.name !== undefined && i.name !== "default") {
          named.push(i);
          continue;
        }
        if (t.identity !== undefined) {
          const pos = ctx.origins.get(i)?.pos;
          if (pos)
            ctx.errors.push({
              pos,
              message: `task "${String(t.name)}" has one default identity; give this one a name, e.g. name = "vault"`,
            });
          continue;
        }
        // A name of "default" is kept: Nomad prints it as written.
        t.identity = i;
      }
      if (named.length) t.identities = named;
      else delete t.identities;
    }
}

export interface DecodedJob {
  spec: NomadJobSpec;
  /** The `namespace` attribute: Nomad's namespace, the NomadJob's Kubernetes namespace. */
  namespace?: string;
}

export function decodeJob(block: Block, scope: Scope, ctx: DecodeContext): DecodedJob {
  const id = block.labels[0] as string;
  const body = decodeBody(block.body, jobSpec(), scope, ctx, block.pos, `job "${id}"`);
  walk(body, ctx);
  const { namespace, soloTasks, ...rest } = body;
  if (Array.isArray(soloTasks)) {
    // Nomad's jobspec2 turns each job-level task into a group named after it, ahead of the groups.
    const solo = (soloTasks as Obj[]).map((t) => {
      const g = { name: t.name, tasks: [t] };
      const origin = ctx.origins.get(t);
      if (origin) ctx.origins.set(g, { pos: origin.pos, fields: {} });
      return g;
    });
    rest.groups = [...solo, ...((rest.groups as Obj[] | undefined) ?? [])];
  }
  checkTaskScaling(rest.groups, ctx);
  splitIdentities(rest.groups, ctx);
  const spec = { id, ...rest } as unknown as NomadJobSpec;
  ctx.origins.set(spec, ctx.origins.get(body) as never);
  return typeof namespace === "string" ? { spec, namespace } : { spec };
}
