// Request bodies: at most the size limit (413 beyond), valid UTF-8, JSON, and
// not nested deeper than any Nomad object is, so hostile input is a 400 and
// never a crash further in.
import type { IncomingMessage } from "node:http";
import { HttpError } from "./errors.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });
const maxDepth = 64;

export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  return parseJson(await readBody(req, limit));
}

/** The body's bytes; 413 beyond `limit`. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(req, limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(tooLarge(req, limit));
        return;
      }
      chunks.push(c);
    });
    req.on("error", (err) => {
      if (!failed) reject(err);
    });
    req.on("end", () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
  });
}

function tooLarge(req: IncomingMessage, limit: number): HttpError {
  // Stop reading; the connection closes after the answer.
  req.socket.once("drain", () => undefined);
  return new HttpError(413, `Request body too large; the limit is ${limit} bytes`);
}

export function parseJson(buf: Buffer): unknown {
  if (buf.length === 0) return undefined;
  let text: string;
  try {
    text = utf8.decode(buf);
  } catch {
    throw new HttpError(400, "Failed to decode request body: not valid UTF-8");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `Failed to decode request body: ${(err as Error).message}`);
  }
  if (depth(value) > maxDepth)
    throw new HttpError(
      400,
      `Failed to decode request body: nested deeper than ${maxDepth} levels`,
    );
  return value;
}

/** Nesting depth, without recursion (the input is hostile). */
function depth(root: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [v, d] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== "object") continue;
    if (d > max) max = d;
    if (max > maxDepth) return max;
    for (const x of Array.isArray(v) ? v : Object.values(v)) stack.push([x, d + 1]);
  }
  return max;
}
