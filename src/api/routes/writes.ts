// Writes go to the Kubernetes API; the reply waits (briefly) until this
// process's informer has seen the write, so a client that registers a job and
// reads it back at once sees what it wrote, as with Nomad's leader.
import type { Kind } from "../../http/context.js";
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

/** The field manager of writes made through the Nomad API (kubectl shows it). */
export const apiFieldManager = "caravan-nomad-api";
