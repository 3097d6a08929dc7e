// Reading Nomad's client options ("driver.raw_exec.enable" = "1").
import type { DriverFingerprint } from "./driver.js";

export function isEnabled(options: Record<string, string>, key: string): boolean {
  return ["1", "true"].includes((options[key] ?? "").toLowerCase());
}

/** The fingerprint of a driver the client turns on with the option driver.<name>.enable. */
export function enabledByOption(
  options: Record<string, string>,
  driver: string,
): DriverFingerprint {
  const key = `driver.${driver}.enable`;
  const enabled = isEnabled(options, key);
  return {
    detected: enabled,
    healthy: enabled,
    healthDescription: enabled ? "Healthy" : `disabled (client option ${key})`,
    attributes: {},
  };
}
