// Function arguments against their declared parameter types, as Go's
// reflection-based calls check them: nil becomes the type's zero value where
// Go allows it, anything else of the wrong type is refused with Go's words.
import type { ParamType } from "./funcs/index.js";
import { kindOf, typeName } from "./values.js";

/** The Go type each parameter type stands for, in messages. */
export const GO_PARAM_TYPE: Record<ParamType, string> = {
  any: "interface {}",
  string: "string",
  int: "int",
  float: "float64",
  bool: "bool",
  list: "[]interface {}",
  stringList: "[]string",
  map: "map[string]interface {}",
};

export type ArgCheck = { ok: true; value: unknown } | { ok: false; message: string };

/** Whether nil may be passed for the type, and what it becomes. */
export function nilFor(param: ParamType): ArgCheck {
  if (param === "any" || param === "map") return { ok: true, value: null };
  if (param === "list" || param === "stringList") return { ok: true, value: [] };
  return { ok: false, message: `cannot assign nil to ${GO_PARAM_TYPE[param]}` };
}

export function checkArg(value: unknown, param: ParamType): ArgCheck {
  const k = kindOf(value);
  if (k === "invalid" || k === "nil") {
    const nil = nilFor(param);
    return nil.ok ? nil : { ok: false, message: `invalid value; expected ${GO_PARAM_TYPE[param]}` };
  }
  const ok =
    param === "any" ||
    (param === "string" && k === "string") ||
    (param === "int" && k === "int") ||
    (param === "float" && k === "float") ||
    (param === "bool" && k === "bool") ||
    (param === "list" && k === "slice") ||
    (param === "map" && k === "map") ||
    (param === "stringList" &&
      k === "slice" &&
      (value as unknown[]).every((e) => typeof e === "string"));
  if (ok) return { ok: true, value };
  // A JavaScript array with other elements is Go's []interface {}, not a []string.
  const got = param === "stringList" && k === "slice" ? "[]interface {}" : typeName(value);
  return {
    ok: false,
    message: `wrong type for value; expected ${GO_PARAM_TYPE[param]}; got ${got}`,
  };
}
