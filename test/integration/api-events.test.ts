// Nomad's event stream over a real API server, with the controllers and a
// simulated agent: a client subscribed to /v1/event/stream sees a job it
// registers as JobRegistered, its evaluation as EvaluationUpdated and its
// allocation going running as AllocationUpdated, each with Nomad's keys and
// payloads; topics and keys filter; ?index= resumes after an index taken from
// X-Nomad-Index; stop and purge are JobDeregistered; idle streams get {} heartbeats; a token without read-job in
// the namespace sees no Job events and is refused the Job topic, and a
// deleted token's stream ends; a client
// that stops reading is dropped rather than buffered for.
import { randomUUID } from "node:crypto";
import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type RunningApi, startApi } from "../../src/api/index.js";
import { heartbeatMs } from "../../src/api/routes/events.js";
import { createLogger } from "../../src/common/log.js";
import { defaultAgentConfig } from "../../src/config/agent-config.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import type { ApiObject } from "../../src/crds/meta.js";
import { mergePatchStatus } from "../../src/kube/apply.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { caravanResource } from "../../src/kube/resources.js";
import { createControllerMetrics } from "../../src/metrics/registry.js";
import { createNamespace } from "../support/kubectl.js";
import { type NodeHandle, registerNode } from "../support/nodes.js";
import { type SimulatedAgent, simulateAgent } from "../support/simulated-agent.js";
import { apiClient, applyToken } from "./api-client.js";

const kubeconfig = inject("kubeconfig");
const run = Math.random().toString(36).slice(2, 7);
const dc = `events-${run}`;
const managementSecret = randomUUID();

// biome-ignore lint/suspicious/noExplicitAny: tests read Nomad's JSON loosely.
type Frame = { Index?: number; Events?: any[] };

/** An open event stream: every frame received so far, and a way to wait for one. */
interface Subscription {
  status: number;
  frames: Frame[];
  /** The server ended the response. */
  ended: boolean;
  events(): NonNullable<Frame["Events"]>;
  waitFor<T>(find: (s: Subscription) => T | undefined, what: string, ms?: number): Promise<T>;
  close(): void;
}

function subscribe(base: string, query: string, token?: string): Promise<Subscription> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}/v1/event/stream?${query}`, {
      headers: token ? { "X-Nomad-Token": token } : {},
    });
    req.once("error", reject);
    req.once("response", (res) => {
      const frames: Frame[] = [];
      let pending = "";
      let wake = () => {};
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        pending += chunk;
        for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n")) {
          frames.push(JSON.parse(pending.slice(0, nl)));
          pending = pending.slice(nl + 1);
        }
        wake();
      });
      res.on("error", () => {});
      res.once("end", () => {
        sub.ended = true;
        wake();
      });
      const sub: Subscription = {
        status: res.statusCode ?? 0,
        frames,
        ended: false,
        events: () => frames.flatMap((f) => f.Events ?? []),
        waitFor: (find, what, ms = 30_000) =>
          new Promise((ok, fail) => {
            const timer = setTimeout(
              () => fail(new Error(`timed out waiting for ${what}; got ${JSON.stringify(frames)}`)),
              ms,
            );
            const check = () => {
              const found = find(sub);
              if (found === undefined) return;
              clearTimeout(timer);
              wake = () => {};
              ok(found);
            };
            wake = check;
            check();
          }),
        close: () => req.destroy(),
      };
      resolve(sub);
    });
  });
}

const job = (id: string) => ({
  Job: {
    ID: id,
    Datacenters: [dc],
    TaskGroups: [
      {
        Name: "g",
        Count: 1,
        Tasks: [
          {
            Name: "t",
            Driver: "docker",
            Config: { image: "nginx:1.25" },
            Resources: { CPU: 50, MemoryMB: 32 },
          },
        ],
      },
    ],
  },
});

describe("Nomad HTTP API: event stream", () => {
  let ns: string;
  let api: RunningApi;
  let controllers: Controllers;
  let node: NodeHandle;
  let agent: SimulatedAgent;
  let call: ReturnType<typeof apiClient>;
  const m = managementSecret;
  const q = () => `namespace=${ns}`;
  const opened: Subscription[] = [];
  const open = async (query: string, token: string | undefined = m) => {
    const s = await subscribe(api.url, query, token);
    opened.push(s);
    return s;
  };

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "events");
    const kc = loadKubeConfig(kubeconfig);
    const log = createLogger({ level: "warn", json: false });
    // A management token applied as objects (the cluster's ACL bootstrap may be spent).
    await applyToken(kubeconfig, {
      name: `events-mgmt-${run}`,
      namespace: ns,
      secretID: managementSecret,
      spec: { name: "management", type: "management" },
    });
    node = await registerNode(kubeconfig, { name: `events-node-${run}`, datacenter: dc });
    controllers = await startControllers(kc, log, { namespace: ns });
    agent = simulateAgent(kubeconfig, ns);
    api = await startApi(
      kc,
      { ...defaultAgentConfig(), ports: { http: 0 }, acl: { enabled: true } },
      log,
      { registry: createControllerMetrics().registry, secretNamespace: ns, namespace: ns },
    );
    call = apiClient(api.url);
    // The token's status (its hash) is filled in by the API server that sees it.
    for (let i = 0; i < 100; i++) {
      if ((await call("GET", `/v1/jobs?${q()}`, undefined, m)).status === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  });
  afterAll(async () => {
    for (const s of opened) s.close();
    agent?.stop();
    node?.stopHeartbeat();
    await api?.close();
    await controllers?.stop();
  });

  let idle: Subscription;
  let idleSince = 0;
  let all: Subscription;
  let jobsWeb: Subscription;
  let evalsOfWeb: Subscription;
  let registeredIndex = 0;

  it("opens with a heartbeat and streams a registered job's events with Nomad's keys and payloads", async () => {
    idle = await open(`topic=Job:nothing-${run}&${q()}`);
    idleSince = Date.now();
    all = await open(q());
    jobsWeb = await open(`topic=Job:web&${q()}`);
    evalsOfWeb = await open(`topic=Evaluation:web&${q()}`);
    for (const s of [idle, all, jobsWeb, evalsOfWeb]) {
      expect(s.status).toBe(200);
      await s.waitFor((x) => (x.frames.length > 0 ? true : undefined), "the first frame");
      expect(s.frames[0]).toEqual({});
    }

    const reg = await call("POST", `/v1/jobs?${q()}`, job("web"), m);
    expect(reg.status).toBe(200);
    const evalID = reg.json.EvalID;
    // biome-ignore lint/suspicious/noExplicitAny: Nomad's JSON.
    const find = (pred: (e: any) => boolean) => (s: Subscription) => s.events().find(pred);

    const registered = await all.waitFor(
      find((e) => e.Type === "JobRegistered" && e.Key === "web"),
      "JobRegistered",
    );
    expect(registered).toMatchObject({
      Topic: "Job",
      Namespace: ns,
      Payload: { Job: { ID: "web", Namespace: ns, Datacenters: [dc] } },
    });
    // The event's index is the job's ModifyIndex, as GET /v1/job/:id reports it.
    expect(registered.Index).toBe(registered.Payload.Job.ModifyIndex);
    registeredIndex = registered.Index;
    const frame = all.frames.find((f) => f.Events?.includes(registered));
    expect(frame?.Index).toBe(registered.Index);

    const evaluated = await all.waitFor(
      find((e) => e.Topic === "Evaluation" && e.Key === evalID),
      "EvaluationUpdated",
    );
    expect(evaluated).toMatchObject({
      Type: "EvaluationUpdated",
      Namespace: ns,
      Payload: { Evaluation: { ID: evalID, JobID: "web", Namespace: ns } },
    });
    expect(evaluated.FilterKeys[0]).toBe("web");

    const running = await all.waitFor(
      find(
        (e) => e.Type === "AllocationUpdated" && e.Payload.Allocation.ClientStatus === "running",
      ),
      "AllocationUpdated to running",
    );
    expect(running).toMatchObject({
      Topic: "Allocation",
      Namespace: ns,
      Payload: { Allocation: { JobID: "web", EvalID: evalID, TaskGroup: "g", Job: null } },
    });
    expect(running.Key).toBe(running.Payload.Allocation.ID);
    expect(running.FilterKeys).toContain("web");
    const alloc = await call("GET", `/v1/allocation/${running.Key}?${q()}`, undefined, m);
    expect(alloc.status).toBe(200);
    expect(Number(alloc.headers.get("x-nomad-index"))).toBeGreaterThanOrEqual(running.Index);
  });

  it("filters by topic and by key, matching an event's key or its filter keys", async () => {
    expect((await call("POST", `/v1/jobs?${q()}`, job("other"), m)).status).toBe(200);
    await all.waitFor(
      (s) => s.events().find((e) => e.Type === "JobRegistered" && e.Key === "other"),
      "the other job's JobRegistered",
    );
    await all.waitFor(
      (s) =>
        s.events().find((e) => e.Topic === "Evaluation" && e.Payload.Evaluation.JobID === "other"),
      "the other job's evaluation",
    );
    expect(jobsWeb.events().length).toBeGreaterThan(0);
    for (const e of jobsWeb.events()) expect([e.Topic, e.Key]).toEqual(["Job", "web"]);
    expect(evalsOfWeb.events().length).toBeGreaterThan(0);
    for (const e of evalsOfWeb.events()) {
      expect(e.Topic).toBe("Evaluation");
      expect(e.Payload.Evaluation.JobID).toBe("web");
    }
    expect(idle.events()).toEqual([]);
  });

  it("resumes after an index, and refuses a malformed topic or index", async () => {
    const resumed = await open(`topic=Job&index=${registeredIndex - 1}&${q()}`);
    const first = await resumed.waitFor((s) => s.events()[0], "the replayed job event");
    expect([first.Type, first.Key, first.Index]).toEqual(["JobRegistered", "web", registeredIndex]);
    expect(resumed.events().some((e) => e.Key === "other")).toBe(true);

    const now = await open(`topic=Job&index=${registeredIndex}&${q()}`);
    await now.waitFor((s) => (s.events().some((e) => e.Key === "other") ? true : undefined), "");
    expect(now.events().every((e) => e.Index > registeredIndex)).toBe(true);

    const badTopic = await call("GET", `/v1/event/stream?topic=Job:a:b&${q()}`, undefined, m);
    expect(badTopic.status).toBe(400);
    expect(badTopic.text).toContain("Invalid topic query");
    const badIndex = await call("GET", `/v1/event/stream?index=abc&${q()}`, undefined, m);
    expect(badIndex.status).toBe(400);
  });

  it("a stopped job is JobDeregistered, and a purged one's event says it was deleted", async () => {
    const jobs = await open(`topic=Job:other&${q()}`);
    expect((await call("DELETE", `/v1/job/other?${q()}`, undefined, m)).status).toBe(200);
    const stopped = await jobs.waitFor(
      (s) => s.events().find((e) => e.Type === "JobDeregistered"),
      "JobDeregistered on stop",
    );
    expect(stopped.Payload.Job).toMatchObject({ ID: "other", Stop: true });
    expect(stopped.Payload.Deleted).toBeUndefined();
    expect((await call("DELETE", `/v1/job/other?purge=true&${q()}`, undefined, m)).status).toBe(
      200,
    );
    const purged = await jobs.waitFor(
      (s) => s.events().find((e) => e.Type === "JobDeregistered" && e.Payload.Deleted),
      "JobDeregistered on purge",
    );
    expect(purged).toMatchObject({ Key: "other", Payload: { Job: { ID: "other" } } });
    expect(purged.Index).toBeGreaterThan(stopped.Index);
  });

  it("a token without read-job in the namespace sees no Job events and is refused the Job topic", async () => {
    const policy = await call(
      "POST",
      `/v1/acl/policy/events-nodes-${run}`,
      { Rules: 'node { policy = "read" }' },
      m,
    );
    expect(policy.status).toBe(200);
    const token = await call(
      "POST",
      "/v1/acl/token",
      { Type: "client", Policies: [`events-nodes-${run}`] },
      m,
    );
    expect(token.status).toBe(200);
    const secret = token.json.SecretID;

    const refused = await subscribe(api.url, `topic=Job&${q()}`, secret);
    expect(refused.status).toBe(403);
    refused.close();
    const nodesOnly = await open(q(), secret);
    expect(nodesOnly.status).toBe(200);
    const managed = await open(`topic=Job&${q()}`);
    expect((await call("POST", `/v1/jobs?${q()}`, job("secret-job"), m)).status).toBe(200);
    await managed.waitFor(
      (s) => s.events().find((e) => e.Key === "secret-job"),
      "the management stream's JobRegistered",
    );
    // Node events still reach the node reader.
    const drained = await call(
      "POST",
      `/v1/node/events-node-${run}/eligibility`,
      { Eligibility: "ineligible" },
      m,
    );
    expect(drained.status).toBe(200);
    const nodeEvent = await nodesOnly.waitFor(
      (s) => s.events().find((e) => e.Topic === "Node"),
      "a Node event",
    );
    expect(nodeEvent).toMatchObject({
      Type: "NodeEligibility",
      Key: `events-node-${run}`,
      Namespace: "",
      Payload: { Node: { ID: `events-node-${run}`, SchedulingEligibility: "ineligible" } },
    });
    expect(nodesOnly.events().filter((e) => e.Topic !== "Node")).toEqual([]);

    // A deleted token's stream ends at its next event, as Nomad re-checks the token.
    const del = await call("DELETE", `/v1/acl/token/${token.json.AccessorID}`, undefined, m);
    expect(del.status).toBe(200);
    // The delete answers once this API no longer finds the token.
    const read = await call("GET", `/v1/acl/token/${token.json.AccessorID}`, undefined, m);
    expect([read.status, read.text]).toEqual([404, "ACL token not found"]);
    const back = await call(
      "POST",
      `/v1/node/events-node-${run}/eligibility`,
      { Eligibility: "eligible" },
      m,
    );
    expect(back.status).toBe(200);
    await nodesOnly.waitFor((s) => (s.ended ? true : undefined), "the stream to end");
    expect(nodesOnly.frames.at(-1)).toEqual({ Error: "ACL token not found" });
    expect(
      nodesOnly.events().filter((e) => e.Payload.Node.SchedulingEligibility === "eligible"),
    ).toEqual([]);
  });

  it("drops a client that stops reading instead of buffering for it", {
    timeout: 120_000,
  }, async () => {
    const { hostname, port } = new URL(api.url);
    const socket = net.connect(Number(port), hostname);
    let received = "";
    socket.setEncoding("utf8");
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.on("data", (chunk: string) => {
      received += chunk;
    });
    socket.write(
      `GET /v1/event/stream?topic=Node&${q()} HTTP/1.1\r\nHost: ${hostname}\r\nX-Nomad-Token: ${m}\r\n\r\n`,
    );
    for (let i = 0; i < 100 && !received.includes("{}"); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(received).toMatch(/^HTTP\/1.1 200/);
    socket.pause();
    // Node events of ~400 KB each, well past what the socket and the server's 8 MiB take.
    const kc = loadKubeConfig(kubeconfig);
    const nodeRef = { metadata: { name: `events-node-${run}` } } as ApiObject;
    const updates = 80;
    for (let i = 0; i < updates; i++)
      await mergePatchStatus(kc, caravanResource("NomadNode"), nodeRef, {
        meta: { big: `${i}-${"x".repeat(400_000)}` },
      });
    await new Promise((r) => setTimeout(r, 1_000));
    socket.resume();
    await closed;
    expect(received).toContain(
      '{"Error":"subscription closed by server, client should resubscribe"}',
    );
    const delivered = received.split('"Topic":"Node"').length - 1;
    expect(delivered).toBeLessThan(updates);
    await mergePatchStatus(kc, caravanResource("NomadNode"), nodeRef, { meta: { big: null } });
    expect((await call("GET", "/v1/status/leader")).status).toBe(200);
  });

  it("sends a heartbeat while idle", { timeout: heartbeatMs + 20_000 }, async () => {
    await idle.waitFor(
      (s) => (s.frames.length >= 2 ? true : undefined),
      "a second heartbeat",
      Math.max(1_000, heartbeatMs + 10_000 - (Date.now() - idleSince)),
    );
    expect(idle.frames.slice(0, 2)).toEqual([{}, {}]);
    expect(idle.events()).toEqual([]);
  });
});
