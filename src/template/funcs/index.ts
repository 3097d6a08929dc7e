// Every function a template may call: Go's builtins and consul-template's.
import { BUILTINS } from "./builtins.js";
import { ENCODING_FUNCS } from "./encoding.js";
import { MATH_FUNCS } from "./math.js";
import { SOURCE_FUNCS } from "./sources.js";
import { STRING_FUNCS } from "./strings.js";
import type { FuncDef, FuncMap } from "./types.js";
import { YAML_FUNCS } from "./yaml.js";

export type { CallContext, FuncDef, ParamType } from "./types.js";

export const FUNCTIONS: FuncMap = {
  ...STRING_FUNCS,
  ...MATH_FUNCS,
  ...ENCODING_FUNCS,
  ...SOURCE_FUNCS,
  ...YAML_FUNCS,
  ...BUILTINS,
};

export function lookupFunction(name: string): FuncDef | undefined {
  return Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
}

export const isBuiltin = (name: string): boolean => Object.hasOwn(BUILTINS, name);
