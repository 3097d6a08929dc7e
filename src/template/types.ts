// The public types of the template engine: what callers pass in and get back.

/** One external value a template read: consul-template's dependency. */
export interface TemplateDependency {
  kind: "key" | "ls" | "secret" | "service" | "nomadVar" | "k8sService";
  name: string;
}

/**
 * Where the data-source functions read from. Each method returns undefined when
 * the caller does not have the data yet; the engine then records the dependency
 * as missing and renders an empty value (consul-template's two-phase model).
 */
export interface TemplateSources {
  key?(path: string): string | undefined;
  ls?(prefix: string): { key: string; value: string }[] | undefined;
  secret?(path: string): { Data: Record<string, unknown> } | undefined;
  /** The instances of a service; `query` as written: "name", "tag.name", "name@dc". */
  service?(query: string): ServiceInstance[] | undefined;
  nomadVar?(path: string): Record<string, string> | undefined;
  /** The catalog (`services`): every service name with its tags. Recorded as kind "service", name "". */
  services?(): { Name: string; Tags: string[] }[] | undefined;
  /** The ready endpoints of a Kubernetes Service (its EndpointSlices), one per address and port. */
  k8sService?(name: string): KubernetesEndpoint[] | undefined;
}

/** One ready address and port of a Kubernetes Service, as `k8sService` lists it. */
export interface KubernetesEndpoint {
  /** The Service's name. */
  Name: string;
  Namespace: string;
  Address: string;
  Port: number;
  /** The port's name in the Service ("" when unnamed). */
  PortName: string;
  Protocol: string;
  /** The node and pod behind the address, when the EndpointSlice names them. */
  NodeName: string;
  PodName: string;
}

/**
 * One instance of a service, with the fields of Nomad's registrations
 * (consul-template's NomadService) where the caller has them.
 */
export interface ServiceInstance {
  Name: string;
  Address: string;
  Port: number;
  Tags: string[];
  ID?: string;
  Namespace?: string;
  Datacenter?: string;
  JobID?: string;
  AllocID?: string;
  NodeID?: string;
  /** Its checks: "passing", "critical" or "pending"; consul-template's `service` lists only passing ones. */
  Status?: string;
}

export interface ParseOptions {
  /** Name used in error messages (Nomad uses the template's destination). Default "template". */
  name?: string;
  leftDelim?: string;
  rightDelim?: string;
}

export interface RenderOptions {
  /** The value of `.` and `$` at the top of the template. */
  data?: unknown;
  /** What `env` reads (Nomad: the task's environment). */
  env?: Record<string, string>;
  sources?: TemplateSources;
  /** Fail on a missing map key instead of printing "<no value>" (Nomad's error_on_missing_key). */
  errorOnMissingKey?: boolean;
}

export interface RenderResult {
  output: string;
  /** Every external value the template read, in first-use order (what to watch). */
  dependencies: TemplateDependency[];
  /** The dependencies whose source returned undefined: fetch them, then render again. */
  missing: TemplateDependency[];
}
