// The agent's log monitor process (Nomad runs a logmon per task; one process
// per agent serves every task here, since each Node process costs ~45 MB):
// reads each task's stdout and stderr FIFOs and writes them into rotated
// files. It runs detached from the agent, so tasks' output keeps flowing while
// the agent restarts; a restarted agent connects to the same socket.
//
// The agent asks over a Unix socket, one JSON request per line:
//   {"id":1,"op":"open","logDir":…,"task":…,"maxFiles":…,"maxFileSizeBytes":…}
//   {"id":2,"op":"flush","logDir":…,"task":…}  everything written so far is in the files
//   {"id":3,"op":"close","logDir":…,"task":…}  the task is done for good
//   {"id":4,"op":"shutdown"}                    the agent stops with its tasks (dev mode)
// and each gets {"id":…,"ok":true} or {"id":…,"ok":false,"error":…}.
//
// Usage: node logmon-main.js '{"socket":…,"orphanCheckMs":…}'
import { execFileSync } from "node:child_process";
import {
  constants,
  existsSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  rmSync,
} from "node:fs";
import net from "node:net";
import path from "node:path";
import { readLines } from "../../common/lines.js";
import { defaultLogConfig } from "../../crds/job/defaults.js";
import { type LogStream, logFifoPath } from "./files.js";
import { FileRotator, type RotationPolicy } from "./rotator.js";

interface LogmonArgs {
  socket: string;
  /** How often to check for being orphaned and idle (tests shorten it). */
  orphanCheckMs?: number;
}

interface TaskSpec extends Partial<RotationPolicy> {
  logDir: string;
  task: string;
}

interface Served {
  fifos: string[];
  fds: number[];
  sockets: net.Socket[];
  rotators: FileRotator[];
}

const args = JSON.parse(process.argv[2] ?? "{}") as LogmonArgs;
const served = new Map<string, Served>();
const key = (s: TaskSpec) => `${s.logDir}\0${s.task}`;

function open(spec: TaskSpec): void {
  if (served.has(key(spec))) return;
  const policy = {
    maxFiles: spec.maxFiles ?? defaultLogConfig.maxFiles,
    maxFileSizeBytes: spec.maxFileSizeBytes ?? defaultLogConfig.maxFileSize * 1024 * 1024,
  };
  const entry: Served = { fifos: [], fds: [], sockets: [], rotators: [] };
  for (const stream of ["stdout", "stderr"] as LogStream[]) {
    const fifo = logFifoPath(spec.logDir, spec.task, stream);
    if (!existsSync(fifo)) execFileSync("mkfifo", ["-m", "600", fifo]);
    const rotator = new FileRotator(spec.logDir, spec.task, stream, policy);
    // Read and write: opening never blocks, and a task that exits (or restarts)
    // does not end the stream, so one reader serves every run of the task.
    const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    const socket = new net.Socket({ fd, readable: true, writable: false });
    socket.on("data", (chunk: Buffer) => rotator.write(chunk));
    socket.on("error", () => {});
    entry.fifos.push(fifo);
    entry.fds.push(fd);
    entry.sockets.push(socket);
    entry.rotators.push(rotator);
  }
  served.set(key(spec), entry);
}

/** Reads what is left in the task's pipes into its files, synchronously. */
function drain(entry: Served): void {
  const buffer = Buffer.alloc(64 * 1024);
  entry.fds.forEach((fd, i) => {
    for (;;) {
      let n = 0;
      try {
        n = readSync(fd, buffer);
      } catch {
        break; // EAGAIN: the pipe is empty
      }
      if (n <= 0) break;
      entry.rotators[i]?.write(Buffer.from(buffer.subarray(0, n)));
    }
  });
}

function close(spec: TaskSpec): void {
  const entry = served.get(key(spec));
  if (!entry) return;
  drain(entry);
  served.delete(key(spec));
  for (const s of entry.sockets) s.destroy(); // closes the fd too
  for (const r of entry.rotators) r.close();
  for (const f of entry.fifos) rmSync(f, { force: true });
}

function handle(line: string): { id?: unknown; ok: boolean; error?: string } {
  let req: TaskSpec & { id?: unknown; op?: string };
  try {
    req = JSON.parse(line);
  } catch {
    return { ok: false, error: "not JSON" };
  }
  try {
    if (req.op === "open") open(req);
    else if (req.op === "flush") {
      const entry = served.get(key(req));
      if (entry) drain(entry);
    } else if (req.op === "close") close(req);
    else if (req.op === "shutdown") setImmediate(finish);
    else return { id: req.id, ok: false, error: `unknown op ${String(req.op)}` };
    return { id: req.id, ok: true };
  } catch (err) {
    return { id: req.id, ok: false, error: (err as Error).message };
  }
}

let clients = 0;
const server = net.createServer((conn) => {
  clients += 1;
  readLines(conn, (line) => conn.write(`${JSON.stringify(handle(line))}\n`));
  conn.on("error", () => {});
  conn.on("close", () => {
    clients -= 1;
  });
});

function finish(): void {
  for (const entry of served.values()) drain(entry);
  for (const entry of served.values()) for (const r of entry.rotators) r.close();
  server.close();
  rmSync(args.socket, { force: true });
  process.exit(0);
}
process.once("SIGTERM", finish);
process.once("SIGINT", finish);
process.on("SIGHUP", () => {}); // the agent's terminal going away is not our end
process.stderr.on("error", () => {});

// A stale socket file of a monitor that died: the agent connected and failed before starting us.
rmSync(args.socket, { force: true });
server.listen(args.socket, () => {
  // Tells the agent it can connect.
  process.stdout.write("ready\n");
  process.stdout.destroy();
});

// The data dir is gone (the agent's node was cleaned up), or nobody needs us:
// no agent connected and no task holding a FIFO, for three checks in a row. A
// restarted agent starts a new monitor when it needs one.
let idle = 0;
setInterval(() => {
  if (!existsSync(path.dirname(args.socket))) finish();
  for (const [k, entry] of served) {
    if (!entry.fifos.every((f) => existsSync(f))) {
      const [logDir = "", task = ""] = k.split("\0");
      close({ logDir, task }); // its allocation dir was garbage-collected
    }
  }
  idle = clients === 0 && writers() === 0 ? idle + 1 : 0;
  if (idle >= 3) finish();
}, args.orphanCheckMs ?? 30_000).unref();

/** How many other processes hold one of the served FIFOs open. */
function writers(): number {
  const fifos = new Set([...served.values()].flatMap((e) => e.fifos));
  if (fifos.size === 0) return 0;
  let n = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (fifos.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) n += 1;
      } catch {
        // Closed meanwhile.
      }
    }
  }
  return n;
}
