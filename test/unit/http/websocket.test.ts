// What a client sees of a websocket before and after the switch, in Nomad's
// words: a refused opening handshake names what is wrong as gorilla/websocket
// (Nomad's library) does, and a close reason too long for a close frame is cut
// to fit without breaking a character.
import { describe, expect, it } from "vitest";
import { closeReason, handshakeProblem } from "../../../src/http/websocket.js";

const good = {
  connection: "keep-alive, Upgrade",
  upgrade: "websocket",
  "sec-websocket-version": "13",
  "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
};

describe("websocket handshake and close", () => {
  it("accepts a handshake as Nomad's CLI sends it", () => {
    expect(handshakeProblem({ method: "GET", headers: good })).toBeUndefined();
  });

  it("refuses what is not a websocket handshake, in gorilla/websocket's words", () => {
    const bad = "websocket: the client is not using the websocket protocol";
    const cases: Array<[string, Record<string, string>, string]> = [
      [
        "GET",
        { ...good, connection: "keep-alive" },
        `${bad}: 'upgrade' token not found in 'Connection' header`,
      ],
      [
        "GET",
        { ...good, upgrade: "h2c" },
        `${bad}: 'websocket' token not found in 'Upgrade' header`,
      ],
      ["POST", good, bad],
      [
        "GET",
        { ...good, "sec-websocket-version": "8" },
        "websocket: unsupported version: 13 not found in 'Sec-Websocket-Version' header",
      ],
      [
        "GET",
        { ...good, "sec-websocket-key": "short" },
        "websocket: not a websocket handshake: 'Sec-WebSocket-Key' header must be Base64 encoded value of 16-byte length",
      ],
    ];
    for (const [method, headers, problem] of cases)
      expect(handshakeProblem({ method, headers })).toBe(problem);
  });

  it("cuts a close reason to 123 bytes on a character boundary", () => {
    expect(closeReason("short")).toBe("short");
    const cut = closeReason(`${"a".repeat(122)}é and more`);
    expect(cut).toBe("a".repeat(122));
    expect(Buffer.byteLength(closeReason("é".repeat(100)))).toBe(122);
  });
});
