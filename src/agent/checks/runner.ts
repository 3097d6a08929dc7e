// Runs one allocation's Nomad service checks on their intervals, as Nomad's
// client checks hook does: every check starts "pending", runs first after
// half its interval, then every interval, until the allocation stops. The
// allocation's status hears of a check only when its status changes, so a
// steady check costs no API writes. A check with check_restart restarts its
// task once it has not passed `limit` runs in a row, counted from `grace`
// after the task (re)started, as Nomad's check watcher does.
import type { AllocationCheckStatus } from "../../crds/allocation.js";
import type { CheckDefinition } from "./definitions.js";
import { type ProbeResult, probe } from "./probe.js";

interface Tracked {
  def: CheckDefinition;
  result: AllocationCheckStatus;
  successes: number;
  failures: number;
  timer?: NodeJS.Timeout;
  /** check_restart state: counting only while the task runs, past its grace. */
  watch?: { graceUntil: number; unhealthySince?: number };
}

export interface CheckHooks {
  /** A check's status changed. */
  changed: () => void;
  /** check_restart: restart the task (a failure, through its restart policy). */
  restart?: (task: string, reason: string) => void;
}

export class CheckRunner {
  private readonly checks: Tracked[];
  private stopped = false;

  constructor(
    defs: readonly CheckDefinition[],
    private readonly hooks: CheckHooks,
    private readonly run: (def: CheckDefinition) => Promise<ProbeResult> = probe,
    private readonly now: () => number = Date.now,
  ) {
    const at = new Date(now()).toISOString();
    this.checks = defs.map((def) => ({
      def,
      successes: 0,
      failures: 0,
      result: {
        id: def.id,
        check: def.check,
        service: def.service,
        ...(def.task ? { task: def.task } : {}),
        mode: def.mode,
        status: "pending",
        output: "nomad: waiting to run",
        timestamp: at,
      },
    }));
  }

  get size(): number {
    return this.checks.length;
  }

  start(): void {
    for (const c of this.checks) this.schedule(c, c.def.intervalMs / 2);
  }

  /** The task (re)started: its checks' check_restart counts again after their grace. */
  taskStarted(task: string): void {
    const at = this.now();
    for (const c of this.checks)
      if (c.def.restart?.task === task) c.watch = { graceUntil: at + c.def.restart.graceMs };
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.checks) clearTimeout(c.timer);
  }

  /** The latest result of every check. */
  results(): AllocationCheckStatus[] {
    return this.checks.map((c) => ({ ...c.result }));
  }

  private schedule(c: Tracked, delayMs: number): void {
    if (this.stopped) return;
    c.timer = setTimeout(() => {
      void this.run(c.def)
        .catch((err: unknown) => ({ status: "failure" as const, output: String(err) }))
        .then((r) => {
          if (this.stopped) return;
          this.record(c, r);
          this.watchRestart(c);
          this.schedule(c, c.def.intervalMs);
        });
    }, delayMs);
  }

  private record(c: Tracked, r: ProbeResult): void {
    if (r.status === "success") {
      c.successes += 1;
      c.failures = 0;
    } else {
      c.failures += 1;
      c.successes = 0;
    }
    // success_before_passing / failures_before_critical: a check changes
    // status only after that many results in a row.
    const prev = c.result.status;
    let next = prev;
    if (r.status === "success" && prev !== "success")
      next = c.successes > c.def.successBeforePassing - 1 ? "success" : prev;
    if (r.status === "failure" && prev !== "failure")
      next =
        prev === "success" && c.failures <= c.def.failuresBeforeCritical - 1 ? prev : "failure";
    if (next === prev && (next !== r.status || r.statusCode === c.result.statusCode)) return;
    const { statusCode: _s, ...rest } = c.result;
    c.result = {
      ...rest,
      status: next,
      ...(r.statusCode !== undefined ? { statusCode: r.statusCode } : {}),
      output: r.output,
      timestamp: next === prev ? c.result.timestamp : new Date(this.now()).toISOString(),
    };
    this.hooks.changed();
  }

  private watchRestart(c: Tracked): void {
    const policy = c.def.restart;
    const watch = c.watch;
    if (!policy || !watch) return;
    if (c.result.status === "success") {
      watch.unhealthySince = undefined;
      return;
    }
    const at = this.now();
    if (at < watch.graceUntil) return;
    watch.unhealthySince ??= at;
    // Runs come every interval: `limit` failing runs span limit - 1 intervals.
    if (at - watch.unhealthySince < c.def.intervalMs * (policy.limit - 1)) return;
    // Not watched again until the task has started again.
    c.watch = undefined;
    this.hooks.restart?.(
      policy.task,
      `healthcheck: check ${JSON.stringify(c.def.check)} unhealthy`,
    );
  }
}
