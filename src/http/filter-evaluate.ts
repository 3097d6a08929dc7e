// go-bexpr's evaluation (evaluate.go) of a parsed filter against the JSON an
// endpoint answers with, as go-bexpr evaluates Nomad's objects: a selector
// that finds nothing is an error unless only its last key is missing from a
// map; each operator works on some kinds only and is an error on others; the
// value is read as the field's kind reads it (Go's ParseInt with base
// prefixes, ParseBool's t/F/0/1, ParseFloat). Pure.

import { compileGoRegexp } from "../template/funcs/regexp.js";
import { parseFloatLiteral, parseIntLiteral } from "../template/literals.js";
import type { FilterExpr, MatchOperator, Selector } from "./filter-grammar.js";

export type Evaluation = { ok: true; match: boolean } | { ok: false; error: string };

class EvalFailure extends Error {}

/** A value's kind as Go's reflect names it for the decoded JSON. */
type Kind = "invalid" | "string" | "bool" | "int64" | "float64" | "slice" | "map";

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return "invalid";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number" || typeof v === "bigint")
    return Number.isInteger(Number(v)) && Math.abs(Number(v)) < 2 ** 63 ? "int64" : "float64";
  if (Array.isArray(v)) return "slice";
  return "map";
}

const goType: Record<Kind, string> = {
  invalid: "invalid",
  string: "string",
  bool: "bool",
  int64: "int64",
  float64: "float64",
  slice: "[]interface {}",
  map: "map[string]interface {}",
};

/** A key of a JSON object; an undefined property is one JSON leaves out. */
function has(obj: object, key: string): boolean {
  return Object.hasOwn(obj, key) && (obj as Record<string, unknown>)[key] !== undefined;
}

const isMap = (v: unknown): v is Record<string, unknown> => kindOf(v) === "map";

// ---- reading the expression's value as the field's kind

type Coerced = { ok: true; v: unknown } | { ok: false; syntax: boolean; error: string };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function coerce(raw: string, kind: Kind): Coerced {
  switch (kind) {
    case "bool": {
      if (["1", "t", "T", "TRUE", "true", "True"].includes(raw)) return { ok: true, v: true };
      if (["0", "f", "F", "FALSE", "false", "False"].includes(raw)) return { ok: true, v: false };
      return failed("ParseBool", raw, true);
    }
    case "int64": {
      const n = parseIntLiteral(raw);
      if (n === undefined) return failed("ParseInt", raw, true);
      if (n < INT64_MIN || n > INT64_MAX) return failed("ParseInt", raw, false);
      return { ok: true, v: n };
    }
    case "float64": {
      const special = /^([+-]?)(inf|infinity)$/i.exec(raw);
      if (special) return { ok: true, v: special[1] === "-" ? -Infinity : Infinity };
      if (/^nan$/i.test(raw)) return { ok: true, v: Number.NaN };
      const f = parseFloatLiteral(raw);
      if (f === undefined) return failed("ParseFloat", raw, true);
      if (!Number.isFinite(f)) return failed("ParseFloat", raw, false);
      return { ok: true, v: f };
    }
    default:
      return { ok: true, v: raw };
  }
}

function failed(fn: string, raw: string, syntax: boolean): Coerced {
  const why = syntax ? "invalid syntax" : "value out of range";
  return { ok: false, syntax, error: `strconv.${fn}: parsing ${JSON.stringify(raw)}: ${why}` };
}

function equalTo(want: unknown, have: unknown, kind: Kind): boolean {
  if (kind === "int64") return (want as bigint) === BigInt(have as number);
  return want === have;
}

const comparable = new Set<Kind>(["bool", "int64", "float64", "string"]);

// ---- operators

function doEqual(value: string, have: unknown): boolean {
  const kind = kindOf(have);
  if (!comparable.has(kind))
    throw new EvalFailure("unable to find suitable primitive comparison function for matching");
  const want = coerce(value, kind);
  if (!want.ok) throw new EvalFailure(`error getting match value in expression: ${want.error}`);
  return equalTo(want.v, have, kind);
}

function doIn(value: string, have: unknown, selector: Selector): boolean {
  const kind = kindOf(have);
  const want = coerce(value, kind);
  if (!want.ok) throw new EvalFailure(`error getting match value in expression: ${want.error}`);
  switch (kind) {
    case "map":
      return Object.hasOwn(have as object, value);
    case "slice":
      for (const item of have as unknown[]) {
        const itemKind = kindOf(item);
        // go-bexpr panics on a null element; an error is the honest answer.
        if (itemKind === "invalid")
          throw new EvalFailure(`cannot perform "in" comparison with a null element`);
        const w = coerce(value, itemKind);
        if (!w.ok) {
          if (w.syntax) continue;
          throw new EvalFailure("error getting interface slice match value in expression");
        }
        if (!comparable.has(itemKind))
          throw new EvalFailure(
            `unable to find suitable primitive comparison function for "in" comparison in interface slice: ${itemKind === "slice" ? "slice" : "map"}`,
          );
        if (equalTo(w.v, item, itemKind)) return true;
      }
      return false;
    case "string":
      return (have as string).includes(value);
    default:
      throw new EvalFailure(
        `cannot perform in/contains operations on type ${kind} for selector: ${JSON.stringify(selectorText(selector))}`,
      );
  }
}

function doIsEmpty(have: unknown, selector: Selector): boolean {
  const kind = kindOf(have);
  if (kind === "string" || kind === "slice") return (have as string | unknown[]).length === 0;
  if (kind === "map") return !Object.keys(have as object).some((k) => has(have as object, k));
  throw new EvalFailure(
    `cannot perform is-empty operations on type ${kind} for selector: ${JSON.stringify(selectorText(selector))}`,
  );
}

function doIsNil(have: unknown, selector: Selector): boolean {
  const kind = kindOf(have);
  // Decoded JSON holds no nil list or map: only null is nil.
  if (kind === "invalid") return true;
  if (kind === "slice" || kind === "map") return false;
  throw new EvalFailure(
    `cannot perform is-nil operations on type ${kind} for selector: ${JSON.stringify(selectorText(selector))}`,
  );
}

function doMatches(value: string, have: unknown, regexes: Map<string, RegExp>): boolean {
  const kind = kindOf(have);
  // go-bexpr panics on null; an error is the honest answer.
  if (kind === "invalid") throw new EvalFailure("cannot match a regular expression against null");
  if (kind !== "string")
    throw new EvalFailure(`value of type ${goType[kind]} is not convertible to []byte`);
  let re = regexes.get(value);
  if (!re) {
    try {
      re = compileGoRegexp(value, false);
    } catch (err) {
      throw new EvalFailure(
        `failed to compile regular expression ${JSON.stringify(value)}: ${(err as Error).message}`,
      );
    }
    regexes.set(value, re);
  }
  return re.test(have as string);
}

/** What a missing map key means to each operator: nothing equals, contains or matches it. */
const whenMissing: Record<MatchOperator, boolean> = {
  "==": false,
  "!=": true,
  in: false,
  "not in": true,
  "is empty": true,
  "is not empty": false,
  matches: false,
  "not matches": true,
  "is nil": true,
  "is not nil": false,
};

// ---- selecting

/** A name bound by `any`/`all`: a path into the object, or a key or index itself. */
interface Local {
  name: string;
  path?: string[];
  value?: unknown;
}

function selectorText(s: Selector): string {
  return s.path.join(s.type === "bexpr" ? "." : "/");
}

function pointerText(path: readonly string[]): string {
  return path.map((p) => `/${p.replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}

type Lookup = { ok: true; v: unknown } | { ok: false; notFound: boolean; error: string };

/** pointerstructure's Get over decoded JSON: maps by key, lists by Go integer index. */
function lookup(datum: unknown, path: readonly string[]): Lookup {
  let cur = datum;
  for (const [i, part] of path.entries()) {
    const kind = kindOf(cur);
    if (kind === "map") {
      if (!has(cur as object, part))
        return {
          ok: false,
          notFound: true,
          error: `${pointerText(path)} at part ${i}: couldn't find key ${JSON.stringify(part)}`,
        };
      cur = (cur as Record<string, unknown>)[part];
    } else if (kind === "slice") {
      const list = cur as unknown[];
      const n = parseIntLiteral(part === "" ? "0" : part);
      if (n === undefined)
        return {
          ok: false,
          notFound: false,
          error: `${pointerText(path)} at part ${i}: couldn't convert value ${JSON.stringify(part)} to type int`,
        };
      if (n < 0n || n >= BigInt(list.length))
        return {
          ok: false,
          notFound: false,
          error: `${pointerText(path)} at part ${i}: index ${n} is out of range (length = ${list.length})`,
        };
      cur = list[Number(n)];
    } else
      return {
        ok: false,
        notFound: false,
        error: `${pointerText(path)}: at part ${i}, invalid value kind: ${kind}`,
      };
  }
  return { ok: true, v: cur };
}

/** The selected value; present false when only its last key is missing from a map. */
function getValue(
  datum: unknown,
  selectorPath: readonly string[],
  locals: readonly Local[],
): { present: boolean; v: unknown } {
  let path = selectorPath;
  for (let i = locals.length - 1; i >= 0 && path.length > 0; i--) {
    const local = locals[i] as Local;
    if (path[0] !== local.name) continue;
    if (!local.path) {
      if (path.length > 1)
        throw new EvalFailure(
          `${pointerText([local.name])} references a ${typeof local.value === "number" ? "int" : "string"} so ${pointerText(path)} is invalid`,
        );
      return { present: true, v: local.value };
    }
    path = [...local.path, ...path.slice(1)];
  }
  const got = lookup(datum, path);
  if (got.ok) return { present: true, v: got.v };
  if (got.notFound && path.length >= 2) {
    const parent = lookup(datum, path.slice(0, -1));
    if (parent.ok && isMap(parent.v)) return { present: false, v: undefined };
  }
  throw new EvalFailure(`error finding value in datum: ${got.error}`);
}

// ---- expressions

function evaluate(
  e: FilterExpr,
  datum: unknown,
  locals: readonly Local[],
  regexes: Map<string, RegExp>,
): boolean {
  switch (e.k) {
    case "not":
      return !evaluate(e.operand, datum, locals, regexes);
    case "and":
      return evaluate(e.left, datum, locals, regexes) && evaluate(e.right, datum, locals, regexes);
    case "or":
      return evaluate(e.left, datum, locals, regexes) || evaluate(e.right, datum, locals, regexes);
    case "collection":
      return evaluateCollection(e, datum, locals, regexes);
  }
  const { present, v } = getValue(datum, e.selector.path, locals);
  if (!present) return whenMissing[e.op];
  const value = e.value ?? "";
  switch (e.op) {
    case "==":
      return doEqual(value, v);
    case "!=":
      return !doEqual(value, v);
    case "in":
      return doIn(value, v, e.selector);
    case "not in":
      return !doIn(value, v, e.selector);
    case "is empty":
      return doIsEmpty(v, e.selector);
    case "is not empty":
      return !doIsEmpty(v, e.selector);
    case "matches":
      return doMatches(value, v, regexes);
    case "not matches":
      return !doMatches(value, v, regexes);
    case "is nil":
      return doIsNil(v, e.selector);
    case "is not nil":
      return !doIsNil(v, e.selector);
  }
}

function evaluateCollection(
  e: Extract<FilterExpr, { k: "collection" }>,
  datum: unknown,
  locals: readonly Local[],
  regexes: Map<string, RegExp>,
): boolean {
  const all = e.op === "all";
  const { present, v } = getValue(datum, e.selector.path, locals);
  if (!present) return all;
  const kind = kindOf(v);
  if (kind !== "map" && kind !== "slice")
    throw new EvalFailure(`${selectorText(e.selector)} is not a list or a map`);
  const b = e.binding;
  const entries: [string | number, unknown][] =
    kind === "map"
      ? Object.keys(v as object)
          .filter((k) => has(v as object, k))
          .map((k) => [k, k])
      : (v as unknown[]).map((_, i) => [i, i]);
  for (const [key] of entries) {
    if (b.mode === "index and value" && b.index === b.value)
      throw new EvalFailure(
        `${JSON.stringify(b.index)} cannot be used as a placeholder for both the index and the value`,
      );
    const inner: Local[] = [...locals];
    const itemPath = [...e.selector.path, String(key)];
    if (kind === "map") {
      if (b.default) inner.push({ name: b.default, value: key });
      if (b.index) inner.push({ name: b.index, value: key });
      if (b.value) inner.push({ name: b.value, path: itemPath });
    } else {
      if (b.index) inner.push({ name: b.index, value: key });
      if (b.default) inner.push({ name: b.default, path: itemPath });
      if (b.value) inner.push({ name: b.value, path: itemPath });
    }
    const result = evaluate(e.inner, datum, inner, regexes);
    if (result && !all) return true;
    if (!result && all) return false;
  }
  return all;
}

/** Evaluates a parsed filter against one object: a match, or the error Nomad answers. */
export function evaluateFilter(
  e: FilterExpr,
  datum: unknown,
  regexes: Map<string, RegExp> = new Map(),
): Evaluation {
  try {
    return { ok: true, match: evaluate(e, datum, [], regexes) };
  } catch (err) {
    if (err instanceof EvalFailure) return { ok: false, error: err.message };
    if (err instanceof RangeError) return { ok: false, error: "expression is nested too deeply" };
    throw err;
  }
}
