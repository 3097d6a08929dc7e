// The periodic dispatcher as a reconcile loop over periodic parent jobs: at
// each scheduled time it launches a child job (or skips it under
// prohibit_overlap), records the launch on the parent, and requeues itself
// for the next one. The last launch is an annotation on the parent, so a
// restarted controller launches only the latest missed time, as Nomad does.
import { lastLaunchAnnotation, nextLaunchAnnotation, parentLabel } from "../../crds/names.js";
import type { NomadJob } from "../../crds/objects.js";
import { createObject, mergePatch } from "../../kube/apply.js";
import { type Controller, defineController, TerminalError } from "../../kube/controller.js";
import { caravanResource } from "../../kube/resources.js";
import { ApiError } from "../../kube/rest.js";
import type { ControllerContext } from "../context.js";
import type { SharedInformers } from "../informers.js";
import { childRunning, periodicChild } from "./child.js";
import { launchDecision, scheduleError } from "./schedule.js";

const jobs = caravanResource("NomadJob");

export function childrenOf(informers: SharedInformers, parent: NomadJob): NomadJob[] {
  const ns = parent.metadata.namespace ?? "default";
  return informers.jobs.store
    .list()
    .filter(
      (j) =>
        (j.metadata.namespace ?? "default") === ns &&
        j.metadata.labels?.[parentLabel] === parent.metadata.name,
    );
}

/** Periodic parents: their own changes (each reconcile requeues for the next launch). */
export function periodicController(ctx: ControllerContext): Controller {
  const { kc, informers, events, now } = ctx;
  return defineController({
    name: "periodic",
    for: informers.jobs,
    when: (j, change) => change.type !== "delete" && j.spec.periodic !== undefined,
    reconcile: async (key) => {
      const job = informers.jobs.store.get(key);
      if (!job?.spec.periodic || job.metadata.deletionTimestamp) return undefined;
      const invalid = scheduleError(job.spec.periodic);
      if (invalid) throw new TerminalError(invalid, "InvalidSchedule");
      const t = now();
      const annotations = job.metadata.annotations ?? {};
      const last =
        time(annotations[lastLaunchAnnotation]) ?? time(job.metadata.creationTimestamp) ?? t;
      const running = childrenOf(informers, job).some(childRunning);
      const decision = launchDecision(job.spec, last, running, t);
      if (decision.kind === "disabled") return undefined;
      if (decision.kind === "launch") {
        const child = periodicChild(job, decision.at);
        try {
          await createObject(kc, jobs, child);
          void events.record(job, "Normal", "Launched", `launched ${child.metadata.name}`);
        } catch (err) {
          // 409: launched before a crash; the time in the name makes it the same child.
          if (!(err instanceof ApiError && err.statusCode === 409)) throw err;
        }
      } else if (decision.kind === "skip") {
        void events.record(
          job,
          "Normal",
          "LaunchSkipped",
          `launch at ${new Date(decision.at).toISOString()} skipped: ${decision.reason}`,
        );
      }
      const record: Record<string, string> = {};
      if (decision.kind !== "wait")
        record[lastLaunchAnnotation] = new Date(decision.at).toISOString();
      if (decision.next !== undefined)
        record[nextLaunchAnnotation] = new Date(decision.next).toISOString();
      if (Object.entries(record).some(([k, v]) => annotations[k] !== v))
        await mergePatch(kc, jobs, job, { metadata: { annotations: record } });
      if (decision.next === undefined) return undefined;
      return { requeueAfterMs: Math.max(1_000, decision.next - t) };
    },
  });
}

function time(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const v = Date.parse(s);
  return Number.isNaN(v) ? undefined : v;
}
