// Hostile input to an exec websocket, as fast-check arbitraries: input
// messages of every shape Nomad's stream has and many it does not (wrong
// types, unknown fields, sizes out of range, stdin after its close, bad
// base64, bad JSON, invalid UTF-8, huge messages), as text or binary, and
// frames no well-behaved client sends (unmasked, reserved bits, unknown
// opcodes, broken fragments, oversized control frames, plain garbage), then
// an end: stdin's close, a close frame, or a dropped connection.
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";

/** One frame as a client sends it: masked unless told otherwise. */
export function clientFrame(
  opcode: number,
  payload: Uint8Array,
  opts: { fin?: boolean; rsv?: number; masked?: boolean } = {},
): Buffer {
  const { fin = true, rsv = 0, masked = true } = opts;
  const len = payload.length;
  const ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + ext + (masked ? 4 : 0));
  head[0] = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f);
  head[1] = (masked ? 0x80 : 0) | (ext === 0 ? len : ext === 2 ? 126 : 127);
  if (ext === 2) head.writeUInt16BE(len, 2);
  if (ext === 8) head.writeBigUInt64BE(BigInt(len), 2);
  const body = Buffer.from(payload);
  if (masked) {
    const key = randomBytes(4);
    key.copy(head, 2 + ext);
    for (let i = 0; i < body.length; i++) body[i] = (body[i] as number) ^ (key[i % 4] as number);
  }
  return Buffer.concat([head, body]);
}

const text = (s: string) => clientFrame(1, Buffer.from(s));

/** A number of any kind a JSON field could hold, most of them wrong for a size. */
const anyNumber = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.constantFrom(0, -1, 65535, 65536, 2 ** 31, 2 ** 53, -(2 ** 53)),
  fc.double(),
);
const anyValue = fc.oneof(anyNumber, fc.string(), fc.boolean(), fc.constant(null), fc.jsonValue());

/** A JSON input message, right or wrong, with unknown fields now and then. */
const inputMessage = fc.oneof(
  fc.record(
    {
      stdin: fc.record(
        {
          data: fc.oneof(
            fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString("base64")),
            fc.string(),
            anyValue,
          ),
          close: fc.oneof(fc.boolean(), anyValue),
        },
        { requiredKeys: [] },
      ),
      extra: anyValue,
    },
    { requiredKeys: ["stdin"] },
  ),
  fc.record({
    tty_size: fc.oneof(
      fc.record({ height: anyNumber, width: anyNumber }, { requiredKeys: [] }),
      anyValue,
    ),
  }),
  fc.constant({ stdin: { close: true } }),
  fc.constant({}),
  fc.dictionary(fc.string(), anyValue, { maxKeys: 4 }),
  fc.jsonValue(),
);

/** Bytes to write after the handshake: one or more frames, or garbage. */
export const hostileStep: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 6, arbitrary: inputMessage.map((m) => text(JSON.stringify(m))) },
  { weight: 2, arbitrary: inputMessage.map((m) => clientFrame(2, Buffer.from(JSON.stringify(m)))) },
  { weight: 2, arbitrary: fc.string().map(text) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => clientFrame(2, b)) },
  // Not UTF-8 in a text message.
  { weight: 1, arbitrary: fc.constant(clientFrame(1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))) },
  // A message split in two frames, sometimes with a ping between them.
  {
    weight: 1,
    arbitrary: fc.tuple(inputMessage, fc.boolean()).map(([m, ping]) => {
      const b = Buffer.from(JSON.stringify(m));
      const half = Math.floor(b.length / 2);
      return Buffer.concat([
        clientFrame(1, b.subarray(0, half), { fin: false }),
        ping ? clientFrame(9, Buffer.from("hi")) : Buffer.alloc(0),
        clientFrame(0, b.subarray(half)),
      ]);
    }),
  },
  // Frames the protocol forbids or does not know.
  {
    weight: 2,
    arbitrary: fc
      .record({
        opcode: fc.integer({ min: 0, max: 15 }),
        fin: fc.boolean(),
        rsv: fc.integer({ min: 0, max: 7 }),
        masked: fc.boolean(),
        payload: fc.uint8Array({ maxLength: 200 }),
      })
      .map(({ opcode, payload, ...opts }) => clientFrame(opcode, payload, opts)),
  },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b)),
  },
  // stdin data around the 1 MiB message limit (most of it is the base64 of zeros).
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: (1 << 20) - 64, max: (1 << 20) + 64 })
      .map((n) => text(`{"stdin":{"data":"${"A".repeat(Math.max(0, n - 16) & ~3)}"}}`)),
  },
);

/** How the client leaves: stdin's close (the command ends), a close frame, or a dropped connection. */
export const sessionEnd = fc.constantFrom("stdin-close", "close-frame", "disconnect");
export type SessionEnd = "stdin-close" | "close-frame" | "disconnect";

/** The bytes that end a session that way (none for a dropped connection). */
export function endBytes(end: SessionEnd): Buffer {
  if (end === "stdin-close") return text(JSON.stringify({ stdin: { close: true } }));
  if (end === "close-frame") return clientFrame(8, Buffer.from([0x03, 0xe8]));
  return Buffer.alloc(0);
}

/** Processes whose command line or environment holds the marker. */
export function processesMarked(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "latin1");
      const environ = readFileSync(`/proc/${entry}/environ`, "latin1");
      if (cmdline.includes(marker) || environ.includes(marker)) found.push(Number(entry));
    } catch {
      // Gone while read.
    }
  }
  return found;
}
