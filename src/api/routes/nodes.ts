// /v1/nodes and /v1/node/:id: reads, the node's allocations, and drain and
// eligibility as writes to the NomadNode's spec (the drainer acts on them).

import { compactGoDuration } from "../../common/duration.js";
import { agentName } from "../../config/agent-config.js";
import type { NomadNode } from "../../crds/objects.js";
import type { Ctx, Reply, Route } from "../../http/context.js";
import { badRequest, HttpError, notFound } from "../../http/errors.js";
import { mergePatch } from "../../kube/apply.js";
import { caravanResource } from "../../kube/resources.js";
import { nodeOut, nodeStub } from "../convert/node.js";
import { byNode } from "../state.js";
import { allocFull } from "./allocations.js";
import { bodyObject, listReply } from "./common.js";
import type { RouteDeps } from "./deps.js";
import { clientForwarder } from "./forward.js";
import { seen } from "./writes.js";

const nodesRef = caravanResource("NomadNode");

export function nodeRoutes(deps: RouteDeps): Route[] {
  const { state, kc } = deps;
  const forward = clientForwarder(deps);

  function node(ctx: Ctx): NomadNode {
    const n = state.nodes.store.get(ctx.params.id ?? "");
    if (!n) throw notFound("node");
    return n;
  }

  async function write(n: NomadNode, spec: Record<string, unknown>): Promise<Reply> {
    const written = await mergePatch<NomadNode>(kc, nodesRef, n, { spec });
    const index = await seen(state, "nodes", written.metadata.resourceVersion);
    return {
      body: { EvalIDs: [], EvalCreateIndex: 0, NodeModifyIndex: index, Index: index },
      index,
    };
  }

  return [
    {
      method: "GET",
      path: "/v1/nodes",
      acl: "node:read",
      watch: ["nodes"],
      handle: (ctx) => {
        return listReply(
          state.nodes.store.list(),
          (n) => n.metadata.name,
          (n) => nodeStub(n, state.indexesOf(n)),
          ctx,
          state.index(["nodes"]),
        );
      },
    },
    {
      method: "GET",
      path: "/v1/node/:id/allocations",
      acl: "node:read",
      watch: ["allocations"],
      handle: (ctx) => {
        const n = node(ctx);
        const allocs = state.allocations.store
          .byIndex(byNode, n.metadata.name)
          .filter((a) => ctx.acl.allowNamespace(a.metadata.namespace ?? "default", "read-job"));
        // Nomad answers whole allocations here, each with its job (the CLI reads them).
        return {
          body: allocs.map((a) => allocFull(state, a)),
          index: state.index(["allocations"]),
        };
      },
    },
    {
      method: "POST",
      path: "/v1/node/:id/drain",
      acl: "node:write",
      handle: (ctx) => {
        const n = node(ctx);
        const body = bodyObject(ctx);
        const drain = body.DrainSpec as Record<string, unknown> | null | undefined;
        if (drain === null || drain === undefined) {
          // Cancelling a drain; MarkEligible makes the node take work again.
          return write(n, {
            drain: null,
            ...(body.MarkEligible === true ? { eligibility: "eligible" } : {}),
          });
        }
        if (typeof drain !== "object" || Array.isArray(drain))
          throw badRequest("DrainSpec must be an object");
        const deadline = drain.Deadline ?? 0;
        if (typeof deadline !== "number")
          throw badRequest("DrainSpec.Deadline must be nanoseconds");
        return write(n, {
          drain: {
            // Nomad: a negative deadline forces the drain at once; zero means no deadline.
            ...(deadline > 0 ? { deadline: compactGoDuration(deadline) } : {}),
            ...(deadline < 0 ? { force: true } : {}),
            ignoreSystemJobs: drain.IgnoreSystemJobs === true,
            ...(body.Meta && typeof body.Meta === "object" ? { meta: body.Meta } : {}),
          },
          eligibility: "ineligible",
        });
      },
    },
    {
      method: "POST",
      path: "/v1/node/:id/eligibility",
      acl: "node:write",
      handle: (ctx) => {
        const n = node(ctx);
        const e = bodyObject(ctx).Eligibility;
        if (e !== "eligible" && e !== "ineligible")
          throw badRequest(`invalid scheduling eligibility ${JSON.stringify(e ?? "")}`);
        if (e === "eligible" && n.spec.drain)
          throw badRequest(
            "can not set node's scheduling eligibility to eligible: node is draining",
          );
        return write(n, { eligibility: e });
      },
    },
    {
      method: "GET",
      path: "/v1/client/stats",
      // Nomad's ClientStats.Stats: node read. The node's agent answers (and checks again).
      acl: "node:read",
      handle: (ctx) => {
        // Without node_id, the local client's (`caravan dev`), as a Nomad client agent answers.
        const id =
          ctx.query.get("node_id") || (deps.config.client.enabled ? agentName(deps.config) : "");
        if (!id) throw new HttpError(400, "No local Node and node_id not provided");
        if (!state.nodes.store.get(id)) throw new HttpError(404, `Unknown node ${id}`);
        return forward(ctx, id);
      },
    },
    {
      method: "GET",
      path: "/v1/node/:id",
      acl: "node:read",
      watch: ["nodes"],
      handle: (ctx) => {
        const n = node(ctx);
        const idx = state.indexesOf(n);
        return { body: nodeOut(n, idx), index: idx.modify };
      },
    },
  ];
}
