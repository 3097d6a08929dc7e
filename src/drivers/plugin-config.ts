// A driver whose plugin block does not read: the agent keeps it, detected but
// unhealthy, and every task start is refused with the same reasons.
import type { DriverFingerprint } from "./driver.js";

/** Why the plugin block does not read, as the fingerprint and task starts report it. */
export function invalidPluginConfig(errors: readonly string[]): string {
  return `invalid plugin config: ${errors.join("; ")}`;
}

export function invalidPluginFingerprint(errors: readonly string[]): DriverFingerprint {
  return {
    detected: false,
    healthy: false,
    healthDescription: invalidPluginConfig(errors),
    attributes: {},
  };
}
