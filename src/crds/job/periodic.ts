// Jobs that are not simply run: periodic (launched on a cron schedule) and
// parameterized (launched by `nomad job dispatch` with a payload and meta).

/**
 * Launches a child job on a schedule (`periodic` block). Only batch and
 * sysbatch jobs may be periodic. Each launch is a new NomadJob named
 * `<parent>-periodic-<unix time>`.
 * @validation {"rule": "has(self.crons) || has(self.cron)", "message": "a periodic block needs crons (or cron)"}
 */
export interface PeriodicConfig {
  /**
   * Cron expressions (five or six fields, or shorthands such as "@daily"); the job launches at the earliest next time of any of them.
   * @minItems 1
   */
  crons?: string[];
  /**
   * A single cron expression; Nomad 1.6.2 replaced it with crons but still accepts it.
   * @minLength 1
   */
  cron?: string;
  /** The IANA time zone the cron expressions are read in, e.g. "America/New_York". Nomad's default is "UTC". */
  timeZone?: string;
  /** Whether a launch is skipped while a previous child is still running. Nomad's default is false. */
  prohibitOverlap?: boolean;
  /** Whether the schedule is active; false keeps the job registered without launching children. Nomad's default is true. */
  enabled?: boolean;
}

/**
 * Makes the job a template that only runs when dispatched (`parameterized`
 * block). Only batch and sysbatch jobs may be parameterized. Each dispatch is
 * a new NomadJob named `<parent>-dispatch-<unix time>-<id>`.
 */
export interface ParameterizedJobConfig {
  /** Whether a dispatch must carry a payload: "optional", "required" or "forbidden". Nomad's default is "optional". */
  payload?: "optional" | "required" | "forbidden";
  /**
   * Meta keys every dispatch must set; they become the child's meta.
   * @listType set
   */
  metaRequired?: string[];
  /**
   * Meta keys a dispatch may set.
   * @listType set
   */
  metaOptional?: string[];
}
