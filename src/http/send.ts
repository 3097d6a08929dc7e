// Writing an answer: a route's Reply as JSON (gzipped when large and the
// client accepts it) or plain text, and an error as Nomad answers one, with
// the headers Nomad's servers always send.
import type http from "node:http";
import { gzipSync } from "node:zlib";
import type { Reply } from "./context.js";

const commonHeaders = { "X-Nomad-KnownLeader": "true", "X-Nomad-LastContact": "0" };

/** Answers larger than this are gzipped for clients that accept it, as Nomad's server does. */
const gzipMinBytes = 16 * 1024;

export function send(res: http.ServerResponse, reply: Reply, acceptEncoding = ""): void {
  const headers: Record<string, string> = { ...commonHeaders, ...reply.headers };
  if (reply.index !== undefined) headers["X-Nomad-Index"] = String(Math.max(1, reply.index));
  if (reply.status === 204) {
    // No Content: no body and no Content-Type (Nomad's variable delete).
    res.writeHead(204, headers).end();
    return;
  }
  if (reply.text !== undefined) {
    headers["Content-Type"] ??= "text/plain; charset=utf-8";
    headers["Content-Length"] = String(Buffer.byteLength(reply.text));
    res.writeHead(reply.status ?? 200, headers).end(reply.text);
    return;
  }
  if (reply.bytes !== undefined) {
    headers["Content-Type"] ??= "application/octet-stream";
    headers["Content-Length"] = String(reply.bytes.length);
    res.writeHead(reply.status ?? 200, headers).end(reply.bytes);
    return;
  }
  headers["Content-Type"] = "application/json";
  const gzip = acceptEncoding.includes("gzip");
  let body: Buffer;
  if (reply.raw) {
    if (gzip && reply.raw.json.length >= gzipMinBytes) {
      headers["Content-Encoding"] = "gzip";
      headers.Vary = "Accept-Encoding";
      body = reply.raw.gzipped();
    } else body = reply.raw.json;
  } else {
    body = Buffer.from(JSON.stringify(reply.body ?? null));
    if (gzip && body.length >= gzipMinBytes) {
      headers["Content-Encoding"] = "gzip";
      headers.Vary = "Accept-Encoding";
      body = gzipSync(body, { level: 1 });
    }
  }
  // A Buffer with its length: one write, no chunked framing for the client to parse.
  headers["Content-Length"] = String(body.length);
  res.writeHead(reply.status ?? 200, headers).end(body);
}

/** A failed request's answer: the status and a plain-text message (or just the end, once streaming). */
export function sendError(res: http.ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(message)),
    ...commonHeaders,
    // The rest of an oversized body is not read: the connection cannot be reused.
    ...(status === 413 ? { Connection: "close" } : {}),
  });
  res.end(message);
}
