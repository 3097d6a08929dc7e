// Small facts about host processes the exec driver needs: whether one is
// alive (a zombie is not), its start time (to tell a re-used PID from the
// task's), its parent, and signal names for exit codes.
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses: fields follow the last ")".
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

export function alive(pid: number): boolean {
  const fields = statFields(pid);
  return fields !== undefined && fields[0] !== "Z" && fields[0] !== "X";
}

/** The process's start time in clock ticks since boot (field 22 of /proc/PID/stat). */
export function startTime(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

export function parentOf(pid: number): number | undefined {
  const ppid = statFields(pid)?.[1];
  return ppid === undefined ? undefined : Number(ppid);
}

/** Children of `pid`, by scanning /proc (hosts without per-task children files). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    if (parentOf(Number(entry)) === pid) out.push(Number(entry));
  }
  return out;
}

/** "SIGKILL" for 137 and the like: a shell reports a signalled child as 128 + signal. */
export function signalOfExitCode(code: number): string | null {
  if (code <= 128 || code > 128 + 64) return null;
  const entry = Object.entries(os.constants.signals).find(([, n]) => n === code - 128);
  return entry ? entry[0] : null;
}

export function kill(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
