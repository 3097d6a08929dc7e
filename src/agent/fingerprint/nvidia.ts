// NVIDIA GPUs, found as Nomad's nvidia device plugin finds them: through
// nvidia-smi, when it is installed. Each model becomes one device group
// (vendor nvidia, type gpu) whose instances are the GPUs' UUIDs, with the
// attributes constraints and affinities read (${device.attr.memory}…).
import { execFileSync } from "node:child_process";
import type { NodeDeviceAttribute, NodeDeviceResource } from "../../crds/node.js";

/** The columns asked of nvidia-smi, in order. */
export const nvidiaSmiQuery = [
  "uuid",
  "name",
  "memory.total",
  "power.limit",
  "clocks.max.sm",
  "clocks.max.memory",
  "driver_version",
  "pci.bus_id",
  "display_mode",
  "persistence_mode",
] as const;

/** Parses `nvidia-smi --query-gpu=… --format=csv,noheader,nounits` output. */
export function parseNvidiaSmi(csv: string): NodeDeviceResource[] {
  const groups = new Map<string, NodeDeviceResource>();
  for (const line of csv.split("\n")) {
    if (!line.trim()) continue;
    const cols = line.split(",").map((c) => c.trim());
    const [uuid, name, memory, power, sm, memClock, driver, bus, display, persistence] = cols;
    if (!uuid || !name) continue;
    let group = groups.get(name);
    if (!group) {
      const attributes: Record<string, NodeDeviceAttribute> = {};
      const int = (key: string, value: string | undefined, unit: string) => {
        const n = Number(value);
        if (value && Number.isFinite(n)) attributes[key] = { int: Math.round(n), unit };
      };
      int("memory", memory, "MiB");
      int("power", power, "W");
      int("cores_clock", sm, "MHz");
      int("memory_clock", memClock, "MHz");
      if (driver) attributes.driver_version = { string: driver };
      if (display) attributes.display_state = { string: display };
      if (persistence) attributes.persistence_mode = { string: persistence };
      group = { vendor: "nvidia", type: "gpu", name, instances: [], attributes };
      groups.set(name, group);
    }
    group.instances?.push({
      id: uuid,
      healthy: true,
      ...(bus ? { locality: { pciBusID: bus } } : {}),
    });
  }
  return [...groups.values()];
}

/** The node's NVIDIA GPUs; none when nvidia-smi is absent or fails. */
export function fingerprintNvidia(): NodeDeviceResource[] {
  try {
    const out = execFileSync(
      "nvidia-smi",
      [`--query-gpu=${nvidiaSmiQuery.join(",")}`, "--format=csv,noheader,nounits"],
      { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "ignore"] },
    );
    return parseNvidiaSmi(out);
  } catch {
    return [];
  }
}
