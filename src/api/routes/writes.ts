// Writes go to the Kubernetes API; the reply waits (briefly) until this
// process's informer has seen the write, so a client that registers a job and
// reads it back at once sees what it wrote, as with Nomad's leader.
import type { ApiObject } from "../../crds/meta.js";
import type { Kind } from "../../http/context.js";
import { objectKey } from "../../kube/store.js";
import type { ApiState } from "../state.js";

export async function seen(state: ApiState, kind: Kind, rv: string | undefined): Promise<number> {
  const want = Number(rv);
  if (!Number.isFinite(want)) return state.trackers[kind].index;
  const deadline = Date.now() + 5_000;
  const never = new AbortController().signal;
  while (state.trackers[kind].index < want) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    await state.trackers[kind].changed(left, never);
  }
  return want;
}

/**
 * Waits (briefly: five seconds at most) until `done` holds of this process's
 * cache of `kind`, re-checking at each change the cache sees.
 */
export async function until(state: ApiState, kind: Kind, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  const never = new AbortController().signal;
  while (!done()) {
    const left = deadline - Date.now();
    if (left <= 0) return;
    await state.trackers[kind].changed(left, never);
  }
}

/**
 * A delete's reply waits (briefly) until this process's informer no longer
 * holds the deleted object, so a read right after the delete finds nothing,
 * as with Nomad's leader. Answers the index the reply carries.
 */
export async function gone(state: ApiState, kind: Kind, deleted: ApiObject): Promise<number> {
  const informer = state[kind] as { store: { get(key: string): ApiObject | undefined } };
  const key = objectKey(deleted);
  await until(state, kind, () => informer.store.get(key)?.metadata.uid !== deleted.metadata.uid);
  return state.trackers[kind].index;
}

/** The field manager of writes made through the Nomad API (kubectl shows it). */
export const apiFieldManager = "caravan-nomad-api";
