// A task event in the allocation's status, as Nomad's client records them:
// newest last, the last ten kept (Nomad's client keeps ten per task).
import type { AllocationTaskState } from "../crds/allocation.js";

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
