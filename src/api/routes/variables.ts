// Nomad Variables: GET /v1/vars (metadata, by prefix, namespace=* too),
// GET/PUT/DELETE /v1/var/:path (with ?cas=<index> check-and-set), each
// variable a Secret (src/crds/variable.ts). ACL: Nomad's variables path rules
// in the namespace (list, read, write, destroy): the routes declare them
// ("var:…"), the list shows the paths the token may list. Lock operations
// answer that they are not implemented yet.
import {
  isVariableSecret,
  maxVariableSize,
  type Variable,
  type VariableMetadata,
  type VariableSecret,
  variableMetadata,
  variableOf,
  variablePathError,
  variableSecret,
  variableSecretName,
  variableSize,
} from "../../crds/variable.js";
import type { Ctx, Reply, Route } from "../../http/context.js";
import { badRequest, HttpError, permissionDenied } from "../../http/errors.js";
import { paginate } from "../../http/query.js";
import { createObject, deleteObject, replaceObject } from "../../kube/apply.js";
import { secretResource } from "../../kube/resources.js";
import { ApiError } from "../../kube/rest.js";
import type { RouteDeps } from "./deps.js";
import { seen } from "./writes.js";

const lockParams = ["lock-acquire", "lock-release", "lock-renew"];

export function variableRoutes(deps: RouteDeps): Route[] {
  const { kc, state } = deps;
  const nowNs = () => (deps.now ?? Date.now)() * 1e6;

  function find(namespace: string, path: string): VariableSecret | undefined {
    const s = state.variables.store.get(`${namespace}/${variableSecretName(path)}`);
    return s && isVariableSecret(s) && variableMetadata(s).Path === path ? s : undefined;
  }

  function list(ctx: Ctx): Reply {
    const prefix = ctx.opts.prefix;
    const all = ctx.opts.allNamespaces;
    const found = state.variables.store
      .list()
      .filter(isVariableSecret)
      .map(variableMetadata)
      .filter(
        (m) =>
          (all || m.Namespace === ctx.opts.namespace) &&
          m.Path.startsWith(prefix) &&
          ctx.acl.allowVariable(m.Namespace, m.Path, "list"),
      );
    const key = (m: VariableMetadata) => `${m.Namespace}.${m.Path}`;
    found.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    if (ctx.opts.reverse) found.reverse();
    const filter = ctx.opts.filter;
    const kept = filter ? found.filter((m) => filter(m)) : found;
    const { page, nextToken } = paginate(kept, key, ctx.opts);
    return {
      body: page,
      index: state.index(["variables"]),
      ...(nextToken ? { headers: { "X-Nomad-NextToken": nextToken } } : {}),
    };
  }

  function pathOf(ctx: Ctx): string {
    const path = ctx.params.path ?? "";
    if (!path) throw badRequest("missing variable path");
    return path;
  }

  function read(ctx: Ctx): Reply {
    const path = pathOf(ctx);
    const s = find(ctx.opts.namespace, path);
    if (!s) throw new HttpError(404, "variable not found");
    const v = variableOf(s);
    return { body: v, index: v.ModifyIndex };
  }

  /** ?cas=<index>: undefined without one; Nomad's 400 when it is not an unsigned integer. */
  function casOf(ctx: Ctx): number | undefined {
    const cas = ctx.query.get("cas");
    if (!cas) return undefined;
    if (!/^\d+$/.test(cas))
      throw badRequest(`can not parse cas: strconv.ParseUint: parsing "${cas}": invalid syntax`);
    return Number(cas);
  }

  /** Nomad's 409 answer: the conflicting variable (its items only for a token that may read it). */
  function conflict(
    ctx: Ctx,
    namespace: string,
    path: string,
    current: VariableSecret | undefined,
  ): Reply {
    if (!current) {
      const zero = {
        Namespace: namespace,
        Path: path,
        CreateIndex: 0,
        CreateTime: 0,
        ModifyIndex: 0,
        ModifyTime: 0,
      };
      return { status: 409, body: zero, index: state.index(["variables"]) };
    }
    if (!ctx.acl.allowVariable(namespace, path, "read")) {
      const m = variableMetadata(current);
      return { status: 409, body: m, index: m.ModifyIndex };
    }
    const v = variableOf(current);
    return { status: 409, body: v, index: v.ModifyIndex };
  }

  async function put(ctx: Ctx): Promise<Reply> {
    const path = pathOf(ctx);
    const lockOps = lockParams.filter((p) => ctx.query.has(p));
    if (lockOps.length > 1) throw badRequest("multiple lock operations");
    const cas = casOf(ctx);
    if (lockOps.length && cas !== undefined)
      throw badRequest("CAS can't be used with lock operations");
    if (lockOps.length)
      throw new HttpError(501, "variable locks are not implemented yet in Caravan");
    const body = (ctx.body ?? {}) as { Namespace?: unknown; Items?: unknown; Lock?: unknown };
    if (typeof body !== "object" || Array.isArray(body))
      throw badRequest("json: cannot unmarshal into Go value of type structs.VariableDecrypted");
    const items = body.Items;
    if (
      items !== undefined &&
      items !== null &&
      (typeof items !== "object" ||
        Array.isArray(items) ||
        Object.values(items).some((v) => typeof v !== "string"))
    )
      throw badRequest("Items: values must be strings (a JSON object of string to string)");
    const itemMap = (items ?? {}) as Record<string, string>;
    if (Object.keys(itemMap).length === 0)
      throw badRequest("variable missing required Items object");
    const namespace =
      typeof body.Namespace === "string" && body.Namespace ? body.Namespace : ctx.opts.namespace;
    // The route checked the request's namespace; a body may name another.
    if (!ctx.acl.allowVariable(namespace, path, "write")) throw permissionDenied();
    if (body.Lock !== undefined && body.Lock !== null)
      throw badRequest("variable should not contain lock definition");
    if (namespace === "*") throw badRequest('can not target wildcard ("*")namespace');
    if (variableSize(itemMap) > maxVariableSize)
      throw badRequest("variables are limited to 64KiB in total size");
    const pathError = variablePathError(path);
    if (pathError) throw badRequest(pathError);

    for (let attempt = 0; ; attempt++) {
      const current = find(namespace, path);
      if (cas !== undefined) {
        if (cas === 0 ? current : !current || variableMetadata(current).ModifyIndex !== cas)
          return conflict(ctx, namespace, path, current);
      }
      const unchanged =
        current && sameItems(variableOf(current).Items, itemMap) ? variableOf(current) : undefined;
      if (unchanged) return { body: unchanged, index: unchanged.ModifyIndex };
      try {
        const secret = variableSecret(namespace, path, itemMap, nowNs(), current);
        const written = current
          ? await replaceObject(kc, secretResource, secret)
          : await createObject(kc, secretResource, secret);
        const index = await seen(state, "variables", written.metadata.resourceVersion);
        return { body: variableOf(written), index };
      } catch (err) {
        // Another writer got there first (create: the name exists; replace: a newer
        // resourceVersion): with cas that is the caller's conflict, otherwise try again.
        if (!(err instanceof ApiError && err.statusCode === 409) || attempt >= 4) throw err;
        await state.variables.waitForSync();
        await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
        if (cas !== undefined) return conflict(ctx, namespace, path, find(namespace, path));
      }
    }
  }

  async function remove(ctx: Ctx): Promise<Reply> {
    const path = pathOf(ctx);
    const namespace = ctx.opts.namespace;
    const cas = casOf(ctx);
    const current = find(namespace, path);
    if (cas !== undefined) {
      if (cas === 0 ? current : !current || variableMetadata(current).ModifyIndex !== cas)
        return conflict(ctx, namespace, path, current);
    }
    if (!current) return { status: 204, index: state.index(["variables"]) };
    try {
      // The resourceVersion precondition makes a concurrent change a 409, as cas asks.
      await deleteObject(kc, secretResource, current, cas !== undefined);
    } catch (err) {
      if (err instanceof ApiError && err.statusCode === 404 && cas === undefined)
        return { status: 204, index: state.index(["variables"]) };
      if (err instanceof ApiError && cas !== undefined && [404, 409].includes(err.statusCode)) {
        await state.variables.waitForSync();
        return conflict(ctx, namespace, path, find(namespace, path));
      }
      throw err;
    }
    return { status: 204, index: state.index(["variables"]) + 1 };
  }

  return [
    // Nomad's Variables.List: every variable the token may list (no 403: a filtered list).
    { method: "GET", path: "/v1/vars", acl: "filtered", watch: ["variables"], handle: list },
    // Variables.Read needs read on the path, Apply write (destroy to delete); a
    // write naming another Namespace in its body is checked there too.
    { method: "GET", path: "/v1/var/:path*", acl: "var:read", watch: ["variables"], handle: read },
    { method: "PUT", path: "/v1/var/:path*", acl: "var:write", handle: put },
    { method: "POST", path: "/v1/var/:path*", acl: "var:write", handle: put },
    { method: "DELETE", path: "/v1/var/:path*", acl: "var:destroy", handle: remove },
  ];
}

function sameItems(a: Variable["Items"], b: Variable["Items"]): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}
