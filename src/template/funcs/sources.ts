// The data-source functions (key, ls, secret, service, nomadVar, …) over the
// caller's TemplateSources, following consul-template's two-phase model: a
// source without the data yet gives undefined; the read is recorded as missing
// and an empty value is rendered, so the caller fetches and renders again.
import { chooseRegistrations } from "../../crds/service-registration.js";
import type { ServiceInstance, TemplateDependency } from "../types.js";
import { kindOf, mapGet, typeName } from "../values.js";
import { type CallContext, type FuncMap, fn } from "./types.js";

type Kind = TemplateDependency["kind"];

/** Read one source; record the dependency, and as missing when required and absent. */
function read<T>(
  ctx: CallContext,
  kind: Kind,
  name: string,
  get: () => T | undefined,
  required = true,
): T | undefined {
  const value = get();
  ctx.use({ kind, name }, required && value === undefined);
  return value;
}

interface KeyPair {
  Key: string;
  Value: string;
}

function keyPairs(ctx: CallContext, prefix: string, onlyTopLevel: boolean): KeyPair[] {
  if (prefix === "") return [];
  const pairs = read(ctx, "ls", prefix, () => ctx.sources.ls?.(prefix)) ?? [];
  return pairs
    .filter((p) => p.key !== "" && (!onlyTopLevel || !p.key.includes("/")))
    .map((p) => ({ Key: p.key, Value: p.value }))
    .sort((a, b) => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : 0));
}

function keyPairList(name: string, v: unknown): KeyPair[] {
  if (kindOf(v) !== "slice") throw new Error(`${name}: wrong argument type ${typeName(v)}`);
  return (v as unknown[]).map((p) => {
    const key = kindOf(p) === "map" ? mapGet(p as object, "Key") : undefined;
    const value = kindOf(p) === "map" ? mapGet(p as object, "Value") : undefined;
    if (typeof key !== "string") throw new Error(`${name}: wrong argument type ${typeName(p)}`);
    return { Key: key, Value: typeof value === "string" ? value : "" };
  });
}

/** explode: "a/b/c" keys into nested maps. */
function explode(pairs: KeyPair[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const { Key, Value } of pairs) {
    const parts = Key.split("/");
    let m = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i] as string;
      if (!Object.hasOwn(m, part)) m[part] = {};
      const next = m[part];
      if (kindOf(next) !== "map") {
        throw new Error(
          `explode: not a map: ${JSON.stringify(Key)}: ${JSON.stringify(part)} already has value ${JSON.stringify(next)}`,
        );
      }
      m = next as Record<string, unknown>;
    }
    const last = parts[parts.length - 1] as string;
    if (last !== "") m[last] = Value;
  }
  return root;
}

/**
 * nomadService <count> <key> <name>: a stable subset of `count` instances for
 * this key, chosen as Nomad's `choose=<count>|<key>` chooses (rendezvous
 * hashing), so each allocation keeps the same upstreams while the set changes
 * little.
 */
function chooseInstances(all: ServiceInstance[], count: number, key: string): ServiceInstance[] {
  const keyed = all.map((s) => ({
    s,
    ID: s.ID ?? "",
    ServiceName: s.Name,
    Namespace: s.Namespace ?? "",
    AllocID: s.AllocID ?? "",
    Address: s.Address,
    Port: s.Port,
    Tags: s.Tags,
  }));
  return chooseRegistrations(keyed, count, key).map((k) => k.s);
}

/** consul-template's `service` lists healthy instances only: those whose checks all pass. */
const healthy = (all: ServiceInstance[]) =>
  all.filter((s) => s.Status === undefined || s.Status === "passing");

function loopBound(v: unknown): number {
  const k = kindOf(v);
  if (k === "int") return Number(v);
  if (k === "string") {
    if (v === "") return 0;
    if (!/^[+-]?\d+$/.test(v as string)) {
      throw new Error(`parseInt: strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
    }
    return Number(v);
  }
  throw new Error(`loop: bad argument type: ${typeName(v)}`);
}

export const SOURCE_FUNCS: FuncMap = {
  env: fn(["string"], (ctx, [name]) => ctx.env[name as string] ?? ""),
  envOrDefault: fn(["string", "string"], (ctx, [name, def]) =>
    Object.hasOwn(ctx.env, name as string) ? ctx.env[name as string] : def,
  ),
  mustEnv: fn(["string"], (ctx, [name]) => {
    const v = ctx.env[name as string] ?? "";
    if (v === "") throw new Error(`required environment variable ${name} is empty`);
    return v;
  }),
  key: fn(["string"], (ctx, [path]) => {
    if (path === "") return "";
    return read(ctx, "key", path as string, () => ctx.sources.key?.(path as string)) ?? "";
  }),
  keyOrDefault: fn(["string", "string"], (ctx, [path, def]) => {
    if (path === "") return def;
    const v = read(ctx, "key", path as string, () => ctx.sources.key?.(path as string), false);
    return v === undefined || v === "" ? def : v;
  }),
  keyExists: fn(["string"], (ctx, [path]) => {
    if (path === "") return false;
    return (
      read(ctx, "key", path as string, () => ctx.sources.key?.(path as string), false) !== undefined
    );
  }),
  ls: fn(["string"], (ctx, [prefix]) => keyPairs(ctx, prefix as string, true)),
  tree: fn(["string"], (ctx, [prefix]) => keyPairs(ctx, prefix as string, false)),
  secret: fn(
    ["string"],
    (ctx, [path]) => {
      if (path === "") return undefined;
      return read(ctx, "secret", path as string, () => ctx.sources.secret?.(path as string));
    },
    "string",
  ),
  service: fn(
    ["string"],
    (ctx, [name]) =>
      healthy(
        read(ctx, "service", name as string, () => ctx.sources.service?.(name as string)) ?? [],
      ),
    "string",
  ),
  services: fn(
    [],
    (ctx) => read(ctx, "service", "", () => ctx.sources.services?.()) ?? [],
    "string",
  ),
  // Nomad's native service discovery reads the same service registry.
  nomadService: fn(
    [],
    (ctx, args) => {
      if (args.length === 1 && typeof args[0] === "string") {
        const name = args[0];
        return read(ctx, "service", name, () => ctx.sources.service?.(name)) ?? [];
      }
      if (args.length !== 3)
        throw new Error("expected arguments <service> or <count> <key> <service>");
      const [count, key, name] = args;
      if (kindOf(count) !== "int") throw new Error("expected integer for <count> argument");
      if (typeof key !== "string") throw new Error("expected string for <key> argument");
      if (typeof name !== "string") throw new Error("expected string for <service> argument");
      const all = read(ctx, "service", name, () => ctx.sources.service?.(name)) ?? [];
      return chooseInstances(all, Number(count), key);
    },
    "any",
  ),
  nomadServices: fn(
    [],
    (ctx) => read(ctx, "service", "", () => ctx.sources.services?.()) ?? [],
    "string",
  ),
  // Beyond consul-template: a Kubernetes Service's ready endpoints in the allocation's namespace.
  k8sService: fn(["string"], (ctx, [name]) => {
    if (name === "") throw new Error("k8sService: expected a Service name");
    return (
      read(ctx, "k8sService", name as string, () => ctx.sources.k8sService?.(name as string)) ?? []
    );
  }),
  nomadVar: fn(["string"], (ctx, [path]) => {
    if (path === "") return undefined;
    return read(ctx, "nomadVar", path as string, () => ctx.sources.nomadVar?.(path as string));
  }),
  nomadVarExists: fn(["string"], (ctx, [path]) => {
    if (path === "") return false;
    const v = read(
      ctx,
      "nomadVar",
      path as string,
      () => ctx.sources.nomadVar?.(path as string),
      false,
    );
    return v !== undefined;
  }),
  byKey: fn(["any"], (_, [pairs]) => {
    const out: Record<string, Record<string, KeyPair>> = {};
    for (const p of keyPairList("byKey", pairs)) {
      const at = p.Key.indexOf("/");
      if (at < 0) continue;
      const top = p.Key.slice(0, at);
      const rest = p.Key.slice(at + 1);
      if (rest === "") continue;
      out[top] ??= {};
      (out[top] as Record<string, KeyPair>)[rest] = { Key: rest, Value: p.Value };
    }
    return out;
  }),
  byTag: fn(["any"], (_, [services]) => {
    const out: Record<string, unknown[]> = {};
    if (services === null || services === undefined) return out;
    if (kindOf(services) !== "slice")
      throw new Error(`byTag: wrong argument type ${typeName(services)}`);
    for (const s of services as unknown[]) {
      const tags = kindOf(s) === "map" ? mapGet(s as object, "Tags") : undefined;
      if (!Array.isArray(tags)) continue;
      for (const t of tags) {
        out[String(t)] ??= [];
        (out[String(t)] as unknown[]).push(s);
      }
    }
    return out;
  }),
  explode: fn(["any"], (_, [pairs]) => explode(keyPairList("explode", pairs))),
  loop: fn(
    [],
    (_, args) => {
      if (args.length !== 1 && args.length !== 2) {
        throw new Error(`loop: wrong number of arguments, expected 1 or 2, but got ${args.length}`);
      }
      const [start, stop] =
        args.length === 1 ? [0, loopBound(args[0])] : [loopBound(args[0]), loopBound(args[1])];
      if (stop - start > 1_000_000)
        throw new Error(`loop: range too large (${stop - start} iterations)`);
      const out: number[] = [];
      for (let i = start; i < stop; i++) out.push(i);
      return out;
    },
    "any",
  ),
};
