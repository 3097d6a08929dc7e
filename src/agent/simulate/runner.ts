// Runs one allocation of a simulated node with the mock driver: the same task
// states, events and client status a real agent reports, without processes,
// directories or a state file. Status goes out through the shared batcher.

import { durationMs } from "../../common/duration.js";
import type {
  AllocationCheckStatus,
  AllocationClientStatus,
  NomadAllocationStatus,
} from "../../crds/allocation.js";
import { defaultKillTimeout } from "../../crds/job/defaults.js";
import type { Task, TaskGroup } from "../../crds/job/index.js";
import type { NomadAllocation } from "../../crds/objects.js";
import type { ExitResult, TaskHandle } from "../../drivers/driver.js";
import { checkMockConfig, parseMockConfig } from "../../drivers/mock/config.js";
import { MockStartError, startMockTask } from "../../drivers/mock/index.js";
import { nomadChecks } from "../checks/definitions.js";
import { decideRestart } from "../restart.js";
import { clientDescription, TaskStates } from "../taskevents.js";

export type StatusSink = (alloc: NomadAllocation, status: NomadAllocationStatus) => void;

export class SimAllocRunner {
  private readonly states = new TaskStates();
  private readonly handles = new Map<string, TaskHandle>();
  private clientStatus: AllocationClientStatus = "pending";
  private description = "";
  private stopping = false;
  /** The simulated node went away: nothing more is reported, as from a host that died. */
  private abandoned = false;
  /**
   * The allocation's Nomad service checks, reported passing from when it first
   * runs (there is nothing to probe); unset when it has none, so an
   * allocation without checks costs nothing more.
   */
  private checks: AllocationCheckStatus[] | undefined;
  private readonly checksPending: boolean;
  /** Ends restart delays early when the runner stops. */
  private readonly wakers = new Set<() => void>();
  readonly done: Promise<void>;

  constructor(
    private readonly alloc: NomadAllocation,
    private readonly group: TaskGroup | undefined,
    private readonly jobType: string,
    private readonly report: StatusSink,
  ) {
    this.checksPending = !!group && hasNomadChecks(group);
    this.done = this.run();
  }

  stop(reason: string): void {
    if (this.stopping) return;
    this.stopping = true;
    this.description = reason;
    for (const task of this.group?.tasks ?? []) {
      const handle = this.handles.get(task.name);
      if (!handle?.stop) continue;
      const killTimeout = task.killTimeout ?? defaultKillTimeout;
      this.states.event(
        task.name,
        "Killing",
        `Sent interrupt. Waiting ${killTimeout} before force killing`,
      );
      void handle.stop(
        (task.killSignal as NodeJS.Signals | undefined) ?? "SIGTERM",
        durationMs(killTimeout, 0),
      );
    }
    for (const wake of this.wakers) wake();
    this.publish();
  }

  /** Ends the mock tasks without reporting anything (the simulation is shutting down). */
  abandon(): void {
    this.abandoned = true;
    this.stopping = true;
    for (const handle of this.handles.values()) void handle.stop?.("SIGKILL", 0);
    for (const wake of this.wakers) wake();
  }

  private async run(): Promise<void> {
    const group = this.group;
    if (!group) {
      this.clientStatus = "failed";
      this.description = `group "${this.alloc.spec.group}" not found in job version ${this.alloc.spec.jobVersion}`;
      this.publish();
      return;
    }
    for (const task of group.tasks) {
      this.states.add(task.name);
      this.states.event(task.name, "Received", "Task received by client");
    }
    this.publish();
    const results = await Promise.all(group.tasks.map((t) => this.runTask(t)));
    const failed = results.some((ok) => !ok);
    this.clientStatus = failed && !this.stopping ? "failed" : "complete";
    if (!this.description) this.description = failed ? "Failed tasks" : "All tasks have completed";
    this.publish();
  }

  private async runTask(task: Task): Promise<boolean> {
    const state = this.states.get(task.name);
    if (task.driver !== "mock")
      return this.fail(
        task.name,
        "Driver Failure",
        `driver "${task.driver}" is not available on this node`,
      );
    const config = task.config ?? {};
    const check = checkMockConfig(config);
    if (!check.ok) return this.fail(task.name, "Failed Validation", check.errors.join("; "));
    this.states.event(task.name, "Task Setup", "Building Task Directory");
    const restarts: number[] = [];
    for (;;) {
      if (this.stopping) return this.finish(task.name, true);
      let result: ExitResult;
      const handle = await startMockTask(parseMockConfig(config), "").catch((err: Error) => err);
      if (handle instanceof Error) {
        if (!(handle instanceof MockStartError && handle.recoverable))
          return this.fail(task.name, "Driver Failure", handle.message);
        // A recoverable start error counts as a failed run: the restart policy decides.
        this.states.event(task.name, "Driver Failure", handle.message);
        result = { exitCode: null, signal: null, error: handle.message };
      } else {
        this.handles.set(task.name, handle);
        if (state)
          Object.assign(state, {
            state: "running",
            startedAt: state.startedAt ?? new Date().toISOString(),
          });
        this.states.event(task.name, "Started", "Task started by client");
        this.clientStatus = "running";
        this.passChecks();
        this.publish();
        if (this.stopping) void handle.stop?.("SIGKILL", 0);
        result = await handle.wait();
      }
      this.handles.delete(task.name);
      if (this.stopping) {
        this.states.event(task.name, "Killed", "Task successfully killed");
        return this.finish(task.name, true);
      }
      const succeeded = result.exitCode === 0 && !result.error;
      this.states.event(
        task.name,
        "Terminated",
        `Exit Code: ${result.exitCode ?? ""}${result.signal ? `, Signal: ${result.signal}` : ""}`,
        result.exitCode !== null ? { exitCode: result.exitCode } : {},
      );
      const decision = decideRestart(
        this.jobType,
        task.restart ?? this.group?.restart,
        succeeded,
        restarts,
        Date.now(),
      );
      if (!decision.restart) {
        if (!succeeded)
          this.states.event(task.name, "Not Restarting", decision.reason, { failsTask: true });
        return this.finish(task.name, succeeded);
      }
      restarts.push(Date.now());
      if (state)
        Object.assign(state, {
          state: "pending",
          restarts: restarts.length,
          lastRestart: new Date().toISOString(),
        });
      this.states.event(
        task.name,
        "Restarting",
        `${decision.reason}; restarting in ${Math.round(decision.delayMs / 1000)}s`,
      );
      this.publish();
      await new Promise<void>((r) => {
        const timer = setTimeout(r, decision.delayMs);
        this.wakers.add(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
  }

  private finish(taskName: string, ok: boolean): boolean {
    const state = this.states.get(taskName);
    if (state)
      Object.assign(state, { state: "dead", failed: !ok, finishedAt: new Date().toISOString() });
    this.publish();
    return ok;
  }

  private fail(taskName: string, type: string, message: string): boolean {
    this.states.event(taskName, type, message, { failsTask: true });
    return this.finish(taskName, false);
  }

  /** Once, as the allocation first runs: every check as a real agent reports one that passes. */
  private passChecks(): void {
    if (!this.checksPending || this.checks || !this.group) return;
    const at = new Date().toISOString();
    this.checks = nomadChecks(this.alloc, this.group, undefined).map((def) => ({
      id: def.id,
      check: def.check,
      service: def.service,
      ...(def.task ? { task: def.task } : {}),
      mode: def.mode,
      status: "success",
      output: "simulated node: the check passes without being run",
      timestamp: at,
    }));
  }

  private publish(): void {
    if (this.abandoned) return;
    this.report(this.alloc, {
      clientStatus: this.clientStatus,
      clientDescription: clientDescription(this.clientStatus, this.description),
      taskStates: this.states.snapshot(),
      ...(this.checks ? { checks: this.checks } : {}),
      modifyTime: new Date().toISOString(),
    });
  }
}

/** A cheap look for any service check of provider "nomad", before building definitions. */
function hasNomadChecks(group: TaskGroup): boolean {
  const any = (services: { provider?: string; checks?: unknown[] }[] | undefined) =>
    (services ?? []).some((s) => s.provider === "nomad" && (s.checks?.length ?? 0) > 0);
  return any(group.services) || group.tasks.some((t) => any(t.services));
}
