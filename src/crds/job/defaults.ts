// Nomad's job defaults, as its structs and api Canonicalize methods fill them
// in (nomad/structs/structs.go: DefaultServiceJobRestartPolicy,
// DefaultBatchJobReschedulePolicy, DefaultUpdateStrategy, DefaultResources…),
// written in the NomadJob spec's vocabulary. The jobspec's canonicalize applies
// them to a job; code that may see a job written without them (a NomadJob
// applied with kubectl) reads the same values from here.
import type { JobType } from "./job.js";
import type { LogConfig } from "./logs.js";
import type {
  MigrateStrategy,
  ReschedulePolicy,
  RestartPolicy,
  UpdateStrategy,
} from "./policies.js";
import type { Template } from "./template.js";

export const defaultJob = {
  type: "service",
  region: "global",
  priority: 50,
  nodePool: "default",
  datacenters: ["*"],
} as const satisfies {
  type: JobType;
  region: string;
  priority: number;
  nodePool: string;
  datacenters: readonly string[];
};

/** A batch or sysbatch job: one that runs to completion. */
export function runsToCompletion(type: string | undefined): boolean {
  return type === "batch" || type === "sysbatch";
}

/** The restart policy of a group that sets none: batch jobs retry 3 times a day, others twice in 30 minutes. */
export function defaultRestartPolicy(type: string | undefined): Required<RestartPolicy> {
  return runsToCompletion(type)
    ? { attempts: 3, interval: "24h", delay: "15s", mode: "fail", renderTemplates: false }
    : { attempts: 2, interval: "30m", delay: "15s", mode: "fail", renderTemplates: false };
}

/** The reschedule policy of a group that sets none; system and sysbatch jobs never reschedule. */
export function defaultReschedulePolicy(
  type: string | undefined,
): Required<ReschedulePolicy> | undefined {
  if ((type ?? defaultJob.type) === "service")
    return {
      attempts: 0,
      interval: "0s",
      delay: "30s",
      delayFunction: "exponential",
      maxDelay: "1h",
      unlimited: true,
    };
  if (type === "batch")
    return {
      attempts: 1,
      interval: "24h",
      delay: "5s",
      delayFunction: "constant",
      maxDelay: "0s",
      unlimited: false,
    };
  return undefined;
}

export const defaultUpdateStrategy: Readonly<Required<UpdateStrategy>> = {
  stagger: "30s",
  maxParallel: 1,
  healthCheck: "checks",
  minHealthyTime: "10s",
  healthyDeadline: "5m",
  progressDeadline: "10m",
  autoRevert: false,
  autoPromote: false,
  canary: 0,
};

export const defaultMigrateStrategy: Readonly<Required<MigrateStrategy>> = {
  maxParallel: 1,
  healthCheck: "checks",
  minHealthyTime: "10s",
  healthyDeadline: "5m",
};

/** A task's resources when it asks for none (cpu in MHz, memory in MB). */
export const defaultResources = { cpu: 100, memory: 300 } as const;

/** A group's ephemeral disk when it asks for none (MB). */
export const defaultEphemeralDisk = { size: 300, migrate: false, sticky: false } as const;

export const defaultKillTimeout = "5s";

export const defaultLogConfig: Readonly<Required<LogConfig>> = {
  maxFiles: 10,
  maxFileSize: 10,
  disabled: false,
};

/** A template's settings when it sets none (api.Template.Canonicalize). */
export const defaultTemplate = {
  changeMode: "restart",
  splay: "5s",
  perms: "0644",
  leftDelimiter: "{{",
  rightDelimiter: "}}",
  env: false,
  errorOnMissingKey: false,
} as const satisfies Partial<Template>;

/** A template's change_script settings when it sets none. */
export const defaultChangeScript = { timeout: "5s", failOnError: false } as const;

/** A task's vault settings when its vault block sets none. */
export const defaultVault = { env: true, disableFile: false, changeMode: "restart" } as const;

/** The weight of an affinity or spread that sets none. */
export const defaultWeight = 50;
