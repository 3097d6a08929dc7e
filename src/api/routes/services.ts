// Nomad-native service discovery: /v1/services (service names and tags per
// namespace), /v1/service/:name (its registrations, with choose=<n>|<key>),
// DELETE /v1/service/:name/:id, and the registrations of one allocation or
// job. Registrations are NomadServiceRegistrations the node agents write.

import type { NomadServiceRegistration } from "../../crds/objects.js";
import { chooseRegistrations, parseChoose } from "../../crds/service-registration.js";
import type { Ctx, Reply, Route } from "../../http/context.js";
import { badRequest, notFound } from "../../http/errors.js";
import { deleteObject } from "../../kube/apply.js";
import { caravanResource } from "../../kube/resources.js";
import { jobID } from "../convert/job-out.js";
import { serviceList, serviceRegistration } from "../convert/service.js";
import { findByName, findJob, listPage, namespaceOf, requireNamespace } from "./common.js";
import type { RouteDeps } from "./deps.js";

const registrations = caravanResource("NomadServiceRegistration");

export function serviceRoutes(deps: RouteDeps): Route[] {
  const { kc, state } = deps;
  const ns = (r: NomadServiceRegistration) => r.metadata.namespace ?? "default";
  const shape = (r: NomadServiceRegistration) => serviceRegistration(r, state.indexesOf(r));

  /** The namespaces a read covers: the request's (read-job there, else 403), or all it may read. */
  function readable(ctx: Ctx): (namespace: string) => boolean {
    if (ctx.opts.allNamespaces) return (n) => ctx.acl.allowNamespace(n, "read-job");
    requireNamespace(ctx, ctx.opts.namespace, "read-job");
    return (n) => n === ctx.opts.namespace;
  }

  function list(ctx: Ctx): Reply {
    const may = readable(ctx);
    const regs = state.services.store.list().filter((r) => may(ns(r)));
    return { body: serviceList(regs), index: state.index(["services"]) };
  }

  function get(ctx: Ctx): Reply {
    const may = readable(ctx);
    const name = ctx.params.name ?? "";
    const regs = state.services.store
      .list()
      .filter((r) => r.spec.serviceName === name && may(ns(r)));
    const { page, nextToken } = listPage(regs, (r) => r.spec.id, shape, ctx);
    let out = page.map((p) => p.out);
    const choose = ctx.query.get("choose");
    if (choose) {
      const parsed = parseChoose(choose);
      if (!parsed)
        throw badRequest(
          "failed to choose services: Parameter for choose must be in form '<number>|<key>'",
        );
      out = chooseRegistrations(out, parsed.n, parsed.key);
    }
    return {
      body: out,
      index: state.index(["services"]),
      ...(nextToken ? { headers: { "X-Nomad-NextToken": nextToken } } : {}),
    };
  }

  async function remove(ctx: Ctx): Promise<Reply> {
    const id = ctx.params.id ?? "";
    const reg = state.services.store
      .list()
      .find((r) => r.spec.id === id && ns(r) === ctx.opts.namespace);
    // Nomad answers an unknown ID with a 500 and this message; an unknown ID is
    // the caller's mistake, not the server's, so Caravan says 404 (the CLI prints the same words).
    if (!reg) throw notFound("service registration");
    await deleteObject(kc, registrations, reg);
    return { body: null, index: state.index(["services"]) + 1 };
  }

  function ofAllocation(ctx: Ctx): Reply {
    const alloc = findByName(state.allocations.store, ctx.params.id ?? "");
    if (!alloc) throw notFound("allocation");
    const regs = state.services.store
      .list()
      .filter(
        (r) =>
          r.spec.allocID === alloc.metadata.name &&
          ns(r) === (alloc.metadata.namespace ?? "default"),
      );
    return { body: regs.map(shape).sort(byID), index: state.index(["services", "allocations"]) };
  }

  function ofJob(ctx: Ctx): Reply {
    const job = findJob(state, ctx.opts.namespace, ctx.params.id ?? "");
    if (!job) throw notFound("job");
    const id = jobID(job);
    const regs = state.services.store
      .list()
      .filter((r) => r.spec.jobID === id && ns(r) === ctx.opts.namespace);
    return { body: regs.map(shape).sort(byID), index: state.index(["services", "jobs"]) };
  }

  return [
    // Nomad's ServiceRegistration.List and GetService: read-job (namespace=*: where the token has it).
    { method: "GET", path: "/v1/services", acl: "ns:read-job", watch: ["services"], handle: list },
    {
      method: "GET",
      path: "/v1/service/:name",
      acl: "ns:read-job",
      watch: ["services"],
      handle: get,
    },
    {
      method: "DELETE",
      path: "/v1/service/:name/:id",
      // Nomad's ServiceRegistration.DeleteByID: submit-job or delete-service-registration.
      acl: ["ns:submit-job", "ns:delete-service-registration"],
      handle: remove,
    },
    {
      method: "GET",
      path: "/v1/allocation/:id/services",
      acl: "ns:read-job",
      aclNamespace: namespaceOf(state.allocations.store),
      watch: ["services", "allocations"],
      handle: ofAllocation,
    },
    {
      method: "GET",
      path: "/v1/job/:id*/services",
      acl: "ns:read-job",
      watch: ["services", "jobs"],
      handle: ofJob,
    },
  ];
}

const byID = (a: { ID: string }, b: { ID: string }) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0);
