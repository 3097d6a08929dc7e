// /v1/acl/roles and /v1/acl/role[/:id|/name/:name]: a role is a NomadACLRole
// whose Nomad ID is the object's UID. Tokens store the names of the roles they
// link: renaming a role through the API renames it in its tokens, and deleting
// one takes it from them, so a later role of the same name is not linked.
import type { NomadACLRole, NomadACLToken } from "../../../crds/objects.js";
import { roleID, roleName } from "../../../http/acl-objects.js";
import type { Ctx, Reply, Route } from "../../../http/context.js";
import { badRequest, notFound, permissionDenied } from "../../../http/errors.js";
import { resourceName } from "../../../jobspec/resource.js";
import { createObject, deleteObject, mergePatch } from "../../../kube/apply.js";
import { roleOut } from "../../convert/acl.js";
import { bodyObject, listReply } from "../common.js";
import { gone } from "../writes.js";
import { type AclDeps, cached, objectReply, rolesRef, tokensRef, writtenReply } from "./shared.js";

export function roleRoutes(a: AclDeps): Route[] {
  return [
    {
      method: "GET",
      path: "/v1/acl/roles",
      acl: "token",
      watch: ["roles", "tokens"],
      handle: (ctx) => listRoles(a, ctx),
    },
    {
      method: "POST",
      path: "/v1/acl/role",
      acl: "management",
      handle: (ctx) => createRole(a, ctx),
    },
    {
      method: "GET",
      path: "/v1/acl/role/name/:name",
      acl: "token",
      watch: ["roles"],
      handle: (ctx) => readRole(a, ctx, a.auth.role(ctx.params.name ?? "")),
    },
    {
      method: "GET",
      path: "/v1/acl/role/:id",
      acl: "token",
      watch: ["roles"],
      handle: (ctx) => readRole(a, ctx, a.auth.roleByID(ctx.params.id ?? "")),
    },
    {
      method: "POST",
      path: "/v1/acl/role/:id",
      acl: "management",
      handle: (ctx) => updateRole(a, ctx),
    },
    {
      method: "DELETE",
      path: "/v1/acl/role/:id",
      acl: "management",
      handle: (ctx) => deleteRole(a, ctx),
    },
  ];
}

function listRoles(a: AclDeps, ctx: Ctx): Reply {
  const { state } = a;
  const visible = state.roles.store.list().filter((r) => mayReadRole(a, ctx, r));
  return listReply(
    visible,
    (r) => roleID(r),
    (r) => roleOut(r, state.indexesOf(r)),
    ctx,
    state.index(["roles", "tokens"]),
  );
}

/** POST /v1/acl/role: a new role, or (with an ID in the body) an update of that role. */
function createRole(a: AclDeps, ctx: Ctx): Promise<Reply> {
  const body = bodyObject(ctx);
  if (!body.ID) return writeRole(a, body);
  return writeRole(a, body, existingRole(a, String(body.ID)));
}

function readRole(a: AclDeps, ctx: Ctx, r: NomadACLRole | undefined): Reply {
  if (r && !mayReadRole(a, ctx, r)) throw permissionDenied();
  if (!r) throw notFound("ACL role");
  return objectReply(a.state, r, roleOut);
}

function updateRole(a: AclDeps, ctx: Ctx): Promise<Reply> {
  const id = ctx.params.id ?? "";
  const body = bodyObject(ctx);
  if (body.ID !== id) throw badRequest("ACL role ID does not match request path");
  return writeRole(a, body, existingRole(a, id));
}

async function deleteRole(a: AclDeps, ctx: Ctx): Promise<Reply> {
  const r = a.auth.roleByID(ctx.params.id ?? "");
  if (!r) throw notFound("ACL role");
  await deleteObject(a.kc, rolesRef, r);
  const index = await gone(a.state, "roles", r);
  await relinkTokens(a, roleName(r), undefined);
  return { body: null, index: Math.max(index, a.state.index(["tokens"])) };
}

/** The role a write names by ID; Nomad's 400 when there is none. */
function existingRole({ auth }: AclDeps, id: string): NomadACLRole {
  const existing = auth.roleByID(id);
  if (!existing) throw badRequest(`cannot find role ${id}`);
  return existing;
}

/** Whether the caller may read this role: management, or a token linking it. */
function mayReadRole({ state, auth }: AclDeps, ctx: Ctx, r: NomadACLRole): boolean {
  if (ctx.acl.management) return true;
  const t = ctx.token && state.tokens.store.get(ctx.token.objectName);
  return !!t && auth.rolesOf(t).includes(r);
}

/** The spec of a role from a Nomad ACLRole body; Nomad's 400s when it is not valid. */
function roleSpec(
  { auth }: AclDeps,
  body: Record<string, unknown>,
  existing?: NomadACLRole,
): NomadACLRole["spec"] {
  const name = typeof body.Name === "string" ? body.Name : "";
  const description = typeof body.Description === "string" ? body.Description : "";
  const links = Array.isArray(body.Policies) ? (body.Policies as { Name?: unknown }[]) : [];
  const errors: string[] = [];
  if (!/^[a-zA-Z0-9-]{1,128}$/.test(name)) errors.push(`invalid name '${name}'`);
  if (description.length > 256) errors.push("description longer than 256");
  if (links.length < 1) errors.push("at least one policy should be specified");
  if (errors.length) {
    const list = errors.map((e) => `\t* ${e}`).join("\n");
    const n = errors.length;
    throw badRequest(`role 0 invalid: ${n} error${n === 1 ? "" : "s"} occurred:\n${list}\n\n`);
  }
  const holder = auth.role(name);
  if (holder && holder !== existing) throw badRequest(`role with name ${name} already exists`);
  const policies = new Set<string>();
  for (const link of links) {
    const p = typeof link?.Name === "string" ? link.Name : "";
    if (!auth.policy(p)) throw badRequest(`cannot find policy ${p}`);
    policies.add(p);
  }
  return { name, ...(description ? { description } : {}), policies: [...policies] };
}

async function writeRole(
  a: AclDeps,
  body: Record<string, unknown>,
  existing?: NomadACLRole,
): Promise<Reply> {
  const { kc, state } = a;
  const spec = roleSpec(a, body, existing);
  let written: NomadACLRole;
  if (existing) {
    const before = roleName(existing);
    written = await mergePatch<NomadACLRole>(kc, rolesRef, existing, {
      spec: { ...spec, description: spec.description ?? null },
    });
    if (before !== spec.name) await relinkTokens(a, before, spec.name);
  } else {
    const objectName = resourceName(spec.name ?? "").toLowerCase();
    const taken = state.roles.store.get(objectName);
    written = await createObject<NomadACLRole>(kc, rolesRef, {
      apiVersion: rolesRef.apiVersion,
      kind: "NomadACLRole",
      metadata: taken ? { name: "", generateName: `${objectName}-` } : { name: objectName },
      spec,
    } as NomadACLRole);
  }
  return writtenReply(state, "roles", written, (r) => roleOut(r, state.indexesOf(r)));
}

/** Tokens linking role `from` link `to` instead (a rename), or lose it (`to` undefined), as in Nomad. */
async function relinkTokens(
  { kc, state }: AclDeps,
  from: string,
  to: string | undefined,
): Promise<void> {
  let last: NomadACLToken | undefined;
  for (const t of state.tokens.store.list()) {
    const roles = t.spec.roles ?? [];
    if (!roles.includes(from)) continue;
    const next = [...new Set(roles.map((r) => (r === from ? to : r)).filter((r) => r))];
    last = await mergePatch<NomadACLToken>(kc, tokensRef, t, {
      spec: { roles: next.length ? next : null },
    });
  }
  // The answer waits until this API's cache holds the relinked tokens.
  if (last) await cached(state, "tokens", last);
}
