// Devices: which of a node's device groups can serve a task's `device`
// request (name, constraints on ${device.*}), whether enough healthy
// instances exist (feasibility, cached per class) and are free (binpack).
import { defaultWeight } from "../../crds/job/defaults.js";
import type { Constraint, RequestedDevice } from "../../crds/job/index.js";
import { checkOperator } from "../constraints.js";
import type { ResolvedGroup } from "../defaults.js";
import type { AllocatedDeviceIds, SchedulerDevice, SchedulerNode } from "../types.js";
import type { NodeUsage } from "../usage.js";

export const MISSING_DEVICES = "missing devices";

function nameMatches(request: string, d: SchedulerDevice): boolean {
  const parts = request.split("/");
  if (parts.length === 1) return parts[0] === d.type;
  if (parts.length === 2) return parts[0] === d.vendor && parts[1] === d.type;
  return parts[0] === d.vendor && parts[1] === d.type && parts.slice(2).join("/") === d.name;
}

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  kib: 1024,
  mb: 1e6,
  mib: 1024 ** 2,
  gb: 1e9,
  gib: 1024 ** 3,
  tb: 1e12,
  tib: 1024 ** 4,
  mhz: 1e6,
  ghz: 1e9,
  khz: 1e3,
  hz: 1,
  mw: 1e-3,
  w: 1,
  kw: 1e3,
};

/** "2 GiB" → bytes, so device attributes compare across units as Nomad's do. */
function withUnit(s: string): string {
  const m = /^\s*([0-9.]+)\s*([A-Za-z]+)\s*$/.exec(s);
  if (!m) return s;
  const factor = UNITS[(m[2] as string).toLowerCase()];
  return factor === undefined ? s : String(Number(m[1]) * factor);
}

function resolveDeviceTarget(target: string, d: SchedulerDevice): string | undefined {
  if (!target.startsWith("${")) return target;
  if (target === "${device.vendor}") return d.vendor;
  if (target === "${device.type}") return d.type;
  if (target === "${device.model}") return d.name;
  if (target.startsWith("${device.attr.")) return d.attributes[target.slice(14, -1)];
  return undefined;
}

function deviceMatches(c: Constraint, d: SchedulerDevice): boolean {
  let l = c.attribute === undefined ? undefined : resolveDeviceTarget(c.attribute, d);
  let r = c.value === undefined ? undefined : resolveDeviceTarget(c.value, d);
  const op = c.operator ?? "=";
  if (l !== undefined && r !== undefined && ["<", "<=", ">", ">=", "=", "==", "!="].includes(op)) {
    l = withUnit(l);
    r = withUnit(r);
  }
  return checkOperator(op, l, r);
}

/** Device groups on the node that satisfy the request's name and constraints. */
export function candidateDevices(req: RequestedDevice, node: SchedulerNode): SchedulerDevice[] {
  return node.devices.filter(
    (d) => nameMatches(req.name, d) && (req.constraints ?? []).every((c) => deviceMatches(c, d)),
  );
}

/** Feasibility: some matching group has enough healthy instances for each request. */
export function checkDevices(tg: ResolvedGroup, node: SchedulerNode): string | undefined {
  if (!tg.hasDevices) return undefined;
  for (const t of tg.tasks) {
    for (const req of t.devices) {
      const want = req.count ?? 1;
      if (!candidateDevices(req, node).some((d) => d.healthyIds.length >= want)) {
        return MISSING_DEVICES;
      }
    }
  }
  return undefined;
}

/** Affinity score of a device group for a request, in [-1, 1] (0 without affinities). */
function deviceAffinity(req: RequestedDevice, d: SchedulerDevice): number {
  const affs = req.affinities ?? [];
  if (affs.length === 0) return 0;
  let sum = 0;
  let total = 0;
  for (const a of affs) {
    const w = a.weight ?? defaultWeight;
    total += Math.abs(w);
    if (deviceMatches(a, d)) sum += w;
  }
  return total === 0 ? 0 : sum / total;
}

/**
 * Picks free instances for every device request of the group on node i, the
 * best device affinity first. Undefined when the node lacks free instances.
 */
export function assignDevices(
  tg: ResolvedGroup,
  node: SchedulerNode,
  i: number,
  usage: NodeUsage,
): { byTask: Map<string, AllocatedDeviceIds[]>; score: number } | undefined {
  const byTask = new Map<string, AllocatedDeviceIds[]>();
  const taken = new Set<string>();
  let score = 0;
  let scored = 0;
  for (const t of tg.tasks) {
    const list: AllocatedDeviceIds[] = [];
    for (const req of t.devices) {
      const want = req.count ?? 1;
      const options = candidateDevices(req, node)
        .map((d) => ({ d, aff: deviceAffinity(req, d) }))
        .sort((a, b) => b.aff - a.aff);
      let done = false;
      for (const { d, aff } of options) {
        const free = d.healthyIds.filter((id) => !taken.has(id) && !usage.deviceInUse(i, id));
        if (free.length < want) continue;
        const ids = free.slice(0, want);
        for (const id of ids) taken.add(id);
        list.push({ vendor: d.vendor, type: d.type, name: d.name, ids });
        if ((req.affinities ?? []).length > 0) {
          score += aff;
          scored++;
        }
        done = true;
        break;
      }
      if (!done) return undefined;
    }
    byTask.set(t.name, list);
  }
  return { byTask, score: scored > 0 ? score / scored : 0 };
}
