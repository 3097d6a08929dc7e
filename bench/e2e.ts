// End-to-end placement throughput on the real control plane: `caravan
// controller` as a separate process places one job onto simulated nodes
// (NomadNode objects with heartbeat Leases). Reports seconds from apply until
// every allocation is committed, allocations per second and the controller's
// peak memory; and, in the same run, this design's ceiling: how fast the same
// kind of client creates bare NomadAllocation objects with the applier's write
// concurrency. Medians of several runs; one JSON line per shape.
//
//   npm run bench:e2e [-- --runs 3 --shapes 100x1000,1000x10000 --profile DIR]
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import PQueue from "p-queue";
import { createLogger } from "../src/common/log.js";
import { nodeLeaseNamespace } from "../src/controllers/informers.js";
import { repoRoot } from "../src/controlplane/binary.js";
import { startControlPlane } from "../src/controlplane/start.js";
import { loadKubeConfig } from "../src/kube/client.js";
import type { KubeConfig } from "../src/kube/kubeconfig.js";
import { ensureNamespace } from "../src/kube/namespaces.js";
import { microTime, requestJson } from "../src/kube/rest.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    shapes: { type: "string", default: "100x1000,1000x10000" },
    /** Writes a V8 CPU profile of each controller run into this folder. */
    profile: { type: "string" },
  },
});
const runs = Number(values.runs);
const shapes = (values.shapes ?? "")
  .split(",")
  .map((s) => s.split("x").map(Number) as [number, number]);
const writeConcurrency = 16; // as the plan applier

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function registerNodes(
  kc: KubeConfig,
  prefix: string,
  count: number,
  allocsPerNode: number,
): Promise<void> {
  await ensureNamespace(kc, nodeLeaseNamespace);
  const q = new PQueue({ concurrency: writeConcurrency });
  for (let i = 0; i < count; i++) {
    const name = `${prefix}-${i}`;
    void q.add(async () => {
      // A lease long enough that no renewal is needed while the bench runs.
      await requestJson(kc, {
        method: "POST",
        path: `/apis/coordination.k8s.io/v1/namespaces/${nodeLeaseNamespace}/leases`,
        body: {
          metadata: { name },
          spec: {
            holderIdentity: name,
            leaseDurationSeconds: 3600,
            renewTime: microTime(Date.now()),
          },
        },
      });
      const node = await requestJson<{ metadata: { name: string } }>(kc, {
        method: "POST",
        path: "/apis/caravan.dev/v1alpha1/nomadnodes",
        body: {
          apiVersion: "caravan.dev/v1alpha1",
          kind: "NomadNode",
          metadata: { name },
          spec: {},
        },
      });
      await requestJson(kc, {
        method: "PATCH",
        path: `/apis/caravan.dev/v1alpha1/nomadnodes/${node.metadata.name}/status`,
        contentType: "application/merge-patch+json",
        body: {
          status: {
            status: "ready",
            datacenter: prefix,
            drivers: { docker: { detected: true, healthy: true } },
            resources: {
              cpu: { cpuShares: 100 * allocsPerNode + 100 },
              memory: { memoryMB: 64 * allocsPerNode + 64 },
              disk: { diskMB: 100_000 },
            },
          },
        },
      });
    });
  }
  await q.onIdle();
}

async function countAllocations(kc: KubeConfig, namespace: string): Promise<number> {
  const list = await requestJson<{ items: unknown[]; metadata: { remainingItemCount?: number } }>(
    kc,
    {
      method: "GET",
      path: `/apis/caravan.dev/v1alpha1/namespaces/${namespace}/nomadallocations`,
      query: { limit: 1 },
    },
  );
  return list.items.length + (list.metadata.remainingItemCount ?? 0);
}

function peakRssMB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function placeOnce(
  kc: KubeConfig,
  kubeconfig: string,
  config: string,
  dc: string,
  allocs: number,
  run: number,
) {
  const namespace = `bench-${dc}-${run}`;
  await ensureNamespace(kc, namespace);
  const controller = spawn(
    process.execPath,
    [
      ...(values.profile ? ["--cpu-prof", `--cpu-prof-dir=${values.profile}`] : []),
      path.join(repoRoot, "bin/caravan"),
      "controller",
      "--kubeconfig",
      kubeconfig,
      "--namespace",
      namespace,
      "--config",
      config,
      "--log-level",
      "error",
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  // Let it elect itself and sync its informers before the clock starts.
  await new Promise((r) => setTimeout(r, 3_000));
  const started = performance.now();
  await requestJson(kc, {
    method: "POST",
    path: `/apis/caravan.dev/v1alpha1/namespaces/${namespace}/nomadjobs`,
    body: {
      apiVersion: "caravan.dev/v1alpha1",
      kind: "NomadJob",
      metadata: { name: "bench" },
      spec: {
        datacenters: [dc],
        groups: [
          {
            name: "g",
            count: allocs,
            tasks: [
              {
                name: "t",
                driver: "docker",
                config: { image: "x" },
                resources: { cpu: 100, memory: 64 },
              },
            ],
          },
        ],
      },
    },
  });
  while ((await countAllocations(kc, namespace)) < allocs)
    await new Promise((r) => setTimeout(r, 50));
  const seconds = (performance.now() - started) / 1000;
  const memoryMB = peakRssMB(controller.pid as number);
  controller.kill("SIGTERM");
  await new Promise((r) => controller.on("exit", r));
  return { seconds, perSecond: allocs / seconds, memoryMB };
}

async function ceilingOnce(kc: KubeConfig, count: number, run: number): Promise<number> {
  const namespace = `bench-ceiling-${count}-${run}`;
  await ensureNamespace(kc, namespace);
  const q = new PQueue({ concurrency: writeConcurrency });
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    void q.add(() =>
      requestJson(kc, {
        method: "POST",
        path: `/apis/caravan.dev/v1alpha1/namespaces/${namespace}/nomadallocations`,
        body: {
          apiVersion: "caravan.dev/v1alpha1",
          kind: "NomadAllocation",
          metadata: {
            name: `a-${i}`,
            labels: {
              "caravan.dev/job": "bench",
              "caravan.dev/group": "g",
              "caravan.dev/node": "n",
            },
          },
          spec: {
            jobName: "bench",
            jobVersion: 0,
            group: "g",
            nodeName: "n",
            desiredStatus: "run",
            name: `bench.g[${i}]`,
            index: i,
            evalName: "e",
            resources: { shared: { diskMB: 300 }, tasks: { t: { cpu: 100, memoryMB: 64 } } },
          },
        },
      }),
    );
  }
  await q.onIdle();
  return count / ((performance.now() - started) / 1000);
}

const tmp = mkdtempSync(path.join(os.tmpdir(), "caravan-bench-e2e-"));
const log = createLogger({ level: "warn", json: false });
const cluster = await startControlPlane({
  dataDir: path.join(tmp, "cluster"),
  log,
  crds: [path.join(repoRoot, "charts/caravan/crds")],
  controllers: [],
});
const config = path.join(tmp, "controller.hcl");
writeFileSync(config, "ports {\n  http = 0\n}\n");
try {
  const kc = loadKubeConfig(cluster.kubeconfigPath);
  console.log(`cpus=${os.cpus().length} runs=${runs}`);
  for (const [nodes, allocs] of shapes) {
    const dc = `n${nodes}a${allocs}`;
    await registerNodes(kc, dc, nodes, Math.ceil((allocs / nodes) * 1.5));
    const placed = [];
    const ceilings = [];
    for (let r = 0; r < runs; r++) {
      placed.push(await placeOnce(kc, cluster.kubeconfigPath, config, dc, allocs, r));
      ceilings.push(await ceilingOnce(kc, allocs, r));
    }
    const result = {
      bench: "e2e",
      nodes,
      allocations: allocs,
      secondsToCommitted: median(placed.map((p) => p.seconds)),
      allocationsPerSecond: median(placed.map((p) => p.perSecond)),
      controllerPeakMemoryMB: Math.max(...placed.map((p) => p.memoryMB)),
      ceilingAllocationsPerSecond: median(ceilings),
    };
    const ratio = result.allocationsPerSecond / result.ceilingAllocationsPerSecond;
    console.log(
      `${nodes} nodes × ${allocs} allocations: ${result.secondsToCommitted.toFixed(2)} s to committed, ` +
        `${result.allocationsPerSecond.toFixed(0)} allocs/s (ceiling ${result.ceilingAllocationsPerSecond.toFixed(0)}/s, ${(ratio * 100).toFixed(0)}%), ` +
        `controller peak RSS ${result.controllerPeakMemoryMB.toFixed(0)} MB`,
    );
    console.log(JSON.stringify({ ...result, ratioToCeiling: ratio }));
  }
} finally {
  await cluster.stop();
  rmSync(tmp, { recursive: true, force: true });
}
