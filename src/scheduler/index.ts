// Caravan's scheduler: Nomad's placement semantics as a pure function.
// A snapshot (job, its previous version, nodes, allocations, deployment,
// clock and seed) goes in; a plan comes out. No I/O, no global state.
import { EvalContext } from "./context.js";
import { resolveJob } from "./defaults.js";
import { scheduleGeneric } from "./generic.js";
import { scheduleSystem } from "./system.js";
import type { Plan, SchedulerSnapshot } from "./types.js";

export * from "./adapters.js";
export { allocsFit, type FitResult } from "./fit.js";
export { seedFromEvalId } from "./rand.js";
export {
  type EvaluationRef,
  type JobInfo,
  type JobVersionSpec,
  type SchedulingState,
  snapshotOf,
} from "./snapshot.js";
export type * from "./types.js";

/** Computes the plan for one evaluation of the snapshot's job. */
export function schedule(snapshot: SchedulerSnapshot): Plan {
  const job = snapshot.job
    ? resolveJob(snapshot.job, snapshot.namespace, snapshot.jobId)
    : undefined;
  const ctx = new EvalContext(snapshot, job);
  const type = job?.type ?? snapshot.allocs.find((a) => ctx.isJobAlloc(a))?.jobType ?? "service";
  return type === "system" || type === "sysbatch"
    ? scheduleSystem(ctx, job)
    : scheduleGeneric(ctx, job);
}
