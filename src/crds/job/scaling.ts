// Horizontal scaling bounds of a group (`scaling` block), read by the Nomad
// Autoscaler and enforced by `nomad job scale`.
import type { Integer } from "../common.js";

/**
 * The bounds within which a group's count may be scaled, and the
 * autoscaler's policy (`scaling` block in a group).
 * @validation {"rule": "!has(self.min) || self.min <= self.max", "message": "min cannot exceed max"}
 */
export interface ScalingPolicy {
  /**
   * Lowest count allowed; when the group sets no count it starts at this value. Nomad's default is the group's count.
   * @minimum 0
   */
  min?: Integer;
  /**
   * Highest count allowed.
   * @minimum 0
   */
  max: Integer;
  /** Whether the autoscaler acts on the policy. Nomad's default is true. */
  enabled?: boolean;
  /**
   * The autoscaler's policy (evaluation_interval, cooldown, check blocks…), passed to it as given with the autoscaler's own field names.
   * @preserveUnknownFields
   */
  policy?: Record<string, unknown>;
}
