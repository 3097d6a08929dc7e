// /v1/allocations, /v1/allocation/:id, /v1/evaluations, /v1/evaluation/:id,
// /v1/deployments, /v1/deployment/:id: reads from the informer caches.
// /v1/client/allocation/:alloc/{restart,signal,stats,exec}: forwarded to the node
// agent running the allocation (forward.ts; exec's websocket is joined through). /v1/client/allocation/:alloc/checks:
// the service check results the agent reported in the allocation's status.
import type { ApiObject } from "../../crds/meta.js";
import type { NomadAllocation } from "../../crds/objects.js";
import type { Ctx, Kind, Reply, Route } from "../../http/context.js";
import { queryBool } from "../../http/query.js";
import type { Store } from "../../kube/store.js";
import { type AllocContext, allocOut, allocStub } from "../convert/alloc.js";
import { checksOut } from "../convert/checks.js";
import { deploymentOut } from "../convert/deployment.js";
import { evalOut } from "../convert/eval.js";
import { jobOut } from "../convert/job-out.js";
import type { ApiState } from "../state.js";
import { jobIDOf, listReply, mustFindByName, namespaceOf, namespaceScope } from "./common.js";
import type { RouteDeps } from "./deps.js";
import { clientForwarder, mustFindAlloc } from "./forward.js";

export function allocContext(state: ApiState, a: NomadAllocation): AllocContext {
  const node = state.nodes.store.get(a.spec.nodeName);
  return {
    jobID: jobIDOf(state, a.metadata.namespace, a.spec.jobName),
    nodeID: a.spec.nodeName,
    nodeName: node?.status?.name ?? a.spec.nodeName,
    nodeAddress: node?.status?.attributes?.["unique.network.ip-address"] ?? "",
  };
}

/** The allocation as Nomad's lists show it (api.AllocationListStub). */
export function allocListStub(state: ApiState, a: NomadAllocation): Record<string, unknown> {
  return allocStub(a, state.indexesOf(a), allocContext(state, a));
}

const ns = (o: { metadata: { namespace?: string } }) => o.metadata.namespace ?? "default";

/** The allocation whole, with its job and placement metrics (api.Allocation). */
export function allocFull(state: ApiState, a: NomadAllocation): Record<string, unknown> {
  const job = state.jobs.store.get(`${ns(a)}/${a.spec.jobName}`);
  return allocOut(
    a,
    state.indexesOf(a),
    allocContext(state, a),
    job ? jobOut(job, state.indexesOf(job)) : null,
    // The evaluation keeps its placement metrics once per group.
    state.evaluations.store.get(`${ns(a)}/${a.spec.evalName}`)?.status?.placementMetrics?.[
      a.spec.group
    ],
  );
}

export function allocationRoutes(deps: RouteDeps): Route[] {
  const { state } = deps;
  const jobOf = (o: { metadata: { namespace?: string }; spec: { jobName: string } }) =>
    jobIDOf(state, o.metadata.namespace, o.spec.jobName);

  /** The kind's objects in the namespaces the request covers and may read, by ID. */
  function list<T extends ApiObject>(
    ctx: Ctx,
    store: Store<T>,
    kind: Kind,
    shape: (o: T) => unknown,
  ): Reply {
    const inScope = namespaceScope(ctx, "read-job");
    return listReply(
      store.list().filter((o) => inScope(ns(o))),
      (o) => o.metadata.name,
      shape,
      ctx,
      state.index([kind]),
    );
  }

  function listAllocations(ctx: Ctx): Reply {
    const noStates = queryBool(ctx.query, "task_states") === false;
    return list(ctx, state.allocations.store, "allocations", (a) => {
      const stub = allocListStub(state, a);
      if (noStates) stub.TaskStates = null;
      return stub;
    });
  }

  function getAllocation(ctx: Ctx): Reply {
    const a = mustFindByName(ctx, state.allocations.store, "alloc", "read-job");
    return { body: allocFull(state, a), index: state.indexesOf(a).modify };
  }

  function listEvaluations(ctx: Ctx): Reply {
    return list(ctx, state.evaluations.store, "evaluations", (e) =>
      evalOut(e, state.indexesOf(e), jobOf(e)),
    );
  }

  function getEvaluation(ctx: Ctx): Reply {
    const e = mustFindByName(ctx, state.evaluations.store, "eval", "read-job");
    const idx = state.indexesOf(e);
    return { body: evalOut(e, idx, jobOf(e)), index: idx.modify };
  }

  function evaluationAllocations(ctx: Ctx): Reply {
    const e = mustFindByName(ctx, state.evaluations.store, "eval", "read-job");
    const allocs = state.allocations.store
      .list()
      .filter((a) => a.spec.evalName === e.metadata.name && ns(a) === ns(e));
    return {
      body: allocs.map((a) => allocListStub(state, a)),
      index: state.index(["allocations"]),
    };
  }

  function listDeployments(ctx: Ctx): Reply {
    return list(ctx, state.deployments.store, "deployments", (d) =>
      deploymentOut(d, state.indexesOf(d), jobOf(d), state.jobIndexesOf(d)),
    );
  }

  function getDeployment(ctx: Ctx): Reply {
    const d = mustFindByName(ctx, state.deployments.store, "deployment", "read-job");
    const idx = state.indexesOf(d);
    return { body: deploymentOut(d, idx, jobOf(d), state.jobIndexesOf(d)), index: idx.modify };
  }

  /** The deployment's allocations (`nomad deployment status -verbose`, `job run -verbose`). */
  function deploymentAllocations(ctx: Ctx): Reply {
    const d = mustFindByName(ctx, state.deployments.store, "deployment", "read-job");
    const allocs = state.allocations.store
      .list()
      .filter((a) => a.spec.deploymentName === d.metadata.name && ns(a) === ns(d));
    return {
      body: allocs.map((a) => allocListStub(state, a)),
      index: state.index(["allocations"]),
    };
  }

  // Nomad's client endpoints on allocations: the node agent running it acts.
  const forward = clientForwarder(deps);
  const onAgent = (capability: string) => (ctx: Ctx) =>
    forward(ctx, mustFindAlloc(ctx, state, capability).spec.nodeName);

  return [
    {
      method: "POST",
      path: "/v1/client/allocation/:alloc/restart",
      acl: "ns:alloc-lifecycle",
      aclNamespace: namespaceOf(state.allocations.store, "alloc"),
      handle: onAgent("alloc-lifecycle"),
    },
    {
      method: "POST",
      path: "/v1/client/allocation/:alloc/signal",
      acl: "ns:alloc-lifecycle",
      aclNamespace: namespaceOf(state.allocations.store, "alloc"),
      handle: onAgent("alloc-lifecycle"),
    },
    {
      method: "GET",
      path: "/v1/client/allocation/:alloc/checks",
      acl: "ns:read-job",
      aclNamespace: namespaceOf(state.allocations.store, "alloc"),
      handle: (ctx) => ({ body: checksOut(mustFindAlloc(ctx, state, "read-job")) }),
    },
    {
      method: "GET",
      path: "/v1/client/allocation/:alloc/stats",
      acl: "ns:read-job",
      aclNamespace: namespaceOf(state.allocations.store, "alloc"),
      handle: onAgent("read-job"),
    },
    {
      // nomad alloc exec: the agent checks alloc-node-exec for tasks without isolation.
      method: "GET",
      path: "/v1/client/allocation/:alloc/exec",
      acl: "ns:alloc-exec",
      aclNamespace: namespaceOf(state.allocations.store, "alloc"),
      handle: onAgent("alloc-exec"),
    },
    {
      method: "GET",
      path: "/v1/allocations",
      acl: "ns:read-job",
      watch: ["allocations"],
      handle: listAllocations,
    },
    {
      method: "GET",
      path: "/v1/allocation/:id",
      acl: "ns:read-job",
      aclNamespace: namespaceOf(state.allocations.store),
      watch: ["allocations"],
      handle: getAllocation,
    },
    {
      method: "GET",
      path: "/v1/evaluations",
      acl: "ns:read-job",
      watch: ["evaluations"],
      handle: listEvaluations,
    },
    {
      method: "GET",
      path: "/v1/evaluation/:id/allocations",
      acl: "ns:read-job",
      aclNamespace: namespaceOf(state.evaluations.store),
      watch: ["allocations"],
      handle: evaluationAllocations,
    },
    {
      method: "GET",
      path: "/v1/evaluation/:id",
      acl: "ns:read-job",
      aclNamespace: namespaceOf(state.evaluations.store),
      watch: ["evaluations"],
      handle: getEvaluation,
    },
    {
      method: "GET",
      path: "/v1/deployments",
      acl: "ns:read-job",
      watch: ["deployments"],
      handle: listDeployments,
    },
    {
      method: "GET",
      path: "/v1/deployment/allocations/:id",
      acl: "ns:read-job",
      aclNamespace: namespaceOf(state.deployments.store),
      watch: ["allocations"],
      handle: deploymentAllocations,
    },
    {
      method: "GET",
      path: "/v1/deployment/:id",
      acl: "ns:read-job",
      aclNamespace: namespaceOf(state.deployments.store),
      watch: ["deployments"],
      handle: getDeployment,
    },
  ];
}
