// The generic decoder: walks an HCL body against a BlockSpec, evaluates each
// attribute, converts it to the field's kind and expands `dynamic` blocks.
// Errors are collected (not thrown) so one run reports every mistake, and the
// position of every decoded object and attribute is kept for validation.

import { goDurationMs } from "../../common/duration.js";
import { appendTo, evaluate, RuntimeReference, type Scope, withVars } from "../expressions/eval.js";
import { typeName } from "../expressions/types.js";
import { type Attribute, type Block, type Body, HclError, type Pos } from "../hcl/ast.js";
import { suggest } from "../suggest.js";
import type { BlockSpec, Kind } from "./schema.js";

export type Obj = Record<string, unknown>;

/** Where an object of the model came from: its block and each field. */
export interface Origin {
  pos: Pos;
  fields: Record<string, Pos>;
}

export interface DecodeContext {
  errors: { pos: Pos; message: string }[];
  /** Deprecated arguments the file sets: read (or dropped) as Nomad does, with a warning. */
  warnings?: { pos: Pos; message: string }[];
  origins: WeakMap<object, Origin>;
}

export function originOf(
  ctx: DecodeContext,
  obj: object | undefined,
  field?: string,
): Pos | undefined {
  if (!obj) return undefined;
  const o = ctx.origins.get(obj);
  return (field && o?.fields[field]) || o?.pos;
}

/**
 * An attribute's value. With `ctx`, a bare reference to something the file
 * does not define (`HOST = node.unique.name`) is read as the interpolation
 * "${node.unique.name}", as jobspec2 reads it, with a warning.
 */
function evalAttr(a: Attribute, scope: Scope, ctx?: DecodeContext): unknown {
  const bareReference = (text: string, pos: Pos) => {
    ctx?.warnings?.push({
      pos,
      message: `${text} is not quoted: it is read as "\${${text}}", as Nomad reads it; write it inside a string`,
    });
    return `\${${text}}`;
  };
  try {
    return evaluate(a.expr, ctx ? { ...scope, bareReference } : scope);
  } catch (err) {
    if (err instanceof RuntimeReference)
      throw new HclError(
        `unknown variable "${err.root}"; runtime values such as node, attr, meta and NOMAD_* must be written inside a string, e.g. "\${${err.root}…}"`,
        err.pos,
      );
    throw err;
  }
}

const durationRe = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;

/** Converts an evaluated value to a field kind; throws with a message naming the attribute. */
export function convertKind(v: unknown, kind: Kind, what: string, pos: Pos): unknown {
  const wrong = (want: string) =>
    new HclError(
      `${what} must be ${want}, not ${typeName(v)}${typeof v === "string" ? ` "${v}"` : ""}`,
      pos,
    );
  switch (kind) {
    case "string":
      if (typeof v === "string") return v;
      if (typeof v === "number" || typeof v === "boolean") return String(v);
      throw wrong("a string");
    case "int":
    case "number": {
      const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
      if (typeof n !== "number" || Number.isNaN(n))
        throw wrong(kind === "int" ? "a whole number" : "a number");
      if (kind === "int" && !Number.isInteger(n))
        throw new HclError(`${what} must be a whole number, not ${n}`, pos);
      return n;
    }
    case "bool":
      if (typeof v === "boolean") return v;
      if (v === "true" || v === "false") return v === "true";
      throw wrong("true or false");
    case "duration": {
      if (typeof v === "number" && Number.isInteger(v)) return v === 0 ? "0s" : `${v}ns`;
      if (typeof v !== "string") throw wrong('a duration such as "30s"');
      if (v === "0") return "0s";
      if (!durationRe.test(v) || goDurationMs(v) === undefined)
        throw new HclError(
          `${what} must be a duration such as "30s", "5m" or "1h30m", not "${v}"`,
          pos,
        );
      return v;
    }
    case "strings":
    case "ints": {
      if (!Array.isArray(v))
        throw wrong(kind === "strings" ? "a list of strings" : "a list of numbers");
      return v.map((x, i) =>
        convertKind(x, kind === "strings" ? "string" : "int", `${what}[${i}]`, pos),
      );
    }
    case "map": {
      if (v === null || typeof v !== "object" || Array.isArray(v)) throw wrong("a map of strings");
      const out: Obj = {};
      for (const [k, x] of Object.entries(v))
        out[k] = convertKind(x, "string", `${what}.${k}`, pos);
      return out;
    }
    case "listMap": {
      if (v === null || typeof v !== "object" || Array.isArray(v))
        throw wrong("a map of string lists");
      const out: Obj = {};
      for (const [k, x] of Object.entries(v))
        out[k] = convertKind(Array.isArray(x) ? x : [x], "strings", `${what}.${k}`, pos);
      return out;
    }
    case "any":
      // Free-form values (a driver's config, a scaling policy) are objects.
      if (v === null || typeof v !== "object" || Array.isArray(v))
        throw wrong("a block or an object");
      return v;
    default:
      return v;
  }
}

/** A block after `dynamic` expansion, with the scope its attributes evaluate in. */
interface ScopedBlock {
  block: Block;
  scope: Scope;
}

function expandDynamic(b: Block, scope: Scope): ScopedBlock[] {
  if (b.labels.length !== 1)
    throw new HclError('a dynamic block needs one label: dynamic "<block type>" { … }', b.pos);
  const type = b.labels[0] as string;
  let forEach: Attribute | undefined;
  let iterator = type;
  let labels: Attribute | undefined;
  for (const a of b.body.attrs) {
    if (a.name === "for_each") forEach = a;
    else if (a.name === "iterator") {
      if (a.expr.k !== "var") throw new HclError("iterator must be a plain name", a.pos);
      iterator = a.expr.name;
    } else if (a.name === "labels") labels = a;
    else
      throw new HclError(
        `unsupported argument "${a.name}" in a dynamic block; use for_each, iterator, labels and content`,
        a.pos,
      );
  }
  const content = b.body.blocks.filter((c) => c.type === "content");
  const other = b.body.blocks.find((c) => c.type !== "content");
  if (other)
    throw new HclError(
      `unsupported block "${other.type}" in a dynamic block; put it inside content`,
      other.pos,
    );
  if (!forEach) throw new HclError("a dynamic block needs for_each", b.pos);
  if (content.length !== 1)
    throw new HclError("a dynamic block needs exactly one content block", b.pos);
  const coll = evalAttr(forEach, scope);
  let items: [unknown, unknown][];
  if (Array.isArray(coll)) items = coll.map((v, i) => [i, v]);
  else if (coll !== null && typeof coll === "object")
    items = Object.entries(coll).sort(([a], [c]) => (a < c ? -1 : 1));
  else
    throw new HclError(`for_each must be a list, set or map, not ${typeName(coll)}`, forEach.pos);
  const out: ScopedBlock[] = [];
  for (const [key, value] of items) {
    const s = withVars(scope, { [iterator]: { key, value } });
    let ls: string[] = [];
    if (labels) {
      const lv = evalAttr(labels, s);
      if (!Array.isArray(lv)) throw new HclError("labels must be a list of strings", labels.pos);
      ls = lv.map((l) => convertKind(l, "string", "label", labels.pos) as string);
    }
    out.push({
      block: { type, labels: ls, pos: b.pos, body: (content[0] as Block).body },
      scope: s,
    });
  }
  return out;
}

function expandAll(blocks: Block[], scope: Scope, ctx: DecodeContext): ScopedBlock[] {
  const out: ScopedBlock[] = [];
  for (const b of blocks) {
    if (b.type === "dynamic") {
      try {
        out.push(...expandDynamic(b, scope));
      } catch (err) {
        if (!(err instanceof HclError)) throw err;
        ctx.errors.push({ pos: err.pos, message: err.message });
      }
    } else out.push({ block: b, scope });
  }
  return out;
}

/**
 * Decodes a free-form body: attributes as values, nested blocks as lists of
 * objects. With `nomadShape` (a driver's config, a scaling policy) it keeps
 * the shape Nomad's jobspec2 gives such bodies for HCL1 compatibility: a
 * labelled block nests as { label: [ {…} ] }, and an attribute written as an
 * object literal (`labels = { … }`) becomes a one-element list. Drivers get
 * the same JSON from a job file as from Nomad's HTTP API.
 */
export function decodeFree(body: Body, scope: Scope, ctx: DecodeContext, nomadShape = false): Obj {
  const out: Obj = {};
  for (const a of body.attrs) {
    if (Object.hasOwn(out, a.name)) {
      ctx.errors.push({ pos: a.pos, message: `attribute "${a.name}" is set twice` });
      continue;
    }
    try {
      const v = evalAttr(a, scope, ctx);
      out[a.name] = nomadShape && a.expr.k === "object" ? [v] : v;
    } catch (err) {
      if (!(err instanceof HclError)) throw err;
      ctx.errors.push({ pos: err.pos, message: err.message });
    }
  }
  for (const { block, scope: s } of expandAll(body.blocks, scope, ctx)) {
    let value: unknown = decodeFree(block.body, s, ctx, nomadShape);
    for (const l of [...block.labels].reverse()) value = { [l]: nomadShape ? [value] : value };
    out[block.type] ??= [];
    const list = out[block.type];
    if (Array.isArray(list)) list.push(value);
    else
      ctx.errors.push({
        pos: block.pos,
        message: `"${block.type}" is both an attribute and a block`,
      });
  }
  return out;
}

export function decodeBody(
  body: Body,
  spec: BlockSpec,
  scope: Scope,
  ctx: DecodeContext,
  pos: Pos,
  where: string,
): Obj {
  const out: Obj = {};
  const origin: Origin = { pos, fields: {} };
  ctx.origins.set(out, origin);
  const seen = new Set<string>();
  for (const a of body.attrs) {
    const as = spec.attrs[a.name];
    if (!as) {
      const isBlock = spec.blocks[a.name] ? `; "${a.name}" is a block: write ${a.name} { … }` : "";
      ctx.errors.push({
        pos: a.pos,
        message: `unsupported argument "${a.name}" in ${where}${isBlock || suggest(a.name, [...Object.keys(spec.attrs), ...Object.keys(spec.blocks)])}`,
      });
      continue;
    }
    if (seen.has(a.name)) {
      ctx.errors.push({ pos: a.pos, message: `attribute "${a.name}" is set twice in ${where}` });
      continue;
    }
    seen.add(a.name);
    if (as.form === "block") {
      ctx.errors.push({
        pos: a.pos,
        message: `"${a.name}" is a block in Nomad's job files: write ${a.name} { … } instead of ${a.name} = …`,
      });
      continue;
    }
    try {
      const v = evalAttr(a, scope, ctx);
      if (as.deprecated) ctx.warnings?.push({ pos: a.pos, message: as.deprecated });
      if (v === null || as.kind === "ignored") continue;
      const value = convertKind(v, as.kind, `"${a.name}"`, a.expr.pos);
      if (as.oneOf && !as.oneOf.includes(value as string))
        throw new HclError(
          `"${a.name}" must be ${as.oneOf
            .map((o) => `"${o}"`)
            .join(", ")
            .replace(
              /, ([^,]*)$/,
              " or $1",
            )}, not "${value}"${suggest(String(value), [...as.oneOf])}`,
          a.expr.pos,
        );
      out[as.field] = value;
      origin.fields[as.field] = a.pos;
    } catch (err) {
      if (!(err instanceof HclError)) throw err;
      ctx.errors.push({ pos: err.pos, message: err.message });
    }
  }
  for (const { block, scope: s } of expandAll(body.blocks, scope, ctx)) {
    const cs = spec.blocks[block.type];
    if (!cs) {
      const as = spec.attrs[block.type];
      // Maps and free-form values may be written as blocks: meta { k = "v" }, config { … }.
      if (
        as &&
        (as.kind === "map" || as.kind === "listMap" || as.kind === "any") &&
        block.labels.length === 0
      ) {
        if (seen.has(block.type)) {
          ctx.errors.push({ pos: block.pos, message: `"${block.type}" is set twice in ${where}` });
          continue;
        }
        if (as.form === "attribute") {
          ctx.errors.push({
            pos: block.pos,
            message: `"${block.type}" is an argument in Nomad's job files: write ${block.type} = { … } instead of ${block.type} { … }`,
          });
          continue;
        }
        seen.add(block.type);
        const free = decodeFree(block.body, s, ctx, as.kind === "any");
        try {
          out[as.field] = convertKind(free, as.kind, `"${block.type}"`, block.pos);
          origin.fields[as.field] = block.pos;
        } catch (err) {
          if (!(err instanceof HclError)) throw err;
          ctx.errors.push({ pos: err.pos, message: err.message });
        }
        continue;
      }
      const isAttr = as ? `; "${block.type}" is an argument: write ${block.type} = …` : "";
      ctx.errors.push({
        pos: block.pos,
        message: `unsupported block "${block.type}" in ${where}${isAttr || suggest(block.type, [...Object.keys(spec.blocks), ...Object.keys(spec.attrs)])}`,
      });
      continue;
    }
    const labelled = block.labels.length > 0;
    if (cs.label !== undefined && block.labels.length !== 1) {
      ctx.errors.push({
        pos: block.pos,
        message: `${/^[aeiou]/.test(block.type) ? "an" : "a"} ${block.type} block needs ${block.labels.length ? "exactly one label" : "a label"}: ${block.type} "<${cs.label}>" { … }`,
      });
      continue;
    }
    if (!cs.label && labelled) {
      ctx.errors.push({
        pos: block.pos,
        message: `${/^[aeiou]/.test(block.type) ? "an" : "a"} ${block.type} block takes no label, found "${block.labels[0]}"${cs.spec().attrs.name ? `; name it inside the block: name = "${block.labels[0]}"` : ""}`,
      });
      continue;
    }
    const label = block.labels[0];
    const childWhere = label ? `${block.type} "${label}"` : `the ${block.type} block`;
    const child = decodeBody(block.body, cs.spec(), s, ctx, block.pos, childWhere);
    if (cs.label && label !== undefined) {
      // The label leads the object, as people read it.
      const withLabel = { [cs.label]: label, ...child };
      ctx.origins.set(withLabel, ctx.origins.get(child) as Origin);
      (ctx.origins.get(withLabel) as Origin).fields[cs.label] = block.pos;
      if (cs.many) appendTo(out, cs.field, withLabel);
      else out[cs.field] = withLabel;
      continue;
    }
    if (cs.many) {
      appendTo(out, cs.field, child);
      origin.fields[cs.field] ??= block.pos;
    } else if (Object.hasOwn(out, cs.field)) {
      ctx.errors.push({
        pos: block.pos,
        message: `only one ${block.type} block is allowed in ${where}`,
      });
    } else {
      out[cs.field] = child;
      origin.fields[cs.field] = block.pos;
    }
  }
  return out;
}
