// The listener both HTTP servers (the API's, a node agent's) run on: plain
// HTTP or TLS as the agent's tls block says, a request handler whose crash is
// a 500, and a close that also drops idle keep-alive connections.
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { Logger } from "../common/log.js";
import type { TlsConfig } from "../config/agent-config.js";

/** Whether the tls block turns on HTTPS: tls { http = true } with a certificate and key. */
export function tlsEnabled(tls: TlsConfig | undefined): tls is TlsConfig & {
  certFile: string;
  keyFile: string;
} {
  return !!(tls?.http && tls.certFile && tls.keyFile);
}

/** An HTTPS server when the tls block turns it on, else plain HTTP. */
export function createServer(
  handler: http.RequestListener,
  tls: TlsConfig | undefined,
): http.Server {
  if (!tlsEnabled(tls)) return http.createServer(handler);
  return https.createServer(
    {
      cert: readFileSync(tls.certFile),
      key: readFileSync(tls.keyFile),
      ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}),
      ...(tls.minVersion ? { minVersion: tls.minVersion } : {}),
      requestCert: tls.verifyHttpsClient ?? false,
      rejectUnauthorized: tls.verifyHttpsClient ?? false,
    },
    handler,
  ) as unknown as http.Server;
}

/** A request listener for an async handler: a failure it did not answer is logged and a 500. */
export function guarded(
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>,
  log: Logger,
  message: string,
): http.RequestListener {
  return (req, res) => {
    void handle(req, res).catch((err: unknown) => {
      log.error({ err }, message);
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
      res.end();
    });
  };
}

/**
 * Requests that ask to switch protocols (a websocket's opening handshake) go
 * to the same handler as every other request: its answer is written on the
 * connection's socket, which then closes, unless the handler took the socket
 * over (`res.detachSocket`) to speak the new protocol on it.
 */
export function acceptUpgrades(server: http.Server, handler: http.RequestListener): void {
  server.on("upgrade", (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    if (head.length) socket.unshift(head);
    socket.on("error", () => socket.destroy());
    const res = new http.ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    // The answer was the last thing on this connection.
    res.once("finish", () => socket.end(() => socket.destroy()));
    handler(req, res);
  });
}

export interface Listening {
  /** The bound port (the one asked for, or the one the system chose for 0). */
  port: number;
  close(): Promise<void>;
}

export async function listen(server: http.Server, host: string, port: number): Promise<Listening> {
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
