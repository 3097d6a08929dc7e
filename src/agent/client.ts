// The agent's allocation loop: watch the allocations placed on this node,
// start a runner for each one that should run, and stop runners whose
// allocation should stop. Task configs come from the job version the
// allocation was placed with (its ControllerRevision).

import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { Logger } from "../common/log.js";
import { defaultJob } from "../crds/job/defaults.js";
import type { TaskGroup } from "../crds/job/index.js";
import { versionName } from "../crds/job-version.js";
import { nodeLabel } from "../crds/names.js";
import type { NomadAllocation, NomadJob, NomadNode } from "../crds/objects.js";
import { isActive, isClientTerminal } from "../crds/terminal.js";
import type { TaskDriver } from "../drivers/driver.js";
import { Informer } from "../kube/informer.js";
import type { KubeConfig } from "../kube/kubeconfig.js";
import { caravanResource, collectionPath, controllerRevisionResource } from "../kube/resources.js";
import { ApiError, requestJson } from "../kube/rest.js";
import { objectKey } from "../kube/store.js";
import { AllocRunner, type JobFacts } from "./allocrunner.js";
import { collect, defaultGcConfig, diskUsage, type GcConfig, removeAllocDirs } from "./gc.js";
import { LogmonClient } from "./logs/logmon.js";
import type { LogCollector } from "./logs/tasklogs.js";
import { teardownAllocNetwork } from "./network/allocnetwork.js";
import type { CniSettings } from "./network/conflist.js";
import { AgentState } from "./state.js";
import { TaskTemplates } from "./templates/runner.js";
import { KubeTemplateSources } from "./templates/sources.js";

export interface AgentClientOptions {
  kc: KubeConfig;
  log: Logger;
  nodeName: string;
  dataDir: string;
  region: string;
  drivers: ReadonlyMap<string, TaskDriver>;
  fieldManager: string;
  /** How task output is collected (default "logmon": rotated by a process per task). */
  logCollector?: LogCollector;
  /** How often one allocation's status is written at most, in ms (default 200). */
  statusIntervalMs?: number;
  /** Alloc dir garbage collection (client gc_* settings); Nomad's defaults when unset. */
  gc?: Partial<GcConfig>;
  /** alloc_dir: where allocations' directories go (default <dataDir>/alloc). */
  allocDir?: string;
  /** state_dir: where the record of running tasks is kept (default dataDir). */
  stateDir?: string;
  /** The client's CNI settings, for bridge and cni/<name> groups. */
  cni?: CniSettings;
}

export class AgentClient {
  private readonly allocations: Informer<NomadAllocation>;
  private readonly node: Informer<NomadNode>;
  private readonly runners = new Map<string, AllocRunner>();
  /** Allocations this process already ran (a late event with an old status must not start them again), with their dir and end time for gc. */
  private readonly finished = new Map<string, { dir: string; finishedAt: number }>();
  private readonly gcConfig: GcConfig;
  private gcTimer: NodeJS.Timeout | undefined;
  private collecting = false;
  private adopted = false;
  private stopped = false;
  private readonly state: AgentState;
  private readonly logmon: LogmonClient | undefined;
  private readonly templateSources: KubeTemplateSources;

  constructor(private readonly options: AgentClientOptions) {
    this.state = new AgentState(options.stateDir ?? options.dataDir);
    if ((options.logCollector ?? "logmon") === "logmon")
      this.logmon = new LogmonClient(options.dataDir);
    this.templateSources = new KubeTemplateSources(options.kc, options.log);
    this.gcConfig = { ...defaultGcConfig, ...options.gc };
    this.allocations = new Informer<NomadAllocation>(
      options.kc,
      caravanResource("NomadAllocation"),
      options.log,
      {
        labelSelector: `${nodeLabel}=${options.nodeName}`,
      },
    );
    this.node = new Informer<NomadNode>(options.kc, caravanResource("NomadNode"), options.log, {
      fieldSelector: `metadata.name=${options.nodeName}`,
    });
    const changed = (a: NomadAllocation) => void this.sync(a);
    this.allocations.addHandlers({
      onAdd: changed,
      onUpdate: (_o, a) => changed(a),
      onDelete: (a) => this.runners.get(objectKey(a))?.stop("allocation deleted"),
    });
  }

  start(): void {
    // alloc_dir and state_dir may be anywhere: made here, as data_dir is by the agent.
    for (const dir of [this.allocRoot, this.options.stateDir])
      if (dir) mkdirSync(dir, { recursive: true });
    this.node.start();
    this.allocations.start();
    this.gcTimer = setInterval(() => void this.collectGarbage(), this.gcConfig.intervalMs);
    this.gcTimer.unref();
    void this.sweepWhenSynced();
  }

  /** Once the allocations are known: namespaces an earlier agent process left behind go. */
  private async sweepWhenSynced(): Promise<void> {
    while (!this.allocations.hasSynced()) {
      if (this.stopped) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    await this.sweepNetworks();
  }

  /**
   * Network namespaces recorded for allocations no runner will end (stopped,
   * terminal or deleted while no agent ran): torn down, as Nomad's client
   * destroys the allocations it restores as terminal.
   */
  async sweepNetworks(): Promise<void> {
    if (!this.allocations.hasSynced()) return;
    for (const [key, record] of this.state.networks()) {
      if (this.runners.has(key)) continue;
      const alloc = this.allocations.store.get(key);
      // Active: its runner is on its way. Tasks recorded: a runner re-attaches to stop them, then tears down.
      if (alloc && isActive(alloc) && !this.finished.has(key)) continue;
      if (alloc && Object.keys(this.state.tasksOf(key) ?? {}).length) continue;
      try {
        await teardownAllocNetwork(record);
        this.state.setNetwork(key, undefined);
        this.options.log.info({ alloc: record.name }, "tore down a left-over allocation network");
      } catch (err) {
        this.options.log.warn(
          { err, alloc: record.name },
          "could not tear down an allocation network",
        );
      }
    }
  }

  /** Removes terminal allocations' directories per the gc settings (see gc.ts); one pass at a time. */
  async collectGarbage(): Promise<void> {
    if (this.collecting) return;
    this.collecting = true;
    try {
      await this.collectOnce();
    } catch (err) {
      this.options.log.warn({ err }, "alloc dir garbage collection failed");
    } finally {
      this.collecting = false;
    }
  }

  private async collectOnce(): Promise<void> {
    if (!this.adopted && this.allocations.hasSynced()) this.adoptLeftovers();
    await this.sweepNetworks();
    const kept = [...this.finished].filter(([, f]) => f.dir !== "");
    const terminalAllocs = kept.map(([key, f]) => ({
      key,
      finishedAt: f.finishedAt,
      deleted: this.allocations.hasSynced() && !this.allocations.store.get(key),
    }));
    const dirs = new Map(kept.map(([k, f]) => [k, f.dir]));
    const chosen = await collect(
      terminalAllocs,
      this.runners.size,
      this.gcConfig,
      (keys) => removeAllocDirs(keys.map((k) => dirs.get(k) ?? "").filter(Boolean)),
      // The disk the allocation dirs are on, as Nomad measures it.
      () => diskUsage(existsSync(this.allocRoot) ? this.allocRoot : this.options.dataDir),
    );
    // Forgotten only once deleted from the API: until then a late event must not run it again.
    for (const key of chosen) {
      const f = this.finished.get(key);
      if (f) f.dir = "";
      if (!this.allocations.store.get(key)) this.finished.delete(key);
    }
    if (chosen.length)
      this.options.log.info({ allocations: chosen }, "garbage collected alloc dirs");
  }

  /**
   * Stops watching. With `killTasks` (dev mode, as Nomad's dev agent does) it
   * also stops every task and waits for them; otherwise tasks keep running.
   */
  async stop(killTasks = false): Promise<void> {
    this.stopped = true;
    this.allocations.stop();
    this.node.stop();
    this.templateSources.stop();
    if (this.gcTimer) clearInterval(this.gcTimer);
    if (!killTasks) {
      this.logmon?.disconnect();
      return;
    }
    const runners = [...this.runners.values()];
    for (const r of runners) r.stop("agent shutting down in dev mode");
    await Promise.all(runners.map((r) => r.done));
    await this.logmon?.shutdown();
  }

  /**
   * Directories an earlier agent process left behind, of allocations that are
   * terminal or gone: collected like this process's own finished ones.
   */
  private adoptLeftovers(): void {
    this.adopted = true;
    const root = this.allocRoot;
    const byName = new Map(this.allocations.store.list().map((a) => [a.metadata.name, a]));
    let names: string[] = [];
    try {
      names = readdirSync(root);
    } catch {
      return;
    }
    for (const name of names) {
      const alloc = byName.get(name);
      const key = alloc ? objectKey(alloc) : `?/${name}`;
      if (this.runners.has(key) || this.finished.has(key)) continue;
      // Tasks of it an earlier process started may still run: its runner stops them first.
      if (Object.keys(this.state.tasksOf(key) ?? {}).length) continue;
      if (alloc && isActive(alloc)) continue;
      const dir = path.join(root, name);
      let finishedAt = Date.now();
      try {
        finishedAt = statSync(dir).mtimeMs;
      } catch {
        continue;
      }
      this.finished.set(key, { dir, finishedAt });
    }
  }

  /** Runners still running, for tests and shutdown. */
  /** One of this node's allocations by Nomad ID (its name), and its runner while it runs. */
  allocation(id: string): { alloc: NomadAllocation; runner: AllocRunner | undefined } | undefined {
    const alloc = this.allocations.store.list().find((a) => a.metadata.name === id);
    return alloc && { alloc, runner: this.runners.get(objectKey(alloc)) };
  }

  /** Where allocations' directories are: <dir>/<allocation ID>. */
  get allocRoot(): string {
    return this.options.allocDir ?? path.join(this.options.dataDir, "alloc");
  }

  get running(): number {
    return this.runners.size;
  }

  private async sync(alloc: NomadAllocation): Promise<void> {
    const key = objectKey(alloc);
    const runner = this.runners.get(key);
    if (alloc.spec.desiredStatus !== "run") {
      if (runner) runner.stop(alloc.spec.desiredDescription ?? "allocation stopped");
      // Stopped while no agent ran, and its tasks may still run: re-attach to stop them.
      else if (Object.keys(this.state.tasksOf(key) ?? {}).length && !this.finished.has(key))
        (await this.startRunner(alloc))?.stop(
          alloc.spec.desiredDescription ?? "allocation stopped",
        );
      return;
    }
    if (runner || this.finished.has(key) || isClientTerminal(alloc.status?.clientStatus)) return;
    await this.startRunner(alloc);
  }

  /** Starts the allocation's runner; undefined when one runs already or its job cannot be read. */
  private async startRunner(alloc: NomadAllocation): Promise<AllocRunner | undefined> {
    const key = objectKey(alloc);
    let found: { group: TaskGroup | undefined; job: JobFacts };
    try {
      found = await this.groupOf(alloc);
    } catch (err) {
      this.options.log.warn(
        { err, alloc: alloc.metadata.name },
        "could not read the allocation's job",
      );
      return undefined;
    }
    const { group, job } = found;
    if (this.runners.has(key)) return undefined; // started while we looked the job up
    const created = new AllocRunner(
      {
        kc: this.options.kc,
        log: this.options.log,
        dataDir: this.options.dataDir,
        allocRoot: this.allocRoot,
        region: this.options.region,
        drivers: this.options.drivers,
        node: () => this.node.store.get(this.options.nodeName),
        fieldManager: this.options.fieldManager,
        state: this.state,
        ...(this.options.cni ? { cni: this.options.cni } : {}),
        ...(this.options.logCollector ? { logCollector: this.options.logCollector } : {}),
        ...(this.logmon ? { logmon: this.logmon } : {}),
        ...(this.options.statusIntervalMs !== undefined
          ? { statusIntervalMs: this.options.statusIntervalMs }
          : {}),
        templates: (task, ctx, events) =>
          new TaskTemplates(task, ctx, events, this.templateSources),
      },
      alloc,
      group,
      job,
    );
    this.runners.set(key, created);
    void created.done.then(() => {
      this.finished.set(key, { dir: created.allocDir, finishedAt: Date.now() });
      this.runners.delete(key);
    });
    return created;
  }

  /** The task group (and job type) as of the job version the allocation runs. */
  private async groupOf(
    alloc: NomadAllocation,
  ): Promise<{ group: TaskGroup | undefined; job: JobFacts }> {
    const spec = await this.jobSpecOf(alloc);
    return {
      group: spec.groups.find((g) => g.name === alloc.spec.group),
      job: {
        id: spec.id ?? alloc.spec.jobName,
        type: spec.type ?? defaultJob.type,
        meta: spec.meta ?? {},
        ...(spec.payload ? { payload: spec.payload } : {}),
      },
    };
  }

  private async jobSpecOf(alloc: NomadAllocation): Promise<NomadJob["spec"]> {
    const ns = alloc.metadata.namespace ?? "default";
    try {
      const revision = await requestJson<{ data: { spec: NomadJob["spec"] } }>(this.options.kc, {
        method: "GET",
        path: `${collectionPath(controllerRevisionResource, ns)}/${versionName(alloc.spec.jobName, alloc.spec.jobVersion)}`,
      });
      return revision.data.spec;
    } catch (err) {
      if (!(err instanceof ApiError && err.statusCode === 404)) throw err;
      const job = await requestJson<NomadJob>(this.options.kc, {
        method: "GET",
        path: `${collectionPath(caravanResource("NomadJob"), ns)}/${alloc.spec.jobName}`,
      });
      return job.spec;
    }
  }
}
