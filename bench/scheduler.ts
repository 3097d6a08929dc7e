// The shapes of Nomad's BenchmarkServiceScheduler (scheduler/benchmarks):
// clusters split over dc-1 and dc-2, nodes of 4 × 3500 MHz, 32000 MB and
// 100 GiB with meta.rack = r<i mod racks>; a service job constrained to the
// first half of the racks, one group of N allocations asking 6000 MHz and
// 6000 MB each, with and without spread on ${meta.rack}. Each run computes
// the plan from scratch (not applied). Prints ms per evaluation and
// placements per second (medians), then one JSON line per shape.
//
//   npm run bench:scheduler [-- --nodes 1000,5000 --racks 25 --allocs 300 --runs 7]
import type { NomadJobSpec } from "../src/crds/job/index.js";
import { schedule, withComputedClass } from "../src/scheduler/index.js";
import type { SchedulerNode, SchedulerSnapshot } from "../src/scheduler/types.js";

function arg(name: string, fallback: number[]): number[] {
  const at = process.argv.indexOf(`--${name}`);
  const v = at >= 0 ? process.argv[at + 1] : undefined;
  return v ? v.split(",").map(Number) : fallback;
}

const clusterSizes = arg("nodes", [500, 1000, 5000, 10000]);
const rackSets = arg("racks", [25, 50, 75]);
const jobSizes = arg("allocs", [50, 300, 600, 900, 1200]);
const runs = arg("runs", [7])[0] ?? 7;

function makeNodes(count: number, racks: number): SchedulerNode[] {
  const nodes: SchedulerNode[] = [];
  for (let i = 0; i < count; i++) {
    // The computed class is part of the node, as in Nomad's state store: computed once at registration.
    nodes.push(
      withComputedClass({
        id: `node-${i}`,
        name: `node-${i}`,
        datacenter: i % 2 === 0 ? "dc-1" : "dc-2",
        nodePool: "default",
        nodeClass: "",
        status: "ready",
        eligible: true,
        draining: false,
        // As Nomad's mock.Node: linux, exec driver healthy, a little reserved.
        attributes: {
          "kernel.name": "linux",
          "cpu.arch": "amd64",
          "nomad.version": "1.10.0",
          "driver.exec": "1",
          "unique.hostname": `node-${i}`,
        },
        meta: { rack: `r${i % racks}` },
        drivers: { exec: { detected: true, healthy: true } },
        cpuMHz: 4 * 3500,
        memoryMB: 32000,
        diskMB: 100 * 1024,
        reservableCores: [0, 1, 2, 3],
        reserved: { cpuMHz: 100, memoryMB: 256, diskMB: 4 * 1024, cores: [], ports: [22] },
        minDynamicPort: 20000,
        maxDynamicPort: 32000,
        hostNetworks: ["default"],
        networkModes: ["host"],
        devices: [],
        hostVolumes: {},
        maxAllocs: 0,
      }),
    );
  }
  return nodes;
}

function makeJob(racks: number, count: number, spread: boolean): NomadJobSpec {
  const half = Array.from({ length: Math.floor(racks / 2) }, (_, i) => `r${i}`).join(",");
  return {
    type: "service",
    datacenters: ["dc-1", "dc-2"],
    priority: 50,
    constraints: [{ attribute: "${meta.rack}", operator: "set_contains_any", value: half }],
    ...(spread ? { spreads: [{ attribute: "${meta.rack}" }] } : {}),
    groups: [
      {
        name: "web",
        count,
        tasks: [{ name: "web", driver: "exec", resources: { cpu: 6000, memory: 6000 } }],
      },
    ],
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

// Let the JIT settle on a mid-sized shape before anything is measured.
{
  const nodes = makeNodes(1000, 25);
  for (let r = 0; r < 30; r++) {
    for (const spread of [true, false]) {
      schedule({
        evalId: "warmup",
        namespace: "default",
        jobId: "warmup",
        job: makeJob(25, 300, spread),
        jobVersion: 0,
        nodes,
        allocs: [],
        now: 0,
        seed: r,
      });
    }
  }
}

console.log("shape                                         ms/eval   placed  placements/s");
const lines: string[] = [];
for (const nodesCount of clusterSizes) {
  for (const racks of rackSets) {
    const nodes = makeNodes(nodesCount, racks);
    for (const allocs of jobSizes) {
      for (const spread of [true, false]) {
        const snapshot: SchedulerSnapshot = {
          evalId: "bench",
          namespace: "default",
          jobId: "bench-job",
          job: makeJob(racks, allocs, spread),
          jobVersion: 0,
          nodes,
          allocs: [],
          now: 1_700_000_000_000,
          seed: 42,
        };
        schedule(snapshot); // warm-up of this shape
        schedule(snapshot);
        const times: number[] = [];
        let placed = 0;
        for (let r = 0; r < runs; r++) {
          const t0 = performance.now();
          const plan = schedule({ ...snapshot, seed: 42 + r });
          times.push(performance.now() - t0);
          placed = plan.placements.length;
        }
        const ms = median(times);
        const perSec = placed / (ms / 1000);
        const name = `${nodesCount} nodes ${racks} racks ${allocs} allocs ${spread ? "spread" : "no spread"}`;
        console.log(
          `${name.padEnd(44)} ${ms.toFixed(2).padStart(9)} ${String(placed).padStart(8)} ${Math.round(perSec).toString().padStart(13)}`,
        );
        lines.push(
          JSON.stringify({
            nodes: nodesCount,
            racks,
            allocs,
            spread,
            runs,
            msPerEval: Number(ms.toFixed(3)),
            placements: placed,
            placementsPerSec: Math.round(perSec),
          }),
        );
      }
    }
  }
}
for (const l of lines) console.log(l);
