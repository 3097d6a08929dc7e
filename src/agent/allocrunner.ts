// Runs one allocation on this node: lays out its directories as Nomad does,
// runs its tasks in Nomad's lifecycle order (each with its own TaskRunner),
// and reports task states and the allocation's client status through the
// status subresource, batched.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type {
  AllocationClientStatus,
  AllocationNetworkStatus,
  NomadAllocationStatus,
} from "../crds/allocation.js";
import type { Task, TaskGroup } from "../crds/job/index.js";
import type { NomadAllocation } from "../crds/objects.js";
import { applyStatus } from "../kube/apply.js";
import { caravanResource } from "../kube/resources.js";
import { ApiError } from "../kube/rest.js";
import { objectKey } from "../kube/store.js";
import type { AllocRunnerDeps } from "./allocrunner-deps.js";
import { allocationChecks, type CheckRunner } from "./checks/index.js";
import {
  type AllocNetwork,
  isolatedMode,
  setupAllocNetwork,
  teardownAllocNetwork,
} from "./network/allocnetwork.js";
import { ServiceRegistrar } from "./services/registrar.js";
import { serviceRegistrations } from "./services/registrations.js";
import { StatusBatcher } from "./statusbatch.js";
import { groupInterpolation } from "./taskenv.js";
import { clientDescription, TaskStates } from "./taskevents.js";
import { TaskRunner } from "./taskrunner.js";

/** What the allocation's runners need of its job version. */
export interface JobFacts {
  /** The Nomad job ID (what service registrations name). */
  id: string;
  type: string;
  /** The job's meta, under the group's and task's in NOMAD_META_*. */
  meta: Record<string, string>;
  /** A dispatched job's payload, base64. */
  payload?: string;
}

export class AllocRunner {
  private readonly states = new TaskStates();
  private readonly tasks = new Map<string, TaskRunner>();
  private clientStatus: AllocationClientStatus = "pending";
  private description = "";
  private stopping = false;
  private readonly batcher: StatusBatcher;
  private sendFailures = 0;
  /** The allocation's Nomad service checks, run from when its tasks start until it stops. */
  private checks: CheckRunner | undefined;
  private readonly allocations = caravanResource("NomadAllocation");
  /** What the network hook reported, kept in the status after teardown, as Nomad keeps it. */
  private networkStatus: AllocationNetworkStatus | undefined;
  /** Main tasks run (between prestart and poststop): the only time all tasks can be restarted. */
  private mainPhase = false;
  /** Runs of finished tasks started again by a restart of all tasks, awaited before the allocation ends. */
  private readonly reruns = new Set<Promise<boolean>>();
  /** A prestart task run again by a restart of all tasks failed: the allocation fails. */
  private rerunFailed = false;
  /** The allocation's network namespace (bridge and CNI modes) while it is set up. */
  private network: AllocNetwork | undefined;
  /** Writes the allocation's service registrations while its tasks run. */
  private readonly registrar: ServiceRegistrar;
  /** Whether the group's services were registered (with the first task that started). */
  private groupServicesRegistered = false;
  readonly done: Promise<void>;

  constructor(
    private readonly deps: AllocRunnerDeps,
    private readonly alloc: NomadAllocation,
    private readonly group: TaskGroup | undefined,
    private readonly job: JobFacts,
  ) {
    this.registrar = new ServiceRegistrar(deps.kc, deps.log, alloc, deps.fieldManager);
    this.batcher = new StatusBatcher(() => this.send(), deps.statusIntervalMs ?? 200);
    for (const task of group?.tasks ?? []) {
      const state = this.states.add(task.name);
      this.tasks.set(
        task.name,
        new TaskRunner(
          {
            deps,
            alloc,
            allocDir: this.allocDir,
            group: group as TaskGroup,
            jobType: job.type,
            jobMeta: job.meta,
            ...(job.payload ? { payload: job.payload } : {}),
            state,
            event: (type, message, extra) => this.states.event(task.name, type, message, extra),
            report: () => this.report(),
            reportNow: () => this.reportNow(),
            allocStopping: () => this.stopping,
            started: () => {
              this.clientStatus = "running";
              this.checks?.taskStarted(task.name);
              this.registerServices(task.name);
            },
            network: () => this.network,
            // Nomad deregisters a task's services when it exits; a restart registers them again.
            exited: () => void this.registrar.deregisterTask(task.name),
          },
          task,
        ),
      );
    }
    this.done = this.run().catch((err: unknown) =>
      this.deps.log.error({ err, alloc: alloc.metadata.name }, "alloc runner failed"),
    );
  }

  get allocDir(): string {
    return path.join(
      this.deps.allocRoot ?? path.join(this.deps.dataDir, "alloc"),
      this.alloc.metadata.name,
    );
  }

  /** Stops every task: kill signal, then SIGKILL after the kill timeout. */
  stop(reason: string): void {
    if (this.stopping) return;
    this.stopping = true;
    this.description = reason;
    // Poststop tasks are not stopped: they are yet to run.
    this.checks?.stop();
    // Nomad deregisters services before it kills the tasks, so no one is sent to a dying task.
    void this.registrar.deregisterAll();
    for (const task of this.group?.tasks ?? [])
      if (task.lifecycle?.hook !== "poststop") this.tasks.get(task.name)?.stop();
    this.report();
  }

  /** The task's runner, for the client endpoints (restart, signal, stats). */
  task(name: string): TaskRunner | undefined {
    return this.tasks.get(name);
  }

  /** Every task's runner, by task name. */
  taskNames(): string[] {
    return [...this.tasks.keys()];
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /**
   * `nomad alloc restart -all-tasks` (Nomad's RestartAll): every task, dead
   * ones too, restarts in lifecycle order: the prestart tasks (not sidecars)
   * run again to completion while the others wait, killed, then those start
   * again. A prestart task that fails then fails the allocation. False when
   * the allocation's main tasks are not running.
   */
  restartAll(): boolean {
    const group = this.group;
    if (!group || this.stopping || !this.mainPhase) return false;
    const prestart = group.tasks.filter(
      (t) => t.lifecycle?.hook === "prestart" && !t.lifecycle.sidecar,
    );
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    for (const t of group.tasks) {
      const tr = this.tasks.get(t.name);
      if (!tr || t.lifecycle?.hook === "poststop" || prestart.includes(t)) continue;
      // Prestart sidecars start with the prestart tasks; everything else waits for them.
      const after = t.lifecycle?.hook === "prestart" ? undefined : gate;
      if (tr.current) tr.restart(after);
      else if (tr.dead) this.track(gate.then(() => (this.stopping ? true : tr.rerun())));
    }
    this.report();
    this.track(
      (async () => {
        const results = await Promise.all(prestart.map((t) => this.tasks.get(t.name)?.rerun()));
        const ok = results.every((r) => r !== false);
        if (!ok) {
          this.rerunFailed = true;
          this.description = "Failed tasks";
          for (const t of group.tasks)
            if (t.lifecycle?.hook !== "poststop") this.tasks.get(t.name)?.stop();
        }
        open();
        return ok;
      })(),
    );
    return true;
  }

  private track(run: Promise<boolean>): void {
    this.reruns.add(run);
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
    mkdirSync(path.join(this.allocDir, "alloc", "logs"), { recursive: true });
    mkdirSync(path.join(this.allocDir, "alloc", "data"), { recursive: true });
    mkdirSync(path.join(this.allocDir, "alloc", "tmp"), { recursive: true });
    for (const task of group.tasks)
      this.states.event(task.name, "Received", "Task received by client");
    if (!this.stopping && !(await this.setupNetwork(group))) {
      await this.teardownNetwork();
      this.deps.state.forget(objectKey(this.alloc));
      await this.reportNow();
      return;
    }
    if (!this.stopping) {
      const node = this.deps.node();
      this.checks = allocationChecks(this.alloc, group, node, this.deps.region, {
        changed: () => {
          this.report();
          this.reflectChecks();
        },
        restart: (task, reason) => this.tasks.get(task)?.restartUnhealthy(reason),
      });
      this.checks.start();
    }
    this.report();

    const runAll = async (tasks: Task[], evenWhenStopping = false) =>
      (await Promise.all(tasks.map((t) => this.tasks.get(t.name)?.run(evenWhenStopping)))).every(
        (ok) => ok,
      );
    let ok = await runAll(prestart);
    if (ok && !this.stopping) {
      const side = runAll(sidecars);
      const after = runAll(poststart);
      this.mainPhase = true;
      ok = await runAll(main);
      // Tasks run again by a restart of all tasks are part of the allocation's run.
      while (this.reruns.size > 0) {
        const runs = [...this.reruns];
        this.reruns.clear();
        ok = (await Promise.all(runs)).every((r) => r) && ok;
      }
      this.mainPhase = false;
      for (const t of sidecars) this.tasks.get(t.name)?.stop();
      ok = (await side) && (await after) && ok && !this.rerunFailed;
    } else if (this.stopping) {
      // Stopped while no agent ran: tasks an earlier agent process started are re-attached to stop them.
      const recorded = this.deps.state.tasksOf(objectKey(this.alloc)) ?? {};
      await runAll([...main, ...sidecars, ...poststart].filter((t) => recorded[t.name]));
    }
    // Poststop tasks run after a stop too.
    ok = (await runAll(poststop, true)) && ok;
    this.checks?.stop();
    await this.registrar.deregisterAll();
    await this.teardownNetwork();
    const failed = !ok;
    this.clientStatus = failed && !this.stopping ? "failed" : "complete";
    this.deps.state.forget(objectKey(this.alloc));
    if (!this.description) this.description = failed ? "Failed tasks" : "All tasks have completed";
    await this.reportNow();
  }

  /**
   * Nomad's network hook: a bridge or cni/<name> group gets its namespace
   * before any task starts (an agent restarted finds the one it made). When
   * it cannot be made, every task fails with a Setup Failure saying why, and
   * so does the allocation.
   */
  private async setupNetwork(group: TaskGroup): Promise<boolean> {
    const mode = group.networks?.[0]?.mode;
    if (!isolatedMode(mode) || mode === undefined) return true;
    const key = objectKey(this.alloc);
    try {
      const cni = this.deps.cni;
      if (!cni) throw new Error(`network mode "${mode}" is not supported by this agent`);
      const alloc = this.alloc;
      const { record, status } = await setupAllocNetwork(
        cni,
        {
          allocId: alloc.metadata.name,
          mode,
          ports: alloc.spec.resources.shared?.ports ?? [],
          args: group.networks?.[0]?.cni?.args ?? {},
          workload: {
            NOMAD_REGION: this.deps.region,
            NOMAD_NAMESPACE: alloc.metadata.namespace ?? "default",
            NOMAD_JOB_ID: alloc.spec.jobName,
            NOMAD_GROUP_NAME: alloc.spec.group,
            NOMAD_ALLOC_ID: alloc.metadata.name,
          },
        },
        this.deps.state.networkOf(key),
        (r) => this.deps.state.setNetwork(key, r),
      );
      this.network = { netns: record.netns, status };
      this.networkStatus = status;
      this.report();
      return true;
    } catch (err) {
      const message = `failed to setup alloc: pre-run hook "network" failed: ${(err as Error).message}`;
      this.deps.log.error({ err, alloc: this.alloc.metadata.name }, "prerun failed");
      for (const task of group.tasks) {
        const state = this.states.get(task.name);
        if (!state) continue;
        Object.assign(state, { state: "dead", failed: true, finishedAt: new Date().toISOString() });
        this.states.event(task.name, "Setup Failure", message, {
          setupError: message,
          failsTask: true,
        });
      }
      this.clientStatus = "failed";
      this.description = "Failed tasks";
      return false;
    }
  }

  /** Undoes the namespace recorded for the allocation, if any; a failure is logged and kept for a later sweep. */
  private async teardownNetwork(): Promise<void> {
    const key = objectKey(this.alloc);
    const record = this.deps.state.networkOf(key);
    if (!record) return;
    try {
      await teardownAllocNetwork(record);
      this.deps.state.setNetwork(key, undefined);
    } catch (err) {
      this.deps.log.warn(
        { err, alloc: this.alloc.metadata.name },
        "could not tear down the allocation's network",
      );
    }
    this.network = undefined;
  }

  /**
   * A task started: its services are registered, and the group's with the
   * first task (Nomad registers group services once the allocation runs).
   * A service whose address cannot be resolved is not registered; the task
   * gets an event saying why.
   */
  private registerServices(task: string): void {
    const group = this.group;
    if (!group || this.stopping) return;
    const facts = {
      jobID: this.job.id,
      node: this.deps.node(),
      interpolate: groupInterpolation(
        this.alloc,
        group.meta ?? {},
        this.deps.node(),
        this.deps.region,
      ),
    };
    // address_mode "alloc" needs the network this runner made, not yet in the informer's copy.
    const alloc = this.networkStatus
      ? { ...this.alloc, status: { ...this.alloc.status, networkStatus: this.networkStatus } }
      : this.alloc;
    const outcomes = serviceRegistrations(alloc, group, facts, task);
    if (!this.groupServicesRegistered) {
      this.groupServicesRegistered = true;
      outcomes.push(...serviceRegistrations(alloc, group, facts));
    }
    for (const o of outcomes)
      if (!o.ok)
        this.states.event(
          o.task ?? task,
          "Task Setup",
          `service "${o.service}" not registered: ${o.error}`,
        );
    const specs = outcomes.flatMap((o) => (o.ok ? [o.registration] : []));
    if (specs.length) void this.registrar.register(specs);
  }

  /** Each service's check status on its registrations: critical if one fails, pending until all ran. */
  private reflectChecks(): void {
    const byService = new Map<string, "passing" | "critical" | "pending">();
    for (const r of this.checks?.results() ?? []) {
      const was = byService.get(r.service) ?? "passing";
      const now =
        r.status === "failure" ? "critical" : r.status === "pending" ? "pending" : "passing";
      byService.set(r.service, was === "critical" || now === "passing" ? was : now);
    }
    for (const [service, status] of byService) this.registrar.setCheckStatus(service, status);
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
      clientDescription: clientDescription(this.clientStatus, this.description),
      taskStates: this.states.snapshot(),
      ...(this.checks?.size ? { checks: this.checks.results() } : {}),
      ...(this.networkStatus ? { networkStatus: this.networkStatus } : {}),
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
