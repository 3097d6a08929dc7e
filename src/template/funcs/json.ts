// encoding/json as consul-template uses it: map keys sorted, HTML characters
// escaped (toJSON) or not (toUnescapedJSON), numbers decoded as float64.
import { fromDecoded, GoFloat, kindOf, mapGet, sortedKeys, toNumber, typeName } from "../values.js";

function encodeString(s: string, escapeHTML: boolean): string {
  let out = JSON.stringify(s).replace(
    /[\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16)}`,
  );
  if (escapeHTML) {
    out = out.replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
  }
  return out;
}

function encodeNumber(v: unknown): string {
  const n = toNumber(v);
  if (!Number.isFinite(n))
    throw new Error(
      `json: unsupported value: ${Number.isNaN(n) ? "NaN" : n > 0 ? "+Inf" : "-Inf"}`,
    );
  return typeof v === "bigint" ? v.toString() : String(n);
}

/** json.Marshal / json.MarshalIndent(v, "", indent). */
export function marshalJSON(v: unknown, indent: string, escapeHTML: boolean, depth = 0): string {
  if (depth > 1000) throw new Error("json: unsupported value: encountered a cycle");
  const nl = indent ? `\n${indent.repeat(depth + 1)}` : "";
  const close = indent ? `\n${indent.repeat(depth)}` : "";
  switch (kindOf(v)) {
    case "invalid":
    case "nil":
      return "null";
    case "string":
      return encodeString(v as string, escapeHTML);
    case "int":
    case "float":
      return encodeNumber(v);
    case "bool":
      return String(v);
    case "slice": {
      const items = (v as unknown[]).map((e) => marshalJSON(e, indent, escapeHTML, depth + 1));
      return items.length === 0 ? "[]" : `[${nl}${items.join(`,${nl}`)}${close}]`;
    }
    case "map": {
      const m = v as object;
      const sep = indent ? ": " : ":";
      const items = sortedKeys(m).map(
        (k) =>
          `${encodeString(String(k), escapeHTML)}${sep}${marshalJSON(mapGet(m, k), indent, escapeHTML, depth + 1)}`,
      );
      return items.length === 0 ? "{}" : `{${nl}${items.join(`,${nl}`)}${close}}`;
    }
    default:
      throw new Error(`json: unsupported type: ${typeName(v)}`);
  }
}

/** json.Unmarshal into interface{}: objects become maps, numbers float64. */
export function parseJSONValue(s: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(s);
  } catch (e) {
    throw new Error((e as Error).message);
  }
  return fromDecoded(parsed, (n) => new GoFloat(n));
}
