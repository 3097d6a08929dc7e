// The Nomad HTTP API server (node:http: the hot path is a cache lookup and a
// write, so no framework sits in between). It also keeps /metrics, /healthz
// and /readyz, which the controller's probes and Prometheus use.
import type http from "node:http";
import { createServer as createHttpServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { gzipSync } from "node:zlib";
import type { Registry } from "prom-client";
import type { Logger } from "../common/log.js";
import { ApiError } from "../kube/rest.js";
import type { Authorizer } from "./auth.js";
import { authorize, tokenSecret } from "./auth.js";
import { readJsonBody } from "./body.js";
import { type Ctx, HttpError, type Reply, type Route } from "./http.js";
import { parseQuery } from "./query.js";
import { Router } from "./router.js";
import type { ApiState } from "./state.js";

export interface ApiLimits {
  /** Largest request body accepted, in bytes (Nomad's job registrations can be large). */
  maxBodyBytes: number;
  /** Nomad's limits { http_max_conns_per_client }: connections from one address; 0 means no limit. */
  maxConnsPerClient: number;
}

export const defaultLimits: ApiLimits = { maxBodyBytes: 8 * 1024 * 1024, maxConnsPerClient: 100 };

export interface ApiServerDeps {
  state: ApiState;
  auth: Authorizer;
  routes: readonly Route[];
  registry: Registry;
  log: Logger;
  ready: () => boolean;
  limits?: Partial<ApiLimits>;
  /** This cluster's region; a request for another has no path to it. */
  region?: string;
}

export interface ApiServer {
  port: number;
  close(): Promise<void>;
}

const commonHeaders = { "X-Nomad-KnownLeader": "true", "X-Nomad-LastContact": "0" };

export async function serveApi(
  deps: ApiServerDeps,
  host: string,
  port: number,
  createServer: (handler: http.RequestListener) => http.Server = (h) => createHttpServer(h),
): Promise<ApiServer> {
  const limits = { ...defaultLimits, ...deps.limits };
  const router = new Router();
  for (const r of deps.routes) router.add(r);

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      deps.log.error({ err }, "API request failed");
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
      res.end();
    });
  });
  server.keepAliveTimeout = 30_000;

  const perClient = new Map<string, number>();
  server.on("connection", (socket: Socket) => {
    if (!limits.maxConnsPerClient) return;
    const addr = socket.remoteAddress ?? "";
    const n = (perClient.get(addr) ?? 0) + 1;
    if (n > limits.maxConnsPerClient) {
      // Nomad answers over-limit clients with 429 before closing.
      socket.end(
        "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
      );
      return;
    }
    perClient.set(addr, n);
    socket.once("close", () => {
      const left = (perClient.get(addr) ?? 1) - 1;
      if (left <= 0) perClient.delete(addr);
      else perClient.set(addr, left);
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    if (!path.startsWith("/v1/")) return probes(path, res);
    try {
      const { route, params } = router.match(req.method ?? "GET", path);
      const query = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
      const opts = parseQuery(query);
      // One region per Caravan cluster: requests for another cannot be forwarded.
      if (opts.region && deps.region && opts.region !== deps.region)
        throw new HttpError(400, `No path to region "${opts.region}"`);
      const { acl, token } = deps.auth.resolve(tokenSecret(req));
      const body =
        req.method === "POST" || req.method === "PUT"
          ? await readJsonBody(req, limits.maxBodyBytes)
          : undefined;
      const ctx: Ctx = { method: route.method, params, query, opts, acl, token, body, req, res };
      authorize(route, ctx);
      let reply = await route.handle(ctx);
      if (opts.minIndex !== undefined && route.watch && !reply.streamed)
        reply = await block(route, ctx, reply, opts.minIndex, opts.waitMs);
      if (!reply.streamed) send(res, reply, req.headers["accept-encoding"]);
    } catch (err) {
      sendError(res, err);
    }
  }

  /** Answers again each time a watched collection changes, until the index passes min or time is up. */
  async function block(
    route: Route,
    ctx: Ctx,
    first: Reply,
    min: number,
    waitMs: number,
  ): Promise<Reply> {
    let reply = first;
    const deadline = Date.now() + waitMs;
    const gone = new AbortController();
    ctx.res.once("close", () => gone.abort());
    const kinds = route.watch ?? [];
    while ((reply.index ?? 0) <= min) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      // One round per change: the waits on the other collections end with it.
      const round = new AbortController();
      const leave = () => round.abort();
      gone.signal.addEventListener("abort", leave, { once: true });
      const changed = await Promise.race(
        kinds.map((k) => deps.state.trackers[k].changed(left, round.signal)),
      );
      round.abort();
      gone.signal.removeEventListener("abort", leave);
      if (!changed) break;
      reply = await route.handle(ctx);
    }
    return reply;
  }

  function sendError(res: http.ServerResponse, err: unknown): void {
    let status = 500;
    let message = "internal error";
    if (err instanceof HttpError) {
      status = err.status;
      message = err.message;
    } else if (err instanceof ApiError) {
      // The Kubernetes API refused a write: invalid objects are the caller's mistake.
      status =
        err.statusCode === 422 || err.statusCode === 400 ? 400 : err.statusCode === 409 ? 409 : 500;
      message = err.message.replace(/^\w+ \S+: \d+ /, "");
      if (status === 500) deps.log.error({ err }, "Kubernetes API request failed");
    } else {
      deps.log.error({ err }, "API handler failed");
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    res.writeHead(status, {
      "Content-Type": "text/plain; charset=utf-8",
      "Content-Length": String(Buffer.byteLength(message)),
      ...commonHeaders,
      // The rest of an oversized body is not read: the connection cannot be reused.
      ...(status === 413 ? { Connection: "close" } : {}),
    });
    res.end(message);
  }

  function probes(path: string, res: http.ServerResponse): void {
    if (path === "/metrics") {
      deps.registry.metrics().then(
        (text) => res.writeHead(200, { "Content-Type": deps.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    } else if (path === "/healthz") res.writeHead(200).end("ok");
    else if (path === "/readyz") {
      const ok = deps.ready();
      res.writeHead(ok ? 200 : 503).end(ok ? "ok" : "not ready");
    } else if (path === "/" || path === "/ui" || path.startsWith("/ui/"))
      res.writeHead(404, { "Content-Type": "text/plain" }).end("the web UI is not served");
    else res.writeHead(404, { "Content-Type": "text/plain" }).end("Invalid URL path");
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Answers larger than this are gzipped for clients that accept it, as Nomad's server does. */
const gzipMinBytes = 16 * 1024;

export function send(res: http.ServerResponse, reply: Reply, acceptEncoding = ""): void {
  const headers: Record<string, string> = { ...commonHeaders, ...reply.headers };
  if (reply.index !== undefined) headers["X-Nomad-Index"] = String(Math.max(1, reply.index));
  if (reply.text !== undefined) {
    headers["Content-Type"] ??= "text/plain; charset=utf-8";
    headers["Content-Length"] = String(Buffer.byteLength(reply.text));
    res.writeHead(reply.status ?? 200, headers).end(reply.text);
    return;
  }
  headers["Content-Type"] = "application/json";
  const gzip = acceptEncoding.includes("gzip");
  let body: Buffer;
  if (reply.raw) {
    if (gzip && reply.raw.json.length >= gzipMinBytes) {
      headers["Content-Encoding"] = "gzip";
      headers.Vary = "Accept-Encoding";
      body = reply.raw.gzipped();
    } else body = reply.raw.json;
  } else {
    body = Buffer.from(JSON.stringify(reply.body ?? null));
    if (gzip && body.length >= gzipMinBytes) {
      headers["Content-Encoding"] = "gzip";
      headers.Vary = "Accept-Encoding";
      body = gzipSync(body, { level: 1 });
    }
  }
  // A Buffer with its length: one write, no chunked framing for the client to parse.
  headers["Content-Length"] = String(body.length);
  res.writeHead(reply.status ?? 200, headers).end(body);
}
