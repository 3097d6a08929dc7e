// Nomad services as Kubernetes Services (beyond Nomad, opt-in per job with
// meta { "caravan_kubernetes_service" = "true" }, or per namespace with the
// label caravan.dev/kubernetes-services=true, which a job's meta "false"
// overrides): each service name of such a job gets a Service of that name in the job's namespace and
// EndpointSlices with its registrations, so pods reach Nomad tasks at
// `<service>.<namespace>.svc`. Level-based: a key is "namespace/service
// name"; the objects follow the registrations, and go when none is left.
import {
  jobLabel,
  kubernetesServiceMeta,
  kubernetesServicesNamespaceLabel,
  nomadServiceLabel,
} from "../../crds/names.js";
import type { NomadServiceRegistration } from "../../crds/objects.js";
import { applyObject, deleteCollection, deleteObject } from "../../kube/apply.js";
import { type Controller, defineController, watch } from "../../kube/controller.js";
import { endpointSliceResource, serviceResource } from "../../kube/resources.js";
import { ApiError, getObject, listObjects } from "../../kube/rest.js";
import type { ControllerContext } from "../context.js";
import { byJob, jobKey } from "../informers.js";
import { managedBy, managedByLabel, mirrorObjects, serviceNameProblem } from "./mirror-objects.js";

const keyOf = (r: NomadServiceRegistration) =>
  `${r.metadata.namespace ?? "default"}/${r.spec.serviceName}`;

export function serviceMirror(ctx: ControllerContext): Controller {
  const { kc, informers, events, log } = ctx;
  const warned = new Set<string>();
  /** Keys mirrored by this process, and keys known to have no mirror: removal needs no API call then. */
  const mirrored = new Set<string>();
  const absent = new Set<string>();

  const optedIn = (r: NomadServiceRegistration) => {
    const job = informers.jobs.store.get(
      jobKey(r.metadata.namespace, r.metadata.labels?.[jobLabel] ?? ""),
    );
    if (!job) return false;
    const own = job.spec.meta?.[kubernetesServiceMeta];
    if (own !== undefined) return own === "true";
    const namespace = informers.mirrorNamespaces.store.get(r.metadata.namespace ?? "default");
    return namespace?.metadata.labels?.[kubernetesServicesNamespaceLabel] === "true";
  };

  return defineController({
    name: "service-mirror",
    // Keys are service names, not registrations: every registration change maps to its name.
    for: informers.services,
    when: () => false,
    watches: [
      watch(informers.services, (r, change) =>
        change.type === "update" ? [keyOf(change.old), keyOf(r)] : keyOf(r),
      ),
      // A job turning the mirror on or off: its services' keys.
      watch(informers.jobs, (job) =>
        informers.services.store
          .byIndex(byJob, jobKey(job.metadata.namespace, job.metadata.name))
          .map(keyOf),
      ),
      // A namespace turning the mirror on or off: the keys of its services.
      watch(informers.mirrorNamespaces, (n) =>
        informers.services.store
          .list()
          .filter((r) => (r.metadata.namespace ?? "default") === n.metadata.name)
          .map(keyOf),
      ),
    ],
    concurrency: 2,
    reconcile: async (key) => {
      const slash = key.indexOf("/");
      const namespace = key.slice(0, slash);
      const name = key.slice(slash + 1);
      const regs = informers.services.store
        .list()
        .filter(
          (r) =>
            (r.metadata.namespace ?? "default") === namespace &&
            r.spec.serviceName === name &&
            optedIn(r),
        );
      if (regs.length === 0) {
        if (mirrored.has(key) || !absent.has(key)) await removeMirror(namespace, name);
        mirrored.delete(key);
        absent.add(key);
        return undefined;
      }
      const problem = serviceNameProblem(name);
      if (problem) {
        if (!warned.has(key)) {
          warned.add(key);
          const job = informers.jobs.store.get(
            jobKey(namespace, regs[0]?.metadata.labels?.[jobLabel] ?? ""),
          );
          if (job) void events.record(job, "Warning", "ServiceNotMirrored", problem);
        }
        return undefined;
      }
      const desired = mirrorObjects(namespace, name, regs);
      if (desired.skipped.length)
        log.debug({ service: key, skipped: desired.skipped }, "registrations not mirrored");
      const existing = await getObject<{ metadata: { labels?: Record<string, string> } }>(
        kc,
        serviceResource,
        name,
        namespace,
      ).catch((err: unknown) => {
        if (err instanceof ApiError && err.statusCode === 404) return undefined;
        throw err;
      });
      // A Service of that name Caravan did not make is the user's: left alone.
      if (existing && existing.metadata.labels?.[nomadServiceLabel] !== name) {
        if (!warned.has(key)) {
          warned.add(key);
          log.warn({ service: key }, "a Kubernetes Service of this name exists; not mirrored");
        }
        return undefined;
      }
      mirrored.add(key);
      absent.delete(key);
      await applyObject(kc, serviceResource, desired.service);
      for (const slice of desired.slices) await applyObject(kc, endpointSliceResource, slice);
      const wanted = new Set(desired.slices.map((s) => s.metadata.name));
      const present = await listObjects<{ metadata: { name: string; namespace?: string } }>(
        kc,
        endpointSliceResource,
        namespace,
        sliceSelector(name),
      );
      for (const s of present)
        if (!wanted.has(s.metadata.name)) await deleteObject(kc, endpointSliceResource, s);
      return undefined;
    },
  });

  async function removeMirror(namespace: string, name: string): Promise<void> {
    await deleteCollection(kc, endpointSliceResource, namespace, sliceSelector(name));
    try {
      const svc = await getObject<{
        metadata: { name: string; namespace?: string; labels?: Record<string, string> };
      }>(kc, serviceResource, name, namespace);
      if (svc.metadata.labels?.[nomadServiceLabel] === name)
        await deleteObject(kc, serviceResource, svc);
    } catch (err) {
      if (!(err instanceof ApiError && err.statusCode === 404)) throw err;
    }
  }
}

const sliceSelector = (name: string) =>
  `${nomadServiceLabel}=${name},${managedByLabel}=${managedBy}`;
