// End-to-end placement throughput on the real control plane: `caravan
// controller` as a separate process places one job onto simulated nodes
// (NomadNode objects with heartbeat Leases). Reports seconds from apply until
// every allocation is committed, allocations per second and the controller's
// peak memory; and, in the same run, this design's ceiling: how fast the same
// kind of client creates bare NomadAllocation objects with the applier's write
// concurrency, bare and with an informer watching them as the controller's
// does. Medians of several runs; one JSON line per shape.
//
//   npm run bench:e2e [-- --runs 3 --shapes 100x1000,1000x10000 --nodes objects|simulate --profile DIR]
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import PQueue from "p-queue";
import { createLogger } from "../src/common/log.js";
import { repoRoot } from "../src/controlplane/binary.js";
import { startControlPlane } from "../src/controlplane/start.js";
import { nodeLeaseNamespace } from "../src/crds/names.js";
import type { NomadAllocation } from "../src/crds/objects.js";
import { loadKubeConfig } from "../src/kube/client.js";
import { Informer } from "../src/kube/informer.js";
import type { KubeConfig } from "../src/kube/kubeconfig.js";
import { ensureNamespace } from "../src/kube/namespaces.js";
import { caravanResource } from "../src/kube/resources.js";
import { microTime, requestJson } from "../src/kube/rest.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    shapes: { type: "string", default: "100x1000,1000x10000" },
    /** Writes a V8 CPU profile of each controller run into this folder. */
    profile: { type: "string" },
    /**
     * "objects": nodes are NomadNode objects with long Leases (nothing else
     * talks to the API server); "simulate": `caravan agent --simulate N` runs
     * them, renewing leases and reporting every allocation's status as agents do.
     */
    nodes: { type: "string", default: "objects" },
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
): Promise<undefined> {
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
            // As on a node the controller has seen before: its drainer mirrors
            // spec.eligibility here once, which would otherwise cost 1 write per
            // node in the middle of the placement measured.
            schedulingEligibility: "eligible",
            datacenter: prefix,
            drivers: { mock: { detected: true, healthy: true } },
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

interface SimulatedAgent {
  pid: number;
  stop(): Promise<void>;
}

/** `caravan agent --simulate N` as its own process, once all its nodes are ready. */
async function startSimulatedAgent(
  kc: KubeConfig,
  kubeconfig: string,
  dc: string,
  count: number,
  allocsPerNode: number,
): Promise<SimulatedAgent> {
  const config = path.join(tmp, `agent-${dc}.hcl`);
  writeFileSync(config, `datacenter = "${dc}"\nclient {\n  enabled = true\n}\n`);
  const agent = spawn(
    process.execPath,
    [
      path.join(repoRoot, "bin/caravan"),
      "agent",
      "--kubeconfig",
      kubeconfig,
      "--config",
      config,
      "--simulate",
      String(count),
      "--simulate-prefix",
      dc,
      "--simulate-cpu",
      String(100 * allocsPerNode + 100),
      "--simulate-memory",
      String(64 * allocsPerNode + 64),
      "--log-level",
      "error",
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  for (;;) {
    const list = await requestJson<{
      items: { status?: { status?: string; datacenter?: string } }[];
    }>(kc, { method: "GET", path: "/apis/caravan.dev/v1alpha1/nomadnodes" });
    const ready = list.items.filter(
      (n) => n.status?.datacenter === dc && n.status.status === "ready",
    );
    if (ready.length >= count) break;
    if (agent.exitCode !== null) throw new Error(`simulated agent exited (${agent.exitCode})`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    pid: agent.pid as number,
    async stop() {
      agent.kill("SIGTERM");
      await new Promise((r) => agent.once("exit", r));
    },
  };
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** API server requests so far, by verb and resource (its own apiserver_request_total). */
async function apiRequests(kc: KubeConfig): Promise<Map<string, number>> {
  const server = kc.getCurrentCluster()?.server ?? "";
  const options: https.RequestOptions = { method: "GET" };
  kc.applyToHTTPSOptions(options);
  const text = await new Promise<string>((resolve, reject) => {
    https
      .get(`${server}/metrics`, options, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          body += c;
        });
        res.on("end", () => resolve(body));
      })
      .on("error", reject);
  });
  const counts = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line.startsWith("apiserver_request_total{")) continue;
    const labels = Object.fromEntries(
      [...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (labels.group !== "caravan.dev" && labels.group !== "coordination.k8s.io") continue;
    const key = `${labels.verb} ${labels.resource}${labels.subresource ? `/${labels.subresource}` : ""}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1)));
  }
  return counts;
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
      "info",
      "--log-json",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  // The clock starts once it leads and its informers are synced (its log, on stderr, says so).
  await new Promise<void>((resolve, reject) => {
    let buffered = "";
    controller.once("exit", (code) => reject(new Error(`controller exited (${code})`)));
    controller.stderr?.setEncoding("utf8");
    controller.stderr?.on("data", (chunk: string) => {
      buffered += chunk;
      if (buffered.includes('"informers synced"')) resolve();
      for (const line of buffered.split("\n").slice(0, -1))
        if (/"level":[56]0/.test(line)) process.stderr.write(`${line}\n`);
      buffered = buffered.slice(buffered.lastIndexOf("\n") + 1);
    });
  });
  const before = await apiRequests(kc);
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
                driver: "mock",
                config: {},
                resources: { cpu: 100, memory: 64 },
              },
            ],
          },
        ],
      },
    },
  });
  let first: number | undefined;
  for (;;) {
    const count = await countAllocations(kc, namespace);
    if (count > 0) first ??= (performance.now() - started) / 1000;
    if (count >= allocs) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  const memoryMB = peakRssMB(controller.pid as number);
  // What the placement cost the API server, beyond the allocations themselves (and our polling).
  const requests = [...(await apiRequests(kc))]
    .map(([key, n]) => [key, n - (before.get(key) ?? 0)] as const)
    .filter(([key, n]) => n > 0 && key !== "LIST nomadallocations")
    .sort((a, b) => b[1] - a[1]);
  controller.kill("SIGTERM");
  await new Promise((r) => controller.on("exit", r));
  return { seconds, first: first ?? seconds, perSecond: allocs / seconds, memoryMB, requests };
}

async function ceilingOnce(
  kc: KubeConfig,
  count: number,
  run: number,
  watched = false,
): Promise<number> {
  const namespace = `bench-ceiling-${count}-${run}${watched ? "-w" : ""}`;
  await ensureNamespace(kc, namespace);
  // With `watched`, an informer receives every object created, as the controller's does.
  const watcher = watched
    ? new Informer<NomadAllocation>(kc, caravanResource("NomadAllocation"), log, { namespace })
    : undefined;
  watcher?.start();
  await watcher?.waitForSync();
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
  const rate = count / ((performance.now() - started) / 1000);
  watcher?.stop();
  return rate;
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
    const perNode = Math.ceil((allocs / nodes) * 1.5);
    const agent =
      values.nodes === "simulate"
        ? await startSimulatedAgent(kc, cluster.kubeconfigPath, dc, nodes, perNode * runs)
        : await registerNodes(kc, dc, nodes, perNode);
    const placed = [];
    const ceilings = [];
    const watchedCeilings = [];
    const agentCpuBefore = agent ? cpuSeconds(agent.pid) : 0;
    for (let r = 0; r < runs; r++) {
      placed.push(await placeOnce(kc, cluster.kubeconfigPath, config, dc, allocs, r));
      ceilings.push(await ceilingOnce(kc, allocs, r));
      watchedCeilings.push(await ceilingOnce(kc, allocs, r, true));
    }
    let simulatedAgent = {};
    if (agent) {
      // Its CPU over the runs, then idle with every node and allocation held for 30 s.
      const busyCpu = cpuSeconds(agent.pid) - agentCpuBefore;
      const idleFrom = cpuSeconds(agent.pid);
      await new Promise((r) => setTimeout(r, 30_000));
      simulatedAgent = {
        agentCpuSecondsDuringRuns: busyCpu,
        agentIdleCpuPercent: ((cpuSeconds(agent.pid) - idleFrom) / 30) * 100,
        agentPeakMemoryMB: peakRssMB(agent.pid),
      };
      await agent.stop();
    }
    const result = {
      bench: "e2e",
      nodes,
      allocations: allocs,
      secondsToCommitted: median(placed.map((p) => p.seconds)),
      secondsToFirstAllocation: median(placed.map((p) => p.first)),
      allocationsPerSecond: median(placed.map((p) => p.perSecond)),
      controllerPeakMemoryMB: Math.max(...placed.map((p) => p.memoryMB)),
      ceilingAllocationsPerSecond: median(ceilings),
      watchedCeilingAllocationsPerSecond: median(watchedCeilings),
      simulatedBy: values.nodes === "simulate" ? "caravan agent --simulate" : "NomadNode objects",
      ...simulatedAgent,
    };
    const ratio = result.allocationsPerSecond / result.ceilingAllocationsPerSecond;
    const watchedRatio = result.allocationsPerSecond / result.watchedCeilingAllocationsPerSecond;
    console.log(
      `${nodes} nodes × ${allocs} allocations: ${result.secondsToCommitted.toFixed(2)} s to committed ` +
        `(first after ${result.secondsToFirstAllocation.toFixed(2)} s), ` +
        `${result.allocationsPerSecond.toFixed(0)} allocs/s (ceiling ${result.ceilingAllocationsPerSecond.toFixed(0)}/s, ${(ratio * 100).toFixed(0)}%), ` +
        `controller peak RSS ${result.controllerPeakMemoryMB.toFixed(0)} MB; ` +
        `ceiling with an informer watching: ${result.watchedCeilingAllocationsPerSecond.toFixed(0)}/s (${(watchedRatio * 100).toFixed(0)}%)`,
    );
    const requests = placed.at(-1)?.requests ?? [];
    console.log(
      `  API requests during placement: ${requests.map(([k, n]) => `${k} ${n}`).join(", ")}`,
    );
    if (agent) console.log(`  simulated agent: ${JSON.stringify(simulatedAgent)}`);
    console.log(
      JSON.stringify({
        ...result,
        ratioToCeiling: ratio,
        ratioToWatchedCeiling: watchedRatio,
        apiRequestsPerAllocation: requests.reduce((sum, [, n]) => sum + n, 0) / allocs,
      }),
    );
  }
} finally {
  await cluster.stop();
  rmSync(tmp, { recursive: true, force: true });
}
