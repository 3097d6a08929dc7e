// What a route handler sees (Ctx) and returns (Reply), and how a route
// declares its path, who may call it (Access) and what wakes its blocking
// queries (Kind). Errors are thrown as HttpError (errors.ts).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Acl } from "../acl/acl.js";
import type { JsonPayload } from "./payload.js";
import type { QueryOptions } from "./query.js";

/** The token a request presented, once resolved. */
export interface RequestToken {
  accessorID: string;
  name: string;
  type: "client" | "management";
  policies: string[];
  /** The NomadACLToken object's name. */
  objectName: string;
}

export interface Ctx {
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  opts: QueryOptions;
  acl: Acl;
  token: RequestToken | undefined;
  /** The parsed JSON body (undefined for none); a Buffer for a route with rawBody. */
  body: unknown;
  req: IncomingMessage;
  res: ServerResponse;
}

export interface Reply {
  status?: number;
  /** JSON body; `text` sends plain text instead. */
  body?: unknown;
  text?: string;
  /** An already serialized JSON body (a cached list). */
  raw?: JsonPayload;
  /** A binary body (a snapshot archive), sent as application/octet-stream unless headers say. */
  bytes?: Buffer;
  /** X-Nomad-Index. */
  index?: number;
  headers?: Record<string, string>;
  /** The handler wrote the response itself (log streaming). */
  streamed?: boolean;
}

/** Which collections' changes wake a blocking query. */
export type Kind =
  | "jobs"
  | "evaluations"
  | "allocations"
  | "nodes"
  | "deployments"
  | "versions"
  | "policies"
  | "roles"
  | "tokens"
  | "nodePools"
  | "schedulerConfigurations"
  | "services"
  | "variables";

/**
 * Who may call a route: the ACL check Nomad's endpoint makes, declared with
 * the route and made by the server (authorize.ts `authorize`) before the handler
 * runs. The ACL matrix and fuzz tests iterate over these declarations.
 *
 *   "anonymous"        anyone, with or without a token (status, health, bootstrap)
 *   "filtered"         anyone; the handler shows only what the token may see
 *   "token"            a real token, not the anonymous policy; the handler lets a
 *                      client token reach only what it owns (its token, its policies)
 *   "management"       a management token only
 *   "node:read", "node:write", "agent:read", "agent:write", "operator:read", "operator:write"
 *                      Nomad's node/agent/operator rule (write includes read)
 *   "ns:<capability>"  the capability in the request's namespace (?namespace=), or in
 *                      the addressed object's when the route has `aclNamespace`;
 *                      "ns:a+b" needs both; "ns:any" any capability at all
 *   "var:list", "var:read", "var:write", "var:destroy"
 *                      Nomad's variables path rule for the path's :path in the request's namespace
 *   "pool:read", "pool:write", "pool:delete"
 *                      the node_pool rule of the pool named by the path's :name (or,
 *                      without one, by the body's Name: an upsert)
 *
 * A list means any one of them suffices (Nomad's Job.Scale: scale-job or
 * submit-job). Example: `{ method: "GET", path: "/v1/job/:id*", acl: "ns:read-job", handle }`.
 */
export type Access =
  | "anonymous"
  | "filtered"
  | "token"
  | "management"
  | `${"node" | "agent" | "operator"}:${"read" | "write"}`
  | `ns:${string}`
  | `pool:${"read" | "write" | "delete"}`
  | `var:${"list" | "read" | "write" | "destroy"}`;

export interface Route {
  method: "GET" | "PUT" | "POST" | "DELETE";
  /** "/v1/job/:id/allocations"; ":id*" takes the rest, slashes included. */
  path: string;
  /** Who may call it (see Access); every route declares one. */
  acl: Access | readonly Access[];
  /**
   * For "ns:" access: the namespace of the object the path names (an
   * allocation's, an evaluation's), undefined when there is none (the handler
   * then answers 404, as Nomad does for an unknown ID).
   */
  aclNamespace?: (ctx: Ctx) => string | undefined;
  /** Collections this read depends on: `?index=` blocks until one of them passes the index. */
  watch?: readonly Kind[];
  /**
   * The body is bytes, not JSON (a snapshot archive): ctx.body is a Buffer of
   * at most this many bytes, read only once the access check has passed.
   */
  rawBody?: number;
  handle(ctx: Ctx): Reply | Promise<Reply>;
}
