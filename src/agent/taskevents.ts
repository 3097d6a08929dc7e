// An allocation's task states as Nomad's client records them, by task name:
// each task's state, restarts and events, newest event last, the last ten
// kept (Nomad's client keeps ten per task).
import type { AllocationClientStatus, AllocationTaskState } from "../crds/allocation.js";

const kept = 10;

export function appendTaskEvent(
  state: AllocationTaskState,
  type: string,
  message: string,
  extra: Record<string, unknown> = {},
): void {
  state.events = [
    ...(state.events ?? []),
    { type, time: new Date().toISOString(), message, displayMessage: message, ...extra },
  ].slice(-kept);
}

export class TaskStates {
  private readonly byTask = new Map<string, AllocationTaskState>();

  /** A task the allocation runs: pending, not restarted, no events yet. */
  add(task: string): AllocationTaskState {
    const state: AllocationTaskState = { state: "pending", failed: false, restarts: 0, events: [] };
    this.byTask.set(task, state);
    return state;
  }

  get(task: string): AllocationTaskState | undefined {
    return this.byTask.get(task);
  }

  /** Records an event of the task (none for a task the allocation does not have). */
  event(task: string, type: string, message: string, extra: Record<string, unknown> = {}): void {
    const state = this.byTask.get(task);
    if (state) appendTaskEvent(state, type, message, extra);
  }

  /** A copy for the allocation's status: the batcher may write it later, after more changes. */
  snapshot(): Record<string, AllocationTaskState> {
    return structuredClone(Object.fromEntries(this.byTask));
  }
}

/** The allocation's client description: the runner's own, else what its client status says. */
export function clientDescription(status: AllocationClientStatus, description: string): string {
  return description || (status === "running" ? "Tasks are running" : "Tasks are pending");
}
