// Nomad's SchedulerConfiguration JSON and the NomadSchedulerConfiguration
// spec, both ways. Reading follows Go's encoding/json as Nomad's HTTP agent
// decodes the body: field names match in any case, unknown fields are
// ignored, null and absent fields are the zero value (the whole
// configuration is replaced), and a value of the wrong type is refused with
// Go's message.
import {
  defaultPreemptionConfig,
  type NomadSchedulerConfigurationSpec,
} from "../../crds/scheduler-config.js";
import type { ObjectIndexes } from "../state.js";

/** SchedulerConfig as Nomad answers it; indexes 0 while none is stored. */
export function schedulerConfigOut(
  spec: NomadSchedulerConfigurationSpec | undefined,
  idx: Pick<ObjectIndexes, "create" | "modify"> | undefined,
): Record<string, unknown> {
  // The API writes all four switches; one left out (kubectl) keeps Nomad's default.
  const p = { ...defaultPreemptionConfig, ...spec?.preemptionConfig };
  return {
    SchedulerAlgorithm: spec?.schedulerAlgorithm ?? "binpack",
    PreemptionConfig: {
      SystemSchedulerEnabled: p.systemSchedulerEnabled,
      SysBatchSchedulerEnabled: p.sysBatchSchedulerEnabled,
      BatchSchedulerEnabled: p.batchSchedulerEnabled,
      ServiceSchedulerEnabled: p.serviceSchedulerEnabled,
    },
    MemoryOversubscriptionEnabled: spec?.memoryOversubscriptionEnabled ?? false,
    RejectJobRegistration: spec?.rejectJobRegistration ?? false,
    PauseEvalBroker: spec?.pauseEvalBroker ?? false,
    NodeLimitForFeasibilityChecks: spec?.nodeLimitForFeasibilityChecks ?? 0,
    CreateIndex: idx?.create ?? 0,
    ModifyIndex: idx?.modify ?? 0,
  };
}

export type SchedulerConfigInput =
  | { ok: true; spec: Required<NomadSchedulerConfigurationSpec> }
  | { ok: false; error: string };

/** A PUT body as Nomad's agent decodes and validates it. */
export function schedulerConfigIn(body: unknown): SchedulerConfigInput {
  try {
    const top = object(body, "Go value", "api.SchedulerConfiguration");
    const field = (name: string) => `SchedulerConfiguration.${name}`;
    const algorithm = str(get(top, "SchedulerAlgorithm"), field("SchedulerAlgorithm"));
    // Go names a nested field after the inner struct twice: "PreemptionConfig.PreemptionConfig.X".
    const pre = object(
      get(top, "PreemptionConfig"),
      `Go struct field ${field("PreemptionConfig")}`,
      "api.PreemptionConfig",
    );
    const preField = (name: string) => `PreemptionConfig.PreemptionConfig.${name}`;
    for (const index of ["CreateIndex", "ModifyIndex"])
      uint(get(top, index), field(index), "uint64");
    const spec = {
      schedulerAlgorithm: algorithm === "spread" ? ("spread" as const) : ("binpack" as const),
      preemptionConfig: {
        systemSchedulerEnabled: bool(
          get(pre, "SystemSchedulerEnabled"),
          preField("SystemSchedulerEnabled"),
        ),
        sysBatchSchedulerEnabled: bool(
          get(pre, "SysBatchSchedulerEnabled"),
          preField("SysBatchSchedulerEnabled"),
        ),
        batchSchedulerEnabled: bool(
          get(pre, "BatchSchedulerEnabled"),
          preField("BatchSchedulerEnabled"),
        ),
        serviceSchedulerEnabled: bool(
          get(pre, "ServiceSchedulerEnabled"),
          preField("ServiceSchedulerEnabled"),
        ),
      },
      memoryOversubscriptionEnabled: bool(
        get(top, "MemoryOversubscriptionEnabled"),
        field("MemoryOversubscriptionEnabled"),
      ),
      rejectJobRegistration: bool(
        get(top, "RejectJobRegistration"),
        field("RejectJobRegistration"),
      ),
      pauseEvalBroker: bool(get(top, "PauseEvalBroker"), field("PauseEvalBroker")),
      nodeLimitForFeasibilityChecks: uint(
        get(top, "NodeLimitForFeasibilityChecks"),
        field("NodeLimitForFeasibilityChecks"),
        "uint",
      ),
    };
    // Validated once decoded, as Nomad's SchedulerConfiguration.Validate.
    if (algorithm !== "" && algorithm !== "binpack" && algorithm !== "spread")
      return { ok: false, error: `invalid scheduler algorithm: ${algorithm}` };
    return { ok: true, spec };
  } catch (err) {
    if (err instanceof DecodeError) return { ok: false, error: err.message };
    throw err;
  }
}

class DecodeError extends Error {}

/** Go's name for a JSON value's kind in its unmarshal errors. */
function kindOf(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (typeof v === "boolean") return "bool";
  return typeof v === "number" ? "number" : typeof v === "string" ? "string" : "object";
}

function mismatch(v: unknown, where: string, type: string): DecodeError {
  return new DecodeError(`json: cannot unmarshal ${kindOf(v)} into ${where} of type ${type}`);
}

/** An object's field by Go's rule: the exact name, else any that matches ignoring case. */
function get(o: Record<string, unknown>, name: string): unknown {
  if (name in o) return o[name];
  const lower = name.toLowerCase();
  const key = Object.keys(o).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : o[key];
}

function object(v: unknown, where: string, type: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== "object" || Array.isArray(v)) throw mismatch(v, where, type);
  return v as Record<string, unknown>;
}

function str(v: unknown, field: string): string {
  if (v === undefined || v === null) return "";
  if (typeof v !== "string")
    throw mismatch(v, `Go struct field ${field}`, "api.SchedulerAlgorithm");
  return v;
}

function bool(v: unknown, field: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== "boolean") throw mismatch(v, `Go struct field ${field}`, "bool");
  return v;
}

function uint(v: unknown, field: string, type: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== "number") throw mismatch(v, `Go struct field ${field}`, type);
  if (!Number.isSafeInteger(v) || v < 0)
    throw new DecodeError(
      `json: cannot unmarshal number ${v} into Go struct field ${field} of type ${type}`,
    );
  return v;
}
