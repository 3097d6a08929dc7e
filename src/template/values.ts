// How JavaScript values stand in for Go's: strings, ints (integral numbers),
// float64 (GoFloat, or any non-integral number), bools, nil (null), slices
// (arrays), maps (plain objects and Map). `undefined` is Go's "no value".

/** A Go float64 that happens to be integral (parseFloat "3", 3.0 in a template, JSON numbers). */
export class GoFloat {
  constructor(readonly value: number) {}
}

/**
 * Decoded JSON or YAML as template values: objects become maps, arrays
 * slices, and `number` says what each number stands for (encoding/json
 * decodes every number as float64, yaml.v2 integral ones as int).
 */
export function fromDecoded(v: unknown, number: (n: number) => unknown): unknown {
  if (typeof v === "number") return number(v);
  if (Array.isArray(v)) return v.map((e) => fromDecoded(e, number));
  if (v !== null && typeof v === "object")
    // fromEntries: a "__proto__" key stays a key.
    return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, fromDecoded(e, number)]));
  return v;
}

export type Kind =
  | "invalid"
  | "nil"
  | "string"
  | "int"
  | "float"
  | "bool"
  | "slice"
  | "map"
  | "func"
  | "other";

export function kindOf(v: unknown): Kind {
  if (v === undefined) return "invalid";
  if (v === null) return "nil";
  switch (typeof v) {
    case "string":
      return "string";
    case "number":
      return Number.isInteger(v) ? "int" : "float";
    case "bigint":
      return "int";
    case "boolean":
      return "bool";
    case "function":
      return "func";
    case "object":
      if (v instanceof GoFloat) return "float";
      if (Array.isArray(v)) return "slice";
      return "map";
    default:
      return "other";
  }
}

/** The Go type a value stands for, as Go's messages print it. */
export function typeName(v: unknown): string {
  switch (kindOf(v)) {
    case "invalid":
    case "nil":
      return "<nil>";
    case "string":
      return "string";
    case "int":
      return "int";
    case "float":
      return "float64";
    case "bool":
      return "bool";
    case "slice":
      return "[]interface {}";
    case "map":
      return "map[string]interface {}";
    case "func":
      return "func";
    default:
      return typeof v;
  }
}

export function toNumber(v: unknown): number {
  if (v instanceof GoFloat) return v.value;
  if (typeof v === "bigint") return Number(v);
  return v as number;
}

/** Go's truth: false, 0, nil, and empty strings, slices and maps are false. */
export function isTrue(v: unknown): boolean {
  switch (kindOf(v)) {
    case "invalid":
    case "nil":
      return false;
    case "string":
      return (v as string).length > 0;
    case "int":
    case "float":
      return toNumber(v) !== 0;
    case "bool":
      return v as boolean;
    case "slice":
      return (v as unknown[]).length > 0;
    case "map":
      return mapSize(v as object) > 0;
    default:
      return true;
  }
}

function mapSize(m: object): number {
  return m instanceof Map ? m.size : Object.keys(m).length;
}

/** The value at `key`, or undefined when the map has no such entry. */
export function mapGet(m: object, key: unknown): unknown {
  if (m instanceof Map) return m.has(key) ? (m.get(key) ?? null) : undefined;
  if (typeof key !== "string" || !Object.hasOwn(m, key)) return undefined;
  const v = (m as Record<string, unknown>)[key];
  return v === undefined ? undefined : v;
}

/** Keys sorted as Go sorts map keys for printing and ranging. */
export function sortedKeys(m: object): unknown[] {
  const keys: unknown[] = m instanceof Map ? [...m.keys()] : Object.keys(m);
  return keys.sort(compareKeys);
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Bytes of a string in UTF-8: Go's len, index and slice work on bytes. */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, "utf8");
}
