// /v1/node/pools and /v1/node/pool/:name: NomadNodePools, plus Nomad's two
// built-in pools ("all", "default") when no object defines them. Writes
// (`nomad node pool apply` / `delete`) apply or delete the NomadNodePool, with
// Nomad's validation: the built-in pools cannot change, a pool in use by nodes
// or unfinished jobs cannot go. Nomad's messages; where Nomad answers its
// refusals with a 500 (an RPC error), Caravan answers 400 or 404, keeping 500
// for its own faults.
import { compactGoDuration, parseGoDuration } from "../../common/duration.js";
import type { NomadNodePool } from "../../crds/objects.js";
import type { Ctx, Reply, Route } from "../../http/context.js";
import { badRequest, HttpError, multiError, notFound } from "../../http/errors.js";
import { resourceName } from "../../jobspec/resource.js";
import { applyObject, deleteObject } from "../../kube/apply.js";
import { caravanResource } from "../../kube/resources.js";
import { bodyObject, descriptionAndMeta, listReply } from "./common.js";
import type { RouteDeps } from "./deps.js";
import { apiFieldManager, gone, seen } from "./writes.js";

const nodePoolsRef = caravanResource("NomadNodePool");
const validName = /^[a-zA-Z0-9-_]{1,128}$/;

const builtIn: Record<string, string> = {
  all: "Node pool with all nodes in the cluster.",
  default: "Default node pool.",
};

export function nodePoolRoutes(deps: RouteDeps): Route[] {
  const { state, kc } = deps;

  function pools(): { name: string; out: Record<string, unknown> }[] {
    const byName = new Map<string, Record<string, unknown>>();
    for (const [name, description] of Object.entries(builtIn))
      byName.set(name, {
        Name: name,
        Description: description,
        Meta: null,
        SchedulerConfiguration: null,
        CreateIndex: 1,
        ModifyIndex: 1,
      });
    for (const p of state.nodePools.store.list()) byName.set(name(p), out(p));
    return [...byName].map(([n, o]) => ({ name: n, out: o }));
  }
  const name = (p: NomadNodePool) => p.spec.name ?? p.metadata.name;
  const objectOf = (pool: string) => state.nodePools.store.list().find((p) => name(p) === pool);
  const out = (p: NomadNodePool): Record<string, unknown> => {
    const idx = state.indexesOf(p);
    const sc = p.spec.schedulerConfiguration;
    return {
      Name: name(p),
      Description: p.spec.description ?? "",
      Meta: p.spec.meta ?? null,
      ...(p.spec.nodeIdentityTTL ? { NodeIdentityTTL: goNanos(p.spec.nodeIdentityTTL) } : {}),
      SchedulerConfiguration: sc
        ? {
            SchedulerAlgorithm: sc.schedulerAlgorithm ?? "",
            MemoryOversubscriptionEnabled: sc.memoryOversubscriptionEnabled ?? null,
          }
        : null,
      CreateIndex: idx.create,
      ModifyIndex: idx.modify,
    };
  };
  /** PUT /v1/node/pools (and /v1/node/pool/:name): Nomad's NodePool.UpsertNodePools. */
  async function upsert(ctx: Ctx): Promise<Reply> {
    const body = bodyObject(ctx);
    const pool = typeof body.Name === "string" ? body.Name : "";
    if (ctx.params.name !== undefined && pool !== ctx.params.name)
      throw badRequest("Node pool name does not match request path");
    const spec = poolSpec(pool, body);
    if (pool in builtIn) throw badRequest(`modifying node pool "${pool}" is not allowed`);
    const objectName = objectOf(pool)?.metadata.name ?? resourceName(pool);
    const written = await applyObject<NomadNodePool>(
      kc,
      nodePoolsRef,
      {
        metadata: { name: objectName },
        spec: { ...(objectName !== pool ? { name: pool } : {}), ...spec },
      },
      apiFieldManager,
    );
    return { body: null, index: await seen(state, "nodePools", written.metadata.resourceVersion) };
  }

  /** DELETE /v1/node/pool/:name: Nomad's NodePool.DeleteNodePools. */
  async function remove(ctx: Ctx): Promise<Reply> {
    const pool = ctx.params.name ?? "";
    if (!pool) throw badRequest("node pool name is empty");
    const inUse: string[] = [];
    const jobs = state.jobs.store
      .list()
      .filter((j) => (j.spec.nodePool ?? "default") === pool && j.status?.status !== "dead");
    if (jobs.length)
      inUse.push(`node pool "${pool}" has non-terminal jobs in regions: [${region}]`);
    const nodes = state.nodes.store
      .list()
      .filter((n) => (n.status?.nodePool ?? n.spec.nodePool ?? "default") === pool);
    if (nodes.length) inUse.push(`node pool "${pool}" has nodes in regions: [${region}]`);
    if (inUse.length) throw badRequest(multiError(inUse));
    if (pool in builtIn) throw badRequest(`deleting node pool "${pool}" is not allowed`);
    const p = objectOf(pool);
    if (!p) throw new HttpError(404, `node pool ${pool} not found`);
    await deleteObject(kc, nodePoolsRef, p);
    return { body: null, index: await gone(state, "nodePools", p) };
  }
  const region = deps.config.region;

  // As Nomad's NodePool endpoint: a node_pool rule, not the node rule, lets a token see a pool.
  const visible = (ctx: Ctx, pool: string) => ctx.acl.allowNodePool(pool, "read");

  return [
    {
      method: "GET",
      path: "/v1/node/pools",
      acl: "filtered",
      watch: ["nodePools"],
      handle: (ctx): Reply =>
        listReply(
          pools().filter((p) => visible(ctx, p.name)),
          (p) => p.name,
          (p) => p.out,
          ctx,
          state.index(["nodePools"]),
        ),
    },
    {
      method: "GET",
      path: "/v1/node/pool/:name",
      acl: "pool:read",
      watch: ["nodePools"],
      handle: (ctx): Reply => {
        const want = ctx.params.name ?? "";
        const found = pools().find((p) => p.name === want);
        if (!found) throw notFound("node pool");
        return { body: found.out, index: state.index(["nodePools"]) };
      },
    },
    { method: "POST", path: "/v1/node/pools", acl: "pool:write", handle: upsert },
    { method: "POST", path: "/v1/node/pool/:name", acl: "pool:write", handle: upsert },
    { method: "DELETE", path: "/v1/node/pool/:name", acl: "pool:delete", handle: remove },
  ];
}

/** The NomadNodePool spec an api.NodePool asks for, or Nomad's 400 naming what is wrong. */
function poolSpec(pool: string, body: Record<string, unknown>): NomadNodePool["spec"] {
  const errors: string[] = [];
  if (!validName.test(pool))
    errors.push(`invalid name ${JSON.stringify(pool)}, must match regex ${validName.source}`);
  const { description, meta } = descriptionAndMeta(body, errors);
  const ttl = identityTTL(body.NodeIdentityTTL, errors);
  const sc = schedulerConfiguration(body.SchedulerConfiguration, errors);
  if (errors.length)
    throw badRequest(`invalid node pool ${JSON.stringify(pool)}: ${multiError(errors)}`);
  return {
    ...(description ? { description } : {}),
    ...(meta ? { meta } : {}),
    ...(ttl ? { nodeIdentityTTL: ttl } : {}),
    ...(sc ? { schedulerConfiguration: sc } : {}),
  };
}

/** NodeIdentityTTL: nanoseconds or a Go duration, as Nomad's api.NodePool reads it. */
function identityTTL(value: unknown, errors: string[]): string | undefined {
  if (value === undefined || value === null || value === 0 || value === "") return undefined;
  if (typeof value === "number" && Number.isInteger(value) && value > 0)
    return compactGoDuration(value);
  if (typeof value === "string" && parseGoDuration(value).ok) return value;
  errors.push(`invalid NodeIdentityTTL ${JSON.stringify(value)}: a positive Go duration`);
  return undefined;
}

function schedulerConfiguration(
  value: unknown,
  errors: string[],
): NonNullable<NomadNodePool["spec"]["schedulerConfiguration"]> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    errors.push("SchedulerConfiguration must be an object");
    return undefined;
  }
  const { SchedulerAlgorithm: algorithm = "", MemoryOversubscriptionEnabled: oversub = null } =
    value as Record<string, unknown>;
  if (algorithm !== "" && algorithm !== "binpack" && algorithm !== "spread")
    errors.push(`invalid scheduler algorithm: ${String(algorithm)}`);
  if (oversub !== null && typeof oversub !== "boolean")
    errors.push("SchedulerConfiguration.MemoryOversubscriptionEnabled must be true or false");
  const out: NonNullable<NomadNodePool["spec"]["schedulerConfiguration"]> = {};
  if (algorithm === "binpack" || algorithm === "spread") out.schedulerAlgorithm = algorithm;
  if (typeof oversub === "boolean") out.memoryOversubscriptionEnabled = oversub;
  return Object.keys(out).length ? out : undefined;
}

/** A Go duration as the nanoseconds Nomad's JSON carries. */
function goNanos(text: string): number {
  const d = parseGoDuration(text);
  return d.ok ? Number(d.nanos) : 0;
}
