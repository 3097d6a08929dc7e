// The messages of Nomad's exec stream (api.ExecStreamingInput and
// ExecStreamingOutput), one JSON object per websocket text message: input is
// stdin data (base64) or its close, a terminal size, or {} as a heartbeat;
// output is stdout or stderr data or close, then the exit code.

export type ExecInput =
  | { kind: "stdin"; data: Buffer; close: boolean }
  | { kind: "tty_size"; height: number; width: number }
  | { kind: "heartbeat" };

const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** One input message, or why it is refused (naming the field). Unknown fields are ignored, as Go's JSON decoder does. */
export function parseExecInput(
  text: string,
): { ok: true; input: ExecInput } | { ok: false; error: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `invalid exec input: ${(err as Error).message}` };
  }
  if (!isObject(v)) return { ok: false, error: "invalid exec input: not a JSON object" };
  const { stdin, tty_size: size } = v;
  if (stdin !== undefined && stdin !== null) {
    if (!isObject(stdin))
      return { ok: false, error: "invalid exec input: stdin must be an object" };
    const { data, close } = stdin;
    if (data !== undefined && data !== null && (typeof data !== "string" || !base64.test(data)))
      return { ok: false, error: "invalid exec input: stdin.data must be base64" };
    if (close !== undefined && close !== null && typeof close !== "boolean")
      return { ok: false, error: "invalid exec input: stdin.close must be true or false" };
    return {
      ok: true,
      input: {
        kind: "stdin",
        data: Buffer.from(typeof data === "string" ? data : "", "base64"),
        close: close === true,
      },
    };
  }
  if (size !== undefined && size !== null) {
    if (!isObject(size))
      return { ok: false, error: "invalid exec input: tty_size must be an object" };
    const dims: Record<"height" | "width", number> = { height: 0, width: 0 };
    for (const k of ["height", "width"] as const) {
      const n = size[k] ?? 0;
      if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 65535)
        return {
          ok: false,
          error: `invalid exec input: tty_size.${k} must be a whole number 0-65535`,
        };
      dims[k] = n;
    }
    return { ok: true, input: { kind: "tty_size", ...dims } };
  }
  return { ok: true, input: { kind: "heartbeat" } };
}

export function outputFrame(stream: "stdout" | "stderr", data: Buffer): string {
  return JSON.stringify({ [stream]: { data: data.toString("base64") } });
}

export function closeFrame(stream: "stdout" | "stderr"): string {
  return JSON.stringify({ [stream]: { close: true } });
}

export function exitFrame(exitCode: number): string {
  return JSON.stringify({ exited: true, result: { exit_code: exitCode } });
}

/** The command of ?command=: a JSON array of strings (Nomad's api client sends it so). */
export function parseCommand(
  raw: string | null,
): { ok: true; command: string[] } | { ok: false; error: string } {
  let v: unknown;
  try {
    v = JSON.parse(raw ?? "");
  } catch (err) {
    return { ok: false, error: `failed to marshal command into json: ${(err as Error).message}` };
  }
  if (v === null) return { ok: true, command: [] };
  if (!Array.isArray(v) || !v.every((a) => typeof a === "string"))
    return {
      ok: false,
      error: "failed to marshal command into json: command must be an array of strings",
    };
  if (v.some((a) => a.includes("\0")))
    return { ok: false, error: "command must not contain NUL characters" };
  return { ok: true, command: v };
}

/** ?tty= as Go's strconv.ParseBool reads it; absent or empty is false. */
export function parseTty(raw: string | null): boolean | undefined {
  if (raw === null || raw === "") return false;
  if (["1", "t", "T", "TRUE", "true", "True"].includes(raw)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(raw)) return false;
  return undefined;
}
