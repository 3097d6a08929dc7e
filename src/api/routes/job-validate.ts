// PUT /v1/validate/job, Nomad's job validation: the job in the body checked
// exactly as a registration checks it (job-submit.ts), and each task's driver
// config as its driver will check it, nothing written. A job that breaks the
// rules is still a 200, its problems in ValidationErrors and Error, as
// `nomad job validate` reads them; a body that holds no job is a 400.
import { multiError } from "../../common/multierror.js";
import { driverConfigErrors } from "../../drivers/validate.js";
import type { Ctx, Reply, Route } from "../../http/context.js";
import type { KubeConfig } from "../../kube/kubeconfig.js";
import { namespaceResource } from "../../kube/resources.js";
import { ApiError, getObject } from "../../kube/rest.js";
import type { RouteDeps } from "./deps.js";
import { checkJob, type JobSubmission, submittedNamespace } from "./job-submit.js";

export function jobValidateRoutes(deps: RouteDeps, submission: JobSubmission): Route[] {
  async function validateJob(ctx: Ctx): Promise<Reply> {
    const { spec, namespace } = submission.decode(ctx);
    const checked = checkJob(spec);
    const problems = [
      ...((await namespaceExists(deps.kc, namespace))
        ? []
        : [`job "${spec.id ?? ""}" is in nonexistent namespace "${namespace}"`]),
      ...checked.problems,
      // Each task's config as its driver will check it at start (Nomad's servers check none).
      ...(checked.canonical ? driverConfigErrors(checked.canonical) : []),
    ];
    const warnings = checked.valid
      ? (await submission.store(checked.canonical, namespace, checked.jobWarnings)).warnings
      : submission.invalidJobWarnings(checked);
    return {
      body: {
        // The server, not the CLI's local fallback, checked the job, driver configs included.
        DriverConfigValidated: true,
        Error: problems.length ? multiError(problems) : "",
        ValidationErrors: problems.length ? problems : null,
        Warnings: warnings,
      },
    };
  }

  // Nomad's Job.Validate asks for read-job in the job's namespace.
  return [
    {
      method: "PUT",
      path: "/v1/validate/job",
      acl: "ns:read-job",
      aclNamespace: submittedNamespace,
      handle: validateJob,
    },
  ];
}

/** Whether the namespace exists; true when the API may not read namespaces (registering will tell). */
async function namespaceExists(kc: KubeConfig, namespace: string): Promise<boolean> {
  try {
    await getObject(kc, namespaceResource, namespace);
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.statusCode === 404) return false;
    return true;
  }
}
