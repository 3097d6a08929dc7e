// The exec stream's messages as Nomad's api client writes and reads them, and
// the refusals (naming the field) for input it never sends.
import { describe, expect, it } from "vitest";
import {
  closeFrame,
  exitFrame,
  outputFrame,
  parseCommand,
  parseExecInput,
  parseTty,
} from "../../../src/agent/http/exec-frames.js";

describe("exec stream input", () => {
  it("reads stdin data and close, terminal sizes and heartbeats", () => {
    expect(parseExecInput('{"stdin":{"data":"aGk="}}')).toEqual({
      ok: true,
      input: { kind: "stdin", data: Buffer.from("hi"), close: false },
    });
    expect(parseExecInput('{"stdin":{"close":true}}')).toEqual({
      ok: true,
      input: { kind: "stdin", data: Buffer.alloc(0), close: true },
    });
    expect(parseExecInput('{"tty_size":{"height":40,"width":120}}')).toEqual({
      ok: true,
      input: { kind: "tty_size", height: 40, width: 120 },
    });
    expect(parseExecInput("{}")).toEqual({ ok: true, input: { kind: "heartbeat" } });
    // Fields Nomad does not know are ignored, as Go's decoder does.
    expect(parseExecInput('{"other":1}')).toEqual({ ok: true, input: { kind: "heartbeat" } });
  });

  it.each([
    ["not json", "invalid exec input: Unexpected token"],
    ["[1]", "invalid exec input: not a JSON object"],
    ['{"stdin":"aGk="}', "invalid exec input: stdin must be an object"],
    ['{"stdin":{"data":"not base64!"}}', "invalid exec input: stdin.data must be base64"],
    ['{"stdin":{"data":1}}', "invalid exec input: stdin.data must be base64"],
    ['{"stdin":{"close":"yes"}}', "invalid exec input: stdin.close must be true or false"],
    [
      '{"tty_size":{"height":-1,"width":80}}',
      "invalid exec input: tty_size.height must be a whole number 0-65535",
    ],
    [
      '{"tty_size":{"height":24,"width":1e9}}',
      "invalid exec input: tty_size.width must be a whole number 0-65535",
    ],
  ])("refuses %s", (text, error) => {
    const parsed = parseExecInput(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.startsWith(error)).toBe(true);
  });
});

describe("exec stream output", () => {
  it("writes Nomad's ExecStreamingOutput shapes", () => {
    expect(JSON.parse(outputFrame("stdout", Buffer.from("hi")))).toEqual({
      stdout: { data: "aGk=" },
    });
    expect(JSON.parse(closeFrame("stderr"))).toEqual({ stderr: { close: true } });
    expect(JSON.parse(exitFrame(3))).toEqual({ exited: true, result: { exit_code: 3 } });
  });
});

describe("exec request", () => {
  it("reads the command as a JSON array of strings", () => {
    expect(parseCommand('["/bin/echo","hi"]')).toEqual({ ok: true, command: ["/bin/echo", "hi"] });
    expect(parseCommand("null")).toEqual({ ok: true, command: [] });
    for (const bad of [null, "", "echo hi", '"echo"', "[1]", '{"a":1}', '["a\\u0000b"]'])
      expect(parseCommand(bad).ok, String(bad)).toBe(false);
  });

  it("reads tty as Go's ParseBool does", () => {
    expect([null, "", "true", "1", "T", "false", "0", "F"].map(parseTty)).toEqual([
      false,
      false,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(parseTty("yes")).toBeUndefined();
  });
});
