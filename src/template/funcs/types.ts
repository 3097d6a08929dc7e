// How template functions are declared: Go-like parameter types (so argument
// errors read like Go's) and a body that throws a plain Error on failure.
import type { TemplateDependency, TemplateSources } from "../types.js";

/** Parameter types: "any" is interface{}; the others are checked and converted. */
export type ParamType = "any" | "string" | "int" | "float" | "bool" | "list" | "stringList" | "map";

/** What a function may read while a template renders. */
export interface CallContext {
  env: Readonly<Record<string, string>>;
  sources: TemplateSources;
  /** Record that the template read this dependency; `missing` when the source had no data yet. */
  use(dep: TemplateDependency, missing: boolean): void;
}

export interface FuncDef {
  params: readonly ParamType[];
  /** Type of each extra argument, when the function takes any number. */
  variadic?: ParamType;
  call(ctx: CallContext, args: unknown[]): unknown;
}

export type FuncMap = Readonly<Record<string, FuncDef>>;

export const fn = (
  params: readonly ParamType[],
  call: (ctx: CallContext, args: unknown[]) => unknown,
  variadic?: ParamType,
): FuncDef => (variadic ? { params, variadic, call } : { params, call });
