// Hostile and malformed requests to every endpoint of the API: bad JSON,
// bodies over the limit, invalid UTF-8, deep nesting, path traversal in IDs
// and log paths, nonsense query options and random JSON. No request may crash
// the server or get a 500 for bad input, and none may change anything.
import { appendFileSync, symlinkSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type RunningApi, startApi } from "../../src/api/index.js";
import { createLogger } from "../../src/common/log.js";
import { defaultAgentConfig } from "../../src/config/agent-config.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { createControllerMetrics } from "../../src/metrics/registry.js";
import { createNamespace, eventually, kubectlOk } from "../support/kubectl.js";
import { type ApiTestAgent, startApiTestAgent } from "./api-agent.js";
import { apiClient, postOversized } from "./api-client.js";

const kubeconfig = inject("kubeconfig");
const run = Math.random().toString(36).slice(2, 7);
const nodeName = `fuzz-node-${run}`;

describe("Nomad HTTP API: hostile input", () => {
  let ns: string;
  let api: RunningApi;
  let agent: ApiTestAgent;
  let allocDir: string;
  let call: ReturnType<typeof apiClient>;

  /** Every object the API could change, by resourceVersion. */
  async function snapshot(): Promise<string> {
    const jobs = await kubectlOk(kubeconfig, ["get", "-n", ns, "nomadjobs,secrets", "-o", "json"]);
    const n = await kubectlOk(kubeconfig, ["get", `nomadnode/${nodeName}`, "-o", "json"]);
    const acl = await kubectlOk(kubeconfig, [
      "get",
      "nomadaclpolicies,nomadacltokens",
      "-o",
      "json",
    ]);
    const versions = (text: string) => {
      const v = JSON.parse(text) as {
        items?: { metadata: { name: string; generation?: number } }[];
        metadata: { name: string; generation?: number };
      };
      return (v.items ?? [v]).map((o) => `${o.metadata.name}@${o.metadata.generation ?? "-"}`);
    };
    return JSON.stringify([versions(jobs), versions(n), versions(acl)]);
  }

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "fuzz");
    // A real node agent, for the client endpoints (logs, fs) to forward to.
    const log = createLogger({ level: "fatal" as "error", json: false });
    agent = await startApiTestAgent(kubeconfig, loadKubeConfig(kubeconfig), log, nodeName, false);
    allocDir = agent.allocRoot;
    api = await startApi(
      loadKubeConfig(kubeconfig),
      { ...defaultAgentConfig(), ports: { http: 0 } },
      log,
      {
        registry: createControllerMetrics().registry,
        secretNamespace: ns,
        namespace: ns,
      },
    );
    call = apiClient(api.url);
    const reg = await call("POST", `/v1/jobs?namespace=${ns}`, {
      Job: {
        ID: "web",
        Datacenters: ["nowhere"],
        TaskGroups: [
          { Name: "g", Tasks: [{ Name: "t", Driver: "docker", Config: { image: "x" } }] },
        ],
      },
    });
    expect(reg.status).toBe(200);
  });
  afterAll(async () => {
    await api?.close();
    await agent?.stop();
  });

  const ids = [
    "web",
    nodeName,
    "..",
    "../../etc/passwd",
    "%2e%2e%2f%2e%2e%2fetc",
    "x%00y",
    "%ff%fe",
    "a".repeat(2000),
  ];
  const bodies: (string | Buffer)[] = [
    "",
    "{",
    "null",
    "[]",
    '"just a string"',
    "12345",
    '{"Job": null}',
    '{"Job": {"ID": 5}}',
    '{"Job": {"ID": "web", "TaskGroups": "nope"}}',
    '{"Job": {"ID": "web", "TaskGroups": [{"Name": "g", "Count": "three"}]}}',
    '{"Count": -1, "Target": {"Group": "g"}}',
    '{"Count": 1e300, "Target": {"Group": "g"}}',
    '{"JobHCL": 42}',
    '{"JobHCL": "job \\"x\\" {"}',
    '{"Eligibility": {"x": 1}}',
    '{"DrainSpec": "soon"}',
    '{"DrainSpec": {"Deadline": "1h"}}',
    '{"Rules": "namespace \\"*\\" { policy = \\"write\\" "}',
    '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}',
    Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
    `${"[".repeat(100_000)}${"]".repeat(100_000)}`,
    `{"a":${'{"a":'.repeat(200)}1${"}".repeat(200)}}`,
  ];
  const queries = [
    "",
    "?namespace=../../kube-system",
    "?index=-5",
    "?index=abc&wait=forever",
    "?wait=99999999h&index=1",
    "?per_page=-1",
    "?per_page=x&next_token=%ff",
    `?filter=${encodeURIComponent("(((((")}`,
    `?filter=${encodeURIComponent('ID matches "(a+)+$"')}`,
    "?task=../../../../etc/passwd&type=stdout",
    "?task=t&type=../../x",
    "?task=t&offset=-1&origin=middle",
    "?purge=maybe&prefix=%00",
  ];

  it("answers every endpoint × hostile input without a 500, and changes nothing", {
    timeout: 600_000,
  }, async () => {
    const before = await snapshot();
    let requests = 0;
    const statuses = new Map<number, number>();
    const visited = new Set<string>();
    for (const route of api.routes) {
      visited.add(`${route.method} ${route.path}`);
      const paths = ids.map((id) =>
        route.path.replace(/:(\w+)\*?/g, () => (id.includes("%") ? id : encodeURIComponent(id))),
      );
      for (const p of new Set(paths))
        for (const qs of queries) {
          const query = qs.includes("index=")
            ? qs.replace("wait=99999999h", "wait=10ms").replace("wait=forever", "wait=10ms")
            : qs;
          const bodyList =
            route.method === "GET" || route.method === "DELETE" ? [undefined] : bodies;
          for (const body of bodyList) {
            // Deletes are real: run them only on IDs that do not exist.
            if (route.method === "DELETE" && (p.endsWith("/web") || p.includes(nodeName))) continue;
            const full = `${p}${query}${query ? "&" : "?"}namespace=${ns}`.replace(/\?&/, "?");
            const r = await call(
              route.method,
              full.includes("wait=") ? full : full,
              undefined,
              undefined,
              body,
            );
            requests++;
            statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
            expect(
              r.status,
              `${route.method} ${full} ${String(body).slice(0, 80)}: ${r.text.slice(0, 200)}`,
            ).not.toBe(500);
          }
        }
    }
    // Random JSON bodies to every write.
    const writes = api.routes.filter((r) => r.method === "POST");
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...writes),
        fc.json({ depthSize: "small" }),
        async (route, json) => {
          const p = route.path.replace(/:(\w+)\*?/g, "missing-object");
          const r = await call(route.method, `${p}?namespace=${ns}`, undefined, undefined, json);
          return r.status !== 500;
        },
      ),
      { numRuns: 300 },
    );
    expect(requests).toBeGreaterThan(1000);
    // Every route of the route table, whatever was added since this test was written.
    expect(visited.size).toBe(new Set(api.routes.map((r) => `${r.method} ${r.path}`)).size);
    // The input reached the handlers' own checks, not only the router's.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(500);
    expect(statuses.get(409)).toBeUndefined();
    const health = await call("GET", "/v1/status/leader");
    expect(health.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await snapshot()).toBe(before);
  });

  it("refuses a body over the limit on every route that reads one, declared or chunked", {
    timeout: 120_000,
  }, async () => {
    const before = await snapshot();
    const writes = api.routes.filter((r) => r.method === "POST" || r.method === "PUT");
    expect(writes.length).toBeGreaterThan(20);
    for (const route of writes) {
      const p = route.path.replace(/:(\w+)\*?/g, "web");
      // A route reading bytes (a snapshot archive) has a limit of its own.
      const over = (route.rawBody ?? 8 * 1024 * 1024) + 1024 * 1024;
      for (const chunked of [false, true]) {
        const status = await postOversized(`${api.url}${p}?namespace=${ns}`, over, chunked);
        expect(status, `${route.method} ${route.path} chunked=${chunked}`).toBe(413);
      }
    }
    expect((await call("GET", "/v1/status/leader")).status).toBe(200);
    expect(await snapshot()).toBe(before);
  });

  it("serves a task's log and refuses paths that leave the allocation", async () => {
    const alloc = `web-${run}-0`;
    const logs = path.join(await agent.addAlloc(ns, alloc), "alloc", "logs");
    writeFileSync(path.join(logs, "t.stdout.0"), "first file\n");
    writeFileSync(path.join(logs, "t.stdout.1"), "second file\n");
    writeFileSync(path.join(allocDir, "secret.stdout.0"), "do not read");
    const ok = await eventually(async () => {
      const r = await call(
        "GET",
        `/v1/client/fs/logs/${alloc}?namespace=${ns}&task=t&type=stdout&plain=true`,
      );
      return r.status === 200 ? r : undefined;
    }, "the log");
    expect(ok.text).toBe("first file\nsecond file\n");
    const tail = await call(
      "GET",
      `/v1/client/fs/logs/${alloc}?namespace=${ns}&task=t&type=stdout&plain=true&origin=end&offset=5`,
    );
    expect(tail.text).toBe("file\n");
    const framed = await call(
      "GET",
      `/v1/client/fs/logs/${alloc}?namespace=${ns}&task=t&type=stdout`,
    );
    expect(Buffer.from(framed.json.Data, "base64").toString()).toBe("first file\nsecond file\n");
    for (const task of ["../../secret", "..", "t/../../../secret", "/etc/passwd", "secret"]) {
      const r = await call(
        "GET",
        `/v1/client/fs/logs/${alloc}?namespace=${ns}&task=${encodeURIComponent(task)}&type=stdout&plain=true`,
      );
      expect([400, 404], `${task}: ${r.status} ${r.text}`).toContain(r.status);
      expect(r.text).not.toContain("do not read");
    }
    // follow=true: bytes appended later, and a new file after rotation, arrive on the same answer.
    const followed = await new Promise<string>((resolve, reject) => {
      let text = "";
      const req = http.get(
        `${api.url}/v1/client/fs/logs/${alloc}?namespace=${ns}&task=t&type=stdout&plain=true&follow=true&origin=end&offset=0`,
        (res) => {
          res.on("data", (d: Buffer) => {
            text += d.toString();
            if (text.includes("rotated\n")) {
              req.destroy();
              resolve(text);
            }
          });
        },
      );
      req.on("error", (err) => (text.includes("rotated\n") ? undefined : reject(err)));
      setTimeout(() => appendFileSync(path.join(logs, "t.stdout.1"), "appended\n"), 500);
      setTimeout(() => writeFileSync(path.join(logs, "t.stdout.2"), "rotated\n"), 1000);
      setTimeout(() => reject(new Error(`follow got only ${JSON.stringify(text)}`)), 15_000);
    });
    expect(followed).toBe("appended\nrotated\n");
    // nomad alloc fs: ls, stat, cat and readat inside the allocation directory only.
    symlinkSync(path.join(allocDir, "secret.stdout.0"), path.join(allocDir, alloc, "escape"));
    const fsq = (op: string, p: string, extra = "") =>
      call(
        "GET",
        `/v1/client/fs/${op}/${alloc}?namespace=${ns}&path=${encodeURIComponent(p)}${extra}`,
      );
    const ls = await fsq("ls", "/alloc/logs");
    expect(ls.json.map((f: { Name: string }) => f.Name)).toEqual([
      "t.stdout.0",
      "t.stdout.1",
      "t.stdout.2",
    ]);
    expect((await fsq("stat", "alloc/logs/t.stdout.0")).json).toMatchObject({
      Name: "t.stdout.0",
      IsDir: false,
      Size: 11,
    });
    expect((await fsq("cat", "alloc/logs/t.stdout.0")).text).toBe("first file\n");
    expect((await fsq("readat", "alloc/logs/t.stdout.0", "&offset=6&limit=4")).text).toBe("file");
    for (const p of [
      "../secret.stdout.0",
      "/../../secret.stdout.0",
      "escape",
      "alloc/../../secret.stdout.0",
    ]) {
      const r = await fsq("cat", p);
      expect([403, 404], `${p}: ${r.status} ${r.text}`).toContain(r.status);
      expect(r.text).not.toContain("do not read");
    }
    expect((await fsq("cat", "escape")).status).toBe(403);
    expect((await fsq("cat", "missing")).status).toBe(404);
    expect((await fsq("cat", "alloc")).status).toBe(400);
    const badType = await call(
      "GET",
      `/v1/client/fs/logs/${alloc}?namespace=${ns}&task=t&type=../t.stdout`,
    );
    expect([badType.status, badType.text]).toEqual([400, "invalid log type: ../t.stdout"]);
  });
});
