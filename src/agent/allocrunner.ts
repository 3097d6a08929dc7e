// Runs one allocation on this node: lays out its directories as Nomad does,
// starts each task with its driver and Nomad's environment, and reports task
// states and the allocation's client status through the status subresource.
// Stopping sends the task's kill signal, then SIGKILL after its kill timeout.
import { mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Logger } from "../common/log.js";
import type {
  AllocationClientStatus,
  AllocationTaskState,
  NomadAllocationStatus,
} from "../crds/allocation.js";
import type { Task, TaskGroup } from "../crds/job/index.js";
import type { NomadAllocation, NomadNode } from "../crds/objects.js";
import type { ExitResult, TaskDriver, TaskHandle } from "../drivers/driver.js";
import { applyStatus } from "../kube/apply.js";
import type { KubeConfig } from "../kube/kubeconfig.js";
import { caravanResource } from "../kube/resources.js";
import { ApiError } from "../kube/rest.js";
import { objectKey } from "../kube/store.js";
import { ArtifactError, fetchArtifact } from "./artifacts/fetch.js";
import { type LogCollector, openTaskLogs, type TaskLogs } from "./logs/tasklogs.js";
import { decideRestart, durationMs } from "./restart.js";
import type { AgentState } from "./state.js";
import { StatusBatcher } from "./statusbatch.js";
import { taskEnvironment } from "./taskenv.js";
import { interpolateConfig, taskStartRequest } from "./taskstart.js";
import type { ChangeAction, TaskTemplateHook, TemplateHookEvents } from "./templates/hook.js";

export interface AllocRunnerDeps {
  kc: KubeConfig;
  log: Logger;
  dataDir: string;
  region: string;
  drivers: ReadonlyMap<string, TaskDriver>;
  node: () => NomadNode | undefined;
  fieldManager: string;
  /** Where running tasks are recorded, to re-attach to them after an agent restart. */
  state: AgentState;
  /** How task output is collected; "logmon" (the default) rotates it in a process that outlives the agent. */
  logCollector?: LogCollector;
  /** Makes the hook that renders a task's templates; unset means templates are not supported here. */
  templates?: (
    task: Task,
    ctx: { alloc: NomadAllocation; taskDir: string; env: Record<string, string> },
    events: TemplateHookEvents,
  ) => TaskTemplateHook;
  /** How often allocation status is written at most (Nomad's client batches its updates). */
  statusIntervalMs?: number;
}

export class AllocRunner {
  private readonly states = new Map<string, AllocationTaskState>();
  private readonly handles = new Map<string, TaskHandle>();
  private clientStatus: AllocationClientStatus = "pending";
  private description = "";
  private stopping = false;
  /** Tasks told to stop: their exit is not a failure and they do not restart. */
  private readonly stopped = new Set<string>();
  /** Tasks a template change asked to restart: their exit is not a failure and costs no attempt. */
  private readonly restartRequested = new Set<string>();
  /** Per task, what ends its wait (restart delay, blocked templates) when it is told to stop. */
  private readonly interrupters = new Map<string, Set<() => void>>();
  private readonly batcher: StatusBatcher;
  private sendFailures = 0;
  private readonly allocations = caravanResource("NomadAllocation");
  readonly done: Promise<void>;
  private group: TaskGroup | undefined;

  constructor(
    private readonly deps: AllocRunnerDeps,
    private readonly alloc: NomadAllocation,
    group: TaskGroup | undefined,
    private readonly jobType: string,
  ) {
    this.group = group;
    this.batcher = new StatusBatcher(() => this.send(), deps.statusIntervalMs ?? 200);
    this.done = this.run().catch((err: unknown) =>
      this.deps.log.error({ err, alloc: alloc.metadata.name }, "alloc runner failed"),
    );
  }

  get allocDir(): string {
    return path.join(this.deps.dataDir, "alloc", this.alloc.metadata.name);
  }

  /** Stops every task: kill signal, then SIGKILL after the kill timeout. */
  stop(reason: string): void {
    if (this.stopping) return;
    this.stopping = true;
    this.description = reason;
    // Poststop tasks are not stopped: they are yet to run.
    for (const task of this.group?.tasks ?? [])
      if (task.lifecycle?.hook !== "poststop") this.stopTask(task);
    this.report();
  }

  /** Stops one task (a sidecar whose main tasks ended, or all of them on stop); it is not restarted. */
  private stopTask(task: Task): void {
    this.stopped.add(task.name);
    for (const interrupt of this.interrupters.get(task.name) ?? []) interrupt();
    const handle = this.handles.get(task.name);
    if (handle) this.kill(task, handle);
  }

  /** Calls `interrupt` if the task is told to stop before `off()`. */
  private onStop(task: string, interrupt: () => void): () => void {
    const set = this.interrupters.get(task) ?? new Set();
    this.interrupters.set(task, set);
    set.add(interrupt);
    return () => set.delete(interrupt);
  }

  /** Waits `ms`, or less when the task is told to stop. */
  private pause(task: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        off();
        resolve();
      };
      const timer = setTimeout(done, ms);
      const off = this.onStop(task, done);
    });
  }

  /** The task's kill_signal, then SIGKILL after its kill_timeout. */
  private kill(task: Task, handle: TaskHandle): void {
    const signal = (task.killSignal as NodeJS.Signals | undefined) ?? "SIGTERM";
    const timeoutMs = durationMs(task.killTimeout, 5_000);
    this.event(
      task.name,
      "Killing",
      `Sent interrupt. Waiting ${task.killTimeout ?? "5s"} before force killing`,
      { killTimeout: task.killTimeout ?? "5s" },
    );
    this.report();
    if (handle.stop) {
      handle
        .stop(signal, timeoutMs)
        .catch((err: unknown) =>
          this.deps.log.warn({ err, task: task.name }, "could not stop task"),
        );
      return;
    }
    handle.signal(signal);
    // Not cancelled when the task's main process exits: what it started in its
    // process group may still ignore the signal, and gets SIGKILL at the timeout.
    setTimeout(() => handle.signal("SIGKILL"), timeoutMs).unref();
  }

  private async run(): Promise<void> {
    const group = this.group;
    if (!group) {
      this.clientStatus = "failed";
      this.description = `group "${this.alloc.spec.group}" not found in job version ${this.alloc.spec.jobVersion}`;
      await this.reportNow();
      return;
    }
    // Nomad's task lifecycle: prestart tasks run to completion before the main
    // tasks, sidecars run beside them and stop when they end, poststart tasks
    // start with them, poststop tasks run once they are done.
    const hook = (t: Task, name: string, sidecar = false) =>
      t.lifecycle?.hook === name && Boolean(t.lifecycle?.sidecar) === sidecar;
    const main = group.tasks.filter((t) => !t.lifecycle);
    const prestart = group.tasks.filter((t) => hook(t, "prestart"));
    const sidecars = group.tasks.filter(
      (t) => hook(t, "prestart", true) || hook(t, "poststart", true),
    );
    const poststart = group.tasks.filter((t) => hook(t, "poststart"));
    const poststop = group.tasks.filter((t) => t.lifecycle?.hook === "poststop");
    for (const task of group.tasks)
      this.states.set(task.name, { state: "pending", failed: false, restarts: 0, events: [] });
    mkdirSync(path.join(this.allocDir, "alloc", "logs"), { recursive: true });
    mkdirSync(path.join(this.allocDir, "alloc", "data"), { recursive: true });
    mkdirSync(path.join(this.allocDir, "alloc", "tmp"), { recursive: true });
    for (const task of group.tasks) this.event(task.name, "Received", "Task received by client");
    this.report();

    const allOk = (results: boolean[]) => results.every((ok) => ok);
    let ok = allOk(await Promise.all(prestart.map((t) => this.runTask(t))));
    if (ok && !this.stopping) {
      const side = sidecars.map((t) => this.runTask(t));
      const after = poststart.map((t) => this.runTask(t));
      ok = allOk(await Promise.all(main.map((t) => this.runTask(t))));
      for (const t of sidecars) this.stopTask(t);
      ok = allOk(await Promise.all([...side, ...after])) && ok;
    } else if (this.stopping) {
      // Stopped while no agent ran: tasks an earlier agent process started are re-attached to stop them.
      const recorded = this.deps.state.tasksOf(objectKey(this.alloc)) ?? {};
      const left = [...main, ...sidecars, ...poststart].filter((t) => recorded[t.name]);
      await Promise.all(left.map((t) => this.runTask(t)));
    }
    // Poststop tasks run after a stop too.
    ok = allOk(await Promise.all(poststop.map((t) => this.runTask(t, true)))) && ok;
    const failed = !ok;
    this.clientStatus = failed && !this.stopping ? "failed" : "complete";
    this.deps.state.forget(objectKey(this.alloc));
    if (!this.description) this.description = failed ? "Failed tasks" : "All tasks have completed";
    await this.reportNow();
  }

  /** Runs one task to its end; true when it finished successfully (or was stopped). */
  private async runTask(task: Task, evenWhenStopping = false): Promise<boolean> {
    const driver = this.deps.drivers.get(task.driver);
    if (!driver)
      return this.fail(
        task.name,
        "Driver Failure",
        `driver "${task.driver}" is not available on this node`,
      );
    const taskDir = path.join(this.allocDir, task.name);
    for (const sub of ["local", "secrets", "tmp"])
      mkdirSync(path.join(taskDir, sub), { recursive: true });
    this.event(task.name, "Task Setup", "Building Task Directory");

    const resources = this.alloc.spec.resources.tasks?.[task.name];
    const baseEnv = taskEnvironment({
      alloc: this.alloc,
      node: this.deps.node(),
      taskName: task.name,
      region: this.deps.region,
      allocDir: this.allocDir,
      taskDir,
      cpuMHz: resources?.cpu ?? task.resources?.cpu ?? 100,
      memoryMB: resources?.memoryMB ?? task.resources?.memory ?? 300,
      jobMeta: {},
      groupMeta: this.group?.meta ?? {},
      taskMeta: task.meta ?? {},
      taskEnv: task.env ?? {},
    });
    const config = interpolateConfig(task.config ?? {}, baseEnv, this.deps.node());
    const check = driver.validate(config);
    if (!check.ok) return this.fail(task.name, "Failed Validation", check.errors.join("; "));

    const key = objectKey(this.alloc);
    let logs: TaskLogs;
    try {
      logs = await openTaskLogs({
        collector: this.deps.logCollector ?? "logmon",
        state: this.deps.state,
        allocKey: key,
        logDir: path.join(this.allocDir, "alloc", "logs"),
        task: task.name,
        config: task.logs,
      });
    } catch (err) {
      return this.fail(task.name, "Setup Failure", `log collection: ${(err as Error).message}`);
    }
    const templates = this.templateHook(task, taskDir, baseEnv);
    // A task told to stop while its templates wait for a source stops waiting.
    const offStop = templates ? this.onStop(task.name, () => templates.stop()) : () => {};
    try {
      return await this.taskLoop(
        task,
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

  private templateHook(
    task: Task,
    taskDir: string,
    env: Record<string, string>,
  ): TaskTemplateHook | undefined {
    if (!task.templates?.length || !this.deps.templates) return undefined;
    return this.deps.templates(
      task,
      { alloc: this.alloc, taskDir, env },
      {
        event: (type, message, extra) => {
          this.event(task.name, type, message, extra);
          this.report();
        },
        changed: (action) => this.applyChange(task, action),
      },
    );
  }

  /** A template's change_mode, after a re-render changed its file. */
  private applyChange(task: Task, action: ChangeAction): void {
    const handle = this.handles.get(task.name);
    if (!handle || this.stopped.has(task.name) || this.stopping) return;
    if (action.mode === "signal") {
      this.event(task.name, "Signaling", `Template re-rendered; sending ${action.signal}`);
      handle.signal(action.signal);
    } else if (action.mode === "restart") {
      this.event(task.name, "Restart Signaled", "Template with change_mode restart re-rendered");
      this.restartRequested.add(task.name);
      this.kill(task, handle);
    }
    this.report();
  }

  /** Prestart work of each attempt until it succeeds: artifacts, then templates. */
  private async prestart(
    task: Task,
    taskDir: string,
    templates: TaskTemplateHook | undefined,
  ): Promise<string | undefined> {
    if (task.artifacts?.length) {
      this.event(task.name, "Downloading Artifacts", "Client is downloading artifacts");
      this.report();
      for (const artifact of task.artifacts) {
        try {
          await fetchArtifact(artifact, taskDir);
        } catch (err) {
          const message =
            err instanceof ArtifactError
              ? err.message
              : `unexpected error: ${(err as Error).message}`;
          this.event(task.name, "Failed Artifact Download", message, { downloadError: message });
          return message;
        }
      }
    }
    if (templates) {
      try {
        await templates.prestart();
      } catch (err) {
        const message = (err as Error).message;
        this.event(task.name, "Killing", `Template failed: ${message}`, { failsTask: true });
        return message;
      }
    }
    return undefined;
  }

  private async taskLoop(
    task: Task,
    driver: TaskDriver,
    t: {
      taskDir: string;
      config: Record<string, unknown>;
      baseEnv: Record<string, string>;
      logs: TaskLogs;
      templates: TaskTemplateHook | undefined;
    },
    evenWhenStopping: boolean,
  ): Promise<boolean> {
    const state = this.states.get(task.name);
    const key = objectKey(this.alloc);
    // A task an earlier agent process started, still recorded in the state file.
    let recovered = driver.recover ? this.deps.state.tasksOf(key)?.[task.name] : undefined;
    // Artifacts and templates of a re-attached task are already in place.
    let prepared = recovered !== undefined;
    if (prepared && t.templates) void t.templates.prestart().catch(() => {});
    const restarts: number[] = Array.from({ length: recovered?.restarts ?? 0 }, () => Date.now());
    for (;;) {
      let result: ExitResult;
      let setupFailed = false;
      const setupError = prepared ? undefined : await this.prestart(task, t.taskDir, t.templates);
      // A re-attached task told to stop is still found, to be stopped.
      if (!recovered && ((this.stopping && !evenWhenStopping) || this.stopped.has(task.name))) {
        if (state) Object.assign(state, { state: "dead", finishedAt: new Date().toISOString() });
        await this.reportNow();
        return true;
      }
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
                    alloc: this.alloc,
                    task,
                    config: t.config,
                    env: { ...t.baseEnv, ...t.templates?.env() },
                    allocDir: this.allocDir,
                    taskDir: t.taskDir,
                    logs: t.logs,
                  }),
                );
        } catch (err) {
          return this.fail(task.name, "Driver Failure", (err as Error).message);
        }
        this.handles.set(task.name, handle);
        if (handle.recovery)
          this.deps.state.setTask(key, task.name, {
            ...handle.recovery,
            restarts: restarts.length,
          });
        if (state)
          Object.assign(state, {
            state: "running",
            startedAt: state.startedAt ?? new Date().toISOString(),
          });
        this.event(
          task.name,
          "Started",
          recovered ? "Task re-attached after an agent restart" : "Task started by client",
        );
        recovered = undefined;
        this.clientStatus = "running";
        this.report();
        // Stopped while it was starting.
        if (this.stopped.has(task.name) || (this.stopping && !evenWhenStopping))
          this.kill(task, handle);

        result = await handle.wait();
        this.handles.delete(task.name);
        await handle
          .destroy?.()
          .catch((err: unknown) =>
            this.deps.log.warn({ err, task: task.name }, "could not clean up after task"),
          );
        this.deps.state.setTask(key, task.name, undefined);
      }
      const succeeded = result.exitCode === 0 && !result.error;
      const told = (this.stopping && !evenWhenStopping) || this.stopped.has(task.name);
      const requested = !told && this.restartRequested.delete(task.name);
      if (told) {
        this.event(task.name, "Killed", "Task successfully killed");
      } else if (setupFailed) {
        // The setup event already says why.
      } else if (result.error) {
        this.event(task.name, "Driver Failure", result.error, {
          failsTask: true,
          driverError: result.error,
        });
      } else {
        const exit = `Exit Code: ${result.exitCode ?? ""}${result.signal ? `, Signal: ${result.signal}` : ""}${result.oomKilled ? ', Exit Message: "OOM Killed"' : ""}`;
        const signal = result.signal ? os.constants.signals[result.signal as NodeJS.Signals] : 0;
        this.event(task.name, "Terminated", exit, {
          ...(result.exitCode !== null ? { exitCode: result.exitCode } : {}),
          signal: signal ?? 0,
          details: {
            exit_code: String(result.exitCode ?? ""),
            signal: String(signal ?? 0),
            ...(result.oomKilled ? { oom_killed: "true" } : {}),
          },
        });
      }
      const decision = told
        ? { restart: false, delayMs: 0, reason: "" }
        : requested
          ? { restart: true, delayMs: 0, reason: "Restart requested by a template change" }
          : decideRestart(
              this.jobType,
              task.restart ?? this.group?.restart,
              succeeded,
              restarts,
              Date.now(),
            );
      if (!decision.restart) {
        const ok = told || succeeded;
        if (!ok && !(result.error && !setupFailed))
          this.event(task.name, "Not Restarting", decision.reason, {
            failsTask: true,
            restartReason: decision.reason,
          });
        if (state)
          Object.assign(state, {
            state: "dead",
            failed: !ok,
            finishedAt: new Date().toISOString(),
          });
        await this.reportNow();
        return ok;
      }
      if (!requested) restarts.push(Date.now());
      if (state)
        Object.assign(state, {
          state: "pending",
          restarts: (state.restarts ?? 0) + 1,
          lastRestart: new Date().toISOString(),
        });
      this.event(
        task.name,
        "Restarting",
        `${decision.reason}; restarting in ${Math.round(decision.delayMs / 1000)}s`,
        { restartReason: decision.reason, startDelay: `${decision.delayMs}ms` },
      );
      this.report();
      await this.pause(task.name, decision.delayMs);
      if ((this.stopping && !evenWhenStopping) || this.stopped.has(task.name)) {
        if (state) Object.assign(state, { state: "dead", finishedAt: new Date().toISOString() });
        await this.reportNow();
        return true;
      }
    }
  }

  private async fail(taskName: string, type: string, message: string): Promise<boolean> {
    const state = this.states.get(taskName);
    if (state)
      Object.assign(state, { state: "dead", failed: true, finishedAt: new Date().toISOString() });
    this.event(taskName, type, message, { failsTask: true });
    await this.reportNow();
    return false;
  }

  private event(
    taskName: string,
    type: string,
    message: string,
    extra: Record<string, unknown> = {},
  ): void {
    const state = this.states.get(taskName);
    if (!state) return;
    state.events = [
      ...(state.events ?? []),
      { type, time: new Date().toISOString(), message, displayMessage: message, ...extra },
    ].slice(-10);
  }

  /** Status changed: written within the batch interval. */
  private report(): void {
    this.batcher.update();
  }

  /** Status changed and must be written before going on (final states). */
  private async reportNow(): Promise<void> {
    this.batcher.update();
    await this.batcher.flush();
  }

  private async send(): Promise<void> {
    const status: NomadAllocationStatus = {
      clientStatus: this.clientStatus,
      clientDescription:
        this.description ||
        (this.clientStatus === "running" ? "Tasks are running" : "Tasks are pending"),
      taskStates: structuredClone(Object.fromEntries(this.states)),
      modifyTime: new Date().toISOString(),
    };
    try {
      await applyStatus(this.deps.kc, this.allocations, this.alloc, status, this.deps.fieldManager);
      this.sendFailures = 0;
    } catch (err) {
      this.deps.log.warn(
        { err, alloc: this.alloc.metadata.name },
        "could not report allocation status",
      );
      // The latest state must still arrive (the final one above all): try again,
      // backing off, unless the allocation is gone.
      if (err instanceof ApiError && err.statusCode === 404) return;
      this.sendFailures += 1;
      setTimeout(() => this.batcher.update(), Math.min(30_000, 500 * 2 ** this.sendFailures));
    }
  }
}
