// From an incoming request to the route and context its handler runs with:
// the route matched, the query options parsed, the caller's token resolved,
// the JSON body read and the route's declared access checked, in that order.
import type http from "node:http";
import type { Acl } from "../acl/acl.js";
import { authorize, tokenSecret } from "./authorize.js";
import { readBody, readJsonBody } from "./body.js";
import type { Ctx, RequestToken, Route } from "./context.js";
import { parseQuery, type QueryOptions } from "./query.js";
import type { Router } from "./router.js";

/** Resolves a request's secret to its ACL (an Authorizer). */
export interface TokenResolver {
  resolve(secret: string | undefined): { acl: Acl; token?: RequestToken };
}

export interface RequestDeps {
  router: Router;
  auth: TokenResolver;
  /** Largest request body accepted, in bytes (413 beyond). */
  maxBodyBytes: number;
  /** Refuses query options this server cannot serve (another region), before the token is resolved. */
  checkQuery?: (opts: QueryOptions) => void;
}

/** The path and the query string of a request's URL. */
export function splitUrl(url = "/"): { path: string; search: string } {
  const q = url.indexOf("?");
  return q < 0 ? { path: url, search: "" } : { path: url.slice(0, q), search: url.slice(q + 1) };
}

/** The route and its context; throws HttpError for what Nomad refuses (404, 405, 400, 403, 413). */
export async function routeRequest(
  deps: RequestDeps,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  path: string,
  search: string,
): Promise<{ route: Route; ctx: Ctx }> {
  const { route, params } = deps.router.match(req.method ?? "GET", path);
  const query = new URLSearchParams(search);
  const opts = parseQuery(query);
  deps.checkQuery?.(opts);
  const { acl, token } = deps.auth.resolve(tokenSecret(req));
  const writes = req.method === "POST" || req.method === "PUT";
  const body = writes && !route.rawBody ? await readJsonBody(req, deps.maxBodyBytes) : undefined;
  const ctx: Ctx = { method: route.method, params, query, opts, acl, token, body, req, res };
  authorize(route, ctx);
  if (writes && route.rawBody) ctx.body = await readBody(req, route.rawBody);
  return { route, ctx };
}
