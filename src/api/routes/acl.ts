// /v1/acl/*: bootstrap, policies and tokens. Policies are NomadACLPolicy
// objects; a token is a NomadACLToken whose status holds only a hash of the
// secret, and a Secret holding the secret itself. The secret ID is shown once,
// in the answer that creates the token.
import { createHash, randomUUID } from "node:crypto";
import { checkExpiration, goDurationString, invalidToken } from "../../acl/expiration.js";
import { parsePolicy } from "../../acl/policy.js";
import {
  defaultTokenMaxExpirationTTL,
  defaultTokenMinExpirationTTL,
} from "../../config/agent-config.js";
import type { ACLTokenType } from "../../crds/acl.js";
import type { ApiObject } from "../../crds/meta.js";
import type { NomadACLPolicy, NomadACLRole, NomadACLToken } from "../../crds/objects.js";
import { policyName, roleName, secretHash } from "../../http/acl-objects.js";
import type { Ctx, Reply, Route } from "../../http/context.js";
import { badRequest, notFound, permissionDenied } from "../../http/errors.js";
import { goDurationMs } from "../../jobspec/functions/index.js";
import { resourceName } from "../../jobspec/resource.js";
import {
  applyObject,
  applyStatus,
  createObject,
  deleteObject,
  mergePatch,
} from "../../kube/apply.js";
import { caravanResource } from "../../kube/resources.js";
import { ApiError } from "../../kube/rest.js";
import { goDuration } from "../convert/job-in.js";
import { byAccessor } from "../state.js";
import { secretsRef } from "../tokens.js";
import { bodyObject, listReply } from "./common.js";
import type { RouteDeps } from "./deps.js";
import { apiFieldManager, seen } from "./writes.js";

const policiesRef = caravanResource("NomadACLPolicy");
const tokensRef = caravanResource("NomadACLToken");
const rolesRef = caravanResource("NomadACLRole");
/** The NomadACLToken object of the bootstrap token: its fixed name makes bootstrap happen once. */
export const bootstrapTokenName = "bootstrap";

const rv = (o: ApiObject | undefined) => Number(o?.metadata.resourceVersion) || 0;

/**
 * The cached object unless the write's answer is newer: another object's
 * deletion can move the index past a write the cache has not seen yet.
 */
function newest<T extends ApiObject>(cached: T | undefined, written: T): T {
  return cached && rv(cached) >= rv(written) ? cached : written;
}

export function aclRoutes(deps: RouteDeps): Route[] {
  const { state, kc, auth } = deps;
  const now = deps.now ?? Date.now;
  const expirationBounds = {
    min: goDurationMs(deps.config.acl?.tokenMinExpirationTTL ?? defaultTokenMinExpirationTTL) ?? 0,
    max:
      goDurationMs(deps.config.acl?.tokenMaxExpirationTTL ?? defaultTokenMaxExpirationTTL) ??
      Number.POSITIVE_INFINITY,
  };

  const enabled = (ctx: Ctx) => {
    if (!auth.enabled) throw badRequest("ACL support disabled");
    return ctx;
  };

  function policyOut(p: NomadACLPolicy): Record<string, unknown> {
    const idx = state.indexesOf(p);
    return {
      Name: policyName(p),
      Description: p.spec.description ?? "",
      Rules: p.spec.rules,
      JobACL: p.spec.jobACL
        ? {
            Namespace: p.spec.jobACL.namespace,
            JobID: p.spec.jobACL.jobID,
            Group: p.spec.jobACL.group ?? "",
            Task: p.spec.jobACL.task ?? "",
          }
        : null,
      CreateIndex: idx.create,
      ModifyIndex: idx.modify,
    };
  }

  /** Waits (briefly) until this process's cache holds the written object, then answers its index. */
  async function cached(
    kind: "tokens" | "roles",
    written: NomadACLToken | NomadACLRole,
  ): Promise<number> {
    const index = await seen(state, kind, written.metadata.resourceVersion);
    const store = kind === "tokens" ? state.tokens.store : state.roles.store;
    const deadline = Date.now() + 5_000;
    const never = new AbortController().signal;
    while (rv(store.get(written.metadata.name)) < rv(written) && Date.now() < deadline)
      await state.trackers[kind].changed(Math.max(1, deadline - Date.now()), never);
    return index;
  }

  function roleOut(r: NomadACLRole): Record<string, unknown> {
    const idx = state.indexesOf(r);
    const name = roleName(r);
    const description = r.spec.description ?? "";
    return {
      ID: r.metadata.uid ?? "",
      Name: name,
      Description: description,
      Policies: r.spec.policies.map((p) => ({ Name: p })),
      Hash: createHash("sha256")
        .update([name, description, ...r.spec.policies].join("\0"))
        .digest("base64"),
      CreateIndex: idx.create,
      ModifyIndex: idx.modify,
    };
  }

  /** The token's roles that exist, as Nomad shows links: ID and name. */
  function roleLinks(t: NomadACLToken): { ID: string; Name: string }[] | null {
    const roles = auth.rolesOf(t);
    return roles.length
      ? roles.map((r) => ({ ID: r.metadata.uid ?? "", Name: roleName(r) }))
      : null;
  }

  /** Whether the caller may read this role: management, or a token linking it. */
  function mayReadRole(ctx: Ctx, r: NomadACLRole): boolean {
    if (ctx.acl.management) return true;
    const t = ctx.token && state.tokens.store.get(ctx.token.objectName);
    return !!t && auth.rolesOf(t).includes(r);
  }

  /** The spec of a role from a Nomad ACLRole body; Nomad's 400s when it is not valid. */
  function roleSpec(body: Record<string, unknown>, existing?: NomadACLRole): NomadACLRole["spec"] {
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

  /** Tokens linking role `from` link `to` instead (a rename), or lose it (`to` undefined), as in Nomad. */
  async function relinkTokens(from: string, to: string | undefined): Promise<void> {
    let last: NomadACLToken | undefined;
    for (const t of state.tokens.store.list()) {
      const roles = t.spec.roles ?? [];
      if (!roles.includes(from)) continue;
      const next = [...new Set(roles.map((r) => (r === from ? to : r)).filter((r) => r))];
      const written = await mergePatch<NomadACLToken>(kc, tokensRef, t, {
        spec: { roles: next.length ? next : null },
      });
      last = written;
    }
    // The answer waits until this API's cache holds the relinked tokens.
    if (last) await cached("tokens", last);
  }

  async function writeRole(body: Record<string, unknown>, existing?: NomadACLRole): Promise<Reply> {
    const spec = roleSpec(body, existing);
    let written: NomadACLRole;
    if (existing) {
      const before = roleName(existing);
      written = await mergePatch<NomadACLRole>(kc, rolesRef, existing, {
        spec: { ...spec, description: spec.description ?? null },
      });
      if (before !== spec.name) await relinkTokens(before, spec.name);
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
    const index = await cached("roles", written);
    return { body: roleOut(newest(state.roles.store.get(written.metadata.name), written)), index };
  }

  function tokenOut(t: NomadACLToken, secret?: string): Record<string, unknown> {
    const idx = state.indexesOf(t);
    const ttl = t.spec.expirationTTL ? goDurationMs(t.spec.expirationTTL) : undefined;
    return {
      AccessorID: t.status?.accessorID ?? "",
      SecretID: secret ?? "",
      Name: t.spec.name ?? "",
      Type: t.spec.type,
      Policies: t.spec.policies ?? null,
      Roles: roleLinks(t),
      Global: t.spec.global ?? false,
      Hash: t.status?.secretHash
        ? Buffer.from(t.status.secretHash.slice(7), "hex").toString("base64")
        : "",
      CreateTime: t.status?.createTime ?? t.metadata.creationTimestamp ?? "",
      ExpirationTime: t.status?.expirationTime ?? null,
      ExpirationTTL: ttl ? goDurationString(ttl) : "",
      CreateIndex: idx.create,
      ModifyIndex: idx.modify,
    };
  }

  /** Creates the token object, its Secret and its status; answers with the secret, once. */
  async function createToken(
    objectName: string,
    spec: NomadACLToken["spec"],
    secret: string = randomUUID(),
  ): Promise<Reply> {
    // The Secret first: a replica filling in statuses (tokens.ts) then finds
    // this secret rather than making another. The accessor ID is the token's UID.
    const secretName = `caravan-acl-${randomUUID()}`;
    const secretObject = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: secretName, namespace: deps.secretNamespace },
      type: "Opaque",
      stringData: { secretID: secret },
    } as ApiObject;
    await createObject(kc, secretsRef, secretObject);
    const token: NomadACLToken = {
      apiVersion: tokensRef.apiVersion,
      kind: "NomadACLToken",
      metadata: { name: objectName },
      spec: {
        ...spec,
        secretRef: { name: secretName, namespace: deps.secretNamespace, key: "secretID" },
      },
    };
    let created: NomadACLToken;
    try {
      created = await createObject(kc, tokensRef, token);
    } catch (err) {
      await deleteObject(kc, secretsRef, secretObject).catch(() => undefined);
      if (err instanceof ApiError && err.statusCode === 409 && objectName === bootstrapTokenName)
        throw badRequest("ACL bootstrap already done");
      throw err;
    }
    // Deleting the token deletes its Secret.
    await mergePatch(kc, secretsRef, secretObject, {
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
    }).catch((err: unknown) => deps.log.warn({ err }, "could not tie the token's Secret to it"));
    const createTime = created.metadata.creationTimestamp ?? new Date(now()).toISOString();
    const ttl = spec.expirationTTL ? goDurationMs(spec.expirationTTL) : undefined;
    const expirationTime =
      spec.expirationTime ??
      (ttl ? new Date(Date.parse(createTime) + ttl).toISOString() : undefined);
    const written = await applyStatus<NomadACLToken>(kc, tokensRef, created, {
      accessorID: created.metadata.uid,
      secretHash: secretHash(secret),
      createTime,
      ...(expirationTime ? { expirationTime } : {}),
    });
    const index = await cached("tokens", written);
    return { body: tokenOut(newest(state.tokens.store.get(objectName), written), secret), index };
  }

  /**
   * The spec of a token created (no `existing`) or updated from a Nomad
   * ACLToken body; refuses it with Nomad's messages. Absent fields keep the
   * existing token's values. On update the secret and expiration stay.
   */
  function tokenSpec(
    body: Record<string, unknown>,
    existing?: NomadACLToken,
  ): NomadACLToken["spec"] {
    const errors: string[] = [];
    const type = (body.Type || existing?.spec.type || "client") as ACLTokenType;
    const policies = body.Policies ?? existing?.spec.policies ?? [];
    if (!Array.isArray(policies) || policies.some((p) => typeof p !== "string"))
      throw badRequest("Policies must be a list of policy names");
    const roles = body.Roles === undefined ? undefined : linkedRoles(body.Roles);
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
      secretRef: existing?.spec.secretRef ?? { name: "", namespace: deps.secretNamespace },
    };
    if (typeof name === "string") spec.name = name;
    if (!existing) {
      const { errors: expiry, expiresAt } = checkExpiration(
        { ...(ttlMs ? { ttlMs } : {}), ...(timeMs !== undefined ? { timeMs } : {}) },
        now(),
        expirationBounds.min,
        expirationBounds.max,
      );
      errors.push(...expiry);
      if (body.Global === true) spec.global = true;
      // As Nomad: a TTL becomes an expiration time at creation, unless one is given.
      if (timeMs !== undefined && expiresAt !== undefined)
        spec.expirationTime = new Date(expiresAt).toISOString();
      else if (ttlMs) spec.expirationTTL = goDuration(ttlMs * 1e6);
    } else {
      const global = existing.spec.global ?? false;
      if (body.Global !== undefined && body.Global !== null && body.Global !== global)
        errors.push("cannot toggle global mode");
      const had = existing.spec.expirationTTL
        ? (goDurationMs(existing.spec.expirationTTL) ?? 0)
        : 0;
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
      if (!auth.policy(p)) throw badRequest(`cannot find policy ${p}`);
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
  function linkedRoles(links: unknown): string[] {
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

  function findToken(accessor: string): NomadACLToken | undefined {
    return state.tokens.store.byIndex(byAccessor, accessor)[0];
  }

  const routes: Route[] = [
    {
      method: "POST",
      path: "/v1/acl/bootstrap",
      acl: "anonymous",
      handle: (ctx) => {
        enabled(ctx);
        const body = ctx.body as Record<string, unknown> | undefined;
        const given = body && typeof body === "object" ? body.BootstrapSecret : undefined;
        if (given !== undefined && (typeof given !== "string" || given.length < 8))
          throw badRequest("BootstrapSecret must be a string of at least 8 characters");
        return createToken(
          bootstrapTokenName,
          {
            name: "Bootstrap Token",
            type: "management",
            global: true,
            secretRef: { name: "", namespace: "" },
          },
          given as string | undefined,
        );
      },
    },
    {
      method: "GET",
      path: "/v1/acl/policies",
      acl: "token",
      watch: ["policies"],
      handle: (ctx) => {
        enabled(ctx);
        const mine = new Set(ctx.token?.policies ?? []);
        const visible = state.policies.store
          .list()
          .filter((p) => ctx.acl.management || mine.has(policyName(p)));
        return listReply(
          visible,
          policyName,
          (p) => {
            const { Rules, JobACL, ...stub } = policyOut(p);
            return stub;
          },
          ctx,
          state.index(["policies"]),
        );
      },
    },
    {
      method: "GET",
      path: "/v1/acl/policy/:name",
      acl: "token",
      watch: ["policies"],
      handle: (ctx) => {
        enabled(ctx);
        const name = ctx.params.name ?? "";
        if (!ctx.acl.management && !(ctx.token?.policies ?? []).includes(name))
          throw permissionDenied();
        const p = auth.policy(name);
        if (!p) throw notFound("ACL policy");
        return { body: policyOut(p), index: state.indexesOf(p).modify };
      },
    },
    {
      method: "POST",
      path: "/v1/acl/policy/:name",
      acl: "management",
      handle: async (ctx) => {
        enabled(ctx);
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
      },
    },
    {
      method: "DELETE",
      path: "/v1/acl/policy/:name",
      acl: "management",
      handle: async (ctx) => {
        enabled(ctx);
        const p = auth.policy(ctx.params.name ?? "");
        if (!p) throw notFound("ACL policy");
        await deleteObject(kc, policiesRef, p);
        return { body: null, index: state.index(["policies"]) + 1 };
      },
    },
    {
      method: "GET",
      path: "/v1/acl/tokens",
      acl: "management",
      watch: ["tokens"],
      handle: (ctx) => {
        enabled(ctx);
        return listReply(
          state.tokens.store.list().filter((t) => t.status?.accessorID),
          (t) => t.status?.accessorID ?? "",
          (t) => tokenOut(t),
          ctx,
          state.index(["tokens"]),
        );
      },
    },
    {
      method: "POST",
      path: "/v1/acl/token",
      acl: "management",
      handle: (ctx) => {
        enabled(ctx);
        const body = bodyObject(ctx);
        if (body.AccessorID) throw badRequest("Cannot set AccessorID on create");
        return createToken(`token-${randomUUID()}`, tokenSpec(body));
      },
    },
    {
      method: "GET",
      path: "/v1/acl/token/self",
      acl: "token",
      handle: (ctx) => {
        enabled(ctx);
        if (!ctx.token) throw permissionDenied();
        const t = state.tokens.store.get(ctx.token.objectName);
        if (!t) throw notFound("ACL token");
        return { body: tokenOut(t), index: state.indexesOf(t).modify };
      },
    },
    {
      method: "GET",
      path: "/v1/acl/token/:accessor",
      acl: "token",
      watch: ["tokens"],
      handle: (ctx) => {
        enabled(ctx);
        const accessor = ctx.params.accessor ?? "";
        if (!ctx.acl.management && ctx.token?.accessorID !== accessor) throw permissionDenied();
        const t = findToken(accessor);
        if (!t) throw notFound("ACL token");
        return { body: tokenOut(t), index: state.indexesOf(t).modify };
      },
    },
    {
      method: "POST",
      path: "/v1/acl/token/:accessor",
      acl: "management",
      handle: async (ctx) => {
        enabled(ctx);
        const t = findToken(ctx.params.accessor ?? "");
        if (!t) throw notFound("ACL token");
        const spec = tokenSpec(bodyObject(ctx), t);
        const written = await applyObject<NomadACLToken>(
          kc,
          tokensRef,
          { metadata: { name: t.metadata.name }, spec },
          apiFieldManager,
        );
        const index = await cached("tokens", written);
        return { body: tokenOut(newest(state.tokens.store.get(t.metadata.name), written)), index };
      },
    },
    {
      method: "DELETE",
      path: "/v1/acl/token/:accessor",
      acl: "management",
      handle: async (ctx) => {
        enabled(ctx);
        const t = findToken(ctx.params.accessor ?? "");
        if (!t) throw notFound("ACL token");
        await deleteObject(kc, tokensRef, t);
        return { body: null, index: state.index(["tokens"]) + 1 };
      },
    },
    {
      method: "GET",
      path: "/v1/acl/roles",
      acl: "token",
      watch: ["roles", "tokens"],
      handle: (ctx) => {
        enabled(ctx);
        const visible = state.roles.store.list().filter((r) => mayReadRole(ctx, r));
        return listReply(
          visible,
          (r) => r.metadata.uid ?? "",
          roleOut,
          ctx,
          state.index(["roles", "tokens"]),
        );
      },
    },
    {
      method: "POST",
      path: "/v1/acl/role",
      acl: "management",
      handle: (ctx) => {
        enabled(ctx);
        const body = bodyObject(ctx);
        if (body.ID) {
          const existing = auth.roleByID(String(body.ID));
          if (!existing) throw badRequest(`cannot find role ${body.ID}`);
          return writeRole(body, existing);
        }
        return writeRole(body);
      },
    },
    {
      method: "GET",
      path: "/v1/acl/role/name/:name",
      acl: "token",
      watch: ["roles"],
      handle: (ctx) => {
        enabled(ctx);
        const r = auth.role(ctx.params.name ?? "");
        if (r && !mayReadRole(ctx, r)) throw permissionDenied();
        if (!r) throw notFound("ACL role");
        return { body: roleOut(r), index: state.indexesOf(r).modify };
      },
    },
    {
      method: "GET",
      path: "/v1/acl/role/:id",
      acl: "token",
      watch: ["roles"],
      handle: (ctx) => {
        enabled(ctx);
        const r = auth.roleByID(ctx.params.id ?? "");
        if (r && !mayReadRole(ctx, r)) throw permissionDenied();
        if (!r) throw notFound("ACL role");
        return { body: roleOut(r), index: state.indexesOf(r).modify };
      },
    },
    {
      method: "POST",
      path: "/v1/acl/role/:id",
      acl: "management",
      handle: (ctx) => {
        enabled(ctx);
        const id = ctx.params.id ?? "";
        const body = bodyObject(ctx);
        if (body.ID !== id) throw badRequest("ACL role ID does not match request path");
        const existing = auth.roleByID(id);
        if (!existing) throw badRequest(`cannot find role ${id}`);
        return writeRole(body, existing);
      },
    },
    {
      method: "DELETE",
      path: "/v1/acl/role/:id",
      acl: "management",
      handle: async (ctx) => {
        enabled(ctx);
        const r = auth.roleByID(ctx.params.id ?? "");
        if (!r) throw notFound("ACL role");
        await deleteObject(kc, rolesRef, r);
        await relinkTokens(roleName(r), undefined);
        return { body: null, index: state.index(["roles", "tokens"]) + 1 };
      },
    },
  ];
  return routes;
}
