// Nomad's computeUpdates and the group's deployment state: allocations of
// an older version move forward in place when only policies changed, or are
// replaced (destructive) when a task changed; canaries of this version, and
// whether the group still wants canaries (update.canary, not yet promoted).
import type { NomadJobSpec } from "../../crds/job/index.js";
import type { ResolvedGroup } from "../defaults.js";
import type { SchedulerAlloc, SchedulerDeployment, SchedulerSnapshot } from "../types.js";
import { tasksUpdated } from "../update.js";

export interface GroupDeploymentState {
  readonly desiredTotal: number;
  readonly desiredCanaries: number;
  readonly promoted: boolean;
  readonly autoRevert: boolean;
  readonly autoPromote: boolean;
}

export interface GroupUpdates {
  /** This version's canaries in the deployment. */
  readonly canaries: SchedulerAlloc[];
  /** Allocations of this version (canaries included). */
  readonly current: SchedulerAlloc[];
  /** Older versions moved forward without a restart. */
  readonly inPlace: SchedulerAlloc[];
  /** Older versions to replace. */
  readonly destructive: SchedulerAlloc[];
  readonly wantCanaries: boolean;
  readonly promoted: boolean;
  /** A paused or failed deployment holds the rollout. */
  readonly paused: boolean;
  readonly deployment: GroupDeploymentState;
}

/** Whether an allocation's own version differs from the job in its tasks (or is unknown). */
export function needsDestructive(
  snapshot: Pick<SchedulerSnapshot, "previousJob" | "olderJobs">,
  spec: NomadJobSpec,
  tg: ResolvedGroup,
  a: SchedulerAlloc,
): boolean {
  const prev = snapshot.previousJob;
  const oldSpec = prev?.version === a.jobVersion ? prev.spec : snapshot.olderJobs?.[a.jobVersion];
  if (!oldSpec) return true;
  const oldGroup = oldSpec.groups.find((g) => g.name === a.group);
  return !oldGroup || tasksUpdated(oldSpec, oldGroup, spec, tg.spec);
}

export function computeUpdates(
  untainted: readonly SchedulerAlloc[],
  tg: ResolvedGroup,
  version: number,
  deployment: SchedulerDeployment | undefined,
  isDestructive: (a: SchedulerAlloc) => boolean,
): GroupUpdates {
  const depGroup = deployment?.groups[tg.name];
  const promoted = depGroup?.promoted ?? false;
  const canaries = untainted.filter(
    (a) =>
      a.canary &&
      a.jobVersion === version &&
      deployment !== undefined &&
      a.deploymentId === deployment.id,
  );
  const current = untainted.filter((a) => a.jobVersion === version);
  const inPlace: SchedulerAlloc[] = [];
  const destructive: SchedulerAlloc[] = [];
  for (const a of untainted)
    if (a.jobVersion !== version) (isDestructive(a) ? destructive : inPlace).push(a);
  const wantCanaries =
    tg.update.canary > 0 && !promoted && (destructive.length > 0 || canaries.length > 0);
  return {
    canaries,
    current,
    inPlace,
    destructive,
    wantCanaries,
    promoted,
    paused: deployment?.status === "paused" || deployment?.status === "failed",
    deployment: {
      desiredTotal: tg.count,
      desiredCanaries: wantCanaries ? tg.update.canary : (depGroup?.desiredCanaries ?? 0),
      promoted,
      autoRevert: tg.update.autoRevert,
      autoPromote: tg.update.autoPromote,
    },
  };
}
