// Runs one task of an allocation (Nomad's task runner): prestart work
// (artifacts, then templates) until it succeeds, the driver's start or
// re-attach, the wait for its exit, and Nomad's restart policy; template
// changes apply their change_mode; stopping sends kill_signal, then SIGKILL
// after kill_timeout. Its state and events live in the allocation runner,
// which reports them.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { durationMs, formatGoDurationMs } from "../common/duration.js";
import type { AllocationTaskState } from "../crds/allocation.js";
import { defaultKillTimeout, defaultResources } from "../crds/job/defaults.js";
import type { Task, TaskGroup } from "../crds/job/index.js";
import type { NomadAllocation } from "../crds/objects.js";
import type { ExitResult, TaskDriver, TaskHandle } from "../drivers/driver.js";
import { objectKey } from "../kube/store.js";
import type { AllocRunnerDeps } from "./allocrunner-deps.js";
import { ArtifactError, fetchArtifact } from "./artifacts/fetch.js";
import { openTaskLogs, type TaskLogs } from "./logs/tasklogs.js";
import type { AllocNetwork } from "./network/allocnetwork.js";
import { decideRestart } from "./restart.js";
import { taskEnvironment } from "./taskenv.js";
import { interpolateConfig, taskStartRequest } from "./taskstart.js";
import type { ChangeAction, TaskTemplateHook } from "./templates/hook.js";

/** What a task runner reads from and reports to its allocation runner. */
export interface TaskRunnerContext {
  deps: AllocRunnerDeps;
  alloc: NomadAllocation;
  allocDir: string;
  group: TaskGroup;
  jobType: string;
  jobMeta: Record<string, string>;
  /** A dispatched job's payload (base64), written where the task's dispatch_payload says. */
  payload?: string;
  /** The task's state in the allocation's status. */
  state: AllocationTaskState;
  event(type: string, message: string, extra?: Record<string, unknown>): void;
  /** Status changed: written within the batch interval. */
  report(): void;
  /** Status changed and must be written before going on. */
  reportNow(): Promise<void>;
  /** The whole allocation is stopping. */
  allocStopping(): boolean;
  /** The task started: the allocation is running. */
  started(): void;
  /** The allocation's network namespace (bridge and CNI modes), once set up. */
  network(): AllocNetwork | undefined;
  /** The task's process ended (before any restart): its services are deregistered. */
  exited?(): void;
}

interface Prepared {
  taskDir: string;
  config: Record<string, unknown>;
  baseEnv: Record<string, string>;
  logs: TaskLogs;
  templates: TaskTemplateHook | undefined;
}

export class TaskRunner {
  private handle: TaskHandle | undefined;
  /** Told to stop: its exit is not a failure and it does not restart. */
  private stopped = false;
  /** Why a restart was asked for (a template change, a user): the exit is not a failure and costs no attempt. */
  private restartRequested: string | undefined;
  /** Held until the allocation's prestart tasks have run again (a restart of all tasks). */
  private restartGate: Promise<void> | undefined;
  /** A check_restart killed the task: its exit is a failure, whatever its code. */
  private unhealthy = false;
  /** What ends a wait (restart delay, blocked templates) when the task is told to stop. */
  private readonly interrupters = new Set<() => void>();

  constructor(
    private readonly ctx: TaskRunnerContext,
    private readonly task: Task,
  ) {}

  /** Stops the task (and keeps it from restarting). */
  stop(): void {
    this.stopped = true;
    for (const interrupt of [...this.interrupters]) interrupt();
    if (this.handle) this.kill(this.handle);
  }

  /**
   * A user's restart (`nomad alloc restart`): the task is killed and started
   * again at once (or once `after` settles); like a template's restart it
   * costs no restart attempt.
   */
  restart(after?: Promise<void>): boolean {
    const handle = this.handle;
    if (!handle || this.stopped || this.ctx.allocStopping()) return false;
    this.ctx.event("Restart Signaled", "User requested restart", {
      restartReason: "User requested restart",
    });
    this.restartRequested = "User requested restart";
    this.restartGate = after;
    this.kill(handle);
    return true;
  }

  /**
   * `nomad alloc restart -all-tasks` of a task that has finished (a prestart
   * task that completed): it runs again from its setup, at no restart attempt.
   */
  rerun(): Promise<boolean> {
    const state = this.ctx.state;
    this.ctx.event("Restart Signaled", "User requested restart", {
      restartReason: "User requested restart",
    });
    Object.assign(state, {
      state: "pending",
      failed: false,
      restarts: (state.restarts ?? 0) + 1,
      lastRestart: new Date().toISOString(),
    });
    delete state.finishedAt;
    this.ctx.report();
    return this.run();
  }

  /** Whether the task has finished for good (it can only be run again with rerun). */
  get dead(): boolean {
    return this.ctx.state.state === "dead" && !this.handle;
  }

  /**
   * A check_restart: the task is killed and its exit counts as a failure, so
   * the restart policy decides (attempts, delay, mode), as in Nomad.
   */
  restartUnhealthy(reason: string): boolean {
    const handle = this.handle;
    if (!handle || this.stopped || this.ctx.allocStopping()) return false;
    this.ctx.event("Restart Signaled", reason, { restartReason: reason });
    this.unhealthy = true;
    this.kill(handle);
    return true;
  }

  /** A user's signal (`nomad alloc signal`) to the running task. */
  signal(signal: NodeJS.Signals): boolean {
    const handle = this.handle;
    if (!handle) return false;
    this.ctx.event("Signaling", `Task being sent signal ${signal}`, {
      signal: os.constants.signals[signal] ?? 0,
      details: { signal },
    });
    this.ctx.report();
    handle.signal(signal);
    return true;
  }

  /** The running task's handle (its pid, and its usage when the driver measures it). */
  get current(): TaskHandle | undefined {
    return this.handle;
  }

  /** Runs the task to its end; true when it finished successfully (or was stopped). */
  async run(evenWhenStopping = false): Promise<boolean> {
    const { ctx, task } = this;
    const driver = ctx.deps.drivers.get(task.driver);
    if (!driver)
      return this.fail("Driver Failure", `driver "${task.driver}" is not available on this node`);
    const taskDir = path.join(ctx.allocDir, task.name);
    for (const sub of ["local", "secrets", "tmp"])
      mkdirSync(path.join(taskDir, sub), { recursive: true });
    ctx.event("Task Setup", "Building Task Directory");

    const resources = ctx.alloc.spec.resources.tasks?.[task.name];
    const baseEnv = taskEnvironment({
      alloc: ctx.alloc,
      node: ctx.deps.node(),
      taskName: task.name,
      region: ctx.deps.region,
      allocDir: ctx.allocDir,
      taskDir,
      cpuMHz: resources?.cpu ?? task.resources?.cpu ?? defaultResources.cpu,
      memoryMB: resources?.memoryMB ?? task.resources?.memory ?? defaultResources.memory,
      jobMeta: ctx.jobMeta,
      groupMeta: ctx.group.meta ?? {},
      taskMeta: task.meta ?? {},
      taskEnv: task.env ?? {},
      ...(ctx.network() ? { networkStatus: ctx.network()?.status } : {}),
    });
    const config = interpolateConfig(task.config ?? {}, baseEnv, ctx.deps.node());
    const check = driver.validate(config);
    if (!check.ok) return this.fail("Failed Validation", check.errors.join("; "));

    let logs: TaskLogs;
    try {
      logs = await openTaskLogs({
        collector: ctx.deps.logCollector ?? "logmon",
        logmon: ctx.deps.logmon,
        logDir: path.join(ctx.allocDir, "alloc", "logs"),
        task: task.name,
        config: task.logs,
      });
    } catch (err) {
      return this.fail("Setup Failure", `log collection: ${(err as Error).message}`);
    }
    const templates = this.templateHook(taskDir, baseEnv);
    // A task told to stop while its templates wait for a source stops waiting.
    const offStop = templates ? this.onStop(() => templates.stop()) : () => {};
    try {
      return await this.loop(
        driver,
        { taskDir, config, baseEnv, logs, templates },
        evenWhenStopping,
      );
    } finally {
      offStop();
      templates?.stop();
      logs.stop();
    }
  }

  /** The task's kill_signal, then SIGKILL after its kill_timeout. */
  private kill(handle: TaskHandle): void {
    const { task } = this;
    const signal = (task.killSignal as NodeJS.Signals | undefined) ?? "SIGTERM";
    const killTimeout = task.killTimeout ?? defaultKillTimeout;
    const timeoutMs = durationMs(killTimeout, 0);
    this.ctx.event("Killing", `Sent interrupt. Waiting ${killTimeout} before force killing`, {
      killTimeout,
    });
    this.ctx.report();
    if (handle.stop) {
      handle
        .stop(signal, timeoutMs)
        .catch((err: unknown) =>
          this.ctx.deps.log.warn({ err, task: task.name }, "could not stop task"),
        );
      return;
    }
    handle.signal(signal);
    // Not cancelled when the task's main process exits: what it started in its
    // process group may still ignore the signal, and gets SIGKILL at the timeout.
    setTimeout(() => handle.signal("SIGKILL"), timeoutMs).unref();
  }

  /** Calls `interrupt` if the task is told to stop before `off()`. */
  private onStop(interrupt: () => void): () => void {
    this.interrupters.add(interrupt);
    return () => this.interrupters.delete(interrupt);
  }

  /** Waits for `gate`, or less when the task is told to stop. */
  private until(gate: Promise<void>): Promise<void> {
    return new Promise((resolve) => {
      const off = this.onStop(resolve);
      void gate.then(() => {
        off();
        resolve();
      });
    });
  }

  /** Waits `ms`, or less when the task is told to stop. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        off();
        resolve();
      };
      const timer = setTimeout(done, ms);
      const off = this.onStop(done);
    });
  }

  private templateHook(taskDir: string, env: Record<string, string>): TaskTemplateHook | undefined {
    const { ctx, task } = this;
    if (!task.templates?.length || !ctx.deps.templates) return undefined;
    return ctx.deps.templates(
      task,
      { alloc: ctx.alloc, taskDir, env },
      {
        event: (type, message, extra) => {
          ctx.event(type, message, extra);
          ctx.report();
        },
        changed: (action) => this.applyChange(action),
      },
    );
  }

  /** A template's change_mode, after a re-render changed its file. */
  private applyChange(action: ChangeAction): void {
    const handle = this.handle;
    if (!handle || this.stopped || this.ctx.allocStopping()) return;
    if (action.mode === "signal") {
      this.ctx.event("Signaling", `Template re-rendered; sending ${action.signal}`);
      handle.signal(action.signal);
    } else if (action.mode === "restart") {
      this.ctx.event("Restart Signaled", "Template with change_mode restart re-rendered");
      this.restartRequested = "Restart requested by a template change";
      this.kill(handle);
    }
    this.ctx.report();
  }

  /** Prestart work of each attempt until it succeeds: artifacts, then templates. */
  private async prestart(
    taskDir: string,
    templates: TaskTemplateHook | undefined,
  ): Promise<string | undefined> {
    const { ctx, task } = this;
    const payloadFile = task.dispatchPayload?.file;
    if (ctx.payload !== undefined && payloadFile) {
      // Relative to the task's local/ dir, as Nomad writes it, and never outside it.
      const local = path.join(taskDir, "local");
      const target = path.resolve(local, payloadFile);
      if (!target.startsWith(`${local}${path.sep}`)) {
        const message = `dispatch_payload.file "${payloadFile}" leaves the task's local/ directory`;
        ctx.event("Setup Failure", message, { setupError: message, failsTask: true });
        return message;
      }
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, Buffer.from(ctx.payload, "base64"));
    }
    if (task.artifacts?.length) {
      ctx.event("Downloading Artifacts", "Client is downloading artifacts");
      ctx.report();
      for (const artifact of task.artifacts) {
        try {
          await fetchArtifact(artifact, taskDir);
        } catch (err) {
          const message =
            err instanceof ArtifactError
              ? err.message
              : `unexpected error: ${(err as Error).message}`;
          ctx.event("Failed Artifact Download", message, { downloadError: message });
          return message;
        }
      }
    }
    if (templates) {
      try {
        await templates.prestart();
      } catch (err) {
        const message = (err as Error).message;
        ctx.event("Killing", `Template failed: ${message}`, { failsTask: true });
        return message;
      }
    }
    return undefined;
  }

  private async loop(driver: TaskDriver, t: Prepared, evenWhenStopping: boolean): Promise<boolean> {
    const { ctx, task } = this;
    const state = ctx.state;
    const key = objectKey(ctx.alloc);
    const told = () => (ctx.allocStopping() && !evenWhenStopping) || this.stopped;
    // A task an earlier agent process started, still recorded in the state file.
    let recovered = driver.recover ? ctx.deps.state.tasksOf(key)?.[task.name] : undefined;
    // Artifacts and templates of a re-attached task are already in place.
    let prepared = recovered !== undefined;
    if (prepared && t.templates) void t.templates.prestart().catch(() => {});
    const restarts: number[] = Array.from({ length: recovered?.restarts ?? 0 }, () => Date.now());
    for (;;) {
      let result: ExitResult;
      let setupFailed = false;
      const setupError = prepared ? undefined : await this.prestart(t.taskDir, t.templates);
      // A re-attached task told to stop is still found, to be stopped.
      if (!recovered && told()) return this.stoppedBeforeStart();
      if (setupError !== undefined) {
        result = { exitCode: null, signal: null, error: setupError };
        setupFailed = true;
      } else {
        prepared = true;
        let handle: TaskHandle;
        try {
          if (!recovered) await t.logs.ensure();
          handle =
            recovered && driver.recover
              ? await driver.recover(recovered)
              : await driver.start(
                  taskStartRequest({
                    alloc: ctx.alloc,
                    task,
                    group: ctx.group,
                    node: ctx.deps.node(),
                    config: t.config,
                    env: { ...t.baseEnv, ...t.templates?.env() },
                    allocDir: ctx.allocDir,
                    taskDir: t.taskDir,
                    logs: t.logs,
                    ...(ctx.network() ? { netns: ctx.network()?.netns } : {}),
                  }),
                );
        } catch (err) {
          return this.fail("Driver Failure", (err as Error).message);
        }
        this.handle = handle;
        if (handle.recovery)
          ctx.deps.state.setTask(key, task.name, { ...handle.recovery, restarts: restarts.length });
        Object.assign(state, {
          state: "running",
          startedAt: state.startedAt ?? new Date().toISOString(),
        });
        ctx.event(
          "Started",
          recovered ? "Task re-attached after an agent restart" : "Task started by client",
        );
        recovered = undefined;
        ctx.started();
        ctx.report();
        // Stopped while it was starting.
        if (told()) this.kill(handle);

        result = await handle.wait();
        this.handle = undefined;
        ctx.exited?.();
        await t.logs.flush();
        await handle
          .destroy?.()
          .catch((err: unknown) =>
            ctx.deps.log.warn({ err, task: task.name }, "could not clean up after task"),
          );
        ctx.deps.state.setTask(key, task.name, undefined);
      }
      const succeeded = result.exitCode === 0 && !result.error && !this.unhealthy;
      this.unhealthy = false;
      const stopped = told();
      const requested = stopped ? undefined : this.restartRequested;
      this.restartRequested = undefined;
      if (stopped) ctx.event("Killed", "Task successfully killed");
      else if (!setupFailed) this.exitEvent(result); // a failed setup's event already says why
      const decision = stopped
        ? { restart: false, delayMs: 0, reason: "" }
        : requested
          ? { restart: true, delayMs: 0, reason: requested }
          : succeeded && task.lifecycle && !task.lifecycle.sidecar
            ? // A prestart, poststart or poststop task that succeeded is done, whatever the job type.
              { restart: false, delayMs: 0, reason: "task completed" }
            : decideRestart(
                ctx.jobType,
                task.restart ?? ctx.group.restart,
                succeeded,
                restarts,
                Date.now(),
              );
      if (!decision.restart) {
        const ok = stopped || succeeded;
        if (!ok && !(result.error && !setupFailed))
          ctx.event("Not Restarting", decision.reason, {
            failsTask: true,
            restartReason: decision.reason,
          });
        Object.assign(state, { state: "dead", failed: !ok, finishedAt: new Date().toISOString() });
        await ctx.reportNow();
        return ok;
      }
      if (!requested) restarts.push(Date.now());
      Object.assign(state, {
        state: "pending",
        restarts: (state.restarts ?? 0) + 1,
        lastRestart: new Date().toISOString(),
      });
      // Nomad's display: "Task restarting in 15s", after the reason unless it is within policy.
      const wait = `Task restarting in ${formatGoDurationMs(decision.delayMs)}`;
      ctx.event(
        "Restarting",
        decision.reason.startsWith("Restart within policy") ? wait : `${decision.reason} - ${wait}`,
        { restartReason: decision.reason, startDelay: `${decision.delayMs}ms` },
      );
      ctx.report();
      await this.pause(decision.delayMs);
      const gate = this.restartGate;
      this.restartGate = undefined;
      if (gate) await this.until(gate);
      if (told()) return this.stoppedBeforeStart();
    }
  }

  /** Terminated (with exit code, signal and OOM) or Driver Failure. */
  private exitEvent(result: ExitResult): void {
    if (result.error) {
      this.ctx.event("Driver Failure", result.error, {
        failsTask: true,
        driverError: result.error,
      });
      return;
    }
    const exit = `Exit Code: ${result.exitCode ?? ""}${result.signal ? `, Signal: ${result.signal}` : ""}${result.oomKilled ? ', Exit Message: "OOM Killed"' : ""}`;
    const signal = result.signal ? os.constants.signals[result.signal as NodeJS.Signals] : 0;
    this.ctx.event("Terminated", exit, {
      ...(result.exitCode !== null ? { exitCode: result.exitCode } : {}),
      signal: signal ?? 0,
      details: {
        exit_code: String(result.exitCode ?? ""),
        signal: String(signal ?? 0),
        ...(result.oomKilled ? { oom_killed: "true" } : {}),
      },
    });
  }

  private async stoppedBeforeStart(): Promise<boolean> {
    Object.assign(this.ctx.state, { state: "dead", finishedAt: new Date().toISOString() });
    await this.ctx.reportNow();
    return true;
  }

  private async fail(type: string, message: string): Promise<boolean> {
    Object.assign(this.ctx.state, {
      state: "dead",
      failed: true,
      finishedAt: new Date().toISOString(),
    });
    this.ctx.event(type, message, { failsTask: true });
    await this.ctx.reportNow();
    return false;
  }
}
