// Nomad service checks in the node agent: which checks an allocation runs and
// where they connect, one run of each kind against a real server, and how
// results become a check's status.
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CheckDefinition, nomadChecks } from "../../../src/agent/checks/definitions.js";
import { probe } from "../../../src/agent/checks/probe.js";
import { CheckRunner } from "../../../src/agent/checks/runner.js";
import type { TaskGroup } from "../../../src/crds/job/index.js";
import type { NomadAllocation, NomadNode } from "../../../src/crds/objects.js";

const alloc = {
  metadata: { name: "a1", namespace: "default" },
  spec: {
    jobName: "web",
    group: "g",
    resources: {
      shared: {
        ports: [
          { label: "http", value: 23456, to: 8080 },
          { label: "admin", value: 23457 },
        ],
      },
    },
  },
  status: { networkStatus: { address: "10.0.0.9" } },
} as unknown as NomadAllocation;
const node = {
  metadata: { name: "n" },
  spec: {},
  status: { attributes: { "unique.network.ip-address": "192.168.1.5" } },
} as unknown as NomadNode;

const group = {
  name: "g",
  services: [
    {
      provider: "nomad",
      port: "http",
      checks: [
        { type: "http", path: "/health", interval: "10s", timeout: "2s" },
        {
          name: "admin",
          type: "tcp",
          port: "admin",
          interval: "5s",
          timeout: "1s",
          onUpdate: "ignore",
        },
        { name: "inside", type: "tcp", addressMode: "alloc", interval: "5s", timeout: "1s" },
        { name: "script", type: "script", command: "true", interval: "5s", timeout: "1s" },
      ],
    },
    { provider: "consul", port: "http", checks: [{ type: "tcp", interval: "5s", timeout: "1s" }] },
  ],
  tasks: [
    {
      name: "srv",
      driver: "raw_exec",
      services: [
        {
          name: "${NOMAD_JOB_NAME}-api",
          provider: "nomad",
          port: "missing",
          checks: [{ type: "tcp", interval: "5s", timeout: "1s" }],
        },
      ],
    },
  ],
} as unknown as TaskGroup;

describe("the checks an allocation runs", () => {
  const defs = nomadChecks(alloc, group, node, (t) => t.replace("${NOMAD_JOB_NAME}", "web"));

  it("are the http and tcp checks of nomad-provider services, named as Nomad names them", () => {
    expect(defs.map((d) => [d.service, d.task, d.check, d.mode])).toEqual([
      ["web-g", undefined, 'service: "web-g" check', "healthiness"],
      ["web-g", undefined, "admin", "readiness"],
      ["web-g", undefined, "inside", "healthiness"],
      ["web-api", "srv", 'service: "web-api" check', "healthiness"],
    ]);
  });

  it("get distinct IDs, even two unnamed checks of one service", () => {
    const twice = {
      name: "g",
      services: [
        {
          name: "s",
          provider: "nomad",
          port: "http",
          checks: [
            { type: "tcp", interval: "5s", timeout: "1s" },
            { type: "http", path: "/", interval: "5s", timeout: "1s" },
          ],
        },
      ],
      tasks: [],
    } as unknown as TaskGroup;
    expect(nomadChecks(alloc, twice, node).map((d) => d.id)).toEqual([
      'group/s/service: "s" check',
      'group/s/service: "s" check#2',
    ]);
  });

  it("connect to the host port on the node's address, or the mapped port in alloc mode", () => {
    expect(defs.map((d) => d.address)).toEqual([
      { ok: true, host: "192.168.1.5", port: 23456 },
      { ok: true, host: "192.168.1.5", port: 23457 },
      { ok: true, host: "10.0.0.9", port: 8080 },
      { ok: false, error: 'invalid port "missing": port label not found' },
    ]);
  });
});

describe("one check run", () => {
  let server: Server;
  let port: number;
  const seen: { path?: string; header?: string; method?: string } = {};
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.path = req.url;
      seen.method = req.method;
      seen.header = String(req.headers["x-probe"] ?? "");
      if (req.url === "/ok") res.end("fine");
      else if (req.url === "/moved") res.writeHead(302, { location: "/ok" }).end();
      else if (req.url === "/slow") setTimeout(() => res.end("late"), 2_000);
      else res.writeHead(503).end("not ready yet");
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const def = (over: Partial<CheckDefinition>): CheckDefinition => ({
    id: "c",
    check: "c",
    service: "s",
    mode: "healthiness",
    type: "http",
    address: { ok: true, host: "127.0.0.1", port },
    intervalMs: 1_000,
    timeoutMs: 500,
    protocol: "http",
    path: "/ok",
    method: "GET",
    headers: {},
    tlsSkipVerify: false,
    successBeforePassing: 0,
    failuresBeforeCritical: 0,
    ...over,
  });

  it("http: 200 passes, with the check's method, path and headers", async () => {
    expect(await probe(def({ method: "POST", headers: { "X-Probe": ["yes"] } }))).toEqual({
      status: "success",
      statusCode: 200,
      output: "nomad: http ok",
    });
    expect(seen).toEqual({ path: "/ok", method: "POST", header: "yes" });
  });

  it("http: a redirect passes, a 503 fails with its body, a slow answer fails at the timeout", async () => {
    expect((await probe(def({ path: "/moved" }))).status).toBe("success");
    expect(await probe(def({ path: "/down" }))).toEqual({
      status: "failure",
      statusCode: 503,
      output: "not ready yet",
    });
    const slow = await probe(def({ path: "/slow" }));
    expect(slow.status).toBe("failure");
    expect(slow.output).toContain("deadline exceeded");
  });

  it("tcp: an open port passes, a closed one fails", async () => {
    expect(await probe(def({ type: "tcp" }))).toEqual({
      status: "success",
      output: "nomad: tcp ok",
    });
    const closed = await probe(
      def({ type: "tcp", address: { ok: true, host: "127.0.0.1", port: 1 } }),
    );
    expect(closed.status).toBe("failure");
    expect(closed.output).toContain("ECONNREFUSED");
  });
});

describe("a check's status", () => {
  const results: Array<"success" | "failure"> = [];
  const runner = (over: Partial<CheckDefinition>) => {
    let changes = 0;
    const r = new CheckRunner(
      [
        {
          id: "c",
          check: "c",
          service: "s",
          mode: "healthiness",
          type: "tcp",
          address: { ok: true, host: "127.0.0.1", port: 1 },
          intervalMs: 20,
          timeoutMs: 20,
          protocol: "http",
          path: "/",
          method: "GET",
          headers: {},
          tlsSkipVerify: false,
          successBeforePassing: 0,
          failuresBeforeCritical: 0,
          ...over,
        },
      ],
      {
        changed: () => {
          changes++;
        },
      },
      async () => {
        const status = results.shift() ?? "success";
        return { status, output: status };
      },
    );
    return { r, changes: () => changes };
  };
  const settle = () => new Promise((res) => setTimeout(res, 300));

  it("starts pending and follows each result", async () => {
    results.push("failure", "success");
    const { r, changes } = runner({});
    expect(r.results()[0]?.status).toBe("pending");
    r.start();
    await settle();
    r.stop();
    // pending → failure → success, then steady: no more changes reported.
    expect(changes()).toBe(2);
    expect(r.results()[0]?.status).toBe("success");
  });

  it("needs success_before_passing successes in a row, and failures_before_critical failures", async () => {
    results.push("success", "success", "failure", "success", "success", "success", "failure");
    const { r } = runner({ successBeforePassing: 3, failuresBeforeCritical: 2 });
    const seen: string[] = [];
    r.start();
    for (let i = 0; i < 30 && results.length > 0; i++) {
      seen.push(r.results()[0]?.status ?? "");
      await new Promise((res) => setTimeout(res, 10));
    }
    await new Promise((res) => setTimeout(res, 30));
    r.stop();
    // Two successes then a failure: never passing; three in a row pass; one
    // failure afterwards is not yet critical.
    expect([...new Set(seen)]).toEqual(["pending", "failure", "success"]);
    expect(r.results()[0]?.status).toBe("success");
  });

  it("check_restart: restarts the task after `limit` failing runs past the grace, once per start", async () => {
    const restarts: Array<{ task: string; reason: string; at: number }> = [];
    const def: CheckDefinition = {
      id: "c",
      check: "alive",
      service: "s",
      task: "t",
      mode: "healthiness",
      type: "tcp",
      address: { ok: true, host: "127.0.0.1", port: 1 },
      intervalMs: 20,
      timeoutMs: 20,
      protocol: "http",
      path: "/",
      method: "GET",
      headers: {},
      tlsSkipVerify: false,
      successBeforePassing: 0,
      failuresBeforeCritical: 0,
      restart: { task: "t", limit: 3, graceMs: 100 },
    };
    let runs = 0;
    const r = new CheckRunner(
      [def],
      {
        changed: () => undefined,
        restart: (task, reason) => restarts.push({ task, reason, at: Date.now() }),
      },
      async () => {
        runs++;
        return { status: "failure", output: "refused" };
      },
    );
    r.start();
    await new Promise((res) => setTimeout(res, 150));
    // Not watched before the task started.
    expect(restarts).toEqual([]);
    const started = Date.now();
    r.taskStarted("t");
    await new Promise((res) => setTimeout(res, 400));
    expect(restarts.map(({ task, reason }) => [task, reason])).toEqual([
      ["t", 'healthcheck: check "alive" unhealthy'],
    ]);
    // Grace (100 ms), then three failing runs 20 ms apart.
    expect(restarts[0]?.at).toBeGreaterThanOrEqual(started + 140);
    r.taskStarted("t");
    await new Promise((res) => setTimeout(res, 400));
    r.stop();
    expect(restarts).toHaveLength(2);
    expect(runs).toBeGreaterThan(20);
  });
});
