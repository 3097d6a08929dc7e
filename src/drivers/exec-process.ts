// The host processes `nomad alloc exec` starts for the drivers that run tasks
// as processes (raw_exec, exec, java): plain pipes, or a pseudo-terminal when
// a tty is asked for. Node has no pty of its own and no pty module is
// installed, so util-linux's `script` makes one (it relays the terminal on its
// stdin and stdout and exits with the command's code), and `stty -F` on the
// terminal's device sets its size, which the kernel reports to the command
// with SIGWINCH.
import { execFile, spawn } from "node:child_process";
import { readFileSync, readlinkSync } from "node:fs";
import os from "node:os";
import type { ExecProcess } from "./driver.js";

export interface ExecSpawn {
  /** The program and its arguments, run as they are (no shell). */
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
  tty: boolean;
}

/** A word as the shell reads it back unchanged. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The command line `script` runs: the argv itself, with the caller's SHELL put back (script needs its own). */
export function scriptCommand(argv: readonly string[], shell: string | undefined): string {
  const restore = shell === undefined ? "unset SHELL" : `SHELL=${shellQuote(shell)}`;
  return `${restore}; exec ${argv.map(shellQuote).join(" ")}`;
}

/** A process's environment, read from /proc (the task's, for commands exec'd into it). */
export function processEnv(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of readFileSync(`/proc/${pid}/environ`, "utf8").split("\0")) {
    const eq = entry.indexOf("=");
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** A process's working directory. */
export function processCwd(pid: number): string {
  return readlinkSync(`/proc/${pid}/cwd`);
}

/** Starts the command; rejects when it cannot start at all (no such program). */
export function spawnExec(s: ExecSpawn): Promise<ExecProcess> {
  const [file, ...args] = s.tty
    ? ["script", "-qefc", scriptCommand(s.argv, s.env.SHELL), "/dev/null"]
    : s.argv;
  const env = s.tty ? { ...s.env, SHELL: "/bin/sh" } : s.env;
  return new Promise((resolve, reject) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(file as string, args, {
        env,
        ...(s.cwd ? { cwd: s.cwd } : {}),
        stdio: "pipe",
        // Its own process group, so ending the session ends what the command started.
        detached: true,
      });
    } catch (err) {
      reject(err);
      return;
    }
    const { stdin, stdout, stderr, pid } = child;
    if (!stdin || !stdout || !stderr) {
      reject(new Error("exec: no pipes to the command"));
      return;
    }
    // A command that never reads its input must not crash the agent when input arrives.
    stdin.on("error", () => {});
    const exited = new Promise<number>((done) => {
      child.once("close", (code, signal) =>
        done(code ?? 128 + (signal ? (os.constants.signals[signal] ?? 9) : 9)),
      );
    });
    child.once("error", reject);
    child.once("spawn", () =>
      resolve({
        stdin,
        stdout,
        stderr,
        exited,
        resize: s.tty && pid !== undefined ? ptyResizer(pid) : () => {},
        kill: () => {
          try {
            if (pid !== undefined) process.kill(-pid, "SIGKILL");
          } catch {
            // Already gone.
          }
        },
      }),
    );
  });
}

/** Sets the size of the terminal `script` (pid) made, once its command has it open. */
function ptyResizer(scriptPid: number): (height: number, width: number) => void {
  let device: string | undefined;
  const find = (): string | undefined => {
    try {
      const child = readFileSync(`/proc/${scriptPid}/task/${scriptPid}/children`, "utf8")
        .trim()
        .split(/\s+/)[0];
      const fd0 = child ? readlinkSync(`/proc/${child}/fd/0`) : "";
      return fd0.startsWith("/dev/pts/") ? fd0 : undefined;
    } catch {
      return undefined;
    }
  };
  return (height, width) => {
    let tries = 0;
    const apply = () => {
      device ??= find();
      if (!device) {
        // The command is still starting: try again shortly, for a second at most.
        if (++tries < 20) setTimeout(apply, 50).unref();
        return;
      }
      execFile("stty", ["-F", device, "rows", String(height), "cols", String(width)], () => {});
    };
    apply();
  };
}
