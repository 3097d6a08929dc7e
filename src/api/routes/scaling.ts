// /v1/scaling/policies and /v1/scaling/policy/:id: the scaling blocks of job
// groups as the Nomad Autoscaler reads them. A policy's ID is derived from
// namespace, job and group, so it stays the same while the job does.
import { createHash } from "node:crypto";
import type { NomadJob } from "../../crds/objects.js";
import type { Ctx, Reply, Route } from "../../http/context.js";
import { notFound } from "../../http/errors.js";
import { jobID, jobNamespace } from "../convert/job-out.js";
import { listReply } from "./common.js";
import type { RouteDeps } from "./deps.js";

interface Policy {
  job: NomadJob;
  group: string;
  id: string;
}

function policyID(namespace: string, job: string, group: string): string {
  const h = createHash("sha256").update(`${namespace}\0${job}\0${group}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function scalingRoutes(deps: RouteDeps): Route[] {
  const { state } = deps;

  function policies(filter: (ns: string) => boolean): Policy[] {
    const out: Policy[] = [];
    for (const job of state.jobs.store.list()) {
      const ns = jobNamespace(job);
      if (!filter(ns)) continue;
      for (const g of job.spec.groups ?? [])
        if (g.scaling) out.push({ job, group: g.name, id: policyID(ns, jobID(job), g.name) });
    }
    return out;
  }

  function target(p: Policy) {
    return { Namespace: jobNamespace(p.job), Job: jobID(p.job), Group: p.group };
  }

  function full(p: Policy): Record<string, unknown> {
    const s = p.job.spec.groups.find((g) => g.name === p.group)?.scaling;
    const idx = state.indexesOf(p.job);
    return {
      ID: p.id,
      Namespace: jobNamespace(p.job),
      Type: "horizontal",
      Target: target(p),
      Policy: s?.policy ?? {},
      Min: s?.min ?? null,
      Max: s?.max ?? null,
      Enabled: s?.enabled ?? true,
      CreateIndex: idx.create,
      ModifyIndex: idx.specModify,
    };
  }

  function list(ctx: Ctx): Reply {
    // The route's acl was checked for one namespace; namespace=* shows those the token may list.
    const may = (ns: string) =>
      ctx.acl.allowNamespace(ns, "list-scaling-policies") ||
      (ctx.acl.allowNamespace(ns, "list-jobs") && ctx.acl.allowNamespace(ns, "read-job"));
    const inScope = ctx.opts.allNamespaces ? may : (ns: string) => ns === ctx.opts.namespace;
    const job = ctx.query.get("job");
    const type = ctx.query.get("type");
    const found = policies(inScope).filter(
      (p) => (!job || jobID(p.job) === job) && (!type || type === "horizontal"),
    );
    return listReply(
      found,
      (p) => p.id,
      (p) => {
        const { Policy, Min, Max, Namespace, ...stub } = full(p);
        return stub;
      },
      ctx,
      state.index(["jobs"]),
    );
  }

  const find = (ctx: Ctx) => policies(() => true).find((x) => x.id === ctx.params.id);

  function get(ctx: Ctx): Reply {
    const p = find(ctx);
    if (!p) throw notFound("policy");
    return { body: full(p), index: state.indexesOf(p.job).modify };
  }

  // Nomad's Scaling endpoint: the scaling-policy capability, or list-jobs and read-job together.
  return [
    {
      method: "GET",
      path: "/v1/scaling/policies",
      acl: ["ns:list-scaling-policies", "ns:list-jobs+read-job"],
      watch: ["jobs"],
      handle: list,
    },
    {
      method: "GET",
      path: "/v1/scaling/policy/:id",
      acl: ["ns:read-scaling-policy", "ns:list-jobs+read-job"],
      aclNamespace: (ctx) => {
        const p = find(ctx);
        return p ? jobNamespace(p.job) : undefined;
      },
      watch: ["jobs"],
      handle: get,
    },
  ];
}
