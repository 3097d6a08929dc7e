// Reading a driver's free-form config block field by field, collecting errors
// that name the field. Blocks arrive either as objects or, as Nomad's JSON
// jobspec writes them, as lists of objects; both read the same. Pure.

export type Obj = Record<string, unknown>;

export class FieldReader {
  readonly errors: string[] = [];

  constructor(
    private readonly driver: string,
    /** Prefix for error paths: "config" for a task, "plugin.docker.config" for the plugin. */
    private readonly at = "config",
  ) {}

  /** Names every key of `config` that the driver does not know. */
  known(config: Obj, keys: readonly string[], at = this.at): void {
    const set = new Set(keys);
    for (const key of Object.keys(config))
      if (!set.has(key)) this.errors.push(`${at}: unknown option "${key}" for ${this.driver}`);
  }

  string(config: Obj, key: string, required = false): string | undefined {
    const v = config[key];
    if (v === undefined || v === null || v === "") {
      if (required) this.errors.push(`${this.at}.${key}: required`);
      return undefined;
    }
    if (typeof v !== "string") {
      this.errors.push(`${this.at}.${key}: must be a string`);
      return undefined;
    }
    return v;
  }

  bool(config: Obj, key: string): boolean | undefined {
    const v = config[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === "boolean") return v;
    if (v === "true" || v === "1") return true;
    if (v === "false" || v === "0") return false;
    this.errors.push(`${this.at}.${key}: must be true or false`);
    return undefined;
  }

  number(config: Obj, key: string): number | undefined {
    const v = config[key];
    if (v === undefined || v === null || v === "") return undefined;
    const n = typeof v === "number" ? v : typeof v === "string" ? Number(v) : Number.NaN;
    if (!Number.isFinite(n)) {
      this.errors.push(`${this.at}.${key}: must be a number`);
      return undefined;
    }
    return n;
  }

  strings(config: Obj, key: string): string[] | undefined {
    const v = config[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || !v.every((x) => typeof x === "string" || typeof x === "number")) {
      this.errors.push(`${this.at}.${key}: must be a list of strings`);
      return undefined;
    }
    return v.map(String);
  }

  /** A map of strings (labels, sysctl, ulimit), written as a block or a map. */
  map(config: Obj, key: string): Record<string, string> | undefined {
    const v = config[key];
    if (v === undefined || v === null) return undefined;
    const merged = mergeBlocks(v);
    if (!merged) {
      this.errors.push(`${this.at}.${key}: must be a map`);
      return undefined;
    }
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(merged)) {
      if (typeof x === "object" && x !== null) {
        this.errors.push(`${this.at}.${key}.${k}: must be a string`);
        continue;
      }
      out[k] = String(x);
    }
    return out;
  }

  /** Nomad's port_map: port labels to the port the task listens on. */
  portMap(config: Obj, key = "port_map"): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [label, value] of Object.entries(this.map(config, key) ?? {})) {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        this.errors.push(`${this.at}.${key}.${label}: must be a port number, got "${value}"`);
      else out[label] = port;
    }
    return out;
  }

  /** Every instance of a repeatable block (`mount { … }` twice). */
  blocks(config: Obj, key: string): Obj[] {
    const v = config[key];
    if (v === undefined || v === null) return [];
    const list = Array.isArray(v) ? v : [v];
    if (!list.every(isObj)) {
      this.errors.push(`${this.at}.${key}: must be a block`);
      return [];
    }
    return list as Obj[];
  }

  /** A block that appears at most once. */
  block(config: Obj, key: string): Obj | undefined {
    const v = config[key];
    if (v === undefined || v === null) return undefined;
    const merged = mergeBlocks(v);
    if (!merged) this.errors.push(`${this.at}.${key}: must be a block`);
    return merged;
  }

  /** A reader for a nested block's fields, sharing this one's errors. */
  nested(at: string): FieldReader {
    const r = new FieldReader(this.driver, `${this.at}.${at}`);
    (r as { errors: string[] }).errors = this.errors;
    return r;
  }

  get path(): string {
    return this.at;
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function mergeBlocks(v: unknown): Obj | undefined {
  if (isObj(v)) return v;
  if (Array.isArray(v) && v.every(isObj)) return Object.assign({}, ...v);
  return undefined;
}
