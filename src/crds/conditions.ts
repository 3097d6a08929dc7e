// Kubernetes conditions on Caravan objects: set one, keeping its
// lastTransitionTime unless its status changes, as metav1 conditions do.
import type { Condition, ConditionStatus } from "./common.js";

export interface ConditionUpdate {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  observedGeneration?: number;
}

/** Returns the conditions with `update` applied; `now` is an RFC 3339 time. */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  update: ConditionUpdate,
  now: string,
): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === update.type);
  const existing = index >= 0 ? list[index] : undefined;
  const next: Condition = {
    ...update,
    lastTransitionTime:
      existing && existing.status === update.status ? existing.lastTransitionTime : now,
  };
  if (index >= 0) list[index] = next;
  else list.push(next);
  return list;
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** Kubernetes times are whole seconds in RFC 3339. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, "Z");
}
