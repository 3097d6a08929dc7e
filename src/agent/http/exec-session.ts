// One `nomad alloc exec` session on an open websocket: input messages go to
// the command (stdin data and close, terminal sizes; heartbeats are dropped),
// its output comes back as stdout/stderr messages, each stream's close when
// it ends, then the exit code, and the websocket closes normally. A message
// that is not valid input ends the session with 1008 and its reason; the
// caller going away kills the command.
import { finished } from "node:stream/promises";
import { type RawData, WebSocket } from "ws";
import type { ExecProcess } from "../../drivers/driver.js";
import { closeCode, closeReason } from "../../http/websocket.js";
import {
  closeFrame,
  type ExecInput,
  exitFrame,
  outputFrame,
  parseExecInput,
} from "./exec-frames.js";

/** Output waits for the caller once this much is queued on the connection. */
const highWaterBytes = 1024 * 1024;

function bytesOf(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

/** Runs the session to its end; resolves with the exit code, or undefined when it ended without one. */
export async function relayExec(
  ws: WebSocket,
  start: () => Promise<ExecProcess>,
  tty: boolean,
): Promise<number | undefined> {
  // Input that arrives while the command starts is applied, in order, once it has.
  const pending: ExecInput[] = [];
  let proc: ExecProcess | undefined;
  let gone = false;
  let done = false;

  const apply = (p: ExecProcess, input: ExecInput) => {
    if (input.kind === "stdin") {
      if (input.data.length && !p.stdin.writableEnded) p.stdin.write(input.data);
      if (input.close && !p.stdin.writableEnded) p.stdin.end();
    } else if (input.kind === "tty_size" && tty && input.height > 0 && input.width > 0) {
      p.resize(input.height, input.width);
    }
  };

  ws.on("message", (data) => {
    // Nothing counts after this side's close frame (a refusal, or the end).
    if (gone || ws.readyState !== WebSocket.OPEN) return;
    // Nomad reads every message as JSON, text or binary alike.
    const parsed = parseExecInput(bytesOf(data).toString());
    if (!parsed.ok) {
      ws.close(closeCode.policyViolation, closeReason(parsed.error));
      return;
    }
    if (proc) apply(proc, parsed.input);
    else pending.push(parsed.input);
  });
  ws.on("close", () => {
    gone = true;
    if (done || !proc) return;
    proc.kill();
    // Output held back for a slow caller has nowhere to go: let it drain, so the streams end.
    proc.stdout.resume();
    proc.stderr.resume();
  });

  let p: ExecProcess;
  try {
    p = await start();
  } catch (err) {
    ws.close(
      closeCode.internalError,
      closeReason(`failed to start command: ${(err as Error).message}`),
    );
    return undefined;
  }
  proc = p;
  if (gone) {
    p.kill();
    return undefined;
  }
  for (const input of pending.splice(0)) apply(p, input);

  const relay = (name: "stdout" | "stderr") => {
    const stream = p[name];
    // A command that writes faster than the caller reads waits for it.
    stream.on("data", (d: Buffer) => {
      ws.send(outputFrame(name, d), () => {
        if (stream.isPaused() && ws.bufferedAmount < highWaterBytes) stream.resume();
      });
      if (ws.bufferedAmount >= highWaterBytes) stream.pause();
    });
    return finished(stream).then(
      // With a tty the terminal is all on stdout: only its close is told.
      () => (name === "stdout" || !tty ? ws.send(closeFrame(name)) : undefined),
      () => undefined,
    );
  };
  await Promise.all([relay("stdout"), relay("stderr")]);
  const code = await p.exited;
  done = true;
  ws.send(exitFrame(code));
  ws.close(closeCode.normal);
  return code;
}
