// Websocket clients for tests: `ws`'s client, which dials exec as Nomad's api
// client does and reads the session the way `nomad alloc exec` does, and a
// raw connection after the handshake to send bytes no well-behaved client
// would.
import { randomBytes } from "node:crypto";
import http from "node:http";
import type https from "node:https";
import type { Duplex } from "node:stream";
import { type RawData, WebSocket } from "ws";

export interface ExecOutcome {
  stdout: string;
  stderr: string;
  exitCode: number | undefined;
  /** How the websocket closed (1006: without a close frame). */
  closeCode: number;
  closeReason: string;
}

export interface Session {
  ws: WebSocket;
  send(message: unknown): void;
  stdin(text: string, close?: boolean): void;
  /** Settles once the websocket has closed. */
  outcome: Promise<ExecOutcome>;
}

export type Dialed = ({ ok: true } & Session) | { ok: false; status: number; body: string };

/**
 * Dials ws over http: or wss over https: (`tls` holds the CA and client
 * certificate); the session's output is collected from the first message on.
 */
export function dial(
  url: string,
  headers: Record<string, string> = {},
  tls: https.RequestOptions = {},
): Promise<Dialed> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, "ws"), {
      ...tls,
      headers,
      perMessageDeflate: false,
    });
    const s = session(ws);
    ws.once("open", () => resolve({ ok: true, ...s }));
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (d: Buffer) => {
        body += d.toString();
      });
      res.on("end", () => resolve({ ok: false, status: res.statusCode ?? 0, body }));
    });
    ws.once("error", reject);
  });
}

function text(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString();
  return Buffer.isBuffer(data) ? data.toString() : Buffer.from(data).toString();
}

/** Collects a session's output until the websocket closes; `send` writes input messages. */
function session(ws: WebSocket): Session {
  const out: ExecOutcome = {
    stdout: "",
    stderr: "",
    exitCode: undefined,
    closeCode: 0,
    closeReason: "",
  };
  ws.on("message", (data) => {
    const m = JSON.parse(text(data)) as {
      stdout?: { data?: string };
      stderr?: { data?: string };
      exited?: boolean;
      result?: { exit_code: number };
    };
    if (m.stdout?.data) out.stdout += Buffer.from(m.stdout.data, "base64").toString();
    if (m.stderr?.data) out.stderr += Buffer.from(m.stderr.data, "base64").toString();
    if (m.exited) out.exitCode = m.result?.exit_code;
  });
  // After the open, errors end in a close (1006 when without a close frame).
  ws.on("error", () => {});
  const outcome = new Promise<ExecOutcome>((resolve) =>
    ws.once("close", (code, reason) =>
      resolve({ ...out, closeCode: code, closeReason: reason.toString() }),
    ),
  );
  const send = (message: unknown) => {
    if (ws.readyState === WebSocket.OPEN)
      ws.send(typeof message === "string" ? message : JSON.stringify(message));
  };
  return {
    ws,
    send,
    stdin: (data, close = false) =>
      send({ stdin: { data: Buffer.from(data).toString("base64"), ...(close ? { close } : {}) } }),
    outcome,
  };
}

/**
 * The connection after a websocket handshake over plain HTTP, for raw bytes;
 * `closeCode` resolves with the code of the server's close frame (1006 when
 * the connection ended without one). The server's close frame is answered by
 * ending the connection.
 */
export function dialRaw(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ socket: Duplex; closeCode: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, {
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": randomBytes(16).toString("base64"),
        ...headers,
      },
    });
    req.once("upgrade", (_res, socket, head) => {
      let got = head;
      const answer = () => {
        if (serverCloseCode(got) !== undefined) socket.end();
      };
      socket.on("data", (d: Buffer) => {
        got = Buffer.concat([got, d]);
        answer();
      });
      socket.on("error", () => {});
      answer();
      const closeCode = new Promise<number>((done) =>
        socket.once("close", () => done(serverCloseCode(got) ?? 1006)),
      );
      resolve({ socket, closeCode });
    });
    req.once("response", (res) => reject(new Error(`no switch: ${res.statusCode}`)));
    req.once("error", reject);
  });
}

/** The code of the close frame among a server's (unmasked) frames, if one has come whole. */
function serverCloseCode(bytes: Buffer): number | undefined {
  let at = 0;
  while (at + 2 <= bytes.length) {
    const op = (bytes[at] as number) & 0x0f;
    const short = (bytes[at + 1] as number) & 0x7f;
    const ext = short === 126 ? 2 : short === 127 ? 8 : 0;
    const body = at + 2 + ext;
    if (body > bytes.length) return undefined;
    const len =
      ext === 2
        ? bytes.readUInt16BE(at + 2)
        : ext === 8
          ? Number(bytes.readBigUInt64BE(at + 2))
          : short;
    if (body + len > bytes.length) return undefined;
    if (op === 8) return len >= 2 ? bytes.readUInt16BE(body) : 1005;
    at = body + len;
  }
  return undefined;
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
