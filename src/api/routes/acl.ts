// /v1/acl/*: bootstrap, policies and tokens. Policies are NomadACLPolicy
// objects; a token is a NomadACLToken whose status holds only a hash of the
// secret, and a Secret holding the secret itself. The secret ID is shown once,
// in the answer that creates the token.
import { randomUUID } from "node:crypto";
import { parsePolicy } from "../../acl/policy.js";
import type { ACLTokenType } from "../../crds/acl.js";
import type { ApiObject } from "../../crds/meta.js";
import type { NomadACLPolicy, NomadACLToken } from "../../crds/objects.js";
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
import { policyName, requestToken, secretHash, tokenExpired } from "../auth.js";
import { goDuration } from "../convert/job-in.js";
import {
  badRequest,
  type Ctx,
  notFound,
  permissionDenied,
  type Reply,
  type Route,
} from "../http.js";
import { byAccessor } from "../state.js";
import { secretsRef } from "../tokens.js";
import { bodyObject, listReply } from "./common.js";
import type { RouteDeps } from "./deps.js";
import { apiFieldManager, seen } from "./writes.js";

const policiesRef = caravanResource("NomadACLPolicy");
const tokensRef = caravanResource("NomadACLToken");
/** The NomadACLToken object of the bootstrap token: its fixed name makes bootstrap happen once. */
export const bootstrapTokenName = "bootstrap";

export function aclRoutes(deps: RouteDeps): Route[] {
  const { state, kc, auth } = deps;
  const now = deps.now ?? Date.now;

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

  function tokenOut(t: NomadACLToken, secret?: string): Record<string, unknown> {
    const idx = state.indexesOf(t);
    const ttl = t.spec.expirationTTL ? goDurationMs(t.spec.expirationTTL) : undefined;
    return {
      AccessorID: t.status?.accessorID ?? "",
      SecretID: secret ?? "",
      Name: t.spec.name ?? "",
      Type: t.spec.type,
      Policies: t.spec.policies ?? null,
      Roles: null,
      Global: t.spec.global ?? false,
      Hash: t.status?.secretHash
        ? Buffer.from(t.status.secretHash.slice(7), "hex").toString("base64")
        : "",
      CreateTime: t.status?.createTime ?? t.metadata.creationTimestamp ?? "",
      ExpirationTime: t.status?.expirationTime ?? null,
      ExpirationTTL: ttl ? Math.round(ttl * 1e6) : 0,
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
    const index = await seen(state, "tokens", written.metadata.resourceVersion);
    return { body: tokenOut(state.tokens.store.get(objectName) ?? written, secret), index };
  }

  function tokenSpec(
    body: Record<string, unknown>,
    existing?: NomadACLToken,
  ): NomadACLToken["spec"] {
    const type = (body.Type ?? existing?.spec.type ?? "client") as ACLTokenType;
    if (type !== "client" && type !== "management")
      throw badRequest(`Token type must be client or management, got ${JSON.stringify(body.Type)}`);
    const policies = body.Policies ?? existing?.spec.policies ?? [];
    if (!Array.isArray(policies) || policies.some((p) => typeof p !== "string"))
      throw badRequest("Policies must be a list of policy names");
    if (type === "management" && policies.length)
      throw badRequest("Management token cannot be associated with policies");
    if (type === "client" && policies.length === 0)
      throw badRequest("Client token missing policies or roles");
    for (const p of policies as string[])
      if (!auth.policy(p)) throw badRequest(`cannot find policy ${p}`);
    const spec: NomadACLToken["spec"] = {
      type,
      ...(policies.length ? { policies: policies as string[] } : {}),
      secretRef: existing?.spec.secretRef ?? { name: "", namespace: deps.secretNamespace },
    };
    const name = body.Name ?? existing?.spec.name;
    if (name !== undefined && name !== null) {
      if (typeof name !== "string" || name.length > 256)
        throw badRequest("Token name must be a string of at most 256 characters");
      spec.name = name;
    }
    if (body.Global === true || existing?.spec.global) spec.global = true;
    if (!existing) {
      const ttl = body.ExpirationTTL;
      if (typeof ttl === "number" && ttl > 0) spec.expirationTTL = goDuration(ttl);
      else if (typeof ttl === "string" && ttl) {
        if (goDurationMs(ttl) === undefined)
          throw badRequest(`ExpirationTTL is not a duration: ${ttl}`);
        spec.expirationTTL = ttl;
      }
      if (typeof body.ExpirationTime === "string" && body.ExpirationTime && !spec.expirationTTL) {
        if (Number.isNaN(Date.parse(body.ExpirationTime)))
          throw badRequest("ExpirationTime is not a time");
        spec.expirationTime = new Date(body.ExpirationTime).toISOString();
      }
    }
    return spec;
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
        const index = await seen(state, "tokens", written.metadata.resourceVersion);
        return { body: tokenOut(state.tokens.store.get(t.metadata.name) ?? written), index };
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
  ];
  return routes;
}

export { requestToken, tokenExpired };
