// Input variables (`variable` blocks) and their values from defaults,
// NOMAD_VAR_<name> environment variables, -var-file files and -var flags, in
// Nomad's order of precedence (later wins), converted to the declared type.

import { evaluate, type Scope, typeName } from "./expressions/eval.js";
import { type Block, type Expr, HclError, type Pos } from "./hcl/ast.js";
import { parseExpression, parseHcl } from "./hcl/parser.js";

/** A variable's declared type constraint. */
export type VarType =
  | { t: "any" | "string" | "number" | "bool" }
  | { t: "list" | "set" | "map"; of: VarType }
  | { t: "object"; attrs: Record<string, VarType> }
  | { t: "tuple"; items: VarType[] };

export interface VariableDecl {
  name: string;
  type: VarType;
  default?: unknown;
  hasDefault: boolean;
  description?: string;
  validations: { condition: Expr; errorMessage: Expr; pos: Pos }[];
  pos: Pos;
}

/** A value from outside the file, with where it came from for error messages. */
export interface VarInput {
  name: string;
  value: string | unknown;
  /** Raw strings from -var and the environment are parsed according to the type. */
  raw: boolean;
  file: string;
  pos: Pos;
}

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

const variableAttrs = new Set(["type", "default", "description", "sensitive", "nullable"]);

export function declareVariable(block: Block, scope: Scope): VariableDecl {
  if (block.labels.length !== 1)
    throw new HclError('a variable block needs one label: variable "name" { … }', block.pos);
  const name = block.labels[0] as string;
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name))
    throw new HclError(`invalid variable name "${name}"`, block.pos);
  const decl: VariableDecl = {
    name,
    type: { t: "any" },
    hasDefault: false,
    validations: [],
    pos: block.pos,
  };
  let defaultExpr: Expr | undefined;
  for (const a of block.body.attrs) {
    if (!variableAttrs.has(a.name))
      throw new HclError(
        `unsupported argument "${a.name}" in variable "${name}"; use type, default, description or a validation block`,
        a.pos,
      );
    if (a.name === "type") decl.type = parseType(a.expr);
    if (a.name === "default") defaultExpr = a.expr;
    if (a.name === "description") decl.description = String(evaluate(a.expr, scope));
  }
  for (const b of block.body.blocks) {
    if (b.type !== "validation")
      throw new HclError(`unsupported block "${b.type}" in variable "${name}"`, b.pos);
    const cond = b.body.attrs.find((a) => a.name === "condition");
    const msg = b.body.attrs.find((a) => a.name === "error_message");
    if (!cond || !msg)
      throw new HclError("a validation block needs condition and error_message", b.pos);
    decl.validations.push({ condition: cond.expr, errorMessage: msg.expr, pos: cond.pos });
  }
  if (defaultExpr) {
    // Defaults are constants: they may call functions but not read other variables.
    const v = evaluate(defaultExpr, scope);
    const c = convert(v, decl.type);
    if (!c.ok)
      throw new HclError(`invalid default for variable "${name}": ${c.why}`, defaultExpr.pos);
    decl.default = c.v;
    decl.hasDefault = true;
  }
  return decl;
}

/** Reads a -var-file: HCL attributes (name = value), or a JSON object when the name ends in .json. */
export function readVarFile(file: string, text: string, scope: Scope): VarInput[] {
  if (file.endsWith(".json")) {
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (err) {
      throw new HclError(`invalid JSON: ${(err as Error).message}`, { line: 1, column: 1 });
    }
    if (obj === null || typeof obj !== "object" || Array.isArray(obj))
      throw new HclError("a JSON variables file must hold an object", { line: 1, column: 1 });
    return Object.entries(obj).map(([name, value]) => ({
      name,
      value,
      raw: false,
      file,
      pos: { line: 1, column: 1 },
    }));
  }
  const body = parseHcl(text);
  const first = body.blocks[0];
  if (first)
    throw new HclError(
      `a variables file holds only "name = value" lines, not a "${first.type}" block`,
      first.pos,
    );
  return body.attrs.map((a) => ({
    name: a.name,
    value: evaluate(a.expr, scope),
    raw: false,
    file,
    pos: a.pos,
  }));
}

/** Turns a raw string from -var or the environment into a value of the declared type. */
export function rawValue(raw: string, type: VarType, scope: Scope): unknown {
  // Nomad takes command-line values of string and untyped variables verbatim.
  if (type.t === "string" || type.t === "any") return raw;
  try {
    return evaluate(parseExpression(raw), scope);
  } catch {
    // Not an expression: conversion then reports the type mismatch on the string.
    return raw;
  }
}
