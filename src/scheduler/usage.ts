// What every node has in use, precomputed once per evaluation from all
// non-terminal allocations and kept current as the plan stops and places
// allocations. The rankers read typed arrays, never allocation lists.
import type { SchedulerAlloc, SchedulerNode, SchedulerResources } from "./types.js";

export class NodeUsage {
  readonly cpuFree: Float64Array;
  readonly memFree: Float64Array;
  readonly diskFree: Float64Array;
  /** Capacity after reserved resources: binpack's denominators. */
  readonly cpuCap: Float64Array;
  readonly memCap: Float64Array;
  readonly allocCount: Int32Array;
  /** Bumped whenever a node's usage changes, so per-node scores can be cached until then. */
  readonly stamp: Int32Array;
  /** Ports, cores and device instances in use; built only for nodes that have any. */
  private readonly ports = new Map<number, Map<number, number>>();
  private readonly cores = new Map<number, Set<number>>();
  private readonly devices = new Map<number, Set<string>>();
  /** Allocations on each node (proposed: existing minus stopped plus placed), for preemption and anti-affinity. */
  readonly allocsOn = new Map<number, SchedulerAlloc[]>();

  constructor(
    readonly nodes: readonly SchedulerNode[],
    readonly indexOf: ReadonlyMap<string, number>,
  ) {
    const n = nodes.length;
    this.cpuFree = new Float64Array(n);
    this.memFree = new Float64Array(n);
    this.diskFree = new Float64Array(n);
    this.cpuCap = new Float64Array(n);
    this.memCap = new Float64Array(n);
    this.allocCount = new Int32Array(n);
    this.stamp = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const node = nodes[i] as SchedulerNode;
      this.cpuCap[i] = node.cpuMHz - node.reserved.cpuMHz;
      this.memCap[i] = node.memoryMB - node.reserved.memoryMB;
      this.cpuFree[i] = this.cpuCap[i] as number;
      this.memFree[i] = this.memCap[i] as number;
      this.diskFree[i] = node.diskMB - node.reserved.diskMB;
    }
  }

  /** Adds (sign 1) or removes (sign -1) an allocation's resources on node i. */
  apply(i: number, r: SchedulerResources, sign: 1 | -1): void {
    this.stamp[i] = (this.stamp[i] as number) + 1;
    this.cpuFree[i] = (this.cpuFree[i] as number) - sign * r.cpuMHz;
    this.memFree[i] = (this.memFree[i] as number) - sign * r.memoryMB;
    this.diskFree[i] = (this.diskFree[i] as number) - sign * r.diskMB;
    this.allocCount[i] = (this.allocCount[i] as number) + sign;
    if (r.ports.length > 0) {
      let m = this.ports.get(i);
      if (!m) {
        m = new Map();
        this.ports.set(i, m);
      }
      for (const p of r.ports) m.set(p.value, (m.get(p.value) ?? 0) + sign);
    }
    if (r.cores.length > 0) {
      let s = this.cores.get(i);
      if (!s) {
        s = new Set();
        this.cores.set(i, s);
      }
      for (const c of r.cores) sign > 0 ? s.add(c) : s.delete(c);
    }
    if (r.devices.length > 0) {
      let s = this.devices.get(i);
      if (!s) {
        s = new Set();
        this.devices.set(i, s);
      }
      for (const d of r.devices) for (const id of d.ids) sign > 0 ? s.add(id) : s.delete(id);
    }
  }

  addAlloc(a: SchedulerAlloc): void {
    const i = this.indexOf.get(a.nodeId);
    if (i === undefined) return;
    this.apply(i, a.resources, 1);
    let list = this.allocsOn.get(i);
    if (!list) {
      list = [];
      this.allocsOn.set(i, list);
    }
    list.push(a);
  }

  removeAlloc(a: SchedulerAlloc): void {
    const i = this.indexOf.get(a.nodeId);
    if (i === undefined) return;
    const list = this.allocsOn.get(i);
    const at = list ? list.indexOf(a) : -1;
    if (!list || at < 0) return;
    list.splice(at, 1);
    this.apply(i, a.resources, -1);
  }

  // Reserved ports are read from the node itself: most nodes reserve a few
  // (22) and building a map per node per evaluation would cost more than it saves.
  portInUse(i: number, port: number): boolean {
    return (
      (this.ports.get(i)?.get(port) ?? 0) > 0 ||
      (this.nodes[i] as SchedulerNode).reserved.ports.includes(port)
    );
  }

  usedPortCountInRange(i: number, lo: number, hi: number): number {
    let n = 0;
    const reserved = (this.nodes[i] as SchedulerNode).reserved.ports;
    for (const p of reserved) if (p >= lo && p <= hi) n++;
    const m = this.ports.get(i);
    if (!m) return n;
    for (const [p, c] of m) if (c > 0 && p >= lo && p <= hi && !reserved.includes(p)) n++;
    return n;
  }

  coreInUse(i: number, core: number): boolean {
    return this.cores.get(i)?.has(core) ?? false;
  }

  deviceInUse(i: number, id: string): boolean {
    return this.devices.get(i)?.has(id) ?? false;
  }
}
