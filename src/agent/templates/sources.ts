// The Kubernetes side of template sources: the ConfigMaps and Secrets a
// task's templates read, and the service catalog, in the allocation's
// namespace. Each named object is watched by its own informer (a field
// selector on its name); the catalog by one informer of the namespace's
// NomadServiceRegistrations. Informers are shared by every template that
// reads them and stopped when none does.
//   key "<configmap>/<key>"  → the ConfigMap's data[key]
//   ls "<configmap>"         → its keys and values
//   secret "<secret>"        → { Data: its keys, decoded }
//   service / nomadService "[tag.]<name>[@dc]" → the service's registrations
//   services / nomadServices → every service name with its tags
//   nomadVar / nomadVarExists "<path>" → the items of the Nomad Variable's Secret,
//     for the paths a task's workload identity reads in Nomad: nomad/jobs,
//     nomad/jobs/<job>, …/<group>, …/<task> (Caravan has no workload identities
//     yet to grant more; another path fails the template, saying so)
//   k8sService "<service>"   → the Kubernetes Service's ready endpoints, from
//                              its EndpointSlices (watched by their
//                              kubernetes.io/service-name label)
import type { Logger } from "../../common/log.js";
import type { ApiObject } from "../../crds/meta.js";
import type { NomadServiceRegistration } from "../../crds/objects.js";
import {
  isVariableSecret,
  type VariableSecret,
  variableOf,
  variableSecretName,
} from "../../crds/variable.js";
import { Informer } from "../../kube/informer.js";
import type { KubeConfig } from "../../kube/kubeconfig.js";
import {
  caravanResource,
  configMapResource,
  endpointSliceResource,
  type ResourceRef,
  secretResource,
  serviceNameLabel,
} from "../../kube/resources.js";
import type {
  KubernetesEndpoint,
  ServiceInstance,
  TemplateDependency,
  TemplateSources,
} from "../../template/index.js";

export type SourceKind = "ConfigMap" | "Secret" | "NomadServiceRegistration" | "EndpointSlice";

/** The parts of a discovery.k8s.io/v1 EndpointSlice `k8sService` reads. */
interface EndpointSlice extends ApiObject {
  addressType?: string;
  endpoints?: {
    addresses?: string[];
    conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
    nodeName?: string;
    targetRef?: { kind?: string; name?: string };
  }[];
  ports?: { name?: string; port?: number; protocol?: string }[];
}

interface DataObject extends ApiObject {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

const resources: Record<SourceKind, ResourceRef> = {
  ConfigMap: configMapResource,
  Secret: secretResource,
  NomadServiceRegistration: caravanResource("NomadServiceRegistration"),
  EndpointSlice: endpointSliceResource,
};

interface Watched {
  informer: Informer<DataObject>;
  listeners: Set<() => void>;
}

/** The object a dependency reads. */
export function dependencyObject(
  dep: TemplateDependency,
): { kind: SourceKind; name: string } | undefined {
  if (dep.kind === "key") return { kind: "ConfigMap", name: dep.name.split("/")[0] ?? "" };
  if (dep.kind === "ls") return { kind: "ConfigMap", name: dep.name.replace(/\/+$/, "") };
  if (dep.kind === "secret") return { kind: "Secret", name: dep.name };
  if (dep.kind === "nomadVar") return { kind: "Secret", name: variableSecretName(dep.name) };
  // Every service query reads the namespace's catalog: one watch of all its registrations.
  if (dep.kind === "service") return { kind: "NomadServiceRegistration", name: "" };
  // A Service's endpoints are in its EndpointSlices: one watch per Service name.
  if (dep.kind === "k8sService") return { kind: "EndpointSlice", name: dep.name };
  return undefined;
}

export class KubeTemplateSources {
  private readonly watched = new Map<string, Watched>();

  constructor(
    private readonly kc: KubeConfig,
    private readonly log: Logger,
  ) {}

  /** Watches one object; `onChange` runs when it appears, changes or goes. Returns the unsubscribe. */
  watch(kind: SourceKind, namespace: string, name: string, onChange: () => void): () => void {
    const id = `${kind}/${namespace}/${name}`;
    let w = this.watched.get(id);
    if (!w) {
      const informer = new Informer<DataObject>(this.kc, resources[kind], this.log, {
        namespace,
        ...(kind === "EndpointSlice"
          ? { labelSelector: `${serviceNameLabel}=${name}` }
          : name
            ? { fieldSelector: `metadata.name=${name}` }
            : {}),
      });
      const entry: Watched = { informer, listeners: new Set() };
      const fire = () => {
        for (const l of entry.listeners) l();
      };
      informer.addHandlers({ onAdd: fire, onUpdate: fire, onDelete: fire });
      informer.start();
      this.watched.set(id, entry);
      w = entry;
    }
    const watched = w;
    watched.listeners.add(onChange);
    return () => {
      watched.listeners.delete(onChange);
      if (watched.listeners.size > 0) return;
      watched.informer.stop();
      this.watched.delete(id);
    };
  }

  /** Resolves once the watched object's first list is in (it may not exist). */
  synced(kind: SourceKind, namespace: string, name: string): Promise<void> {
    return (
      this.watched.get(`${kind}/${namespace}/${name}`)?.informer.waitForSync() ?? Promise.resolve()
    );
  }

  stop(): void {
    for (const w of this.watched.values()) w.informer.stop();
    this.watched.clear();
  }

  /**
   * What the template engine reads in `namespace`: only objects already watched
   * and listed. `task`: the job ID, group and task whose own variables it may read.
   */
  sourcesFor(namespace: string, task?: VariableClaim): TemplateSources {
    const get = (kind: SourceKind, name: string): DataObject | undefined =>
      this.watched.get(`${kind}/${namespace}/${name}`)?.informer.store.get(`${namespace}/${name}`);
    const configMapData = (name: string): Record<string, string> | undefined => {
      const cm = get("ConfigMap", name);
      if (!cm) return undefined;
      const binary = Object.entries(cm.binaryData ?? {}).map(
        ([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")] as const,
      );
      return { ...Object.fromEntries(binary), ...cm.data };
    };
    const catalog = (): NomadServiceRegistration[] | undefined => {
      const informer = this.watched.get(`NomadServiceRegistration/${namespace}/`)?.informer;
      if (!informer?.hasSynced()) return undefined;
      return (informer.store.list() as unknown as NomadServiceRegistration[]).filter(
        (r) => r.metadata.namespace === namespace,
      );
    };
    const endpoints = (name: string): KubernetesEndpoint[] | undefined => {
      const informer = this.watched.get(`EndpointSlice/${namespace}/${name}`)?.informer;
      if (!informer?.hasSynced()) return undefined;
      return readyEndpoints(name, namespace, informer.store.list() as EndpointSlice[]);
    };
    return {
      k8sService: endpoints,
      service: (query) => {
        const regs = catalog();
        if (!regs) return undefined;
        const { tag, name } = parseServiceQuery(query);
        return regs
          .filter(
            (r) => r.spec.serviceName === name && (tag === undefined || r.spec.tags?.includes(tag)),
          )
          .map(serviceInstance)
          .sort((a, b) => ((a.ID ?? "") < (b.ID ?? "") ? -1 : 1));
      },
      services: () => {
        const regs = catalog();
        if (!regs) return undefined;
        const tags = new Map<string, Set<string>>();
        for (const r of regs) {
          const set = tags.get(r.spec.serviceName) ?? new Set<string>();
          tags.set(r.spec.serviceName, set);
          for (const t of r.spec.tags ?? []) set.add(t);
        }
        return [...tags.keys()].sort().map((Name) => ({ Name, Tags: [...(tags.get(Name) ?? [])] }));
      },
      key: (p) => {
        const slash = p.indexOf("/");
        if (slash < 0) return undefined;
        return configMapData(p.slice(0, slash))?.[p.slice(slash + 1)];
      },
      ls: (prefix) => {
        const data = configMapData(prefix.replace(/\/+$/, ""));
        if (!data) return undefined;
        return Object.keys(data)
          .sort()
          .map((key) => ({ key, value: data[key] as string }));
      },
      nomadVar: (path) => {
        if (!task || !taskVariablePaths(task).includes(path))
          throw new Error(
            `nomadVar ${JSON.stringify(path)}: a task reads only its own variables (${task ? taskVariablePaths(task).join(", ") : "none"}) until Caravan has workload identities`,
          );
        const s = get("Secret", variableSecretName(path)) as VariableSecret | undefined;
        if (!s || !isVariableSecret(s)) return undefined;
        const v = variableOf(s);
        return v.Path === path ? v.Items : undefined;
      },
      secret: (name) => {
        const secret = get("Secret", name);
        if (!secret) return undefined;
        const data = Object.fromEntries(
          Object.entries(secret.data ?? {}).map(([k, v]) => [
            k,
            Buffer.from(v, "base64").toString("utf8"),
          ]),
        );
        return { Data: data };
      },
    };
  }
}

/** The job, group and task a task's workload identity would name. */
export interface VariableClaim {
  job: string;
  group: string;
  task: string;
}

/** The variables Nomad lets a task read without any policy (acl.ACL's workload claim). */
export function taskVariablePaths(c: VariableClaim): string[] {
  return [
    "nomad/jobs",
    `nomad/jobs/${c.job}`,
    `nomad/jobs/${c.job}/${c.group}`,
    `nomad/jobs/${c.job}/${c.group}/${c.task}`,
  ];
}

/**
 * A service query as consul-template writes it: "[tag.]name[@datacenter]".
 * The datacenter is ignored: one Caravan cluster is one catalog.
 */
export function parseServiceQuery(query: string): { tag?: string; name: string } {
  const bare = query.replace(/[@~].*$/, "");
  const dot = bare.lastIndexOf(".");
  return dot < 0 ? { name: bare } : { tag: bare.slice(0, dot), name: bare.slice(dot + 1) };
}

function serviceInstance(r: NomadServiceRegistration): ServiceInstance {
  const s = r.spec;
  return {
    ID: s.id,
    Name: s.serviceName,
    Namespace: r.metadata.namespace ?? "default",
    Datacenter: s.datacenter,
    JobID: s.jobID,
    AllocID: s.allocID,
    NodeID: s.nodeID,
    Address: s.address,
    Port: s.port,
    Tags: s.tags ?? [],
    ...(r.status?.checkStatus ? { Status: r.status.checkStatus } : {}),
  };
}

/**
 * The ready endpoints of a Service's EndpointSlices, one per address and port,
 * sorted by address then port. An endpoint without a ready condition counts as
 * ready, as Kubernetes reads it.
 */
export function readyEndpoints(
  name: string,
  namespace: string,
  slices: EndpointSlice[],
): KubernetesEndpoint[] {
  const out: KubernetesEndpoint[] = [];
  for (const slice of slices) {
    if (slice.metadata.labels?.[serviceNameLabel] !== name) continue;
    if (slice.addressType === "FQDN") continue;
    for (const e of slice.endpoints ?? []) {
      if (e.conditions?.ready === false) continue;
      for (const address of e.addresses ?? [])
        for (const p of slice.ports ?? []) {
          if (p.port === undefined) continue;
          out.push({
            Name: name,
            Namespace: namespace,
            Address: address,
            Port: p.port,
            PortName: p.name ?? "",
            Protocol: p.protocol ?? "TCP",
            NodeName: e.nodeName ?? "",
            PodName: e.targetRef?.kind === "Pod" ? (e.targetRef.name ?? "") : "",
          });
        }
    }
  }
  return out.sort((a, b) =>
    a.Address !== b.Address ? (a.Address < b.Address ? -1 : 1) : a.Port - b.Port,
  );
}
