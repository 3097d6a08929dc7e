// The log monitor process, one per task (Nomad's logmon): reads the task's
// stdout and stderr FIFOs and writes them into rotated files. It runs
// detached from the agent, so a task's output keeps flowing while the agent
// restarts; the agent finds it again by its PID and stops it when the task is
// done for good.
//
// Usage: node logmon-main.js '{"logDir":…,"task":…,"maxFiles":…,"maxFileSizeBytes":…}'
import { execFileSync } from "node:child_process";
import {
  constants,
  existsSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  writeFileSync,
} from "node:fs";
import net from "node:net";
import { type LogStream, logFifoPath, logFlushPath } from "./files.js";
import { FileRotator } from "./rotator.js";

interface LogmonArgs {
  logDir: string;
  task: string;
  maxFiles: number;
  maxFileSizeBytes: number;
  /** How often to check for being orphaned (tests shorten it). */
  orphanCheckMs?: number;
}

const args = JSON.parse(process.argv[2] ?? "{}") as LogmonArgs;
const fifos: string[] = [];
const rotators: FileRotator[] = [];
const fds: number[] = [];

for (const stream of ["stdout", "stderr"] as LogStream[]) {
  const fifo = logFifoPath(args.logDir, args.task, stream);
  if (!existsSync(fifo)) execFileSync("mkfifo", ["-m", "600", fifo]);
  fifos.push(fifo);
  const rotator = new FileRotator(args.logDir, args.task, stream, args);
  rotators.push(rotator);
  // Read and write: opening never blocks, and a task that exits (or restarts)
  // does not end the stream, so one monitor serves every run of the task.
  const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
  fds.push(fd);
  const socket = new net.Socket({ fd, readable: true, writable: false });
  socket.on("data", (chunk: Buffer) => rotator.write(chunk));
}

// The agent asks before it reports a task's exit: everything the task wrote
// is in the files once the flush counter moves, so `alloc logs` of a task
// that just ended shows its last lines.
let flushes = 0;
process.on("SIGUSR2", () => {
  const buffer = Buffer.alloc(64 * 1024);
  fds.forEach((fd, i) => {
    for (;;) {
      let n = 0;
      try {
        n = readSync(fd, buffer);
      } catch {
        break; // EAGAIN: the pipe is empty
      }
      if (n <= 0) break;
      rotators[i]?.write(Buffer.from(buffer.subarray(0, n)));
    }
  });
  flushes += 1;
  writeFileSync(logFlushPath(args.logDir, args.task), String(flushes));
});

// Tells the agent both FIFOs are open for reading, so its driver can open them
// for writing without blocking.
process.stdout.write("ready\n");
process.stdout.destroy();
// The agent stops listening once we are ready (and may be gone): never die of a write to it.
process.stderr.on("error", () => {});

function finish(): void {
  // Let what is already in the pipes arrive, then close the files.
  setTimeout(() => {
    for (const r of rotators) r.close();
    process.exit(0);
  }, 300);
}
process.once("SIGTERM", finish);
process.once("SIGINT", finish);
process.on("SIGHUP", () => {}); // the agent's terminal going away is not our end

// The allocation directory was removed (garbage collected): nothing left to serve.
setInterval(() => {
  if (!fifos.every((f) => existsSync(f))) finish();
}, 10_000);

// Orphaned: the agent that started us is gone and no task has held our FIFOs
// for three checks in a row. A restarted agent starts a new monitor when it
// needs one.
const agentPid = process.ppid;
let idle = 0;
setInterval(() => {
  const orphaned = process.ppid !== agentPid;
  idle = orphaned && writers(fifos) === 0 ? idle + 1 : 0;
  if (idle >= 3) finish();
}, args.orphanCheckMs ?? 30_000).unref();

/** How many other processes have one of the FIFOs open. */
function writers(paths: string[]): number {
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
        if (paths.includes(readlinkSync(`/proc/${pid}/fd/${fd}`))) n += 1;
      } catch {
        // Closed meanwhile.
      }
    }
  }
  return n;
}
