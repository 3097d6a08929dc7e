// The node agent's HTTP listener: Nomad's client endpoints (logs, alloc fs,
// restart, signal, stats, host stats, exec over a websocket) on the agent's own address, which it records on its
// NomadNode (status.httpAddr) so the API server can forward to it. Every
// request is authorized here from the caller's token, as a Nomad client does:
// the server forwards the token, it does not vouch for the caller.
import type http from "node:http";
import os from "node:os";
import type { Logger } from "../../common/log.js";
import type { TlsConfig } from "../../config/agent-config.js";
import type { Ctx, Route } from "../../http/context.js";
import { HttpError } from "../../http/errors.js";
import { acceptUpgrades, createServer, guarded, listen, tlsEnabled } from "../../http/listen.js";
import { routeRequest, splitUrl, type TokenResolver } from "../../http/request.js";
import { Router } from "../../http/router.js";
import { send, sendError } from "../../http/send.js";
import { execRoutes } from "./exec.js";
import { fsRoutes } from "./fs.js";
import { hostStatsRoutes } from "./hoststats.js";
import { lifecycleRoutes } from "./lifecycle.js";
import { logRoutes } from "./logs.js";
import type { AllocSource } from "./source.js";
import { statsRoutes } from "./stats.js";

export interface ClientServerDeps {
  source: AllocSource;
  /** Resolves a request's token to its ACL (an Authorizer). */
  auth: TokenResolver;
  log: Logger;
  tls?: TlsConfig;
  /** http_api_response_headers: set on every response; a handler's own headers win. */
  responseHeaders?: Record<string, string>;
}

export interface ClientServer {
  /** Where the API server reaches this agent: host:port. */
  httpAddr: string;
  tlsEnabled: boolean;
  close(): Promise<void>;
}

const maxBodyBytes = 64 * 1024;

/** Every client endpoint, each authorizing in the addressed allocation's namespace. */
export function clientRoutes(source: AllocSource, log: Logger): Route[] {
  // Undefined for an allocation this node does not hold: the handler answers 404.
  const namespace = (ctx: Ctx) => {
    const found = source.find(ctx.params.alloc ?? "");
    return found && (found.alloc.metadata.namespace ?? "default");
  };
  return [
    ...logRoutes(source),
    ...fsRoutes(source),
    ...lifecycleRoutes(source),
    ...statsRoutes(source),
    ...execRoutes(source, log),
  ]
    .map((r): Route => ({ ...r, aclNamespace: namespace }))
    .concat(hostStatsRoutes(source));
}

/** The address others reach a listener bound to `host` on: the first external IPv4 when bound to all. */
export function advertiseHost(host: string): string {
  if (host !== "0.0.0.0" && host !== "::" && host !== "") return host;
  for (const addrs of Object.values(os.networkInterfaces()))
    for (const a of addrs ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  return "127.0.0.1";
}

export async function serveClient(
  deps: ClientServerDeps,
  host: string,
  port: number,
): Promise<ClientServer> {
  const router = new Router();
  for (const r of clientRoutes(deps.source, deps.log)) router.add(r);
  const requests = { router, auth: deps.auth, maxBodyBytes };
  const listener = guarded(handle, deps.log, "client endpoint failed");
  const server = createServer(listener, deps.tls);
  // nomad alloc exec's websocket.
  acceptUpgrades(server, listener);

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(deps.responseHeaders ?? {}))
      res.setHeader(name, value);
    const { path, search } = splitUrl(req.url);
    try {
      const { route, ctx } = await routeRequest(requests, req, res, path, search);
      const reply = await route.handle(ctx);
      if (!reply.streamed) send(res, reply, req.headers["accept-encoding"]);
    } catch (err) {
      const known = err instanceof HttpError;
      if (!known) deps.log.error({ err, path }, "client endpoint failed");
      sendError(res, known ? err.status : 500, known ? err.message : "internal error");
    }
  }

  const { port: bound, close } = await listen(server, host, port);
  return { httpAddr: `${advertiseHost(host)}:${bound}`, tlsEnabled: tlsEnabled(deps.tls), close };
}
