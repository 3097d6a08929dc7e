// The agent's log file (Nomad's log_file), rotated as Nomad rotates it: the
// active file keeps its name and is appended to; when it has reached
// log_rotate_bytes, or log_rotate_duration has passed since it was started,
// it is renamed <name>-<unix nanoseconds><ext> and a new one begins; then
// only the newest log_rotate_max_files rotated files are kept (0 keeps all).
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";

export interface LogFileOptions {
  /** A file, or a directory ending in "/" to hold nomad.log. */
  path: string;
  /** Rotate when the file has this many bytes; 0 is no size limit. */
  rotateBytes: number;
  rotateDurationMs: number;
  /** Rotated files kept; 0 keeps all. */
  rotateMaxFiles: number;
  now?: () => number;
}

export class RotatingLogFile extends Writable {
  private fd: number | undefined;
  private written = 0;
  private startedAt = 0;
  private readonly dir: string;
  private readonly name: string;
  private readonly now: () => number;

  constructor(private readonly options: LogFileOptions) {
    super();
    this.dir = options.path.endsWith("/") ? options.path : path.dirname(options.path);
    this.name = options.path.endsWith("/") ? "nomad.log" : path.basename(options.path);
    this.now = options.now ?? Date.now;
  }

  /** The active file. */
  get file(): string {
    return path.join(this.dir, this.name);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    try {
      this.writeSync(chunk);
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _final(done: (err?: Error | null) => void): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    done();
  }

  writeSync(chunk: Buffer | string): void {
    if (this.fd === undefined) this.open();
    this.rotateIfDue();
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    writeSync(this.fd as number, buf);
    this.written += buf.length;
  }

  private open(): void {
    mkdirSync(this.dir, { recursive: true });
    this.fd = openSync(this.file, "a", 0o640);
    const st = statSync(this.file);
    this.written = st.size;
    // A file that already has lines was started then; a new one now.
    this.startedAt = st.size > 0 ? Math.min(st.birthtimeMs || st.ctimeMs, this.now()) : this.now();
  }

  private rotateIfDue(): void {
    const { rotateBytes, rotateDurationMs } = this.options;
    const full = rotateBytes > 0 && this.written >= rotateBytes;
    if (!full && this.now() - this.startedAt < rotateDurationMs) return;
    closeSync(this.fd as number);
    const { base, ext } = this.parts();
    const nanos = (BigInt(Math.floor(this.now())) * 1_000_000n).toString();
    renameSync(this.file, path.join(this.dir, `${base}-${nanos}${ext}`));
    this.prune();
    this.open();
  }

  private parts(): { base: string; ext: string } {
    const ext = path.extname(this.name);
    return { base: ext ? this.name.slice(0, -ext.length) : this.name, ext: ext || ".log" };
  }

  /** Rotated files past the newest rotateMaxFiles are removed, oldest first. */
  private prune(): void {
    const max = this.options.rotateMaxFiles;
    if (max === 0) return;
    const { base, ext } = this.parts();
    const rotated = readdirSync(this.dir)
      .filter((f) => f.startsWith(`${base}-`) && f.endsWith(ext) && f !== this.name)
      .sort();
    for (const f of rotated.slice(0, Math.max(0, rotated.length - Math.max(0, max))))
      unlinkSync(path.join(this.dir, f));
  }
}
