// RFC 6455 websockets, the part Nomad's exec stream uses: the server's side of
// the opening handshake, text, binary, close, ping and pong frames, messages
// split over continuation frames, masking (clients mask, servers do not), a
// limit on a message's size, and close codes with their reason. Both roles
// share one connection class, so a test client speaks the same protocol.
import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

const guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** The close codes this project sends (RFC 6455 §7.4.1). */
export const closeCode = {
  normal: 1000,
  protocolError: 1002,
  invalidData: 1007,
  policyViolation: 1008,
  tooBig: 1009,
  internalError: 1011,
} as const;

const opcode = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

/** Whether the request asks to switch to the websocket protocol (Upgrade: websocket). */
export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  const connection = (req.headers.connection ?? "").toLowerCase().split(/\s*,\s*/);
  return connection.includes("upgrade") && req.headers.upgrade?.toLowerCase() === "websocket";
}

/** What is wrong with an upgrade request, in the words of Go's gorilla/websocket (Nomad's library). */
export function handshakeProblem(req: IncomingMessage): string | undefined {
  const bad = "websocket: the client is not using the websocket protocol: ";
  const connection = (req.headers.connection ?? "").toLowerCase().split(/\s*,\s*/);
  if (!connection.includes("upgrade"))
    return `${bad}'upgrade' token not found in 'Connection' header`;
  if (req.headers.upgrade?.toLowerCase() !== "websocket")
    return `${bad}'websocket' token not found in 'Upgrade' header`;
  if (req.method !== "GET") return "websocket: the client is not using the websocket protocol";
  if (req.headers["sec-websocket-version"] !== "13")
    return "websocket: unsupported version: 13 not found in 'Sec-Websocket-Version' header";
  const key = req.headers["sec-websocket-key"];
  if (typeof key !== "string" || Buffer.from(key, "base64").length !== 16)
    return "websocket: not a websocket handshake: 'Sec-WebSocket-Key' header must be Base64 encoded value of 16-byte length";
  return undefined;
}

/** The Sec-WebSocket-Accept answer to a client's key. */
export function acceptKey(key: string): string {
  return createHash("sha1")
    .update(key + guid)
    .digest("base64");
}

/**
 * Switches the request's connection to the websocket protocol: writes the 101
 * answer on its socket and returns the connection. The caller has checked
 * `handshakeProblem`.
 */
export function acceptWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  options: { maxMessageBytes: number },
): WebSocketConnection {
  const key = String(req.headers["sec-websocket-key"]);
  socket.write(
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      `Sec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`,
  );
  return new WebSocketConnection(socket, { role: "server", ...options });
}

/** One frame, masked when a client sends it. */
export function encodeFrame(op: number, payload: Buffer, mask: boolean, fin = true): Buffer {
  const len = payload.length;
  const lenBytes = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + lenBytes + (mask ? 4 : 0));
  head[0] = (fin ? 0x80 : 0) | op;
  head[1] = (mask ? 0x80 : 0) | (lenBytes === 0 ? len : lenBytes === 2 ? 126 : 127);
  if (lenBytes === 2) head.writeUInt16BE(len, 2);
  if (lenBytes === 8) head.writeBigUInt64BE(BigInt(len), 2);
  if (!mask) return Buffer.concat([head, payload]);
  const key = head.subarray(2 + lenBytes);
  for (let i = 0; i < 4; i++) key[i] = Math.floor(Math.random() * 256);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] = (body[i] as number) ^ (key[i % 4] as number);
  return Buffer.concat([head, body]);
}

export interface WebSocketEvents {
  /** A whole message: text (valid UTF-8) or binary. */
  message: [data: Buffer, binary: boolean];
  /** The connection ended: the code and reason the peer (or this side) closed with; 1006 when none. */
  close: [code: number, reason: string];
}

export class WebSocketConnection extends EventEmitter<WebSocketEvents> {
  private buffered: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragmentBytes = 0;
  private fragmentBinary = false;
  private closeSent = false;
  private ended = false;
  private readonly role: "server" | "client";
  private readonly maxMessageBytes: number;

  constructor(
    private readonly socket: Duplex,
    options: {
      role: "server" | "client";
      maxMessageBytes: number;
      /** Bytes already read past the handshake: the first frames. */
      head?: Buffer;
    },
  ) {
    super();
    this.role = options.role;
    this.maxMessageBytes = options.maxMessageBytes;
    const head = options.head;
    // Once the caller has subscribed to the events (after its promises settled).
    if (head?.length) setImmediate(() => this.receive(head));
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.on("error", () => this.finish(1006, ""));
    // The peer's side ended (a half-open socket would otherwise linger).
    socket.on("end", () => this.finish(1006, ""));
    // An upgraded socket may have been left paused.
    socket.resume();
    socket.on("close", () => this.finish(1006, ""));
  }

  get closed(): boolean {
    return this.closeSent || this.ended;
  }

  /** Sends a text message; false when the connection's buffer is full (wait for `drained`). */
  sendText(text: string): boolean {
    return this.write(opcode.text, Buffer.from(text));
  }

  sendBinary(data: Buffer): boolean {
    return this.write(opcode.binary, data);
  }

  /** Resolves once what was sent has been handed to the network (or the connection ended). */
  drained(): Promise<void> {
    if (!this.socket.writableNeedDrain || this.ended) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off("drain", done);
        this.off("close", done);
        resolve();
      };
      this.socket.once("drain", done);
      this.once("close", done);
    });
  }

  /** Sends a close frame (code and reason) and ends the connection once the peer answers, or after a second. */
  close(code: number = closeCode.normal, reason = ""): void {
    if (this.closeSent || this.ended) return;
    // A close frame's payload is at most 125 bytes: 2 for the code, the rest for the reason.
    let why = Buffer.from(reason);
    if (why.length > 123) why = why.subarray(0, 123);
    const payload = Buffer.alloc(2 + why.length);
    payload.writeUInt16BE(code, 0);
    why.copy(payload, 2);
    this.write(opcode.close, payload);
    this.closeSent = true;
    this.closeWith = { code, reason };
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** Drops the connection without a close frame. */
  destroy(): void {
    this.socket.destroy();
  }

  private closeWith: { code: number; reason: string } | undefined;

  private write(op: number, payload: Buffer): boolean {
    if (this.closeSent || this.ended || this.socket.destroyed) return true;
    return this.socket.write(encodeFrame(op, payload, this.role === "client"));
  }

  private finish(code: number, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.socket.destroy();
    const sent = this.closeWith;
    this.emit(
      "close",
      sent && code === 1006 ? sent.code : code,
      sent && code === 1006 ? sent.reason : reason,
    );
  }

  /** Protocol errors end the connection with the code that names them. */
  private fail(code: number, reason: string): void {
    this.close(code, reason);
    this.buffered = Buffer.alloc(0);
    this.socket.end();
  }

  private receive(chunk: Buffer): void {
    if (this.ended) return;
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    while (!this.ended) {
      const frame = this.nextFrame();
      if (!frame) return;
      // After this side's close frame only the peer's answer matters.
      if (!this.closeSent) this.onFrame(frame.fin, frame.op, frame.payload);
      else if (frame.op === opcode.close) this.onClose(frame.payload);
    }
  }

  /** The next whole frame in the buffer, or undefined until more arrives (or after a protocol error). */
  private nextFrame(): { fin: boolean; op: number; payload: Buffer } | undefined {
    const b = this.buffered;
    if (b.length < 2) return undefined;
    const b0 = b[0] as number;
    const b1 = b[1] as number;
    const fin = (b0 & 0x80) !== 0;
    const op = b0 & 0x0f;
    const masked = (b1 & 0x80) !== 0;
    if (b0 & 0x70) return this.protocolError("reserved bits set");
    if (masked !== (this.role === "server"))
      return this.protocolError(
        masked ? "server frames are not masked" : "client frames must be masked",
      );
    let len = b1 & 0x7f;
    let at = 2;
    if (len === 126) {
      if (b.length < 4) return undefined;
      len = b.readUInt16BE(2);
      at = 4;
    } else if (len === 127) {
      if (b.length < 10) return undefined;
      const big = b.readBigUInt64BE(2);
      if (big > BigInt(this.maxMessageBytes)) return this.tooBig();
      len = Number(big);
      at = 10;
    }
    if (len > this.maxMessageBytes || this.fragmentBytes + len > this.maxMessageBytes)
      return this.tooBig();
    const keyAt = at;
    if (masked) at += 4;
    if (b.length < at + len) return undefined;
    const payload = Buffer.from(b.subarray(at, at + len));
    if (masked)
      for (let i = 0; i < payload.length; i++)
        payload[i] = (payload[i] as number) ^ (b[keyAt + (i % 4)] as number);
    this.buffered = b.subarray(at + len);
    return { fin, op, payload };
  }

  private protocolError(reason: string): undefined {
    this.fail(closeCode.protocolError, reason);
    return undefined;
  }

  private tooBig(): undefined {
    this.fail(closeCode.tooBig, `message larger than ${this.maxMessageBytes} bytes`);
    return undefined;
  }

  private onFrame(fin: boolean, op: number, payload: Buffer): void {
    if (op >= opcode.close) {
      if (!fin || payload.length > 125) {
        this.protocolError("control frames are at most 125 bytes and never fragmented");
        return;
      }
      if (op === opcode.close) this.onClose(payload);
      else if (op === opcode.ping) this.write(opcode.pong, payload);
      else if (op !== opcode.pong) this.protocolError(`unknown opcode ${op}`);
      return;
    }
    if (op === opcode.continuation) {
      if (!this.fragments.length) {
        this.protocolError("continuation frame without a message");
        return;
      }
    } else if (op === opcode.text || op === opcode.binary) {
      if (this.fragments.length) {
        this.protocolError("new message before the last one ended");
        return;
      }
      this.fragmentBinary = op === opcode.binary;
    } else {
      this.protocolError(`unknown opcode ${op}`);
      return;
    }
    this.fragments.push(payload);
    this.fragmentBytes += payload.length;
    if (!fin) return;
    const data = Buffer.concat(this.fragments);
    const binary = this.fragmentBinary;
    this.fragments = [];
    this.fragmentBytes = 0;
    if (!binary && !validUtf8(data)) {
      this.fail(closeCode.invalidData, "text message is not valid UTF-8");
      return;
    }
    this.emit("message", data, binary);
  }

  private onClose(payload: Buffer): void {
    const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
    const reason = payload.subarray(2).toString();
    // Answer with the same code, then the connection is over.
    if (!this.closeSent) {
      const echo = Buffer.alloc(payload.length >= 2 ? 2 : 0);
      if (payload.length >= 2) echo.writeUInt16BE(code, 0);
      this.write(opcode.close, echo);
      this.closeSent = true;
    }
    this.socket.end();
    this.finish(code, reason);
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function validUtf8(data: Buffer): boolean {
  try {
    utf8.decode(data);
    return true;
  } catch {
    return false;
  }
}
