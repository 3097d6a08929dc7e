// Where a deployment stands, as Nomad's deployment watcher decides it: per
// group counts from the allocations placed in it, promotion (by the user or
// auto_promote once every canary is healthy), failure (an unhealthy
// allocation, the progress deadline, or the user), success (every group
// healthy and promoted) and, on failure with auto_revert, the version to roll
// back to. Pure: the deployment, its allocations and the clock go in.
import {
  activeDeploymentStatuses,
  type DeploymentGroupState,
  type DeploymentStatusValue,
  deploymentDescriptions,
  type NomadDeploymentStatus,
} from "../../crds/deployment.js";
import type { NomadAllocation, NomadDeployment } from "../../crds/objects.js";
import type { HealthStrategy } from "./health.js";

export interface ProgressInput {
  deployment: NomadDeployment;
  /** The allocations placed in this deployment (spec.deploymentName). */
  allocs: readonly NomadAllocation[];
  /** Per group, its update strategy at the deployment's version. */
  strategies: Readonly<Record<string, HealthStrategy>>;
  /** Set when the deployment no longer applies (job stopped, newer version). */
  cancel?: string;
  /** The newest stable version older than the deployment's, for auto_revert. */
  stableVersion?: number;
  now: number;
}

export interface Progress {
  status: NomadDeploymentStatus;
  /** Groups promoted by this step. */
  promoted: string[];
  /** auto_revert asks for the job to go back to this version. */
  revertTo?: number;
  /** When to look again (a progress deadline), if nothing else happens. */
  recheckAt?: number;
}

const time = (s: string | undefined): number | undefined => {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
};
const iso = (ms: number) => new Date(ms).toISOString();

export function isCanary(a: NomadAllocation, placedCanaries: readonly string[]): boolean {
  return a.status?.deploymentStatus?.canary === true || placedCanaries.includes(a.metadata.name);
}

export function deploymentProgress(input: ProgressInput): Progress {
  const { deployment: dep, now } = input;
  const old = dep.status ?? {};
  const created = time(dep.metadata.creationTimestamp) ?? now;
  const groups: Record<string, DeploymentGroupState> = {};
  const promoted: string[] = [];
  let unhealthy = 0;
  let complete = true;
  let awaitingPromotion = false;
  let awaitingAuto = false;
  let deadlinePassed = false;
  let recheckAt: number | undefined;

  for (const [name, prev] of Object.entries(old.groups ?? {})) {
    const strategy = input.strategies[name];
    const mine = input.allocs.filter((a) => a.spec.group === name);
    const canaries = new Set(prev.placedCanaries ?? []);
    for (const a of mine) if (isCanary(a, [...canaries])) canaries.add(a.metadata.name);
    const placedCanaries = [...canaries].sort();
    const health = (a: NomadAllocation) => a.status?.deploymentStatus?.healthy;
    const healthy = mine.filter((a) => health(a) === true);
    const groupUnhealthy = mine.filter((a) => health(a) === false).length;
    unhealthy += groupUnhealthy;
    const desiredCanaries = prev.desiredCanaries ?? 0;
    const canariesHealthy =
      desiredCanaries > 0 &&
      placedCanaries.length >= desiredCanaries &&
      placedCanaries.every((c) => mine.some((a) => a.metadata.name === c && health(a) === true));
    const asked = dep.spec.promote === true || (dep.spec.promoteGroups ?? []).includes(name);
    let isPromoted = prev.promoted === true;
    if (!isPromoted && canariesHealthy && (asked || prev.autoPromote === true)) {
      isPromoted = true;
      promoted.push(name);
    }
    if (desiredCanaries > 0 && !isPromoted) {
      if (prev.autoPromote) awaitingAuto = true;
      else awaitingPromotion = true;
    }

    // The progress deadline moves with each allocation that becomes healthy,
    // and starts again at promotion; a group waiting for promotion has none.
    const deadlineMs = strategy?.progressDeadlineMs ?? 0;
    let requireBy = time(prev.requireProgressBy) ?? created + deadlineMs;
    for (const a of healthy) {
      const at = time(a.status?.deploymentStatus?.timestamp);
      if (at !== undefined) requireBy = Math.max(requireBy, at + deadlineMs);
    }
    if (promoted.includes(name)) requireBy = now + deadlineMs;
    const desiredTotal = prev.desiredTotal ?? 0;
    const groupDone = (desiredCanaries === 0 || isPromoted) && healthy.length >= desiredTotal;
    if (!groupDone) complete = false;
    const waiting = desiredCanaries > 0 && !isPromoted;
    if (deadlineMs > 0 && !groupDone && !waiting) {
      if (now >= requireBy) deadlinePassed = true;
      else recheckAt = Math.min(recheckAt ?? requireBy, requireBy);
    }

    groups[name] = {
      ...prev,
      promoted: isPromoted,
      placedCanaries,
      desiredCanaries,
      desiredTotal,
      placedAllocs: mine.length,
      healthyAllocs: healthy.length,
      unhealthyAllocs: groupUnhealthy,
      ...(deadlineMs > 0
        ? {
            progressDeadline: `${Math.round(deadlineMs / 1000)}s`,
            requireProgressBy: iso(requireBy),
          }
        : {}),
    };
  }

  const autoRevert = Object.values(groups).some((g) => g.autoRevert);
  let status: DeploymentStatusValue = "running";
  let description: string = deploymentDescriptions.running;
  let revertTo: number | undefined;
  const fail = (why: string) => {
    status = "failed";
    description = why;
    if (autoRevert) {
      if (input.stableVersion !== undefined) {
        revertTo = input.stableVersion;
        description += ` - rolling back to job version ${input.stableVersion}`;
      } else description += " - no stable job version to auto revert to";
    }
  };
  if (old.status && !activeDeploymentStatuses.has(old.status)) {
    status = old.status;
    description = old.statusDescription ?? "";
  } else if (input.cancel) {
    status = "cancelled";
    description = input.cancel;
  } else if (dep.spec.fail) fail(deploymentDescriptions.markedFailed);
  else if (unhealthy > 0) fail(deploymentDescriptions.unhealthy);
  else if (complete) {
    status = "successful";
    description = deploymentDescriptions.successful;
  } else if (deadlinePassed) fail(deploymentDescriptions.progressDeadline);
  else if (dep.spec.paused) {
    status = "paused";
    description = deploymentDescriptions.paused;
  } else {
    status = "running";
    description = awaitingPromotion
      ? deploymentDescriptions.needsPromotion
      : awaitingAuto
        ? deploymentDescriptions.autoPromotion
        : deploymentDescriptions.running;
  }
  const final = status;
  const next: NomadDeploymentStatus = {
    ...old,
    status: final,
    statusDescription: description,
    groups,
  };
  const changed = final !== old.status || JSON.stringify(groups) !== JSON.stringify(old.groups);
  next.modifyTime = changed ? iso(now) : (old.modifyTime ?? iso(now));
  return {
    status: next,
    promoted,
    ...(revertTo !== undefined ? { revertTo } : {}),
    ...(activeDeploymentStatuses.has(final) && recheckAt !== undefined ? { recheckAt } : {}),
  };
}
