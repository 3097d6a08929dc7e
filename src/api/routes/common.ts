// Helpers every route module shares: ACL checks with Nomad's 403, namespace
// scoping (namespace=* for all the token may see), prefix, filter and
// pagination of lists, and finding objects by Nomad ID.

import type { ApiObject } from "../../crds/meta.js";
import type { NomadJob } from "../../crds/objects.js";
import type { Ctx, Reply } from "../../http/context.js";
import { HttpError, notFound, permissionDenied } from "../../http/errors.js";
import { paginate } from "../../http/query.js";
import { resourceName } from "../../jobspec/resource.js";
import type { Store } from "../../kube/store.js";
import { jobID } from "../convert/job-out.js";
import type { ApiState } from "../state.js";
import { byJobID, byName } from "../state.js";

export function requireNamespace(ctx: Ctx, namespace: string, ...anyOf: string[]): void {
  if (!anyOf.some((c) => ctx.acl.allowNamespace(namespace, c))) throw permissionDenied();
}

/** The namespaces a list covers and may show: one, or every one with the capability. */
export function namespaceScope(ctx: Ctx, capability: string): (ns: string) => boolean {
  if (ctx.opts.allNamespaces) return (ns) => ctx.acl.allowNamespace(ns, capability);
  requireNamespace(ctx, ctx.opts.namespace, capability);
  const only = ctx.opts.namespace;
  return (ns) => ns === only;
}

/** Sorted by ID, prefix-matched, filtered and paged: the items of the answer and the next token. */
export function listPage<T, O>(
  items: readonly T[],
  id: (item: T) => string,
  shape: (item: T) => O,
  ctx: Ctx,
  /** What a ?filter= expression sees of an item (its shaped form by default). */
  filtered: (out: O, item: T) => unknown = (out) => out,
): { page: { key: string; item: T; out: O }[]; nextToken?: string } {
  const prefix = ctx.opts.prefix;
  let keyed = items.map((item) => ({ key: id(item), item }));
  if (prefix) keyed = keyed.filter((k) => k.key.startsWith(prefix));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (ctx.opts.reverse) keyed.reverse();
  let shaped = keyed.map((k) => ({ key: k.key, item: k.item, out: shape(k.item) }));
  const filter = ctx.opts.filter;
  if (filter) shaped = shaped.filter((s) => filter(filtered(s.out, s.item)));
  return paginate(shaped, (s) => s.key, ctx.opts);
}

/** Sorted by ID, prefix-matched, filtered and paged; X-Nomad-NextToken when more remain. */
export function listReply<T>(
  items: readonly T[],
  id: (item: T) => string,
  shape: (item: T) => unknown,
  ctx: Ctx,
  index: number,
): Reply {
  const { page, nextToken } = listPage(items, id, shape, ctx);
  return {
    body: page.map((s) => s.out),
    index,
    ...(nextToken ? { headers: { "X-Nomad-NextToken": nextToken } } : {}),
  };
}

export function findJob(state: ApiState, namespace: string, id: string): NomadJob | undefined {
  // Usually metadata.name is the ID or its DNS-safe form; children of periodic
  // and parameterized jobs are named after their parent, so fall back to the index.
  const job = state.jobs.store.get(`${namespace}/${resourceName(id)}`);
  if (job && jobID(job) === id) return job;
  return state.jobs.store.byIndex(byJobID, `${namespace}/${id}`)[0];
}

/** The job the path names in the request's namespace (the route's acl was checked by the server). */
export function mustFindJob(ctx: Ctx, state: ApiState): NomadJob {
  const id = ctx.params.id ?? "";
  const job = findJob(state, ctx.opts.namespace, id);
  if (!job) throw notFound("job");
  return job;
}

/**
 * A route's aclNamespace: the namespace of the object whose Nomad ID is the
 * path parameter `param` (undefined when there is none).
 */
export function namespaceOf<T extends ApiObject>(
  store: Store<T>,
  param = "id",
): (ctx: Ctx) => string | undefined {
  return (ctx) => {
    const o = findByName(store, ctx.params[param] ?? "");
    return o ? (o.metadata.namespace ?? "default") : undefined;
  };
}

/** An object by Nomad ID (its metadata.name) in any namespace; IDs are unique like Nomad's UUIDs. */
export function findByName<T extends ApiObject>(store: Store<T>, id: string): T | undefined {
  return store.byIndex(byName, id)[0];
}

/**
 * The object whose Nomad ID is the path parameter `param` (404 "`what` not
 * found"), with `capability` in its namespace (403 without).
 */
export function mustFindByName<T extends ApiObject>(
  ctx: Ctx,
  store: Store<T>,
  what: string,
  capability: string,
  param = "id",
): T {
  const o = findByName(store, ctx.params[param] ?? "");
  if (!o) throw notFound(what);
  requireNamespace(ctx, o.metadata.namespace ?? "default", capability);
  return o;
}

export function jobIDOf(state: ApiState, namespace: string | undefined, jobName: string): string {
  const job = state.jobs.store.get(`${namespace ?? "default"}/${jobName}`);
  return job ? jobID(job) : jobName;
}

export function bodyObject(ctx: Ctx): Record<string, unknown> {
  const b = ctx.body;
  if (b === undefined) throw new HttpError(400, "Request body is empty");
  if (b === null || typeof b !== "object" || Array.isArray(b))
    throw new HttpError(400, "Request body must be a JSON object");
  return b as Record<string, unknown>;
}

/**
 * The Description and Meta every described Nomad object (namespace, node
 * pool) carries, checked as Nomad checks them; what is wrong goes to `errors`.
 */
export function descriptionAndMeta(
  body: Record<string, unknown>,
  errors: string[],
): { description: string; meta?: Record<string, string> } {
  const description = body.Description ?? "";
  if (typeof description !== "string") errors.push("Description must be a string");
  else if (description.length > 256) errors.push("description longer than 256");
  const meta = body.Meta ?? null;
  const isStringMap =
    meta !== null &&
    typeof meta === "object" &&
    !Array.isArray(meta) &&
    Object.values(meta).every((v) => typeof v === "string");
  if (meta !== null && !isStringMap) errors.push("Meta must be a map of strings");
  return {
    description: typeof description === "string" ? description : "",
    ...(isStringMap && Object.keys(meta).length ? { meta: meta as Record<string, string> } : {}),
  };
}
