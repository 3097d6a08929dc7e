// parseYAML / toYAML (consul-template uses gopkg.in/yaml.v2): keys sorted,
// sequences not indented under their key, the result trimmed.
import YAML from "yaml";
import { fromDecoded, GoFloat, kindOf, mapGet, sortedKeys, toNumber } from "../values.js";
import { type FuncMap, fn } from "./types.js";

/** Our value model back to plain data the yaml library prints. */
function toPlain(v: unknown, depth = 0): unknown {
  if (depth > 1000) throw new Error("toYAML: value nested too deeply");
  switch (kindOf(v)) {
    case "invalid":
    case "nil":
      return null;
    case "float":
      return toNumber(v);
    case "slice":
      return (v as unknown[]).map((e) => toPlain(e, depth + 1));
    case "map": {
      const out: Record<string, unknown> = {};
      for (const k of sortedKeys(v as object))
        out[String(k)] = toPlain(mapGet(v as object, k), depth + 1);
      return out;
    }
    default:
      return v;
  }
}

export const YAML_FUNCS: FuncMap = {
  parseYAML: fn(["string"], (_, [s]) => {
    if (s === "") return {};
    try {
      // Integral numbers are ints, the others float64.
      return fromDecoded(YAML.parse(s as string, { maxAliasCount: 100 }), (n) =>
        Number.isInteger(n) ? n : new GoFloat(n),
      );
    } catch (e) {
      throw new Error((e as Error).message.split("\n")[0]);
    }
  }),
  toYAML: fn(["any"], (_, [v]) =>
    YAML.stringify(toPlain(v), { sortMapEntries: true, indentSeq: false, lineWidth: 0 }).trim(),
  ),
};
