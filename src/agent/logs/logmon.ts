// The agent's side of its log monitor (logmon-main): connects to the
// monitor's socket in the data dir, starting the monitor when none answers
// (the first start, or after it died), and asks it to serve, flush and let go
// of tasks' FIFOs. A restarted agent connects to the monitor the last one
// started, so tasks' output never stops flowing.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import net from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";
import { readLines } from "../../common/lines.js";
import { logFifoPath, logmonSocketPath } from "./files.js";
import type { RotationPolicy } from "./rotator.js";

export interface LogmonSpec extends RotationPolicy {
  logDir: string;
  task: string;
}

type TaskRef = Pick<LogmonSpec, "logDir" | "task">;

/** The FIFOs to hand the driver as the task's stdout and stderr. */
export function logmonFifos(spec: TaskRef): { stdout: string; stderr: string } {
  return {
    stdout: logFifoPath(spec.logDir, spec.task, "stdout"),
    stderr: logFifoPath(spec.logDir, spec.task, "stderr"),
  };
}

/** How to run the monitor: the compiled .js, or the .ts source through tsx (tests). */
function command(): string[] {
  const self = import.meta.url;
  if (self.endsWith(".ts")) {
    const tsx = pathToFileURL(createRequire(self).resolve("tsx")).href;
    return ["--import", tsx, fileURLToPath(new URL("./logmon-main.ts", self))];
  }
  return [fileURLToPath(new URL("./logmon-main.js", self))];
}

/** Starts a monitor on `socket` and waits until it listens; resolves with its PID. */
export function startLogmon(
  socket: string,
  options: { orphanCheckMs?: number } = {},
  timeoutMs = 30_000,
): Promise<number> {
  const child = spawn(process.execPath, [...command(), JSON.stringify({ socket, ...options })], {
    detached: true, // its own process group: it outlives the agent
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => fail(new Error("log monitor did not start in time")), timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(e);
    };
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (!out.includes("ready\n") || child.pid === undefined) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
      resolve(child.pid);
    });
    child.once("error", fail);
    child.once("exit", (code) =>
      fail(new Error(`log monitor exited with code ${code}: ${err.trim().slice(-500)}`)),
    );
  });
}

interface Pending {
  conn: net.Socket;
  resolve(): void;
  reject(err: Error): void;
}

export class LogmonClient {
  private readonly socket: string;
  private conn: Promise<net.Socket> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(
    dataDir: string,
    private readonly options: { orphanCheckMs?: number } = {},
  ) {
    this.socket = logmonSocketPath(dataDir);
  }

  /** Serve the task's FIFOs (idempotent: asked again before each start of the task). */
  open(spec: LogmonSpec): Promise<void> {
    return this.request({ op: "open", ...spec });
  }

  /** Everything the task wrote so far is in its files once this resolves. */
  flush(task: TaskRef): Promise<void> {
    return this.request({ op: "flush", logDir: task.logDir, task: task.task });
  }

  /** The task is done for good: drain and stop serving its FIFOs. */
  close(task: TaskRef): Promise<void> {
    return this.request({ op: "close", logDir: task.logDir, task: task.task });
  }

  /** Ends the monitor (the agent stopped its tasks too, as in dev mode). */
  async shutdown(): Promise<void> {
    if (!this.conn) return; // never started by us, or already gone
    await this.request({ op: "shutdown" }, 0).catch(() => {});
    this.disconnect();
  }

  /** Disconnects; the monitor keeps serving tasks that still write. */
  disconnect(): void {
    void this.conn?.then((c) => c.destroy()).catch(() => {});
    this.conn = undefined;
  }

  /** `retries`: a monitor that just died may still accept a connection and drop it. */
  private async request(body: Record<string, unknown>, retries = 3): Promise<void> {
    let conn: net.Socket;
    try {
      conn = await this.connection();
    } catch (err) {
      this.conn = undefined;
      throw err;
    }
    const id = this.nextId++;
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`log monitor did not answer ${String(body.op)}`));
      }, 10_000);
      this.pending.set(id, {
        conn,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
    conn.write(`${JSON.stringify({ id, ...body })}\n`);
    try {
      await done;
    } catch (err) {
      // The monitor died under us: the next connection starts a new one.
      if (retries > 0 && (err as Error).message === "log monitor connection closed") {
        await new Promise((r) => setTimeout(r, 100));
        return this.request(body, retries - 1);
      }
      throw err;
    }
  }

  private connection(): Promise<net.Socket> {
    if (!this.conn) {
      const conn: Promise<net.Socket> = this.connect(() => conn).catch(
        async (err: NodeJS.ErrnoException) => {
          if (err.code !== "ENOENT" && err.code !== "ECONNREFUSED") throw err;
          await startLogmon(this.socket, this.options);
          return this.connect(() => conn);
        },
      );
      this.conn = conn;
    }
    return this.conn;
  }

  /** `self` is the promise the connection is held as, so its close forgets only itself. */
  private connect(self: () => Promise<net.Socket> | undefined): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const conn = net.connect(this.socket);
      conn.once("error", reject);
      conn.once("connect", () => {
        conn.off("error", reject);
        conn.unref(); // the agent's own lifetime decides, not this connection
        readLines(conn, (line) => {
          const reply = JSON.parse(line) as { id: number; ok: boolean; error?: string };
          const p = this.pending.get(reply.id);
          this.pending.delete(reply.id);
          if (reply.ok) p?.resolve();
          else p?.reject(new Error(`log monitor: ${reply.error ?? "failed"}`));
        });
        conn.on("error", () => {});
        conn.on("close", () => {
          if (self() === this.conn) this.conn = undefined;
          for (const [id, p] of this.pending) {
            if (p.conn !== conn) continue;
            this.pending.delete(id);
            p.reject(new Error("log monitor connection closed"));
          }
        });
        resolve(conn);
      });
    });
  }
}
