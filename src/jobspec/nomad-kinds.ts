// The vocabulary of the two-way field table in nomad-fields.ts: what kind of
// value a field holds, and how each kind reads in the NomadJob spec
// (camelCase, Go duration strings) and in Nomad's API JSON (Nomad's names,
// nanoseconds). Every kind converts both ways, so one table serves both.
import { compactGoDuration, goDurationMs } from "../common/duration.js";

type Obj = Record<string, unknown>;
type Conv = (v: unknown) => unknown;
export type Direction = "toNomad" | "fromNomad";

/** How one field's value changes between our spec and Nomad's JSON; undefined drops the field. */
export type Kind = Readonly<Record<Direction, Conv>>;

/**
 * One field of a block, keyed by our camelCase name: Nomad's name when it is
 * not ours in PascalCase, the kind when the value is not plain, or both.
 */
export type Field = string | Kind | readonly [nomad: string, kind: Kind];

/** A block's fields by the name they are read under: toNomad by ours, fromNomad by Nomad's; each gives the other name and the kind. */
export type Block = Readonly<Record<Direction, ReadonlyMap<string, readonly [string, Kind]>>>;

export const pascal = (k: string) => k.charAt(0).toUpperCase() + k.slice(1);
const camel = (k: string) => k.charAt(0).toLowerCase() + k.slice(1);
const isObject = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

// Maps whose keys are the user's (driver config, meta, env, headers…), not
// field names: copied as they are wherever they stand, named or not.
const userKeyed = [
  "config",
  "meta",
  "env",
  "policy",
  "taggedAddresses",
  "canaryMeta",
  "header",
  "add",
  "set",
  "options",
  "headers",
  "args",
];
const userKeyedOurs = new Set(userKeyed);
const userKeyedNomad = new Set(userKeyed.map(pascal));

/** Our spec's value with every field name as Nomad spells it, and back. */
export function convert(v: unknown, block: Block, d: Direction): Obj | undefined {
  if (!isObject(v)) return undefined;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    // Go's unset pointers arrive as null, and its unset strings as "" (Nomad
    // reads "" as its default: a network's mode as host, a service's address
    // mode as auto); our spec never holds either.
    if (x === undefined || (d === "fromNomad" && (x === null || x === ""))) continue;
    const [name, kind] = block[d].get(k) ?? unnamed(k, d);
    const value = kind[d](x);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

const nested = (x: unknown, d: Direction): unknown =>
  Array.isArray(x) ? x.map((e) => nested(e, d)) : isObject(x) ? convert(x, empty, d) : x;
const same = (x: unknown) => x;
/** A value under a field the table does not type: names re-cased all the way down. */
export const plain: Kind = {
  toNomad: (x) => nested(x, "toNomad"),
  fromNomad: (x) => nested(x, "fromNomad"),
};
/** A map of the user's keys, copied as it is. */
export const opaque: Kind = { toNomad: same, fromNomad: same };

/** A field the table does not name: PascalCase one way, camelCase the other. */
function unnamed(k: string, d: Direction): readonly [string, Kind] {
  if (d === "toNomad") return [pascal(k), userKeyedOurs.has(k) ? opaque : plain];
  return [camel(k), userKeyedNomad.has(k) ? opaque : plain];
}

const ignored: Kind = { toNomad: () => undefined, fromNomad: () => undefined };

/**
 * A block's fields. Nomad fields named in `ignore` are never read: the server
 * owns them, or the job model has no place for them.
 */
export function block(fields: Record<string, Field>, ignore: readonly string[] = []): Block {
  const ours = new Map<string, readonly [string, Kind]>();
  const nomad = new Map<string, readonly [string, Kind]>();
  for (const [k, f] of Object.entries(fields)) {
    const [name, kind] =
      typeof f === "string"
        ? [f, userKeyedOurs.has(k) ? opaque : plain]
        : Array.isArray(f)
          ? f
          : [pascal(k), f as Kind];
    ours.set(k, [name, kind]);
    nomad.set(name, [k, kind]);
  }
  for (const name of ignore) nomad.set(name, [name, ignored]);
  return { toNomad: ours, fromNomad: nomad };
}
export const empty = block({});

/** Written out from our spec, never read from a submission: the server sets it. */
export const serverOwned: Kind = {
  toNomad: (x) => nested(x, "toNomad"),
  fromNomad: () => undefined,
};

/** Our Go duration string ⇄ Nomad's nanoseconds. */
export const duration: Kind = {
  toNomad: (v) => (typeof v === "string" ? Math.round((goDurationMs(v) ?? 0) * 1e6) : v),
  fromNomad: (v) => (typeof v === "number" ? compactGoDuration(v) : v),
};

/** A nested block. */
export const one = (b: Block): Kind => ({
  toNomad: (v) => convert(v, b, "toNomad"),
  fromNomad: (v) => convert(v, b, "fromNomad"),
});

/** A list of values of one kind. */
export const list = (k: Kind): Kind => ({
  toNomad: (v) => (Array.isArray(v) ? v.map(k.toNomad) : v),
  fromNomad: (v) => (Array.isArray(v) ? v.map(k.fromNomad) : v),
});

/** A list of blocks. */
export const each = (b: Block): Kind => list(one(b));

/**
 * Our list of named blocks ⇄ Nomad's map of blocks by name. `keepName`: Nomad
 * also repeats the name inside each block.
 */
export const keyed = (b: Block, keepName: boolean): Kind => ({
  toNomad: (v) =>
    Array.isArray(v)
      ? Object.fromEntries(
          (v as Obj[]).map((x) => {
            const { name, ...rest } = x;
            return [name, convert(keepName ? x : rest, b, "toNomad")];
          }),
        )
      : v,
  fromNomad: (v) =>
    v !== null && typeof v === "object"
      ? Object.entries(v).map(([name, x]) => ({ name, ...convert(x, b, "fromNomad") }))
      : undefined,
});

/** A block that is a plain block but for a few fields set or read by hand. */
export const adjusted = (
  b: Block,
  toNomad: (out: Obj, ours: Obj) => Obj,
  fromNomad: (out: Obj, theirs: Obj) => Obj,
): Kind => ({
  toNomad: (v) => {
    const out = convert(v, b, "toNomad");
    return out && toNomad(out, v as Obj);
  },
  fromNomad: (v) => {
    const out = convert(v, b, "fromNomad");
    return out && fromNomad(out, v as Obj);
  },
});
