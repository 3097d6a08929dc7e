// Structured logs with pino. `--log-json` (Nomad's log_json) writes JSON lines;
// otherwise a compact human line per record, like Nomad's own output.
import { Writable } from "node:stream";
import { type Logger, pino } from "pino";
import { type LogFileOptions, RotatingLogFile } from "./logfile.js";

export type { Logger };

/** How much the agent logs (Nomad's log_level; "off" logs nothing). */
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "off";

export interface LogOptions {
  level: LogLevel;
  json: boolean;
  /** Defaults to stderr, so command output on stdout stays clean. */
  destination?: NodeJS.WritableStream;
  /** Also write every line to this file, rotated (Nomad's log_file and log_rotate_*). */
  file?: LogFileOptions;
}

export function createLogger(options: LogOptions): Logger {
  const out = options.destination ?? process.stderr;
  const destination = options.file ? tee(out, new RotatingLogFile(options.file)) : out;
  const level = options.level === "off" ? "silent" : options.level;
  const base = { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime };
  if (options.json) return pino(base, destination as pino.DestinationStream);
  return pino(base, humanLines(destination));
}

const levelNames: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};

// `2026-11-22T10:00:00.000Z [INFO]  dev: control plane ready: server=https://…`
function humanLines(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (!line) continue;
        const { time, level, msg, component, err, ...rest } = JSON.parse(line) as Record<
          string,
          unknown
        >;
        const fields = Object.entries(rest)
          .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
          .join(" ");
        const prefix = component ? `${component}: ` : "";
        const name = `[${levelNames[level as number] ?? level}]`.padEnd(8);
        const error = err
          ? ` error=${JSON.stringify((err as { message?: string }).message ?? err)}`
          : "";
        out.write(`${time} ${name} ${prefix}${msg ?? ""}${fields ? `: ${fields}` : ""}${error}\n`);
      }
      done();
    },
  });
}

/** Each chunk to both streams. */
function tee(a: NodeJS.WritableStream, b: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      a.write(chunk);
      b.write(chunk, done);
    },
  });
}
