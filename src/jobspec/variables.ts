// Input variables (`variable` blocks) and their values from defaults,
// NOMAD_VAR_<name> environment variables, -var-file files and -var flags, in
// Nomad's order of precedence (later wins), converted to the declared type.

import { evaluate, type Scope } from "./expressions/eval.js";
import { convert, parseType, type VarType } from "./expressions/types.js";
import { type Block, type Expr, HclError, type Pos } from "./hcl/ast.js";
import { parseExpression, parseHcl } from "./hcl/parser.js";

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

const variableAttrs = new Set(["type", "default", "description", "sensitive", "nullable"]);

/** Whether a type constraint leaves any part open ("any", or list without its element type). */
function inexact(t: VarType): boolean {
  switch (t.t) {
    case "any":
      return true;
    case "list":
    case "set":
    case "map":
      return inexact(t.of);
    case "object":
      return Object.values(t.attrs).some(inexact);
    case "tuple":
      return t.items.some(inexact);
    default:
      return false;
  }
}

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
    if (a.name === "type") {
      decl.type = parseType(a.expr);
      // Nomad reads a variable's type as an exact type (typeexpr.Type).
      if (inexact(decl.type))
        throw new HclError(
          `variable "${name}" needs an exact type: "any" and element-less list, set or map are not allowed in Nomad's job files; write e.g. map(string) or object({ replicas = number })`,
          a.expr.pos,
        );
    }
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
