// /v1/system/gc (a forced garbage collection, as `caravan system gc`),
// /v1/system/reconcile/summaries (every job's summary recomputed), and
// /v1/search: prefix search over IDs. An API limited to one namespace keeps
// both chores to it.
import { forceGarbageCollection } from "../../controllers/gc/controller.js";
import { reconcileSummaries } from "../../controllers/jobs/summaries.js";
import type { ApiObject } from "../../crds/meta.js";
import type { Route } from "../../http/context.js";
import { badRequest, permissionDenied } from "../../http/errors.js";
import type { Store } from "../../kube/store.js";
import { jobID, jobNamespace } from "../convert/job-out.js";
import { bodyObject } from "./common.js";
import type { RouteDeps } from "./deps.js";

const searchLimit = 20;

export function systemRoutes(deps: RouteDeps): Route[] {
  const { state } = deps;
  const chore = (path: string, run: () => Promise<unknown>): Route => ({
    method: "PUT",
    path,
    acl: "management",
    handle: async () => {
      await run();
      return { body: null, index: state.index(["jobs"]) };
    },
  });
  return [
    chore("/v1/system/gc", () => forceGarbageCollection(deps.kc, deps.namespace)),
    chore("/v1/system/reconcile/summaries", () => reconcileSummaries(deps.kc, deps.namespace)),
    {
      method: "POST",
      path: "/v1/search",
      // As Nomad's sufficientSearchPerms: results are filtered per context, and a
      // context the token may not search at all is refused below.
      acl: "filtered",
      handle: (ctx) => {
        const body = bodyObject(ctx);
        const prefix = body.Prefix;
        const context = body.Context ?? "all";
        if (typeof prefix !== "string") throw badRequest("Prefix must be a string");
        const contexts = ["jobs", "allocs", "evals", "deployment", "nodes", "all"];
        if (typeof context !== "string" || !contexts.includes(context))
          throw badRequest(
            `invalid context ${JSON.stringify(context)}; expected one of ${contexts.join(", ")}`,
          );
        const ns = ctx.opts.namespace;
        const nsOk =
          ctx.acl.allowNamespace(ns, "read-job") || ctx.acl.allowNamespace(ns, "list-jobs");
        const want = (c: string) => context === "all" || context === c;
        const matches: Record<string, string[]> = {};
        const truncations: Record<string, boolean> = {};
        const add = (c: string, ids: string[]) => {
          const hits = ids.filter((id) => id.startsWith(prefix)).sort();
          matches[c] = hits.slice(0, searchLimit);
          truncations[c] = hits.length > searchLimit;
        };
        /** The IDs of the request's namespace's objects in `store`. */
        const idsInNs = <T extends ApiObject>(store: Store<T>) =>
          store
            .list()
            .filter((o) => (o.metadata.namespace ?? "default") === ns)
            .map((o) => o.metadata.name);
        if (nsOk && want("jobs"))
          add(
            "jobs",
            state.jobs.store
              .list()
              .filter((j) => jobNamespace(j) === ns)
              .map(jobID),
          );
        if (nsOk && want("allocs")) add("allocs", idsInNs(state.allocations.store));
        if (nsOk && want("evals")) add("evals", idsInNs(state.evaluations.store));
        if (nsOk && want("deployment")) add("deployment", idsInNs(state.deployments.store));
        if (ctx.acl.allow("node", "read") && want("nodes"))
          add(
            "nodes",
            state.nodes.store.list().map((n) => n.metadata.name),
          );
        if (context !== "all" && !(context in matches)) throw permissionDenied();
        return {
          body: { Matches: matches, Truncations: truncations },
          index: state.index(["jobs"]),
        };
      },
    },
  ];
}
