// Types shared by every Caravan custom resource. The CRD schemas are generated
// from these declarations: a JSDoc comment becomes the field's description
// (what `kubectl explain` prints) and JSDoc tags become schema validation.

/**
 * A whole number.
 * @asType integer
 */
export type Integer = number;

/**
 * A Go duration string as Nomad writes them: "30s", "5m", "1h30m", "250ms".
 * @pattern ^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$
 */
export type Duration = string;

/** String key/value pairs, such as Nomad's `meta` blocks. */
export type StringMap = Record<string, string>;

/** The status of a condition, as in every Kubernetes API. */
export type ConditionStatus = "True" | "False" | "Unknown";

/**
 * A Kubernetes condition (metav1.Condition): kstatus, Argo CD and Flux read
 * `Ready`, `Reconciling` and `Stalled` without custom code.
 */
export interface Condition {
  /**
   * Kind of condition: Ready, Reconciling or Stalled, or a kind-specific one.
   * @pattern ^[A-Za-z][A-Za-z0-9_.-]*$
   * @maxLength 316
   */
  type: string;
  /** True, False or Unknown. */
  status: ConditionStatus;
  /**
   * The metadata.generation this condition was computed from.
   * @minimum 0
   */
  observedGeneration?: Integer;
  /**
   * When the condition last changed status (RFC 3339).
   * @format date-time
   */
  lastTransitionTime: string;
  /**
   * A CamelCase word saying why the condition has its status.
   * @pattern ^([A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?)?$
   * @maxLength 1024
   */
  reason: string;
  /**
   * A sentence a person can act on.
   * @maxLength 32768
   */
  message: string;
}

/** Status fields every Caravan resource carries. */
export interface CommonStatus {
  /**
   * The metadata.generation of the spec this status reflects.
   * @minimum 0
   */
  observedGeneration?: Integer;
  /**
   * Ready, Reconciling and Stalled, as kstatus reads them.
   * @listMapKeys type
   */
  conditions?: Condition[];
}
