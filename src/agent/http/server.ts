// The node agent's HTTP listener: Nomad's client endpoints (logs, alloc fs,
// restart, signal, stats) on the agent's own address, which it records on its
// NomadNode (status.httpAddr) so the API server can forward to it. Every
// request is authorized here from the caller's token, as a Nomad client does:
// the server forwards the token, it does not vouch for the caller.
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import type { Acl } from "../../acl/acl.js";
import { authorize, tokenSecret } from "../../api/auth.js";
import { readJsonBody } from "../../api/body.js";
import type { RequestToken } from "../../api/http.js";
import { type Ctx, HttpError, type Route } from "../../api/http.js";
import { parseQuery } from "../../api/query.js";
import { Router } from "../../api/router.js";
import { send } from "../../api/server.js";
import type { Logger } from "../../common/log.js";
import type { TlsConfig } from "../../config/agent-config.js";
import { fsRoutes } from "./fs.js";
import { lifecycleRoutes } from "./lifecycle.js";
import { logRoutes } from "./logs.js";
import type { AllocSource } from "./source.js";
import { statsRoutes } from "./stats.js";

export interface ClientServerDeps {
  source: AllocSource;
  /** Resolves a request's token to its ACL (an Authorizer). */
  auth: { resolve(secret: string | undefined): { acl: Acl; token?: RequestToken } };
  log: Logger;
  tls?: TlsConfig;
}

export interface ClientServer {
  /** Where the API server reaches this agent: host:port. */
  httpAddr: string;
  tlsEnabled: boolean;
  close(): Promise<void>;
}

const maxBodyBytes = 64 * 1024;

/** Every client endpoint, each authorizing in the addressed allocation's namespace. */
export function clientRoutes(source: AllocSource): Route[] {
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
  ].map((r) => ({ ...r, aclNamespace: namespace }));
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
  for (const r of clientRoutes(deps.source)) router.add(r);
  const tls = deps.tls;
  const useTls = !!(tls?.http && tls.certFile && tls.keyFile);
  const handler: http.RequestListener = (req, res) => {
    void handle(req, res).catch((err: unknown) => {
      deps.log.error({ err }, "client endpoint failed");
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
      res.end();
    });
  };
  const server = useTls
    ? https.createServer(
        {
          cert: readFileSync(tls?.certFile as string),
          key: readFileSync(tls?.keyFile as string),
          ...(tls?.caFile ? { ca: readFileSync(tls.caFile) } : {}),
          requestCert: tls?.verifyHttpsClient ?? false,
          rejectUnauthorized: tls?.verifyHttpsClient ?? false,
        },
        handler,
      )
    : http.createServer(handler);

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    try {
      const { route, params } = router.match(req.method ?? "GET", path);
      const query = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
      const { acl, token } = deps.auth.resolve(tokenSecret(req));
      const body =
        req.method === "POST" || req.method === "PUT"
          ? await readJsonBody(req, maxBodyBytes)
          : undefined;
      const ctx: Ctx = {
        method: route.method,
        params,
        query,
        opts: parseQuery(query),
        acl,
        token,
        body,
        req,
        res,
      };
      authorize(route, ctx);
      const reply = await route.handle(ctx);
      if (!reply.streamed) send(res, reply, req.headers["accept-encoding"]);
    } catch (err) {
      const known = err instanceof HttpError;
      if (!known) deps.log.error({ err, path }, "client endpoint failed");
      if (res.headersSent) {
        res.end();
        return;
      }
      res
        .writeHead(known ? err.status : 500, { "Content-Type": "text/plain; charset=utf-8" })
        .end(known ? err.message : "internal error");
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    httpAddr: `${advertiseHost(host)}:${bound}`,
    tlsEnabled: useTls,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
