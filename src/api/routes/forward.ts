// Nomad's client endpoints (logs, alloc fs, restart, signal, stats) are served
// by the node agent that runs the allocation: the API server checks the
// caller's ACL, then forwards the request, token included, to the agent's
// address on its NomadNode (status.httpAddr) and streams the answer back, so
// `follow=true` logs flow as they are written. The agent checks the token again.
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { NomadAllocation } from "../../crds/objects.js";
import type { Ctx, Reply } from "../../http/context.js";
import { HttpError } from "../../http/errors.js";
import type { ApiState } from "../state.js";
import { mustFindByName } from "./common.js";
import type { RouteDeps } from "./deps.js";

/** The allocation the path names (404 "alloc not found"), with the capability in its namespace. */
export function mustFindAlloc(ctx: Ctx, state: ApiState, capability: string): NomadAllocation {
  return mustFindByName(ctx, state.allocations.store, "alloc", capability, "alloc");
}

/** Headers passed on to the agent, and back. */
const forwardedRequestHeaders = ["x-nomad-token", "authorization", "accept-encoding"];
/** And those of a websocket's opening handshake (nomad alloc exec), which the agent answers. */
const upgradeRequestHeaders = [
  "connection",
  "upgrade",
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-protocol",
];
const droppedReplyHeaders = new Set(["connection", "keep-alive", "transfer-encoding"]);

interface Target {
  host: string;
  port: number;
  tls: boolean;
}

function parseAddr(addr: string, tls: boolean): Target | undefined {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(addr);
  return m ? { host: m[1] as string, port: Number(m[2]), tls } : undefined;
}

/** Forwards the request to the agent of the named node (an allocation's, or the node /v1/client/stats names). */
export function clientForwarder(deps: RouteDeps): (ctx: Ctx, nodeName: string) => Promise<Reply> {
  const tls = deps.config.tls;
  // HTTPS to agents trusts the configured CA and presents this server's
  // certificate, for agents with verify_https_client.
  let agentOptions: https.AgentOptions | undefined;
  const httpsOptions = (): https.AgentOptions => {
    agentOptions ??= {
      ...(tls?.caFile ? { ca: readFileSync(tls.caFile) } : {}),
      ...(tls?.certFile && tls.keyFile
        ? { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }
        : {}),
    };
    return agentOptions;
  };

  function target(nodeName: string): Target {
    const node = deps.state.nodes.store.get(nodeName);
    const addr = node?.status?.httpAddr;
    const parsed = addr ? parseAddr(addr, node?.status?.tlsEnabled ?? false) : undefined;
    if (!parsed)
      throw new HttpError(
        502,
        `no path to node "${nodeName}": its agent has not reported an HTTP address`,
      );
    return parsed;
  }

  return (ctx, nodeName) => {
    const to = target(nodeName);
    const headers: Record<string, string> = {};
    const upgrade = ctx.req.headers.upgrade !== undefined;
    for (const h of upgrade
      ? [...forwardedRequestHeaders, ...upgradeRequestHeaders]
      : forwardedRequestHeaders) {
      const v = ctx.req.headers[h];
      if (typeof v === "string") headers[h] = v;
    }
    const body = ctx.body === undefined ? undefined : JSON.stringify(ctx.body);
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(Buffer.byteLength(body));
    }
    const options: http.RequestOptions = {
      host: to.host,
      port: to.port,
      method: ctx.method === "GET" ? "GET" : "POST",
      path: ctx.req.url ?? "/",
      headers,
    };
    return new Promise<Reply>((resolve, reject) => {
      const req = to.tls ? https.request({ ...options, ...httpsOptions() }) : http.request(options);
      const res = ctx.res;
      // The caller went away (a followed log closed): stop reading from the agent.
      const gone = () => req.destroy();
      res.once("close", gone);
      req.once("response", (upstream) => {
        const out: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(upstream.headers))
          if (v !== undefined && !droppedReplyHeaders.has(k)) out[k] = v;
        res.writeHead(upstream.statusCode ?? 502, out);
        res.flushHeaders();
        upstream.pipe(res);
        upstream.once("end", () => resolve({ streamed: true }));
        upstream.once("error", () => {
          res.end();
          resolve({ streamed: true });
        });
        upstream.once("close", () => resolve({ streamed: true }));
      });
      // The agent switched protocols (a websocket): its 101 goes back as it is,
      // then the two connections are joined until either side ends.
      req.once("upgrade", (upstream, agentSocket, head) => {
        res.off("close", gone);
        const socket = res.socket;
        if (!socket) {
          agentSocket.destroy();
          resolve({ streamed: true });
          return;
        }
        res.detachSocket(socket);
        const lines = [`HTTP/1.1 101 ${upstream.statusMessage ?? "Switching Protocols"}`];
        for (let i = 0; i < upstream.rawHeaders.length; i += 2)
          lines.push(`${upstream.rawHeaders[i]}: ${upstream.rawHeaders[i + 1]}`);
        socket.write(`${lines.join("\r\n")}\r\n\r\n`);
        if (head.length) socket.write(head);
        agentSocket.on("error", () => socket.destroy());
        socket.on("error", () => agentSocket.destroy());
        agentSocket.once("close", () => socket.destroy());
        socket.once("close", () => agentSocket.destroy());
        agentSocket.pipe(socket);
        socket.pipe(agentSocket);
        resolve({ streamed: true });
      });
      req.once("error", (err) => {
        res.off("close", gone);
        if (res.headersSent) {
          res.end();
          resolve({ streamed: true });
          return;
        }
        reject(
          new HttpError(
            502,
            `no path to node "${nodeName}" at ${to.host}:${to.port}: ${err.message}`,
          ),
        );
      });
      req.end(body);
    });
  };
}
