// /v1/node/pools and /v1/node/pool/:name: NomadNodePools, plus Nomad's two
// built-in pools ("all", "default") when no object defines them.
import type { NomadNodePool } from "../../crds/objects.js";
import type { Ctx, Reply, Route } from "../../http/context.js";
import { notFound } from "../../http/errors.js";
import { listReply } from "./common.js";
import type { RouteDeps } from "./deps.js";

const builtIn: Record<string, string> = {
  all: "Node pool with all nodes in the cluster.",
  default: "Default node pool.",
};

export function nodePoolRoutes(deps: RouteDeps): Route[] {
  const { state } = deps;

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
  const out = (p: NomadNodePool): Record<string, unknown> => {
    const idx = state.indexesOf(p);
    const sc = p.spec.schedulerConfiguration;
    return {
      Name: name(p),
      Description: p.spec.description ?? "",
      Meta: p.spec.meta ?? null,
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
  ];
}
