// The websocket protocol as a client on the wire sees it: the handshake's
// accept key (RFC 6455's own example), messages of every length encoding,
// messages split over frames, and the close codes for what the protocol
// forbids (unmasked client frames, bad UTF-8, oversized messages).
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acceptUpgrades } from "../../../src/http/listen.js";
import {
  acceptKey,
  acceptWebSocket,
  encodeFrame,
  handshakeProblem,
  type WebSocketConnection,
} from "../../../src/http/websocket.js";
import { dial } from "../../support/websocket.js";

const maxMessageBytes = 100_000;
let server: http.Server;
let base = "";
const serverCloses: Array<[number, string]> = [];

beforeAll(async () => {
  // Echoes every message; answers plain requests (and refused handshakes) with 400.
  server = http.createServer((_req, res) => res.writeHead(400).end("not a websocket"));
  acceptUpgrades(server, (req, res) => {
    const problem = handshakeProblem(req);
    const socket = res.socket;
    if (problem || !socket) {
      res.writeHead(400).end(problem);
      return;
    }
    res.detachSocket(socket);
    const ws = acceptWebSocket(req, socket, { maxMessageBytes });
    ws.on("message", (data, binary) =>
      binary ? ws.sendBinary(data) : ws.sendText(data.toString()),
    );
    ws.on("close", (code, reason) => serverCloses.push([code, reason]));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(
  () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }),
);

async function open(): Promise<WebSocketConnection> {
  const d = await dial(`${base}/echo`);
  if (!d.ok) throw new Error(`dial answered ${d.status}`);
  return d.ws;
}

/** A raw connection after the handshake, to send frames a well-behaved client never would. */
async function raw(): Promise<{ socket: Duplex; received: () => Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}/raw`, {
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
    });
    req.once("upgrade", (_res, socket) => {
      let got = Buffer.alloc(0);
      socket.on("data", (d: Buffer) => {
        got = Buffer.concat([got, d]);
      });
      socket.on("error", () => {});
      resolve({ socket, received: () => got });
    });
    req.once("error", reject);
  });
}

function nextMessage(ws: WebSocketConnection): Promise<Buffer> {
  return new Promise((r) => ws.once("message", (d) => r(d)));
}

function closed(ws: WebSocketConnection): Promise<[number, string]> {
  return new Promise((r) => ws.once("close", (code, reason) => r([code, reason])));
}

const settle = () => new Promise((r) => setTimeout(r, 100));

describe("websocket", () => {
  it("answers the handshake with RFC 6455's accept key", () => {
    expect(acceptKey("dGhlIHNhbXBsZSBub25jZQ==")).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });

  it("refuses requests that are not a websocket handshake, in gorilla/websocket's words", async () => {
    const plain = await new Promise<{ status: number; body: string }>((resolve) =>
      http.get(`${base}/x`, { headers: { Connection: "Upgrade", Upgrade: "h2c" } }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => {
          body += d.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      }),
    );
    expect(plain).toEqual({
      status: 400,
      body: "websocket: the client is not using the websocket protocol: 'websocket' token not found in 'Upgrade' header",
    });
    const badKey = await dial(`${base}/x`, { "Sec-WebSocket-Key": "short" });
    expect(badKey.ok).toBe(false);
    if (!badKey.ok) expect(badKey.body).toContain("'Sec-WebSocket-Key' header must be Base64");
  });

  it("carries messages of every length encoding, text and binary, both ways", async () => {
    const ws = await open();
    for (const size of [0, 125, 126, 65535, 65536, maxMessageBytes]) {
      const text = "x".repeat(size);
      const back = nextMessage(ws);
      ws.sendText(text);
      expect((await back).toString()).toBe(text);
    }
    const bytes = Buffer.from([0, 255, 1, 254]);
    const back = nextMessage(ws);
    ws.sendBinary(bytes);
    expect(await back).toEqual(bytes);
    // The server answers a close with its code; it saw the reason.
    const done = closed(ws);
    ws.close(1000, "bye");
    expect(await done).toEqual([1000, ""]);
    await settle();
    expect(serverCloses.at(-1)).toEqual([1000, "bye"]);
  });

  it("joins a message split over continuation frames, with a ping between them", async () => {
    const { socket, received } = await raw();
    socket.write(encodeFrame(1, Buffer.from("hel"), true, false));
    socket.write(encodeFrame(9, Buffer.from("p"), true));
    socket.write(encodeFrame(0, Buffer.from("lo"), true, true));
    await settle();
    // The pong, then the echoed message: unmasked server frames.
    expect(received()).toEqual(
      Buffer.concat([
        encodeFrame(10, Buffer.from("p"), false),
        encodeFrame(1, Buffer.from("hello"), false),
      ]),
    );
    socket.destroy();
  });

  it.each([
    ["an unmasked client frame", encodeFrame(1, Buffer.from("hi"), false), 1002],
    ["text that is not UTF-8", encodeFrame(1, Buffer.from([0xc3, 0x28]), true), 1007],
    ["a message over the limit", encodeFrame(2, Buffer.alloc(maxMessageBytes + 1), true), 1009],
    ["an unknown opcode", encodeFrame(3, Buffer.from("?"), true), 1002],
    ["a continuation with no message", encodeFrame(0, Buffer.from("?"), true), 1002],
  ])("closes the connection on %s", async (_what, frame, code) => {
    const { socket, received } = await raw();
    const ended = new Promise((r) => socket.once("close", r));
    socket.write(frame);
    await ended;
    const got = received();
    // One close frame: opcode 8, then the code.
    expect(got[0]).toBe(0x88);
    expect(got.readUInt16BE(2)).toBe(code);
  });
});
