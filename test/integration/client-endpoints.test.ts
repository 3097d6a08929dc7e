// Nomad's client endpoints with the API server and the node agent as separate
// parts, as in a cluster: the agent serves logs, alloc fs, restart, signal and
// stats on its own address (recorded on its NomadNode), the API server checks
// the caller's ACL and forwards, streaming. The agent checks the token itself.

import { mkdtempSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type RunningAgent, startAgent } from "../../src/agent/agent.js";
import { type RunningApi, startApi } from "../../src/api/index.js";
import { createLogger } from "../../src/common/log.js";
import { defaultAgentConfig } from "../../src/config/agent-config.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { createControllerMetrics } from "../../src/metrics/registry.js";
import { runningOf } from "../support/allocations.js";
import { createNamespace, eventually } from "../support/kubectl.js";
import { applyJob, eventTypes, processesWith, shTask } from "./agent-harness.js";
import { apiClient, applyToken } from "./api-client.js";

const kubeconfig = inject("kubeconfig");
const kc = loadKubeConfig(kubeconfig);
const log = createLogger({ level: "warn", json: false });
const run = Math.random().toString(36).slice(2, 7);
const dc = `client-${run}`;
const nodeName = `client-${run}-node`;
const marker = `client-endpoints-${run}`;
const managementSecret = crypto.randomUUID();

/** Reads a followed log until `until` appears in it (or fails after a while). */
function follow(url: string, token: string, until: string, whileOpen: () => Promise<void>) {
  return new Promise<string>((resolve, reject) => {
    let text = "";
    const req = http.get(url, { headers: { "X-Nomad-Token": token } }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`follow answered ${res.statusCode}`));
      void whileOpen().catch(reject);
      res.on("data", (d: Buffer) => {
        text += d.toString();
        if (text.includes(until)) {
          req.destroy();
          resolve(text);
        }
      });
    });
    req.on("error", (err) => (text.includes(until) ? undefined : reject(err)));
    setTimeout(() => {
      req.destroy();
      reject(new Error(`follow got only ${JSON.stringify(text)}`));
    }, 20_000);
  });
}

describe("client endpoints on the node agent, through the API server", () => {
  let ns: string;
  let controllers: Controllers;
  let api: RunningApi;
  let agent: RunningAgent;
  let call: ReturnType<typeof apiClient>;
  let direct: ReturnType<typeof apiClient>;
  let reader = "";
  let alloc = "";

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "client");
    // A management token applied as objects (the cluster's ACL bootstrap may be spent).
    await applyToken(kubeconfig, {
      name: `mgmt-${run}`,
      namespace: ns,
      secretID: managementSecret,
      spec: { name: "management", type: "management" },
    });
    controllers = await startControllers(kc, log, { namespace: ns });
    const acl = { enabled: true };
    api = await startApi(kc, { ...defaultAgentConfig(), ports: { http: 0 }, acl }, log, {
      registry: createControllerMetrics().registry,
      secretNamespace: ns,
      namespace: ns,
    });
    const base = defaultAgentConfig();
    agent = await startAgent(
      kc,
      {
        ...base,
        name: nodeName,
        datacenter: dc,
        ports: { http: 0 },
        acl,
        client: {
          ...base.client,
          enabled: true,
          options: { "driver.raw_exec.enable": "1", "driver.allowlist": "raw_exec" },
        },
      },
      log,
      "0.1.0",
      mkdtempSync(path.join(os.tmpdir(), "caravan-client-endpoints-")),
    );
    call = apiClient(api.url);
    direct = apiClient(`http://${agent.httpAddr}`);
    await eventually(
      async () =>
        (await call("GET", "/v1/acl/token/self", undefined, managementSecret)).status === 200 ||
        undefined,
      "the management token to be usable",
    );
  });
  let agentRunning = true;
  afterAll(async () => {
    if (agentRunning) await agent?.stop(true);
    await api?.close();
    await controllers?.stop();
  });

  it("records the agent's address on its node", async () => {
    const node = await eventually(async () => {
      const r = await call("GET", `/v1/node/${nodeName}`, undefined, managementSecret);
      return r.json?.HTTPAddr ? r.json : undefined;
    }, "the node's HTTPAddr");
    expect(node.HTTPAddr).toBe(agent.httpAddr);
  });

  it("reads, follows, signals and restarts a running task through the server", async () => {
    // A task that says who it is and answers SIGUSR1 on stdout; no restart attempts,
    // so only a restart that costs none keeps it running.
    const script = `trap 'echo got-usr1' USR1; echo "started $$"; while true; do sleep 0.2; done; : ${marker}`;
    await applyJob(kubeconfig, ns, "web", {
      datacenters: [dc],
      groups: [
        {
          name: "g",
          restart: { attempts: 0, mode: "fail", interval: "10m", delay: "1s" },
          tasks: [shTask("t", script)],
        },
      ],
    });
    const [running] = await eventually(async () => {
      const r = await runningOf(kubeconfig, ns, "web");
      return r.length === 1 ? r : undefined;
    }, "the allocation to run");
    alloc = running?.metadata.name;
    const logs = (q = "") =>
      call(
        "GET",
        `/v1/client/fs/logs/${alloc}?task=t&type=stdout&plain=true${q}`,
        undefined,
        managementSecret,
      );
    const first = await eventually(async () => {
      const r = await logs();
      return r.status === 200 && r.text.includes("started") ? r.text : undefined;
    }, "the task's first line");
    const firstPid = /started (\d+)/.exec(first)?.[1];

    // follow=true streams what the task writes later: here, its answer to the signal.
    const followed = await follow(
      `${api.url}/v1/client/fs/logs/${alloc}?task=t&type=stdout&plain=true&follow=true&origin=end&offset=0`,
      managementSecret,
      "got-usr1",
      async () => {
        await new Promise((r) => setTimeout(r, 500));
        const s = await call(
          "POST",
          `/v1/client/allocation/${alloc}/signal`,
          { Task: "t", Signal: "SIGUSR1" },
          managementSecret,
        );
        expect([s.status, s.text]).toEqual([200, "{}"]);
      },
    );
    expect(followed).toContain("got-usr1");
    const signalled = await eventually(async () => {
      const a = (await runningOf(kubeconfig, ns, "web"))[0];
      return eventTypes(a, "t").includes("Signaling") ? a : undefined;
    }, "the Signaling event");
    expect(signalled.status.taskStates.t.state).toBe("running");

    // Framed (not plain) logs are Nomad's {"Data": base64} frames.
    const framed = await call(
      "GET",
      `/v1/client/fs/logs/${alloc}?task=t&type=stdout`,
      undefined,
      managementSecret,
    );
    expect(Buffer.from(framed.json.Data, "base64").toString()).toContain("started");

    // Restart: a new process, "Restart Signaled", and the restart policy (no
    // attempts at all) is not consumed: the task runs again instead of failing.
    const restart = await call(
      "POST",
      `/v1/client/allocation/${alloc}/restart`,
      { TaskName: "t" },
      managementSecret,
    );
    expect(restart.status, restart.text).toBe(200);
    const second = await eventually(async () => {
      const pids = [...(await logs()).text.matchAll(/started (\d+)/g)].map((m) => m[1]);
      return pids.length >= 2 ? pids : undefined;
    }, "the restarted task's first line");
    expect(second.at(-1)).not.toBe(firstPid);
    const restarted = await eventually(async () => {
      const a = (await runningOf(kubeconfig, ns, "web"))[0];
      const t = a?.status?.taskStates?.t;
      return t?.state === "running" && eventTypes(a, "t").includes("Restart Signaled")
        ? a
        : undefined;
    }, "the task to run again");
    const t = restarted.status.taskStates.t;
    expect(t.failed).toBeFalsy();
    expect(eventTypes(restarted, "t")).not.toContain("Not Restarting");
    expect(processesWith(marker).length).toBeGreaterThan(0);

    // Stats: the task's resident memory, per task and for the allocation.
    const stats = await call(
      "GET",
      `/v1/client/allocation/${alloc}/stats`,
      undefined,
      managementSecret,
    );
    expect(stats.status, stats.text).toBe(200);
    expect(stats.json.Tasks.t.ResourceUsage.MemoryStats.RSS).toBeGreaterThan(0);
    expect(stats.json.ResourceUsage.MemoryStats.RSS).toBeGreaterThan(0);

    // alloc fs through the server.
    const ls = await call(
      "GET",
      `/v1/client/fs/ls/${alloc}?path=/alloc/logs`,
      undefined,
      managementSecret,
    );
    expect(ls.json.map((f: { Name: string }) => f.Name)).toContain("t.stdout.0");
  });

  it("refuses a token without the capability, at the server and at the agent", async () => {
    const m = managementSecret;
    const policy = await call(
      "POST",
      `/v1/acl/policy/jobreader-${run}`,
      {
        Name: `jobreader-${run}`,
        Rules: `namespace "${ns}" { capabilities = ["read-job"] }`,
      },
      m,
    );
    expect(policy.status, policy.text).toBe(200);
    const token = await call(
      "POST",
      "/v1/acl/token",
      { Name: "jobreader", Type: "client", Policies: [`jobreader-${run}`] },
      m,
    );
    reader = token.json.SecretID;
    const asks: [string, string, unknown?][] = [
      ["GET", `/v1/client/fs/logs/${alloc}?task=t&type=stdout&plain=true`],
      ["GET", `/v1/client/fs/cat/${alloc}?path=alloc/logs/t.stdout.0`],
      ["POST", `/v1/client/allocation/${alloc}/restart`, {}],
      ["POST", `/v1/client/allocation/${alloc}/signal`, { Task: "t", Signal: "SIGUSR1" }],
    ];
    for (const [method, p, body] of asks) {
      // The agent learns of the token through its own watch: wait until it knows it.
      const atAgent = await eventually(async () => {
        const r = await direct(method, p, body, reader);
        return r.text === "ACL token not found" ? undefined : r;
      }, "the agent to know the token");
      expect([atAgent.status, atAgent.text], `${method} ${p} at the agent`).toEqual([
        403,
        "Permission denied",
      ]);
      const atServer = await call(method, p, body, reader);
      expect([atServer.status, atServer.text], `${method} ${p} at the server`).toEqual([
        403,
        "Permission denied",
      ]);
      const anonymous = await direct(method, p, body);
      expect(anonymous.status, `${method} ${p} without a token`).toBe(403);
    }
    // read-job is enough for stats, at both.
    expect(
      (await call("GET", `/v1/client/allocation/${alloc}/stats`, undefined, reader)).status,
    ).toBe(200);
    expect(
      (await direct("GET", `/v1/client/allocation/${alloc}/stats`, undefined, reader)).status,
    ).toBe(200);
  });

  it("serves the node's host stats through the server, for node read, as `nomad node status <node>` reads them", async () => {
    const m = managementSecret;
    const host = await call("GET", `/v1/client/stats?node_id=${nodeName}`, undefined, m);
    expect(host.status, host.text).toBe(200);
    expect(host.json.Memory.Total).toBe(os.totalmem());
    expect(host.json.Memory.Used).toBeGreaterThan(0);
    expect(host.json.Memory.Used).toBeLessThan(host.json.Memory.Total);
    expect(host.json.CPU).toHaveLength(os.cpus().length);
    expect(host.json.CPU[0]).toMatchObject({ CPU: "cpu0" });
    expect(host.json.Uptime).toBeGreaterThan(0);
    // The filesystem of the allocation directories, as Nomad's AllocDirStats.
    expect(host.json.AllocDirStats.Size).toBeGreaterThan(0);
    expect(host.json.AllocDirStats.Available).toBeLessThanOrEqual(host.json.AllocDirStats.Size);
    const unknown = await call("GET", "/v1/client/stats?node_id=nope", undefined, m);
    expect([unknown.status, unknown.text]).toEqual([404, "Unknown node nope"]);
    // Nomad's ClientStats.Stats needs node read: the job reader is refused at both.
    expect(
      (await call("GET", `/v1/client/stats?node_id=${nodeName}`, undefined, reader)).status,
    ).toBe(403);
    expect((await direct("GET", "/v1/client/stats", undefined, reader)).status).toBe(403);
  });

  it("lets a token whose capability comes through an ACL role read logs, at the server and at the agent", async () => {
    const m = managementSecret;
    const policy = await call(
      "POST",
      `/v1/acl/policy/logreader-${run}`,
      { Name: `logreader-${run}`, Rules: `namespace "${ns}" { capabilities = ["read-logs"] }` },
      m,
    );
    expect(policy.status, policy.text).toBe(200);
    const role = await call(
      "POST",
      "/v1/acl/role",
      { Name: `logreaders-${run}`, Policies: [{ Name: `logreader-${run}` }] },
      m,
    );
    expect(role.status, role.text).toBe(200);
    const token = await call(
      "POST",
      "/v1/acl/token",
      { Name: "via-role", Type: "client", Roles: [{ Name: `logreaders-${run}` }] },
      m,
    );
    expect(token.status, token.text).toBe(200);
    const secret: string = token.json.SecretID;
    const logs = `/v1/client/fs/logs/${alloc}?task=t&type=stdout&plain=true`;
    const atAgent = await eventually(async () => {
      const r = await direct("GET", logs, undefined, secret);
      return r.status === 200 ? r : undefined;
    }, "the agent to grant the role's capability");
    expect(atAgent.status).toBe(200);
    expect((await call("GET", logs, undefined, secret)).status).toBe(200);
    // The role grants read-logs only.
    const restart = await direct("POST", `/v1/client/allocation/${alloc}/restart`, {}, secret);
    expect([restart.status, restart.text]).toEqual([403, "Permission denied"]);
  });

  it("answers hostile requests with Nomad's 4xx, at the server and at the agent", async () => {
    const m = managementSecret;
    for (const ask of [call, direct]) {
      const unknown = await ask("GET", `/v1/client/fs/logs/nope-${run}?task=t`, undefined, m);
      expect(unknown.status).toBe(404);
      const noTask = await ask(
        "POST",
        `/v1/client/allocation/${alloc}/signal`,
        { Task: "missing", Signal: "SIGUSR1" },
        m,
      );
      expect([noTask.status, noTask.text]).toEqual([404, 'task "missing" not found']);
      const badSignal = await ask(
        "POST",
        `/v1/client/allocation/${alloc}/signal`,
        { Task: "t", Signal: "SIGNOPE" },
        m,
      );
      expect([badSignal.status, badSignal.text]).toEqual([400, 'Unsupported signal: "SIGNOPE"']);
      const badRestart = await ask(
        "POST",
        `/v1/client/allocation/${alloc}/restart`,
        { TaskName: 7 },
        m,
      );
      expect(badRestart.status).toBe(400);
      for (const p of ["../../../../etc/passwd", "/../..", "alloc/../../.."]) {
        const r = await ask(
          "GET",
          `/v1/client/fs/cat/${alloc}?path=${encodeURIComponent(p)}`,
          undefined,
          m,
        );
        expect([403, 404], `${p}: ${r.status} ${r.text}`).toContain(r.status);
        expect(r.text).not.toContain("root:");
      }
      const traversal = await ask(
        "GET",
        `/v1/client/fs/logs/${alloc}?task=${encodeURIComponent("../../t")}&type=stdout`,
        undefined,
        m,
      );
      expect(traversal.status).toBe(400);
    }
  });

  it("a task a signal killed waits out its restart delay; restarting it meanwhile is Nomad's 500 Task not running", async () => {
    // sh dies on SIGHUP: the restart policy applies, with a delay long enough to ask in.
    await applyJob(kubeconfig, ns, "hup", {
      datacenters: [dc],
      groups: [
        {
          name: "g",
          restart: { attempts: 2, mode: "delay", interval: "10m", delay: "20s" },
          tasks: [shTask("t", `echo up; while true; do sleep 0.2; done; : ${marker}-hup`)],
        },
      ],
    });
    const [running] = await eventually(async () => {
      const r = await runningOf(kubeconfig, ns, "hup");
      return r.length === 1 && r[0]?.status?.taskStates?.t?.state === "running" ? r : undefined;
    }, "the hup allocation to run");
    const id = running?.metadata.name;
    const hup = await call(
      "POST",
      `/v1/client/allocation/${id}/signal`,
      { Task: "t", Signal: "SIGHUP" },
      managementSecret,
    );
    expect([hup.status, hup.text]).toEqual([200, "{}"]);
    const waiting = await eventually(async () => {
      const a = (await runningOf(kubeconfig, ns, "hup"))[0];
      return eventTypes(a, "t").includes("Restarting") ? a : undefined;
    }, "the killed task to wait for its restart");
    // `nomad alloc status` shows Nomad's words for it.
    const restarting = waiting.status.taskStates.t.events.find(
      (e: { type: string }) => e.type === "Restarting",
    );
    expect(restarting.displayMessage ?? restarting.message).toBe("Task restarting in 20s");
    const restart = await call(
      "POST",
      `/v1/client/allocation/${id}/restart`,
      { TaskName: "t" },
      managementSecret,
    );
    expect([restart.status, restart.text]).toEqual([500, "Task not running"]);
  });

  it("answers 502, naming the node, when the node's agent cannot be reached", async () => {
    await agent.stop(true);
    agentRunning = false;
    const r = await call(
      "GET",
      `/v1/client/allocation/${alloc}/stats`,
      undefined,
      managementSecret,
    );
    expect(r.status).toBe(502);
    expect(r.text).toContain(`no path to node "${nodeName}"`);
  });
});
