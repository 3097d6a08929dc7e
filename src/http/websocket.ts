// The parts of a websocket that users see in Nomad's words: why an opening
// handshake is refused (gorilla/websocket's errors, Nomad's library, as the
// 400's body) and the close codes this project sends. The protocol itself
// (frames, masking, message limits, the closing handshake) is the `ws`
// library's.
import type { IncomingMessage } from "node:http";

/** The close codes this project sends (RFC 6455 §7.4.1). */
export const closeCode = {
  normal: 1000,
  policyViolation: 1008,
  tooBig: 1009,
  internalError: 1011,
} as const;

/** A close frame's reason is at most 123 bytes (125 less the code's two): longer ones are cut. */
export function closeReason(reason: string): string {
  const bytes = Buffer.from(reason);
  if (bytes.length <= 123) return reason;
  // Cut on a character boundary: drop a partial UTF-8 sequence at the end.
  return new TextDecoder().decode(bytes.subarray(0, 123)).replace(/\uFFFD$/, "");
}

/** What is wrong with an upgrade request, in the words of Go's gorilla/websocket (Nomad's library). */
export function handshakeProblem(
  req: Pick<IncomingMessage, "method" | "headers">,
): string | undefined {
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
  if (typeof key !== "string" || !/^[A-Za-z0-9+/]{22}==$/.test(key))
    return "websocket: not a websocket handshake: 'Sec-WebSocket-Key' header must be Base64 encoded value of 16-byte length";
  return undefined;
}
