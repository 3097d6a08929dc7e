// Nomad API throughput on the real control plane: the API server runs in a
// worker thread (its own core, as a controller process would), a keep-alive
// load generator on loopback registers 1000 jobs through POST /v1/jobs, then
// measures GET /v1/jobs (all 1000 stubs) and GET /v1/job/:id. One JSON line.
//
//   npm run bench:api [-- --jobs 1000 --seconds 10 --concurrency 32]

import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

interface ServerData {
  kubeconfig: string;
}

if (!isMainThread) {
  // The API server: informers and HTTP, nothing else.
  const { startApi } = await import("../src/api/index.js");
  const { createLogger } = await import("../src/common/log.js");
  const { defaultAgentConfig } = await import("../src/config/agent-config.js");
  const { loadKubeConfig } = await import("../src/kube/client.js");
  const { createControllerMetrics } = await import("../src/metrics/registry.js");
  const { kubeconfig } = workerData as ServerData;
  const api = await startApi(
    loadKubeConfig(kubeconfig),
    { ...defaultAgentConfig(), ports: { http: 0 }, limits: { httpMaxConnsPerClient: 0 } },
    createLogger({ level: "warn", json: false }),
    { registry: createControllerMetrics().registry, secretNamespace: "default" },
  );
  parentPort?.postMessage({ url: api.url });
} else {
  await main();
}

interface Run {
  requests: number;
  errors: number;
  latencies: number[];
  seconds: number;
}

/** `concurrency` keep-alive connections sending requests back to back for `seconds`. */
async function load(
  url: string,
  concurrency: number,
  seconds: number,
  request: (i: number) => { method: string; path: string; body?: string },
  limit = Number.POSITIVE_INFINITY,
  gzip = true,
): Promise<Run> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  const latencies: number[] = [];
  let requests = 0;
  let errors = 0;
  let issued = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  const one = (method: string, p: string, body?: string) =>
    new Promise<number>((resolve) => {
      const t0 = performance.now();
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          method,
          path: p,
          agent,
          // Nomad's Go client accepts gzip (Go's transport asks for it by default).
          headers: {
            ...(gzip ? { "Accept-Encoding": "gzip" } : {}),
            ...(body
              ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) }
              : {}),
          },
        },
        (res) => {
          res.on("data", () => undefined);
          res.on("end", () => {
            latencies.push(performance.now() - t0);
            resolve(res.statusCode ?? 0);
          });
        },
      );
      req.on("error", () => resolve(0));
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end && issued < limit) {
        const r = request(issued++);
        const status = await one(r.method, r.path, r.body);
        requests++;
        if (status < 200 || status >= 300) errors++;
      }
    }),
  );
  agent.destroy();
  return { requests, errors, latencies, seconds: (performance.now() - started) / 1000 };
}

function p99(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round((s[Math.floor(s.length * 0.99)] ?? 0) * 100) / 100;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      jobs: { type: "string", default: "1000" },
      seconds: { type: "string", default: "10" },
      concurrency: { type: "string", default: "32" },
    },
  });
  const jobs = Number(values.jobs);
  const seconds = Number(values.seconds);
  const concurrency = Number(values.concurrency);
  const { createLogger } = await import("../src/common/log.js");
  const { repoRoot } = await import("../src/controlplane/binary.js");
  const { startControlPlane } = await import("../src/controlplane/start.js");
  const log = createLogger({ level: "warn", json: false });
  const tmp = mkdtempSync(path.join(os.tmpdir(), "caravan-bench-api-"));
  const cluster = await startControlPlane({
    dataDir: path.join(tmp, "cluster"),
    log,
    crds: [path.join(repoRoot, "charts/caravan/crds")],
    controllers: [],
  });
  // An eval worker registers tsx itself: loader hooks do not reach a worker's entry file.
  const worker = new Worker(
    `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); });`,
    { eval: true, workerData: { kubeconfig: cluster.kubeconfigPath } },
  );
  try {
    const url = await new Promise<string>((resolve, reject) => {
      worker.once("message", (m: { url: string }) => resolve(m.url));
      worker.once("error", reject);
    });
    const job = (i: number) =>
      JSON.stringify({
        Job: {
          ID: `bench-${i}`,
          Datacenters: ["dc1"],
          Meta: { team: `team-${i % 10}` },
          TaskGroups: [
            {
              Name: "web",
              Count: 3,
              Tasks: [
                {
                  Name: "server",
                  Driver: "raw_exec",
                  Config: { command: "/bin/sleep", args: ["3600"] },
                  Resources: { CPU: 100, MemoryMB: 64 },
                },
              ],
            },
          ],
        },
      });
    const register = await load(
      url,
      16,
      600,
      (i) => ({ method: "POST", path: "/v1/jobs", body: job(i) }),
      jobs,
    );
    // Let the API's cache hold every job before reading.
    for (;;) {
      const n = await new Promise<number>((resolve) => {
        http.get(`${url}/v1/jobs`, (res) => {
          let text = "";
          res.on("data", (d: Buffer) => {
            text += d.toString();
          });
          res.on("end", () => resolve((JSON.parse(text) as unknown[]).length));
        });
      });
      if (n >= jobs) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const list = await load(url, concurrency, seconds, () => ({ method: "GET", path: "/v1/jobs" }));
    const listPlain = await load(
      url,
      concurrency,
      seconds,
      () => ({ method: "GET", path: "/v1/jobs" }),
      Number.POSITIVE_INFINITY,
      false,
    );
    const read = await load(url, concurrency, seconds, (i) => ({
      method: "GET",
      path: `/v1/job/bench-${i % jobs}`,
    }));
    const rate = (r: Run) => Math.round(r.requests / r.seconds);
    console.log(
      JSON.stringify({
        bench: "api",
        jobs,
        concurrency,
        cores: os.availableParallelism(),
        registrationsPerSecond: rate(register),
        registrationErrors: register.errors,
        registrationP99Ms: p99(register.latencies),
        listJobsPerSecond: rate(list),
        listJobsP99Ms: p99(list.latencies),
        listJobsErrors: list.errors,
        listJobsUncompressedPerSecond: rate(listPlain),
        listJobsUncompressedP99Ms: p99(listPlain.latencies),
        readJobPerSecond: rate(read),
        readJobP99Ms: p99(read.latencies),
        readJobErrors: read.errors,
      }),
    );
  } finally {
    await worker.terminate();
    await cluster.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}
