// HCL's type constraints (`string`, `list(number)`, `object({…})`, as in a
// variable's `type` or convert()'s second argument) and the conversions
// between values that HCL makes to satisfy them.
import { type Expr, HclError } from "../hcl/ast.js";

/** The HCL type of a value, for error messages. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return "list";
  if (typeof v === "object") return "object";
  if (typeof v === "boolean") return "bool";
  return typeof v;
}

/** A variable's declared type constraint. */
export type VarType =
  | { t: "any" | "string" | "number" | "bool" }
  | { t: "list" | "set" | "map"; of: VarType }
  | { t: "object"; attrs: Record<string, VarType> }
  | { t: "tuple"; items: VarType[] };

export function parseType(e: Expr): VarType {
  if (e.k === "var" && ["any", "string", "number", "bool"].includes(e.name))
    return { t: e.name as "any" };
  if (e.k === "var" && ["list", "set", "map"].includes(e.name))
    return { t: e.name as "list", of: { t: "any" } };
  if (e.k === "call" && ["list", "set", "map"].includes(e.name) && e.args.length === 1)
    return { t: e.name as "list", of: parseType(e.args[0] as Expr) };
  if (e.k === "call" && e.name === "object" && e.args[0]?.k === "object") {
    const attrs: Record<string, VarType> = {};
    for (const { key, value } of e.args[0].items) {
      if (key.k !== "lit" && key.k !== "var")
        throw new HclError("an object type's attribute names must be names", key.pos);
      attrs[key.k === "lit" ? String(key.v) : key.name] = parseType(value);
    }
    return { t: "object", attrs };
  }
  if (e.k === "call" && e.name === "tuple" && e.args[0]?.k === "tuple")
    return { t: "tuple", items: e.args[0].items.map(parseType) };
  throw new HclError(
    "invalid type: use string, number, bool, any, list(T), set(T), map(T), object({…}) or tuple([…])",
    e.pos,
  );
}

export function typeString(t: VarType): string {
  switch (t.t) {
    case "list":
    case "set":
    case "map":
      return `${t.t}(${typeString(t.of)})`;
    case "object":
      return `object({${Object.entries(t.attrs)
        .map(([k, v]) => `${k}=${typeString(v)}`)
        .join(", ")}})`;
    case "tuple":
      return `tuple([${t.items.map(typeString).join(", ")}])`;
    default:
      return t.t;
  }
}

/** Converts a value to a type as HCL does (numbers and bools to strings and back); undefined when it cannot. */
export function convert(
  v: unknown,
  t: VarType,
): { ok: true; v: unknown } | { ok: false; why: string } {
  const bad = (why?: string) => ({
    ok: false as const,
    why: why ?? `${typeString(t)} required, got ${typeName(v)}`,
  });
  if (v === null) return { ok: true, v };
  switch (t.t) {
    case "any":
      return { ok: true, v };
    case "string":
      if (typeof v === "string") return { ok: true, v };
      if (typeof v === "number" || typeof v === "boolean") return { ok: true, v: String(v) };
      return bad();
    case "number":
      if (typeof v === "number") return { ok: true, v };
      if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)))
        return { ok: true, v: Number(v) };
      return bad();
    case "bool":
      if (typeof v === "boolean") return { ok: true, v };
      if (v === "true" || v === "false") return { ok: true, v: v === "true" };
      return bad();
    case "list":
    case "set": {
      if (!Array.isArray(v)) return bad();
      const out: unknown[] = [];
      for (const [i, item] of v.entries()) {
        const c = convert(item, t.of);
        if (!c.ok) return bad(`element ${i}: ${c.why}`);
        if (t.t === "set" && out.some((o) => JSON.stringify(o) === JSON.stringify(c.v))) continue;
        out.push(c.v);
      }
      return { ok: true, v: out };
    }
    case "map": {
      if (v === null || typeof v !== "object" || Array.isArray(v)) return bad();
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        const c = convert(item, t.of);
        if (!c.ok) return bad(`element "${k}": ${c.why}`);
        out[k] = c.v;
      }
      return { ok: true, v: out };
    }
    case "object": {
      if (v === null || typeof v !== "object" || Array.isArray(v)) return bad();
      const out: Record<string, unknown> = {};
      for (const [k, at] of Object.entries(t.attrs)) {
        if (!Object.hasOwn(v, k)) return bad(`attribute "${k}" is required`);
        const c = convert((v as Record<string, unknown>)[k], at);
        if (!c.ok) return bad(`attribute "${k}": ${c.why}`);
        out[k] = c.v;
      }
      return { ok: true, v: out };
    }
    case "tuple": {
      if (!Array.isArray(v) || v.length !== t.items.length) return bad();
      const out: unknown[] = [];
      for (const [i, it] of t.items.entries()) {
        const c = convert(v[i], it);
        if (!c.ok) return bad(`element ${i}: ${c.why}`);
        out.push(c.v);
      }
      return { ok: true, v: out };
    }
  }
}
