// /v1/acl/tokens, /v1/acl/token[/:accessor|/self]: a token is a NomadACLToken
// whose status holds only a hash of the secret, and a Secret holding the
// secret itself. The secret ID is shown once, in the answer that creates the
// token; an update keeps the secret and the expiration.
import { randomUUID } from "node:crypto";
import { checkExpiration, invalidToken } from "../../../acl/expiration.js";
import { compactGoDuration, goDurationMs } from "../../../common/duration.js";
import type { ACLTokenType } from "../../../crds/acl.js";
import type { ApiObject } from "../../../crds/meta.js";
import type { NomadACLToken } from "../../../crds/objects.js";
import { roleName, secretHash } from "../../../http/acl-objects.js";
import { tokenSecret } from "../../../http/authorize.js";
import type { Ctx, Reply, Route } from "../../../http/context.js";
import { badRequest, notFound, permissionDenied } from "../../../http/errors.js";
import {
  applyObject,
  applyStatus,
  createObject,
  deleteObject,
  mergePatch,
} from "../../../kube/apply.js";
import { secretResource } from "../../../kube/resources.js";
import { ApiError } from "../../../kube/rest.js";
import { tokenOut } from "../../convert/acl.js";
import type { ObjectIndexes } from "../../state.js";
import { byAccessor } from "../../state.js";
import { storedSecret } from "../../tokens.js";
import { bodyObject, listReply } from "../common.js";
import { apiFieldManager, gone } from "../writes.js";
import { type AclDeps, objectReply, tokensRef, writtenReply } from "./shared.js";

/** The NomadACLToken object of the bootstrap token: its fixed name makes bootstrap happen once. */
export const bootstrapTokenName = "bootstrap";

export function tokenRoutes(a: AclDeps): Route[] {
  return [
    {
      method: "GET",
      path: "/v1/acl/tokens",
      acl: "management",
      watch: ["tokens"],
      handle: (ctx) => listTokens(a, ctx),
    },
    {
      method: "POST",
      path: "/v1/acl/token",
      acl: "management",
      handle: (ctx) => createTokenFromBody(a, ctx),
    },
    {
      method: "GET",
      path: "/v1/acl/token/self",
      acl: "token",
      handle: (ctx) => readSelf(a, ctx),
    },
    {
      method: "GET",
      path: "/v1/acl/token/:accessor",
      acl: "token",
      watch: ["tokens"],
      handle: (ctx) => readToken(a, ctx),
    },
    {
      method: "POST",
      path: "/v1/acl/token/:accessor",
      acl: "management",
      handle: (ctx) => updateToken(a, ctx),
    },
    {
      method: "DELETE",
      path: "/v1/acl/token/:accessor",
      acl: "management",
      handle: (ctx) => deleteToken(a, ctx),
    },
  ];
}

/** A token in Nomad's shape, with the roles it links that exist. */
function tokenJson(a: AclDeps, secret?: string) {
  return (t: NomadACLToken, idx: ObjectIndexes = a.state.indexesOf(t)) =>
    tokenOut(t, idx, a.auth.rolesOf(t), secret);
}

function listTokens(a: AclDeps, ctx: Ctx): Reply {
  const { state } = a;
  const out = tokenJson(a);
  return listReply(
    state.tokens.store.list().filter((t) => t.status?.accessorID),
    (t) => t.status?.accessorID ?? "",
    (t) => out(t),
    ctx,
    state.index(["tokens"]),
  );
}

function createTokenFromBody(a: AclDeps, ctx: Ctx): Promise<Reply> {
  const body = bodyObject(ctx);
  if (body.AccessorID) throw badRequest("Cannot set AccessorID on create");
  return createToken(a, `token-${randomUUID()}`, tokenSpec(a, body));
}

// As Nomad's ACL.GetToken: the caller holding the token sees its secret too
// (the secret it presented), as `nomad acl token self` shows it.
function readSelf(a: AclDeps, ctx: Ctx): Reply {
  if (!ctx.token) throw permissionDenied();
  const t = a.state.tokens.store.get(ctx.token.objectName);
  if (!t) throw notFound("ACL token");
  return objectReply(a.state, t, tokenJson(a, tokenSecret(ctx.req)));
}

function readToken(a: AclDeps, ctx: Ctx): Reply {
  const accessor = ctx.params.accessor ?? "";
  const own = ctx.token?.accessorID === accessor;
  if (!ctx.acl.management && !own) throw permissionDenied();
  return objectReply(
    a.state,
    tokenByAccessor(a, accessor),
    tokenJson(a, own ? tokenSecret(ctx.req) : undefined),
  );
}

async function updateToken(a: AclDeps, ctx: Ctx): Promise<Reply> {
  const t = tokenByAccessor(a, ctx.params.accessor ?? "");
  const spec = tokenSpec(a, bodyObject(ctx), t);
  const written = await applyObject<NomadACLToken>(
    a.kc,
    tokensRef,
    { metadata: { name: t.metadata.name }, spec },
    apiFieldManager,
  );
  return writtenReply(a.state, "tokens", written, tokenJson(a, await storedSecret(a.kc, written)));
}

async function deleteToken(a: AclDeps, ctx: Ctx): Promise<Reply> {
  const t = tokenByAccessor(a, ctx.params.accessor ?? "");
  await deleteObject(a.kc, tokensRef, t);
  return { body: null, index: await gone(a.state, "tokens", t) };
}

/** The token of this accessor ID; Nomad's 404 when there is none. */
function tokenByAccessor({ state }: AclDeps, accessor: string): NomadACLToken {
  const t = state.tokens.store.byIndex(byAccessor, accessor)[0];
  if (!t) throw notFound("ACL token");
  return t;
}

/** Creates the token object, its Secret and its status; answers with the secret, once. */
export async function createToken(
  a: AclDeps,
  objectName: string,
  spec: NomadACLToken["spec"],
  secret: string = randomUUID(),
): Promise<Reply> {
  const { kc, secretNamespace } = a;
  // The Secret first: a replica filling in statuses (tokens.ts) then finds
  // this secret rather than making another. The accessor ID is the token's UID.
  const secretName = `caravan-acl-${randomUUID()}`;
  const secretObject = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: secretName, namespace: secretNamespace },
    type: "Opaque",
    stringData: { secretID: secret },
  } as ApiObject;
  await createObject(kc, secretResource, secretObject);
  const token: NomadACLToken = {
    apiVersion: tokensRef.apiVersion,
    kind: "NomadACLToken",
    metadata: { name: objectName },
    spec: {
      ...spec,
      secretRef: { name: secretName, namespace: secretNamespace, key: "secretID" },
    },
  };
  let created: NomadACLToken;
  try {
    created = await createObject(kc, tokensRef, token);
  } catch (err) {
    await deleteObject(kc, secretResource, secretObject).catch(() => undefined);
    if (err instanceof ApiError && err.statusCode === 409 && objectName === bootstrapTokenName)
      throw badRequest("ACL bootstrap already done");
    throw err;
  }
  // Deleting the token deletes its Secret.
  await mergePatch(kc, secretResource, secretObject, {
    metadata: {
      ownerReferences: [
        {
          apiVersion: tokensRef.apiVersion,
          kind: "NomadACLToken",
          name: objectName,
          uid: created.metadata.uid ?? "",
        },
      ],
    },
  }).catch((err: unknown) => a.log.warn({ err }, "could not tie the token's Secret to it"));
  const createTime = created.metadata.creationTimestamp ?? new Date(a.now()).toISOString();
  const ttl = spec.expirationTTL ? goDurationMs(spec.expirationTTL) : undefined;
  const expirationTime =
    spec.expirationTime ?? (ttl ? new Date(Date.parse(createTime) + ttl).toISOString() : undefined);
  const written = await applyStatus<NomadACLToken>(kc, tokensRef, created, {
    accessorID: created.metadata.uid,
    secretHash: secretHash(secret),
    createTime,
    ...(expirationTime ? { expirationTime } : {}),
  });
  return writtenReply(a.state, "tokens", written, tokenJson(a, secret));
}

/**
 * The spec of a token created (no `existing`) or updated from a Nomad
 * ACLToken body; refuses it with Nomad's messages. Absent fields keep the
 * existing token's values. On update the secret and expiration stay.
 */
function tokenSpec(
  a: AclDeps,
  body: Record<string, unknown>,
  existing?: NomadACLToken,
): NomadACLToken["spec"] {
  const errors: string[] = [];
  const type = (body.Type || existing?.spec.type || "client") as ACLTokenType;
  const policies = body.Policies ?? existing?.spec.policies ?? [];
  if (!Array.isArray(policies) || policies.some((p) => typeof p !== "string"))
    throw badRequest("Policies must be a list of policy names");
  const roles = body.Roles === undefined ? undefined : linkedRoles(a, body.Roles);
  const roleNames = roles ?? existing?.spec.roles ?? [];
  const name = body.Name ?? existing?.spec.name;
  if (name !== undefined && name !== null && typeof name !== "string")
    throw badRequest("Token name must be a string");
  if (typeof name === "string" && name.length > 256) errors.push("token name too long");
  if (type === "client") {
    if (policies.length === 0 && roleNames.length === 0)
      errors.push("client token missing policies or roles");
  } else if (type === "management") {
    if (policies.length || roleNames.length)
      errors.push("management token cannot be associated with policies or roles");
  } else errors.push("token type must be client or management");
  const ttlMs = requestedTTL(body.ExpirationTTL);
  const timeMs =
    typeof body.ExpirationTime === "string" && body.ExpirationTime
      ? Date.parse(body.ExpirationTime)
      : undefined;
  if (timeMs !== undefined && Number.isNaN(timeMs))
    throw badRequest("ExpirationTime is not a time");
  const spec: NomadACLToken["spec"] = {
    type,
    ...(policies.length ? { policies: policies as string[] } : {}),
    ...(roleNames.length ? { roles: roleNames } : {}),
    secretRef: existing?.spec.secretRef ?? { name: "", namespace: a.secretNamespace },
  };
  if (typeof name === "string") spec.name = name;
  if (!existing) {
    const { errors: expiry, expiresAt } = checkExpiration(
      { ...(ttlMs ? { ttlMs } : {}), ...(timeMs !== undefined ? { timeMs } : {}) },
      a.now(),
      a.expirationBounds.min,
      a.expirationBounds.max,
    );
    errors.push(...expiry);
    if (body.Global === true) spec.global = true;
    // As Nomad: a TTL becomes an expiration time at creation, unless one is given.
    if (timeMs !== undefined && expiresAt !== undefined)
      spec.expirationTime = new Date(expiresAt).toISOString();
    else if (ttlMs) spec.expirationTTL = compactGoDuration(ttlMs * 1e6);
  } else {
    const global = existing.spec.global ?? false;
    if (body.Global !== undefined && body.Global !== null && body.Global !== global)
      errors.push("cannot toggle global mode");
    const had = existing.spec.expirationTTL ? (goDurationMs(existing.spec.expirationTTL) ?? 0) : 0;
    if (body.ExpirationTTL !== undefined && (ttlMs ?? 0) !== had)
      errors.push("cannot update expiration TTL");
    const at = existing.status?.expirationTime ?? existing.spec.expirationTime;
    if (timeMs !== undefined && (!at || Date.parse(at) !== timeMs))
      errors.push("cannot update expiration time");
    if (global) spec.global = true;
    if (existing.spec.expirationTTL) spec.expirationTTL = existing.spec.expirationTTL;
    if (existing.spec.expirationTime) spec.expirationTime = existing.spec.expirationTime;
  }
  if (errors.length) throw badRequest(invalidToken(0, errors));
  for (const p of policies as string[])
    if (!a.auth.policy(p)) throw badRequest(`cannot find policy ${p}`);
  return spec;
}

/** ExpirationTTL as Nomad's API takes it: nanoseconds, or a Go duration string. */
function requestedTTL(ttl: unknown): number | undefined {
  if (ttl === undefined || ttl === null || ttl === "" || ttl === 0) return undefined;
  if (typeof ttl === "number") return ttl / 1e6;
  if (typeof ttl === "string") {
    const ms = goDurationMs(ttl);
    if (ms === undefined) throw badRequest(`time: invalid duration "${ttl}"`);
    return ms;
  }
  throw badRequest("ExpirationTTL must be a duration");
}

/** Role links ({ID} or {Name}) resolved to role names, each once; Nomad's 400 for one that does not exist. */
function linkedRoles({ auth }: AclDeps, links: unknown): string[] {
  if (links === null) return [];
  if (!Array.isArray(links)) throw badRequest("Roles must be a list of {ID} or {Name}");
  const names = new Set<string>();
  for (const link of links as { ID?: unknown; Name?: unknown }[]) {
    const id = typeof link?.ID === "string" ? link.ID : "";
    const name = typeof link?.Name === "string" ? link.Name : "";
    const role = id ? auth.roleByID(id) : auth.role(name);
    if (!role) throw badRequest(`cannot find role ${id || name}`);
    names.add(roleName(role));
  }
  return [...names];
}
