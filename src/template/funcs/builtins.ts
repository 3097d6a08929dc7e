// Go's predefined template functions (and/or are special forms in exec).
import { sprint, sprintf, sprintln } from "../fmt.js";
import { isTrue, kindOf, mapGet, toNumber, typeName, utf8Length } from "../values.js";
import { type FuncMap, fn } from "./types.js";

type Basic = "bool" | "int" | "float" | "string" | "nil" | "other";

function basicKind(v: unknown): Basic {
  const k = kindOf(v);
  if (k === "invalid" || k === "nil") return "nil";
  if (k === "bool" || k === "int" || k === "float" || k === "string") return k;
  return "other";
}

const incompatible = (a: unknown, b: unknown): Error =>
  new Error(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);

function eq(a: unknown, others: unknown[]): boolean {
  if (others.length === 0) throw new Error("missing argument for comparison");
  const k1 = basicKind(a);
  for (const b of others) {
    const k2 = basicKind(b);
    if (k1 !== k2) {
      if (k1 !== "nil" && k2 !== "nil") throw incompatible(a, b);
      continue;
    }
    switch (k1) {
      case "nil":
        return true;
      case "int":
      case "float":
        if (toNumber(a) === toNumber(b)) return true;
        break;
      case "bool":
      case "string":
        if (a === b) return true;
        break;
      default:
        throw new Error(`non-comparable type ${sprint([b])}: ${typeName(b)}`);
    }
  }
  return false;
}

function lt(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  if (k1 === "nil" || k1 === "other") throw new Error("invalid type for comparison");
  const k2 = basicKind(b);
  if (k2 === "nil" || k2 === "other") throw new Error("invalid type for comparison");
  if (k1 !== k2) throw incompatible(a, b);
  if (k1 === "bool") throw new Error("invalid type for comparison");
  if (k1 === "string") return (a as string) < (b as string);
  return toNumber(a) < toNumber(b);
}

function indexArg(index: unknown, cap: number): number {
  const k = kindOf(index);
  if (k === "invalid" || k === "nil") throw new Error("cannot index slice/array with nil");
  if (k !== "int") throw new Error(`cannot index slice/array with type ${typeName(index)}`);
  const x = Number(index);
  if (x < 0 || x > cap) throw new Error(`index out of range: ${x}`);
  return x;
}

function index(item: unknown, indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error("index of untyped nil");
  let cur: unknown = item;
  for (const ix of indexes) {
    if (cur === null || cur === undefined) throw new Error("index of nil pointer");
    const k = kindOf(cur);
    if (k === "slice" || k === "string") {
      const len = k === "string" ? utf8Length(cur as string) : (cur as unknown[]).length;
      const x = indexArg(ix, len);
      if (x >= len) throw new Error(`index out of range: ${x}`);
      cur =
        k === "string" ? (Buffer.from(cur as string, "utf8")[x] as number) : (cur as unknown[])[x];
      if (cur === undefined) cur = null;
    } else if (k === "map") {
      if (ix === undefined || ix === null)
        throw new Error("value is nil; should be of type string");
      if (!(cur instanceof Map) && typeof ix !== "string") {
        throw new Error(`value has type ${typeName(ix)}; should be string`);
      }
      const v = mapGet(cur as object, ix);
      cur = v === undefined ? null : v;
    } else {
      throw new Error(`can't index item of type ${typeName(cur)}`);
    }
  }
  return cur;
}

function slice(item: unknown, indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error("slice of untyped nil");
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  const k = kindOf(item);
  let len: number;
  if (k === "string") {
    if (indexes.length === 3) throw new Error("cannot 3-index slice a string");
    len = utf8Length(item as string);
  } else if (k === "slice") {
    len = (item as unknown[]).length;
  } else {
    throw new Error(`can't slice item of type ${typeName(item)}`);
  }
  const idx = [0, len, len];
  indexes.forEach((ix, i) => {
    idx[i] = indexArg(ix, len);
  });
  const [i, j, c] = idx as [number, number, number];
  if (i > j) throw new Error(`invalid slice index: ${i} > ${j}`);
  if (indexes.length === 3 && j > c) throw new Error(`invalid slice index: ${j} > ${c}`);
  if (k === "string")
    return Buffer.from(item as string, "utf8")
      .subarray(i, j)
      .toString("utf8");
  return (item as unknown[]).slice(i, j);
}

function length(item: unknown): number {
  const k = kindOf(item);
  if (k === "nil") throw new Error("len of nil pointer");
  if (k === "invalid") throw new Error("len of untyped nil");
  if (k === "string") return utf8Length(item as string);
  if (k === "slice") return (item as unknown[]).length;
  if (k === "map") return item instanceof Map ? item.size : Object.keys(item as object).length;
  throw new Error(`len of type ${typeName(item)}`);
}

/** Go's evalArgs: one string argument as is, anything else through Sprint. */
function argsText(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return sprint(args.map((a) => (a === null || a === undefined ? "<no value>" : a)));
}

export function htmlEscape(s: string): string {
  return s.replace(/[<>&'"\0]/g, (c) => {
    switch (c) {
      case "<":
        return "&lt;";
      case ">":
        return "&gt;";
      case "&":
        return "&amp;";
      case "'":
        return "&#39;";
      case '"':
        return "&#34;";
      default:
        return "\uFFFD";
    }
  });
}

export function jsEscape(s: string): string {
  let out = "";
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    switch (ch) {
      case "\\":
        out += "\\\\";
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case "<":
      case ">":
      case "&":
      case "=":
        out += `\\u00${cp.toString(16).toUpperCase()}`;
        continue;
    }
    if (cp < 0x20) out += `\\u${cp.toString(16).toUpperCase().padStart(4, "0")}`;
    else if (cp < 0x80 || !/[\p{C}\p{Z}]/u.test(ch) || ch === " ") out += ch;
    else out += `\\u${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return out;
}

/** url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

export const BUILTINS: FuncMap = {
  // and/or are evaluated lazily by exec; these entries give their arity.
  and: fn(["any"], () => undefined, "any"),
  or: fn(["any"], () => undefined, "any"),
  not: fn(["any"], (_, [a]) => !isTrue(a)),
  call: fn(
    ["any"],
    (_, [f, ...rest]) => {
      if (typeof f !== "function") throw new Error(`non-function of type ${typeName(f)}`);
      return f(...rest);
    },
    "any",
  ),
  len: fn(["any"], (_, [a]) => length(a)),
  index: fn(["any"], (_, [item, ...ix]) => index(item, ix), "any"),
  slice: fn(["any"], (_, [item, ...ix]) => slice(item, ix), "any"),
  print: fn([], (_, args) => sprint(args), "any"),
  println: fn([], (_, args) => sprintln(args), "any"),
  printf: fn(["string"], (_, [f, ...args]) => sprintf(f as string, args), "any"),
  html: fn([], (_, args) => htmlEscape(argsText(args)), "any"),
  js: fn([], (_, args) => jsEscape(argsText(args)), "any"),
  urlquery: fn([], (_, args) => queryEscape(argsText(args)), "any"),
  eq: fn(["any"], (_, [a, ...others]) => eq(a, others), "any"),
  ne: fn(["any", "any"], (_, [a, b]) => !eq(a, [b])),
  lt: fn(["any", "any"], (_, [a, b]) => lt(a, b)),
  le: fn(["any", "any"], (_, [a, b]) => lt(a, b) || eq(a, [b])),
  gt: fn(["any", "any"], (_, [a, b]) => !(lt(a, b) || eq(a, [b]))),
  ge: fn(["any", "any"], (_, [a, b]) => !lt(a, b)),
};
