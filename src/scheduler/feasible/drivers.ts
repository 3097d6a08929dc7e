// Feasibility: every task's driver is detected and healthy on the node.
import type { SchedulerNode } from "../types.js";

export const MISSING_DRIVERS = "missing drivers";

function driverUsable(node: SchedulerNode, driver: string): boolean {
  const info = node.drivers[driver];
  if (info) return info.detected && info.healthy;
  // Older agents report drivers only as attributes (driver.docker = "1").
  const attr = node.attributes[`driver.${driver}`];
  return attr === "1" || attr === "true";
}

export function checkDrivers(drivers: readonly string[], node: SchedulerNode): string | undefined {
  for (const d of drivers) if (!driverUsable(node, d)) return MISSING_DRIVERS;
  return undefined;
}
