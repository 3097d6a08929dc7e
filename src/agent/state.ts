// The agent's local state file: for each allocation it runs, each task's
// driver handle (a process and exit-code file, a container…), so a restarted
// agent re-attaches to running tasks instead of starting them again. Written whole and renamed into place, so a crash never
// leaves half a file.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { TaskRecoveryState } from "../drivers/driver.js";
import type { AllocNetworkRecord } from "./network/allocnetwork.js";

export interface TaskRecord extends TaskRecoveryState {
  restarts: number;
}

interface State {
  tasks: Record<string, Record<string, TaskRecord>>;
  /** Network namespaces set up for allocations, until they are torn down. */
  networks: Record<string, AllocNetworkRecord>;
}

export class AgentState {
  private readonly file: string;
  private state: State;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, "state.json");
    try {
      const read = JSON.parse(readFileSync(this.file, "utf8")) as Partial<State>;
      this.state = { tasks: read.tasks ?? {}, networks: read.networks ?? {} };
    } catch {
      this.state = { tasks: {}, networks: {} };
    }
  }

  tasksOf(allocKey: string): Record<string, TaskRecord> | undefined {
    return this.state.tasks[allocKey];
  }

  setTask(allocKey: string, task: string, record: TaskRecord | undefined): void {
    const tasks = { ...this.state.tasks[allocKey] };
    if (record) tasks[task] = record;
    else delete tasks[task];
    this.state.tasks[allocKey] = tasks;
    this.save();
  }

  forget(allocKey: string): void {
    if (!(allocKey in this.state.tasks)) return;
    delete this.state.tasks[allocKey];
    this.save();
  }

  networkOf(allocKey: string): AllocNetworkRecord | undefined {
    return this.state.networks[allocKey];
  }

  /** Every recorded network, by allocation key (to find those no runner will tear down). */
  networks(): [string, AllocNetworkRecord][] {
    return Object.entries(this.state.networks);
  }

  setNetwork(allocKey: string, record: AllocNetworkRecord | undefined): void {
    if (record) this.state.networks[allocKey] = record;
    else if (allocKey in this.state.networks) delete this.state.networks[allocKey];
    else return;
    this.save();
  }

  private save(): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state));
    renameSync(tmp, this.file);
  }
}
