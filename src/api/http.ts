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
  | "tokens"
  | "nodePools";

export interface Route {
  method: "GET" | "PUT" | "POST" | "DELETE";
  /** "/v1/job/:id/allocations"; ":id*" takes the rest, slashes included. */
  path: string;
  /** Collections this read depends on: `?index=` blocks until one of them passes the index. */
  watch?: readonly Kind[];
  handle(ctx: Ctx): Reply | Promise<Reply>;
}
