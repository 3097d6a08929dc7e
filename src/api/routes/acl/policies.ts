// /v1/acl/policies and /v1/acl/policy/:name: NomadACLPolicy objects. A client
// token reads only the policies it holds (its own and its roles').

import { parsePolicy } from "../../../acl/policy.js";
import type { NomadACLPolicy } from "../../../crds/objects.js";
import { policyName } from "../../../http/acl-objects.js";
import type { Ctx, Reply, Route } from "../../../http/context.js";
import { badRequest, notFound, permissionDenied } from "../../../http/errors.js";
import { resourceName } from "../../../jobspec/resource.js";
import { applyObject, deleteObject } from "../../../kube/apply.js";
import { policyOut, policyStub } from "../../convert/acl.js";
import { bodyObject, listReply } from "../common.js";
import { apiFieldManager, gone, seen } from "../writes.js";
import { type AclDeps, objectReply, policiesRef } from "./shared.js";

export function policyRoutes(a: AclDeps): Route[] {
  return [
    {
      method: "GET",
      path: "/v1/acl/policies",
      acl: "token",
      watch: ["policies"],
      handle: (ctx) => listPolicies(a, ctx),
    },
    {
      method: "GET",
      path: "/v1/acl/policy/:name",
      acl: "token",
      watch: ["policies"],
      handle: (ctx) => readPolicy(a, ctx),
    },
    {
      method: "POST",
      path: "/v1/acl/policy/:name",
      acl: "management",
      handle: (ctx) => writePolicy(a, ctx),
    },
    {
      method: "DELETE",
      path: "/v1/acl/policy/:name",
      acl: "management",
      handle: (ctx) => deletePolicy(a, ctx),
    },
  ];
}

function listPolicies({ state }: AclDeps, ctx: Ctx): Reply {
  const mine = new Set(ctx.token?.policies ?? []);
  const visible = state.policies.store
    .list()
    .filter((p) => ctx.acl.management || mine.has(policyName(p)));
  return listReply(
    visible,
    policyName,
    (p) => policyStub(p, state.indexesOf(p)),
    ctx,
    state.index(["policies"]),
  );
}

function readPolicy({ state, auth }: AclDeps, ctx: Ctx): Reply {
  const name = ctx.params.name ?? "";
  if (!ctx.acl.management && !(ctx.token?.policies ?? []).includes(name)) throw permissionDenied();
  const p = auth.policy(name);
  if (!p) throw notFound("ACL policy");
  return objectReply(state, p, policyOut);
}

async function writePolicy({ state, auth, kc }: AclDeps, ctx: Ctx): Promise<Reply> {
  const name = ctx.params.name ?? "";
  const body = bodyObject(ctx);
  if (body.Name !== undefined && body.Name !== name)
    throw badRequest("Policy name does not match request path");
  if (!/^[a-zA-Z0-9-]{1,128}$/.test(name)) throw badRequest(`invalid name '${name}'`);
  if (typeof body.Rules !== "string" || !body.Rules.trim())
    throw badRequest("Policy rules are empty");
  const parsed = parsePolicy(body.Rules);
  if (!parsed.ok) throw badRequest(`failed to parse rules: ${parsed.error}`);
  const description = typeof body.Description === "string" ? body.Description : undefined;
  const objectName = resourceName(name);
  const written = await applyObject<NomadACLPolicy>(
    kc,
    policiesRef,
    {
      metadata: { name: auth.policy(name)?.metadata.name ?? objectName },
      spec: {
        ...(objectName !== name ? { name } : {}),
        ...(description ? { description } : {}),
        rules: body.Rules,
      },
    },
    apiFieldManager,
  );
  const index = await seen(state, "policies", written.metadata.resourceVersion);
  return { body: null, index };
}

async function deletePolicy({ state, auth, kc }: AclDeps, ctx: Ctx): Promise<Reply> {
  const p = auth.policy(ctx.params.name ?? "");
  if (!p) throw notFound("ACL policy");
  await deleteObject(kc, policiesRef, p);
  return { body: null, index: await gone(state, "policies", p) };
}
