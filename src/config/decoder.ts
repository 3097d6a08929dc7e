// Reading an agent configuration file's parsed tree (./hcl1) into typed
// settings: every error and warning names the file, line and setting. Blocks
// repeated in a body merge, as hcl v1 merges them into Nomad's structs.
import { parseGoDuration } from "../common/duration.js";
import type { Hcl1Field, Hcl1Node, Pos } from "./hcl1/parser.js";

export type Handler = (value: Hcl1Node, at: string, field: Hcl1Field) => void;

/** What a block does with a key it has no handler for. */
export type UnknownKeys =
  /** Nomad refuses the file ("unexpected keys …"): so do we. */
  | "refuse"
  /** Nomad decodes the block loosely and drops keys it does not know; we say so. */
  | "warn";

export class Decoder {
  readonly errors: string[] = [];
  readonly warnings: string[] = [];
  constructor(readonly file: string) {}

  /** "file:line:col" (just the file for data that came with no positions: line 0). */
  at(pos: Pos, column = true): string {
    if (pos.line === 0) return this.file;
    return column ? `${this.file}:${pos.line}:${pos.column}` : `${this.file}:${pos.line}`;
  }

  fail(pos: Pos, path: string, message: string): undefined {
    this.errors.push(`${this.at(pos)}: ${path}: ${message}`);
    return undefined;
  }

  /** One line for a setting that is read but does nothing here, saying why. */
  ignore(pos: Pos, path: string, why: string): void {
    this.warnings.push(`${this.at(pos, false)}: ${path} is ignored: ${why}`);
  }

  /** A block's body: `key { … }`, `key = { … }`, or (JSON) a list of such bodies, merged. */
  block(value: Hcl1Node, path: string): Hcl1Field[] | undefined {
    if (value.kind === "object") return value.fields;
    if (value.kind === "list" && value.items.every((i) => i.kind === "object"))
      return value.items.flatMap((i) => (i.kind === "object" ? i.fields : []));
    return this.fail(value.pos, path, `expected a block, got ${describe(value)}`);
  }

  string(value: Hcl1Node, path: string): string | undefined {
    if (value.kind === "string") return value.value;
    if (value.kind === "number" || value.kind === "bool") return String(value.value);
    return this.fail(value.pos, path, `expected a string, got ${describe(value)}`);
  }

  /** hcl v1 reads true/false, 1/0 and those in quotes as booleans. */
  bool(value: Hcl1Node, path: string): boolean | undefined {
    const s =
      value.kind === "null" || value.kind === "list" || value.kind === "object"
        ? undefined
        : String(value.value).toLowerCase();
    if (s === "true" || s === "1") return true;
    if (s === "false" || s === "0") return false;
    return this.fail(value.pos, path, `expected true or false, got ${describe(value)}`);
  }

  int(value: Hcl1Node, path: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const n =
      value.kind === "number" && !value.float
        ? value.value
        : value.kind === "string" && /^\s*-?\d+\s*$/.test(value.value)
          ? Number(value.value)
          : undefined;
    if (n !== undefined && n >= min && n <= max) return n;
    return this.fail(
      value.pos,
      path,
      `expected a whole number from ${min} to ${max}, got ${describe(value)}`,
    );
  }

  float(value: Hcl1Node, path: string, min = 0, max = Number.MAX_VALUE): number | undefined {
    const n =
      value.kind === "number"
        ? value.value
        : value.kind === "string" && value.value.trim() !== ""
          ? Number(value.value)
          : Number.NaN;
    if (Number.isFinite(n) && n >= min && n <= max) return n;
    return this.fail(
      value.pos,
      path,
      `expected a number from ${min} to ${max}, got ${describe(value)}`,
    );
  }

  /** A Go duration ("4h", "1h30m", "90s"); `example` is the one an error suggests. */
  duration(value: Hcl1Node, path: string, example = '"4h" or "30m"'): string | undefined {
    const s = this.string(value, path);
    if (s === undefined) return undefined;
    if (!parseGoDuration(s).ok)
      return this.fail(
        value.pos,
        path,
        `expected a duration such as ${example}, got ${JSON.stringify(s)}`,
      );
    return s;
  }

  /** A list of strings; a single string is a list of one, as hcl v1 reads it. */
  strings(value: Hcl1Node, path: string): string[] | undefined {
    const items = value.kind === "list" ? value.items : [value];
    const out: string[] = [];
    for (const item of items) {
      if (item.kind !== "string" && item.kind !== "number" && item.kind !== "bool")
        return this.fail(item.pos, path, `expected a list of strings, got ${describe(value)}`);
      out.push(String(item.value));
    }
    return out;
  }

  stringMap(value: Hcl1Node, path: string): Record<string, string> | undefined {
    const body = this.block(value, path);
    if (!body) return undefined;
    const out: Record<string, string> = {};
    for (const f of body) {
      const s = this.string(f.value, `${path}.${f.key}`);
      if (s !== undefined) out[f.key] = s;
    }
    return out;
  }

  /**
   * Calls the handler for each key of a body. A block written several times
   * is one merged block; any other repeated key is read each time (the last
   * wins). A key with no handler is refused as Nomad refuses it, or warned of
   * where Nomad drops it.
   */
  fields(
    body: readonly Hcl1Field[],
    path: string,
    handlers: Record<string, Handler>,
    unknown: UnknownKeys = "refuse",
    /** Blocks that stay apart when repeated (consul and vault: one per cluster). */
    separate: readonly string[] = [],
  ): void {
    for (const field of mergeRepeatedBlocks(body, separate)) {
      const at = path ? `${path}.${field.key}` : field.key;
      const handler = Object.hasOwn(handlers, field.key) ? handlers[field.key] : undefined;
      if (handler) handler(field.value, at, field);
      else if (unknown === "warn")
        this.ignore(field.pos, at, "not a setting Nomad knows; Nomad drops it too");
      else
        this.errors.push(
          `${this.at(field.pos)}: ${path ? `${path} ` : ""}unexpected keys ${field.key}`,
        );
    }
  }
}

/** Fields in order of first appearance, blocks written more than once merged into one. */
export function mergeRepeatedBlocks(
  body: readonly Hcl1Field[],
  separate: readonly string[] = [],
): Hcl1Field[] {
  const out: Hcl1Field[] = [];
  const blocks = new Map<string, Hcl1Field>();
  for (const f of body) {
    const earlier = blocks.get(f.key);
    if (
      f.value.kind === "object" &&
      earlier &&
      earlier.value.kind === "object" &&
      !separate.includes(f.key)
    ) {
      const merged: Hcl1Field = {
        ...earlier,
        value: { ...earlier.value, fields: [...earlier.value.fields, ...f.value.fields] },
      };
      out[out.indexOf(earlier)] = merged;
      blocks.set(f.key, merged);
      continue;
    }
    out.push(f);
    if (f.value.kind === "object") blocks.set(f.key, f);
  }
  return out;
}

export function describe(value: Hcl1Node): string {
  switch (value.kind) {
    case "string":
      return JSON.stringify(value.value);
    case "number":
    case "bool":
      return String(value.value);
    case "null":
      return "null";
    case "list":
      return "a list";
    case "object":
      return "a block";
  }
}

/** Sets `key` to a value that decoded; one that did not was reported, and changes nothing. */
export function setIf<T extends object, K extends keyof T>(
  target: T,
  key: K,
  value: T[K] | undefined,
): void {
  if (value !== undefined) target[key] = value;
}
