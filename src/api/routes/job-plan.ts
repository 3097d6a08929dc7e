// POST /v1/job/:id/plan, Nomad's job plan: the scheduler's dry run on the
// informer caches (planJob), written nowhere, answered in Nomad's shape.
import { type JobPlan, namedGroupUpdates, planJob } from "../../controllers/jobs/plan.js";
import { defaultJob } from "../../crds/job/defaults.js";
import type { NomadJob } from "../../crds/objects.js";
import type { Ctx, Reply } from "../../http/context.js";
import { formatWarnings } from "../../jobspec/warnings.js";
import { metricsOut } from "../convert/eval.js";
import { type ApiState, byJob } from "../state.js";
import type { JobSubmission } from "./job-submit.js";

export function jobPlanner(
  state: ApiState,
  submission: JobSubmission,
): (ctx: Ctx) => Promise<Reply> {
  return async function plan(ctx: Ctx): Promise<Reply> {
    const { namespace, existing, resource, warningMessages } = await submission.prepare(
      ctx,
      ctx.params.id,
      "submit-job",
    );
    const result = dryRun(state, namespace, resource.metadata.name, resource.spec, existing);
    const index = state.index(["jobs", "allocations", "nodes"]);
    return {
      body: {
        Index: index,
        JobModifyIndex: existing ? state.indexesOf(existing).specModify : 0,
        CreatedEvals: null,
        Diff: {
          Type: result.diffType,
          ID: resource.spec.id,
          Fields: null,
          Objects: null,
          TaskGroups: groupDiffs(result),
        },
        Annotations: { DesiredTGUpdates: desiredUpdates(result), PreemptedAllocs: null },
        FailedTGAllocs: Object.keys(result.plan.failedTGAllocs).length
          ? metricsOut(result.plan.failedTGAllocs)
          : null,
        NextPeriodicLaunch: "0001-01-01T00:00:00Z",
        Warnings: formatWarnings([...warningMessages, ...result.failures]),
      },
      index,
    };
  };
}

/** planJob over what the API's caches hold now. */
function dryRun(
  state: ApiState,
  namespace: string,
  name: string,
  spec: NomadJob["spec"],
  existing: NomadJob | undefined,
): JobPlan {
  const key = `${namespace}/${name}`;
  return planJob({
    namespace,
    jobName: name,
    spec,
    ...(existing ? { current: existing } : {}),
    versions: state.versions.store.byIndex(byJob, key),
    nodes: state.nodes.store.list(),
    allocations: state.allocations.store.list(),
    deployments: state.deployments.store.byIndex(byJob, key),
    jobInfo: (ns, jobName) => {
      const j = state.jobs.store.get(`${ns}/${jobName}`);
      return {
        priority: j?.spec.priority ?? defaultJob.priority,
        type: j?.spec.type ?? defaultJob.type,
      };
    },
    schedulerConfiguration: state.schedulerConfiguration(),
    nodePools: state.nodePools.store.list(),
    now: Date.now(),
  });
}

/** Annotations.DesiredTGUpdates: per group, Nomad's counts by field. */
function desiredUpdates(result: JobPlan): Record<string, Record<string, number>> {
  const updates: Record<string, Record<string, number>> = {};
  for (const [group, u] of Object.entries(result.desiredTGUpdates))
    updates[group] = {
      Ignore: u.ignore,
      Place: u.place,
      Migrate: u.migrate,
      Stop: u.stop,
      InPlaceUpdate: u.inPlaceUpdate,
      DestructiveUpdate: u.destructiveUpdate,
      Canary: u.canary,
      Preemptions: u.preemptions,
    };
  return updates;
}

/** Diff.TaskGroups: per group, the changes in `nomad job plan`'s words. */
function groupDiffs(result: JobPlan): unknown[] {
  return Object.entries(result.desiredTGUpdates).map(([group, u]) => ({
    Type: result.diffType,
    Name: group,
    Fields: null,
    Objects: null,
    Tasks: null,
    Updates: namedGroupUpdates(u),
  }));
}
