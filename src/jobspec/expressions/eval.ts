// Evaluates HCL2 expressions to plain JSON-like values. A reference whose
// root is not in scope (node, attr, meta, NOMAD_*, device, env…) inside a
// template is left as its "${…}" source text, as Nomad's HCL fork does, so the
// client can interpolate it at run time.
import { type Expr, HclError, type Pos, type TemplatePart } from "../hcl/ast.js";
import { suggest } from "../suggest.js";
import { convert as convertValue, parseType, typeName } from "./types.js";

/** What functions with side inputs read: files and the clock, passed in by the caller. */
export interface FunctionEnv {
  /** Reads a file for file(), fileexists() and friends; undefined when it does not exist. */
  readFile?: (path: string) => string | undefined;
  /** Every file under a folder, as paths relative to it ("a/b.txt"), for fileset(); undefined when there is no such folder. */
  listFiles?: (dir: string) => readonly string[] | undefined;
  /** A new random UUID for uuidv4(); defaults to crypto.randomUUID. */
  uuid?: () => string;
  /** The home directory pathexpand() puts for "~". */
  home?: string;
}

export type Fn = (args: unknown[], pos: Pos, env: FunctionEnv) => unknown;

export interface Scope {
  readonly vars: ReadonlyMap<string, unknown>;
  readonly functions: Readonly<Record<string, Fn>>;
  readonly env?: FunctionEnv;
  /** Called when a root is not in vars, e.g. to evaluate a local on first use. */
  readonly resolve?: (name: string, pos: Pos) => unknown;
  /**
   * Called for a bare reference outside any template whose root the file does
   * not define (`node.unique.name`, `meta["rack"]`), with its text; its result
   * is the reference's value. jobspec2 reads such a reference as the
   * interpolation "${node.unique.name}". Unset, the reference throws
   * RuntimeReference. Templates never call it: they keep their own text.
   */
  readonly bareReference?: (text: string, pos: Pos) => unknown;
}

/** Thrown for a reference to a runtime-only root; templates catch it and keep the source text. */
// Not an Error: templates throw and catch it for every runtime reference, and
// capturing a stack trace each time would dominate parsing time.
export class RuntimeReference {
  constructor(
    readonly root: string,
    readonly pos: Pos,
  ) {}
}

const NOT_FOUND = Symbol("not found");

/** Appends to the list at obj[key], creating it. */
export function appendTo(obj: Record<string, unknown>, key: string, value: unknown): void {
  const list = obj[key];
  if (Array.isArray(list)) list.push(value);
  else obj[key] = [value];
}

export function withVars(scope: Scope, extra: Record<string, unknown>): Scope {
  const vars = new Map(scope.vars);
  for (const [k, v] of Object.entries(extra)) vars.set(k, v);
  return { ...scope, vars };
}

/**
 * The text of an expression that is only a reference (`node.unique.name`,
 * `meta["rack"]`), or undefined for anything else.
 */
export function referenceText(e: Expr): string | undefined {
  if (e.k === "var") return e.name;
  if (e.k === "attr") {
    const obj = referenceText(e.obj);
    return obj === undefined ? undefined : `${obj}.${e.name}`;
  }
  if (e.k === "index") {
    const obj = referenceText(e.obj);
    const key = literalKey(e.key);
    if (obj === undefined || key === undefined) return undefined;
    return `${obj}[${JSON.stringify(key)}]`;
  }
  return undefined;
}

const withoutBareReference = (scope: Scope): Scope =>
  scope.bareReference ? { ...scope, bareReference: undefined } : scope;

/** A string key written as a literal: `["rack"]` or `[0]`. */
function literalKey(e: Expr): string | number | undefined {
  if (e.k === "lit") return typeof e.v === "string" || typeof e.v === "number" ? e.v : undefined;
  if (e.k !== "tmpl") return undefined;
  if (e.parts.length === 0) return "";
  const [only] = e.parts;
  return e.parts.length === 1 && only?.t === "text" ? only.text : undefined;
}

/** A reference's text when its root is not defined in scope. */
function unknownReference(e: Expr, scope: Scope): { text: string; pos: Pos } | undefined {
  let root = e;
  while (root.k === "attr" || root.k === "index") root = root.obj;
  if (root.k !== "var" || scope.vars.has(root.name)) return undefined;
  const r = scope.resolve ? scope.resolve(root.name, root.pos) : undefined;
  if (r !== NOT_FOUND && r !== undefined) return undefined;
  const text = referenceText(e);
  return text === undefined ? undefined : { text, pos: root.pos };
}

export function evaluate(e: Expr, scope: Scope): unknown {
  if (scope.bareReference && (e.k === "var" || e.k === "attr" || e.k === "index")) {
    const ref = unknownReference(e, scope);
    if (ref) return scope.bareReference(ref.text, ref.pos);
  }
  switch (e.k) {
    case "lit":
      return e.v;
    case "paren":
      return evaluate(e.e, scope);
    case "tmpl":
      // A template keeps a runtime reference's own text.
      return evalTemplate(e.parts, withoutBareReference(scope), e.pos);
    case "var": {
      if (scope.vars.has(e.name)) return scope.vars.get(e.name);
      const r = scope.resolve ? scope.resolve(e.name, e.pos) : NOT_FOUND;
      if (r !== NOT_FOUND && r !== undefined) return r;
      throw new RuntimeReference(e.name, e.pos);
    }
    case "attr": {
      // Part of a reference that is not only a reference (a computed index):
      // an unknown root is an error, not a text.
      const obj = evaluate(e.obj, withoutBareReference(scope));
      if (
        e.obj.k === "var" &&
        (e.obj.name === "var" || e.obj.name === "local") &&
        obj &&
        typeof obj === "object" &&
        !Object.hasOwn(obj, e.name)
      )
        throw new HclError(
          e.obj.name === "var"
            ? `there is no variable named "${e.name}"; declare it with variable "${e.name}" { … }`
            : `there is no local named "${e.name}"; define it in a locals block`,
          e.pos,
        );
      return getAttr(obj, e.name, e.pos);
    }
    case "index": {
      const obj = evaluate(e.obj, withoutBareReference(scope));
      const key = evaluate(e.key, scope);
      return getIndex(obj, key, e.pos);
    }
    case "splatItem":
      return scope.vars.get("\u0000splat");
    case "splat": {
      const obj = evaluate(e.obj, scope);
      if (obj === null || obj === undefined) return [];
      const list = Array.isArray(obj) ? obj : [obj];
      return list.map((item) => evaluate(e.each, withVars(scope, { "\u0000splat": item })));
    }
    case "call":
      return call(e, scope);
    case "tuple":
      return e.items.map((i) => evaluate(i, scope));
    case "object": {
      const out: Record<string, unknown> = {};
      for (const { key, value } of e.items) {
        const k = evaluate(key, scope);
        if (typeof k !== "string" && typeof k !== "number" && typeof k !== "boolean")
          throw new HclError(`an object key must be a string, not ${typeName(k)}`, key.pos);
        out[String(k)] = evaluate(value, scope);
      }
      return out;
    }
    case "cond": {
      const c = evaluate(e.cond, scope);
      if (typeof c !== "boolean")
        throw new HclError(`the condition must be a bool, not ${typeName(c)}`, e.cond.pos);
      return c ? evaluate(e.yes, scope) : evaluate(e.no, scope);
    }
    case "un": {
      const v = evaluate(e.e, scope);
      if (e.op === "!") {
        if (typeof v !== "boolean")
          throw new HclError(`"!" needs a bool, not ${typeName(v)}`, e.pos);
        return !v;
      }
      return -toNumber(v, e.pos);
    }
    case "bin":
      return binary(e.op, e.l, e.r, scope, e.pos);
    case "for":
      return evalFor(e, scope);
  }
}

function getAttr(obj: unknown, name: string, pos: Pos): unknown {
  if (obj !== null && typeof obj === "object" && !Array.isArray(obj)) {
    if (Object.hasOwn(obj, name)) return (obj as Record<string, unknown>)[name];
    throw new HclError(`this object has no attribute "${name}"`, pos);
  }
  throw new HclError(`cannot read attribute "${name}" of a ${typeName(obj)}`, pos);
}

function getIndex(obj: unknown, key: unknown, pos: Pos): unknown {
  if (Array.isArray(obj)) {
    const i = toNumber(key, pos);
    if (!Number.isInteger(i) || i < 0 || i >= obj.length)
      throw new HclError(`index ${i} is out of range for a list of ${obj.length} elements`, pos);
    return obj[i];
  }
  if (obj !== null && typeof obj === "object") {
    const k = String(key);
    if (Object.hasOwn(obj, k)) return (obj as Record<string, unknown>)[k];
    throw new HclError(`this map has no element "${k}"`, pos);
  }
  throw new HclError(`cannot index a ${typeName(obj)}`, pos);
}

export function toNumber(v: unknown, pos: Pos): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) return Number(v);
  throw new HclError(
    `a number is required, not ${typeName(v)}${typeof v === "string" ? ` "${v}"` : ""}`,
    pos,
  );
}

export function toStringValue(v: unknown, pos: Pos): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw new HclError(`a string is required, not ${typeName(v)}`, pos);
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function binary(op: string, le: Expr, re: Expr, scope: Scope, pos: Pos): unknown {
  if (op === "&&" || op === "||") {
    const l = evaluate(le, scope);
    if (typeof l !== "boolean")
      throw new HclError(`"${op}" needs bools, not ${typeName(l)}`, le.pos);
    const r = evaluate(re, scope);
    if (typeof r !== "boolean")
      throw new HclError(`"${op}" needs bools, not ${typeName(r)}`, re.pos);
    return op === "&&" ? l && r : l || r;
  }
  const l = evaluate(le, scope);
  const r = evaluate(re, scope);
  if (op === "==") return equal(l, r);
  if (op === "!=") return !equal(l, r);
  const a = toNumber(l, le.pos);
  const b = toNumber(r, re.pos);
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      if (b === 0) throw new HclError("division by zero", pos);
      return a / b;
    case "%":
      if (b === 0) throw new HclError("division by zero", pos);
      return a % b;
    case "<":
      return a < b;
    case ">":
      return a > b;
    case "<=":
      return a <= b;
    default:
      return a >= b;
  }
}

function entries(coll: unknown, pos: Pos): [unknown, unknown][] {
  if (Array.isArray(coll)) return coll.map((v, i) => [i, v]);
  if (coll !== null && typeof coll === "object")
    return Object.entries(coll).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  throw new HclError(`a for expression needs a list, set or map, not ${typeName(coll)}`, pos);
}

function evalFor(e: Expr & { k: "for" }, scope: Scope): unknown {
  const coll = evaluate(e.coll, scope);
  const out: unknown[] = [];
  const obj: Record<string, unknown> = {};
  for (const [k, v] of entries(coll, e.coll.pos)) {
    const s = withVars(scope, e.keyVar ? { [e.keyVar]: k, [e.valVar]: v } : { [e.valVar]: v });
    if (e.cond) {
      const c = evaluate(e.cond, s);
      if (typeof c !== "boolean")
        throw new HclError(`the for condition must be a bool, not ${typeName(c)}`, e.cond.pos);
      if (!c) continue;
    }
    if (!e.object) {
      out.push(evaluate(e.valExpr, s));
      continue;
    }
    const key = toStringValue(evaluate(e.keyExpr as Expr, s), (e.keyExpr as Expr).pos);
    const val = evaluate(e.valExpr, s);
    if (e.group) appendTo(obj, key, val);
    else {
      if (Object.hasOwn(obj, key))
        throw new HclError(
          `duplicate key "${key}" in the for expression; add "..." after the value to group them`,
          e.pos,
        );
      obj[key] = val;
    }
  }
  return e.object ? obj : out;
}

function call(e: Expr & { k: "call" }, scope: Scope): unknown {
  // try and can must see errors of their arguments, so they evaluate lazily.
  if (e.name === "try") {
    for (const a of e.args) {
      try {
        return evaluate(a, scope);
      } catch (err) {
        if (!(err instanceof HclError)) throw err;
      }
    }
    throw new HclError("no argument of try() could be evaluated", e.pos);
  }
  if (e.name === "can") {
    try {
      evaluate(e.args[0] as Expr, scope);
      return true;
    } catch (err) {
      if (err instanceof HclError) return false;
      throw err;
    }
  }
  // convert's second argument is a type, not a value.
  if (e.name === "convert" && e.args.length === 2) {
    const c = convertValue(evaluate(e.args[0] as Expr, scope), parseType(e.args[1] as Expr));
    if (!c.ok) throw new HclError(`convert(): ${c.why}`, e.pos);
    return c.v;
  }
  const fn = scope.functions[e.name];
  if (!fn)
    throw new HclError(
      `there is no function named "${e.name}"${suggest(e.name, Object.keys(scope.functions))}`,
      e.pos,
    );
  let args = e.args.map((a) => evaluate(a, scope));
  if (e.expand) {
    const last = args.pop();
    if (!Array.isArray(last)) throw new HclError('"..." needs a list as the last argument', e.pos);
    args = [...args, ...last];
  }
  try {
    return fn(args, e.pos, scope.env ?? {});
  } catch (err) {
    if (err instanceof HclError || err instanceof RuntimeReference) throw err;
    throw new HclError(`${e.name}(): ${(err as Error).message}`, e.pos);
  }
}

function evalTemplate(parts: TemplatePart[], scope: Scope, pos: Pos): unknown {
  // A template that is a single interpolation yields the value itself, not a string.
  if (parts.length === 1 && parts[0]?.t === "interp") {
    const p = parts[0];
    try {
      return evaluate(p.e, scope);
    } catch (err) {
      if (err instanceof RuntimeReference) return `\${${p.src}}`;
      throw err;
    }
  }
  return renderParts(parts, scope, pos);
}

function renderParts(parts: TemplatePart[], scope: Scope, pos: Pos): string {
  let out = "";
  for (const p of parts) {
    if (p.t === "text") out += p.text;
    else if (p.t === "interp") {
      try {
        const v = evaluate(p.e, scope);
        if (v === null) throw new HclError("cannot interpolate null into a string", p.e.pos);
        out += toStringValue(v, p.e.pos);
      } catch (err) {
        if (!(err instanceof RuntimeReference)) throw err;
        out += `\${${p.src}}`;
      }
    } else if (p.t === "if") {
      const c = evaluate(p.cond, scope);
      if (typeof c !== "boolean")
        throw new HclError(`the %{if} condition must be a bool, not ${typeName(c)}`, p.cond.pos);
      out += renderParts(c ? p.yes : p.no, scope, pos);
    } else {
      for (const [k, v] of entries(evaluate(p.coll, scope), p.coll.pos)) {
        const s = withVars(scope, p.keyVar ? { [p.keyVar]: k, [p.valVar]: v } : { [p.valVar]: v });
        out += renderParts(p.body, s, pos);
      }
    }
  }
  return out;
}
