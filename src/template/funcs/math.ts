// consul-template's arithmetic: the second argument is the left operand so
// that {{ 10 | subtract 2 }} is 8. int with int stays int; a float makes float64.
import { sprint } from "../fmt.js";
import { GoFloat, kindOf, toNumber, typeName } from "../values.js";
import { type FuncMap, fn } from "./types.js";

type Op = (a: number, b: number, ints: boolean) => number;

function numeric(name: string, v: unknown): "int" | "float" {
  const k = kindOf(v);
  if (k === "int" || k === "float") return k;
  throw new Error(`${name}: unknown type for ${JSON.stringify(sprint([v]))} (${typeName(v)})`);
}

function arith(name: string, op: Op, intsOnly = false) {
  return fn(["any", "any"], (_, [b, a]) => {
    const ka = numeric(name, a);
    const kb = numeric(name, b);
    if (intsOnly && kb === "float")
      throw new Error(`${name}: unknown type for ${JSON.stringify(sprint([b]))} (float64)`);
    if (intsOnly && ka === "float")
      throw new Error(`${name}: unknown type for ${JSON.stringify(sprint([a]))} (float64)`);
    const ints = ka === "int" && kb === "int";
    const r = op(toNumber(a), toNumber(b), ints);
    return ints ? r : new GoFloat(r);
  });
}

function pick(name: string, wantLess: boolean) {
  return fn(["any", "any"], (_, [b, a]) => {
    numeric(name, a);
    numeric(name, b);
    const aFirst = wantLess ? toNumber(a) < toNumber(b) : toNumber(a) > toNumber(b);
    return aFirst ? a : b;
  });
}

export const MATH_FUNCS: FuncMap = {
  add: arith("add", (a, b) => a + b),
  subtract: arith("subtract", (a, b) => a - b),
  multiply: arith("multiply", (a, b) => a * b),
  divide: arith("divide", (a, b, ints) => {
    if (!ints) return a / b;
    if (b === 0) throw new Error("runtime error: integer divide by zero");
    return Math.trunc(a / b);
  }),
  modulo: arith(
    "modulo",
    (a, b) => {
      if (b === 0) throw new Error("runtime error: integer divide by zero");
      return a % b;
    },
    true,
  ),
  minimum: pick("minimum", true),
  maximum: pick("maximum", false),
};
