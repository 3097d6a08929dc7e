// The Nomad HTTP API server (node:http: the hot path is a cache lookup and a
// write, so no framework sits in between). It also keeps /metrics, /healthz
// and /readyz, which the controller's probes and Prometheus use.
import type http from "node:http";
import type { Socket } from "node:net";
import type { Registry } from "prom-client";
import type { Logger } from "../common/log.js";
import type { TlsConfig } from "../config/agent-config.js";
import type { Authorizer } from "../http/authorizer.js";
import type { Ctx, Reply, Route } from "../http/context.js";
import { HttpError } from "../http/errors.js";
import { acceptUpgrades, createServer, guarded, type Listening, listen } from "../http/listen.js";
import { routeRequest, splitUrl } from "../http/request.js";
import { type NotServed, Router } from "../http/router.js";
import { send, sendError } from "../http/send.js";
import { ApiError } from "../kube/rest.js";
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
  /** Nomad paths Caravan does not serve, answered with why (routes/not-served.ts). */
  notServed?: readonly NotServed[];
  registry: Registry;
  log: Logger;
  ready: () => boolean;
  limits?: Partial<ApiLimits>;
  /** This cluster's region; a request for another has no path to it. */
  region?: string;
  /** The agent's tls block: HTTPS when it turns on tls { http }. */
  tls?: TlsConfig;
  /** http_api_response_headers: set on every response; a handler's own headers win. */
  responseHeaders?: Record<string, string>;
}

export type ApiServer = Listening;

export async function serveApi(
  deps: ApiServerDeps,
  host: string,
  port: number,
): Promise<ApiServer> {
  const limits = { ...defaultLimits, ...deps.limits };
  const router = new Router(deps.notServed);
  for (const r of deps.routes) router.add(r);
  const requests = {
    router,
    auth: deps.auth,
    maxBodyBytes: limits.maxBodyBytes,
    // One region per Caravan cluster: requests for another cannot be forwarded.
    checkQuery: (opts: { region?: string }) => {
      if (opts.region && deps.region && opts.region !== deps.region)
        throw new HttpError(400, `No path to region "${opts.region}"`);
    },
  };

  const listener = guarded(handle, deps.log, "API request failed");
  const server = createServer(listener, deps.tls);
  // nomad alloc exec's websocket, joined through to the node agent.
  acceptUpgrades(server, listener);
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
    for (const [name, value] of Object.entries(deps.responseHeaders ?? {}))
      res.setHeader(name, value);
    const { path, search } = splitUrl(req.url);
    if (!path.startsWith("/v1/")) return probes(path, res);
    try {
      const { route, ctx } = await routeRequest(requests, req, res, path, search);
      const { minIndex, waitMs } = ctx.opts;
      let reply = await route.handle(ctx);
      if (minIndex !== undefined && route.watch && !reply.streamed)
        reply = await block(route, ctx, reply, minIndex, waitMs);
      if (!reply.streamed) send(res, reply, req.headers["accept-encoding"]);
    } catch (err) {
      fail(res, err);
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

  function fail(res: http.ServerResponse, err: unknown): void {
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
    sendError(res, status, message);
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

  return listen(server, host, port);
}
