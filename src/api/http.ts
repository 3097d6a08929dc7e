// What a route handler sees and returns. Errors are answered as Nomad answers
// them: the status code and a plain-text message ("job not found",
// "Permission denied").
import type { IncomingMessage, ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import type { Acl } from "../acl/acl.js";
import type { QueryOptions } from "./query.js";

/**
 * A serialized JSON answer kept across requests, with its gzip form made on
 * first demand: clients such as Nomad's Go client accept gzip, and a list of
 * a thousand jobs is twenty times smaller compressed.
 */
export class JsonPayload {
  private gz: Buffer | undefined;
  constructor(readonly json: Buffer) {}
  gzipped(): Buffer {
    this.gz ??= gzipSync(this.json, { level: 6 });
    return this.gz;
  }
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const permissionDenied = () => new HttpError(403, "Permission denied");
export const notFound = (what: string) => new HttpError(404, `${what} not found`);
export const badRequest = (message: string) => new HttpError(400, message);

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
  /** The parsed JSON body (undefined for none). */
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
  | "nodePools";

/**
 * Who may call a route: the ACL check Nomad's endpoint makes, declared with
 * the route and made by the server (auth.ts `authorize`) before the handler
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
 *   "pool:read"        the node_pool rule of the pool named by the path's :name
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
  | "pool:read";

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
  handle(ctx: Ctx): Reply | Promise<Reply>;
}
