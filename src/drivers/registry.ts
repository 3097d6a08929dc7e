// Every driver the agent knows, by name. The agent creates each one, asks its
// fingerprint, and offers those detected; Nomad's client options
// driver.allowlist and driver.denylist narrow the set.

import { dockerDriver } from "./docker/index.js";
import type { DriverContext, DriverFactory, DriverFingerprint, TaskDriver } from "./driver.js";
import { execDriver } from "./exec/index.js";
import { javaDriver } from "./java/index.js";
import { mockDriver } from "./mock/index.js";
import { qemuDriver } from "./qemu/index.js";
import { rawExecDriver } from "./raw_exec/index.js";

export const driverFactories: Record<string, DriverFactory> = {
  exec: execDriver,
  mock: mockDriver,
  raw_exec: rawExecDriver,
  docker: dockerDriver,
  java: javaDriver,
  qemu: qemuDriver,
};

export interface LoadedDrivers {
  /** Drivers that fingerprinted as detected: the ones tasks may use. */
  usable: Map<string, TaskDriver>;
  /** Every driver's fingerprint, for the node's status. */
  fingerprints: Record<string, DriverFingerprint>;
  /** Fingerprints again (drivers' health changes: a Docker daemon stops, a JVM is installed). */
  refresh(): Promise<Record<string, DriverFingerprint>>;
}

export async function loadDrivers(
  contextFor: (name: string) => DriverContext,
  factories: Record<string, DriverFactory> = driverFactories,
): Promise<LoadedDrivers> {
  const options = contextFor("").options;
  const list = (key: string) =>
    (options[key] ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  const allow = list("driver.allowlist");
  const deny = new Set(list("driver.denylist"));
  const drivers = Object.entries(factories)
    .filter(([name]) => (allow.length === 0 || allow.includes(name)) && !deny.has(name))
    .map(([name, factory]) => factory(contextFor(name)));
  const usable = new Map<string, TaskDriver>();
  const refresh = async () => {
    const fingerprints: Record<string, DriverFingerprint> = {};
    await Promise.all(
      drivers.map(async (driver) => {
        const fp = await driver.fingerprint().catch(
          (err: unknown): DriverFingerprint => ({
            detected: false,
            healthy: false,
            healthDescription: `fingerprint failed: ${(err as Error).message}`,
            attributes: {},
          }),
        );
        fingerprints[driver.name] = fp;
        if (fp.detected) usable.set(driver.name, driver);
        else usable.delete(driver.name);
      }),
    );
    return fingerprints;
  };
  const fingerprints = await refresh();
  return { usable, fingerprints, refresh };
}
