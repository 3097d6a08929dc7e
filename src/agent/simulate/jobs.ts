// The task group an allocation runs, from the job version it was placed with
// (its ControllerRevision), falling back to the job itself. Cached: thousands
// of simulated allocations of one job version need one read, not thousands.

import { defaultJob } from "../../crds/job/defaults.js";
import type { TaskGroup } from "../../crds/job/index.js";
import { versionName } from "../../crds/job-version.js";
import type { NomadAllocation, NomadJob } from "../../crds/objects.js";
import type { KubeConfig } from "../../kube/kubeconfig.js";
import {
  caravanResource,
  collectionPath,
  controllerRevisionResource,
} from "../../kube/resources.js";
import { ApiError, requestJson } from "../../kube/rest.js";

export interface JobGroup {
  group: TaskGroup | undefined;
  jobType: string;
}

export class JobVersions {
  private readonly cache = new Map<string, Promise<NomadJob["spec"]>>();

  constructor(private readonly kc: KubeConfig) {}

  async groupOf(alloc: NomadAllocation): Promise<JobGroup> {
    const ns = alloc.metadata.namespace ?? "default";
    const key = `${ns}/${alloc.spec.jobName}/${alloc.spec.jobVersion}`;
    let spec = this.cache.get(key);
    if (!spec) {
      spec = this.read(ns, alloc);
      this.cache.set(key, spec);
      spec.catch(() => this.cache.delete(key));
    }
    const s = await spec;
    return {
      group: s.groups.find((g) => g.name === alloc.spec.group),
      jobType: s.type ?? defaultJob.type,
    };
  }

  private async read(ns: string, alloc: NomadAllocation): Promise<NomadJob["spec"]> {
    try {
      const revision = await requestJson<{ data: { spec: NomadJob["spec"] } }>(this.kc, {
        method: "GET",
        path: `${collectionPath(controllerRevisionResource, ns)}/${versionName(alloc.spec.jobName, alloc.spec.jobVersion)}`,
      });
      return revision.data.spec;
    } catch (err) {
      if (!(err instanceof ApiError && err.statusCode === 404)) throw err;
      const job = await requestJson<NomadJob>(this.kc, {
        method: "GET",
        path: `${collectionPath(caravanResource("NomadJob"), ns)}/${alloc.spec.jobName}`,
      });
      return job.spec;
    }
  }
}
