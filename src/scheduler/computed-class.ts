// Computed node class: nodes that agree on everything feasibility looks at
// (datacenter, pool, class, non-unique attributes and meta, drivers, devices,
// host networks and modes) are interchangeable, so a checker's verdict for one
// holds for all of them. Nomad hashes the same fields; unique.* is left out.
import { createHash } from "node:crypto";
import type { SchedulerNode } from "./types.js";

function sortedEntries(rec: Readonly<Record<string, string>>): string {
  let out = "";
  for (const k of Object.keys(rec).sort()) {
    if (k.startsWith("unique.")) continue;
    out += `${k}=${rec[k]}\u0001`;
  }
  return out;
}

/**
 * A key equal for nodes of the same computed class: a hash of the fields, as
 * Nomad's "v1:<hash>", so it stays short however much meta a node carries
 * (evaluations keep it as a map key in their status, where server-side apply's
 * YAML refuses keys over 1024 characters).
 */
export function computedClassKey(node: SchedulerNode): string {
  if (node.computedClass) return node.computedClass;
  return `v1:${createHash("sha256").update(classFields(node)).digest("hex").slice(0, 16)}`;
}

function classFields(node: SchedulerNode): string {
  const drivers = Object.keys(node.drivers)
    .sort()
    .map((d) => {
      const info = node.drivers[d];
      return `${d}:${info?.detected ? 1 : 0}${info?.healthy ? 1 : 0}`;
    })
    .join(",");
  const devices = node.devices
    .map(
      (d) =>
        `${d.vendor}/${d.type}/${d.name}#${d.healthyIds.length}:${sortedEntries(d.attributes)}`,
    )
    .sort()
    .join(";");
  return [
    node.datacenter,
    node.nodePool,
    node.nodeClass,
    sortedEntries(node.attributes),
    sortedEntries(node.meta),
    drivers,
    devices,
    [...node.hostNetworks].sort().join(","),
    [...node.networkModes].sort().join(","),
  ].join("\u0002");
}

/** Interns class keys into small integers so caches can be typed arrays. */
export function classIds(nodes: readonly SchedulerNode[]): {
  ids: Int32Array;
  keys: string[];
} {
  const byKey = new Map<string, number>();
  const keys: string[] = [];
  const ids = new Int32Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const key = computedClassKey(nodes[i] as SchedulerNode);
    let id = byKey.get(key);
    if (id === undefined) {
      id = keys.length;
      byKey.set(key, id);
      keys.push(key);
    }
    ids[i] = id;
  }
  return { ids, keys };
}
