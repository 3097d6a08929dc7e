// Nomad API throughput on the real control plane: the API server runs in a
// worker thread (its own core, as a controller process would), a keep-alive
// load generator on loopback registers 1000 jobs through POST /v1/jobs, then
// measures GET /v1/jobs (all 1000 stubs) and GET /v1/job/:id. One JSON line.
//
// Reads are generated as wrk does (raw keep-alive sockets, one reused read
// buffer, parsing only the status line and framing): the load generator shares the two cores
// with the server, and node:http's client spent more of them parsing and
// collecting 64 KB chunks than the server spent answering (profiled with
// --cpu-prof). listJobsUncompressedNodeClientPerSecond keeps the old client's
// figure for comparison.
//
//   npm run bench:api [-- --jobs 1000 --seconds 10 --concurrency 32]

import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
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

/**
 * `concurrency` keep-alive sockets sending GETs back to back for `seconds`; the
 * answer is read whole (every byte); only its status line and framing
 * (Content-Length or chunks) are parsed.
 */
async function loadGets(
  url: string,
  concurrency: number,
  seconds: number,
  path: (i: number) => string,
  gzip: boolean,
): Promise<Run> {
  const target = new URL(url);
  const latencies: number[] = [];
  let requests = 0;
  let errors = 0;
  let issued = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  const accept = gzip ? "Accept-Encoding: gzip\r\n" : "";
  const requestFor = (i: number) =>
    Buffer.from(`GET ${path(i)} HTTP/1.1\r\nHost: ${target.host}\r\n${accept}\r\n`);
  await Promise.all(
    Array.from(
      { length: concurrency },
      () =>
        new Promise<void>((resolve, reject) => {
          // Parse state: the head, then a Content-Length body or chunks.
          let state: "head" | "body" | "size" | "data" | "crlf" | "last" = "head";
          let head = "";
          let line = "";
          let left = 0;
          let status = 0;
          let t0 = 0;
          const send = () => {
            t0 = performance.now();
            socket.write(requestFor(issued++));
          };
          /** One whole answer read: count it, then ask again or stop. */
          const done = (): boolean => {
            state = "head";
            latencies.push(performance.now() - t0);
            requests++;
            if (status < 200 || status >= 300) errors++;
            if (performance.now() < end) {
              send();
              return true;
            }
            socket.destroy();
            resolve();
            return false;
          };
          const socket = net.connect({
            host: target.hostname,
            port: Number(target.port),
            onread: {
              buffer: Buffer.allocUnsafe(1 << 20),
              callback: (length: number, buf: Uint8Array): boolean => {
                const data = buf as Buffer;
                let at = 0;
                while (at < length) {
                  if (state === "head") {
                    const before = head.length;
                    head += data.toString("latin1", at, Math.min(length, at + 8192));
                    const e = head.indexOf("\r\n\r\n");
                    if (e < 0) return true;
                    const headers = head.slice(0, e);
                    at += e + 4 - before;
                    head = "";
                    status = Number(headers.slice(9, 12));
                    if (/\r\ntransfer-encoding: *chunked/i.test(headers)) state = "size";
                    else {
                      const cl = /\r\ncontent-length: *(\d+)/i.exec(headers)?.[1];
                      if (cl === undefined) {
                        socket.destroy();
                        reject(new Error(`no body framing in ${JSON.stringify(headers)}`));
                        return false;
                      }
                      left = Number(cl);
                      state = "body";
                      if (left === 0 && !done()) return false;
                    }
                  } else if (state === "body" || state === "data") {
                    const take = Math.min(left, length - at);
                    left -= take;
                    at += take;
                    if (left > 0) continue;
                    if (state === "data") {
                      state = "crlf";
                      left = 2;
                    } else if (!done()) return false;
                  } else if (state === "crlf" || state === "last") {
                    const take = Math.min(left, length - at);
                    left -= take;
                    at += take;
                    if (left > 0) continue;
                    if (state === "crlf") state = "size";
                    else if (!done()) return false;
                  } else {
                    const nl = data.indexOf(10, at);
                    if (nl < 0 || nl >= length) {
                      line += data.toString("latin1", at, length);
                      return true;
                    }
                    line += data.toString("latin1", at, nl);
                    at = nl + 1;
                    const size = Number.parseInt(line.trim(), 16);
                    line = "";
                    left = size === 0 ? 2 : size;
                    state = size === 0 ? "last" : "data";
                  }
                }
                return true;
              },
            },
          });
          socket.on("connect", send);
          socket.on("error", reject);
        }),
    ),
  );
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
    const list = await loadGets(url, concurrency, seconds, () => "/v1/jobs", true);
    const listPlain = await loadGets(url, concurrency, seconds, () => "/v1/jobs", false);
    const listPlainNodeClient = await load(
      url,
      concurrency,
      seconds,
      () => ({ method: "GET", path: "/v1/jobs" }),
      Number.POSITIVE_INFINITY,
      false,
    );
    const read = await loadGets(
      url,
      concurrency,
      seconds,
      (i) => `/v1/job/bench-${i % jobs}`,
      true,
    );
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
        listJobsUncompressedErrors: listPlain.errors,
        listJobsUncompressedNodeClientPerSecond: rate(listPlainNodeClient),
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
