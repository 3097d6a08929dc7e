// The `logs` block of a task or a Connect sidecar task.
import type { Integer } from "../common.js";

/** Rotation of the task's stdout and stderr logs (`logs` block). */
export interface LogConfig {
  /**
   * How many rotated files of each stream are kept.
   * @minimum 1
   * @default 10
   */
  maxFiles?: Integer;
  /**
   * Size of one log file, in MB.
   * @minimum 1
   * @default 10
   */
  maxFileSize?: Integer;
  /** Whether log collection is off (the driver may then log elsewhere). Nomad's default is false. */
  disabled?: boolean;
}
