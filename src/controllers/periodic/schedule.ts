// When a periodic job launches, as Nomad's periodic dispatcher decides: the
// earliest next time of any of its cron expressions, read in its time zone;
// after downtime only the latest missed launch runs (no burst); with
// prohibit_overlap a launch is skipped while a child still runs. Pure: the
// job, its last launch, its children and the clock go in.
import type { NomadJobSpec, PeriodicConfig } from "../../crds/job/index.js";
import { parseCron } from "./cron.js";

export function cronsOf(p: PeriodicConfig): string[] {
  return [...(p.crons ?? []), ...(p.cron ? [p.cron] : [])];
}

/** The first launch strictly after `after` (ms), or undefined when no expression has one. */
export function nextLaunch(p: PeriodicConfig, after: number): number | undefined {
  let best: number | undefined;
  for (const expr of cronsOf(p)) {
    const next = parseCron(expr, p.timeZone ?? "UTC").next(after);
    if (next !== undefined && (best === undefined || next < best)) best = next;
  }
  return best;
}

/** A cron expression that cannot be read, with why; undefined when all are fine. */
export function scheduleError(p: PeriodicConfig): string | undefined {
  for (const expr of cronsOf(p)) {
    try {
      parseCron(expr, p.timeZone ?? "UTC");
    } catch (err) {
      return `periodic.crons: "${expr}": ${(err as Error).message}`;
    }
  }
  return undefined;
}

export type LaunchDecision =
  /** Launch a child for the scheduled time `at`, then look again at `next`. */
  | { kind: "launch"; at: number; next?: number }
  /** The launch at `at` is skipped (a child still runs); look again at `next`. */
  | { kind: "skip"; at: number; next?: number; reason: string }
  /** Nothing due; look again at `next`. */
  | { kind: "wait"; next?: number }
  | { kind: "disabled" };

const maxCatchUp = 100_000;

/**
 * What to do now. `lastLaunch` is the scheduled time of the last launch (or
 * skip); for a job never launched, its registration time.
 */
export function launchDecision(
  spec: NomadJobSpec,
  lastLaunch: number,
  childRunning: boolean,
  now: number,
): LaunchDecision {
  const p = spec.periodic;
  if (!p || p.enabled === false || spec.stop) return { kind: "disabled" };
  let due = nextLaunch(p, lastLaunch);
  if (due === undefined || due > now) return { kind: "wait", ...(due ? { next: due } : {}) };
  // Several launches missed (the controller was down): only the latest runs.
  for (let i = 0; i < maxCatchUp; i++) {
    const following = nextLaunch(p, due);
    if (following === undefined || following > now) break;
    due = following;
  }
  const next = nextLaunch(p, due);
  if (p.prohibitOverlap && childRunning)
    return {
      kind: "skip",
      at: due,
      ...(next ? { next } : {}),
      reason: "a previous child is still running (prohibit_overlap)",
    };
  return { kind: "launch", at: due, ...(next ? { next } : {}) };
}
