// A websocket client for tests, as Nomad's api client dials exec: the opening
// handshake over HTTP, then src/http/websocket.ts in the client role. Helpers
// read an exec session the way `nomad alloc exec` does.
import { randomBytes } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { acceptKey, WebSocketConnection } from "../../src/http/websocket.js";

export type Dialed =
  | { ok: true; ws: WebSocketConnection }
  | { ok: false; status: number; body: string };

/** Dials ws over http: or wss over https: (`tls` holds the CA and client certificate). */
export function dial(
  url: string,
  headers: Record<string, string> = {},
  tls: https.RequestOptions = {},
): Promise<Dialed> {
  const key = randomBytes(16).toString("base64");
  return new Promise((resolve, reject) => {
    const get = url.startsWith("https:") ? https.get : http.get;
    const req = get(url, {
      ...tls,
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": key,
        ...headers,
      },
    });
    req.once("upgrade", (res, socket, head) => {
      if (res.headers["sec-websocket-accept"] !== acceptKey(key)) {
        socket.destroy();
        reject(new Error("wrong Sec-WebSocket-Accept"));
        return;
      }
      resolve({
        ok: true,
        ws: new WebSocketConnection(socket, { role: "client", maxMessageBytes: 16 << 20, head }),
      });
    });
    req.once("response", (res) => {
      let body = "";
      res.on("data", (d: Buffer) => {
        body += d.toString();
      });
      res.on("end", () => resolve({ ok: false, status: res.statusCode ?? 0, body }));
    });
    req.once("error", reject);
  });
}

export interface ExecOutcome {
  stdout: string;
  stderr: string;
  exitCode: number | undefined;
  /** How the websocket closed. */
  closeCode: number;
  closeReason: string;
}

/** Collects a session's output until the websocket closes; `send` writes input messages. */
export function session(ws: WebSocketConnection): {
  send(message: unknown): void;
  stdin(text: string, close?: boolean): void;
  outcome: Promise<ExecOutcome>;
} {
  const out: ExecOutcome = {
    stdout: "",
    stderr: "",
    exitCode: undefined,
    closeCode: 0,
    closeReason: "",
  };
  ws.on("message", (data) => {
    const m = JSON.parse(data.toString()) as {
      stdout?: { data?: string };
      stderr?: { data?: string };
      exited?: boolean;
      result?: { exit_code: number };
    };
    if (m.stdout?.data) out.stdout += Buffer.from(m.stdout.data, "base64").toString();
    if (m.stderr?.data) out.stderr += Buffer.from(m.stderr.data, "base64").toString();
    if (m.exited) out.exitCode = m.result?.exit_code;
  });
  const outcome = new Promise<ExecOutcome>((resolve) =>
    ws.once("close", (code, reason) => resolve({ ...out, closeCode: code, closeReason: reason })),
  );
  const send = (message: unknown) =>
    ws.sendText(typeof message === "string" ? message : JSON.stringify(message));
  return {
    send,
    stdin: (text, close = false) =>
      send({ stdin: { data: Buffer.from(text).toString("base64"), ...(close ? { close } : {}) } }),
    outcome,
  };
}

/** The exec endpoint's URL. */
export function execUrl(
  base: string,
  alloc: string,
  task: string,
  command: string[],
  tty = false,
): string {
  const q = new URLSearchParams({ task, command: JSON.stringify(command), tty: String(tty) });
  return `${base.replace(/\/$/, "")}/v1/client/allocation/${alloc}/exec?${q}`;
}
