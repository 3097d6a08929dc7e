// The Nomad HTTP API over a real API server, with the controllers and a
// simulated agent: a job parsed from HCL and registered through the API is a
// NomadJob kubectl sees, a NomadJob applied with kubectl is listed by the API,
// allocations, evaluations, summary and scale read as Nomad shapes them, a
// blocking query returns when allocations change, stop and purge work, and
// bad input is a 400 that changes nothing.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { type RunningApi, startApi } from "../../src/api/index.js";
import { createLogger } from "../../src/common/log.js";
import { defaultAgentConfig } from "../../src/config/agent-config.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { createControllerMetrics } from "../../src/metrics/registry.js";
import { specEvaluation } from "../support/evaluations.js";
import { createNamespace, eventually, kubectl, kubectlOk } from "../support/kubectl.js";
import { type NodeHandle, registerNode } from "../support/nodes.js";
import { type SimulatedAgent, simulateAgent } from "../support/simulated-agent.js";
import { type ApiAnswer, apiClient, postOversized } from "./api-client.js";

const kubeconfig = inject("kubeconfig");
const run = Math.random().toString(36).slice(2, 7);
const dc = `api-${run}`;

const hcl = `
job "web" {
  datacenters = ["${dc}"]
  group "frontend" {
    count = 2
    scaling {
      min = 1
      max = 5
    }
    task "server" {
      driver = "docker"
      config {
        image = "nginx:1.25"
      }
      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}
`;

describe("Nomad HTTP API: jobs", () => {
  let ns: string;
  let api: RunningApi;
  let controllers: Controllers;
  let node: NodeHandle;
  let agent: SimulatedAgent;
  let call: ReturnType<typeof apiClient>;
  const q = () => `namespace=${ns}`;

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "api");
    const kc = loadKubeConfig(kubeconfig);
    const log = createLogger({ level: "warn", json: false });
    node = await registerNode(kubeconfig, { name: `api-node-${run}`, datacenter: dc });
    controllers = await startControllers(kc, log, { namespace: ns });
    agent = simulateAgent(kubeconfig, ns);
    api = await startApi(kc, { ...defaultAgentConfig(), ports: { http: 0 } }, log, {
      registry: createControllerMetrics().registry,
      secretNamespace: ns,
      namespace: ns,
    });
    call = apiClient(api.url);
  });
  afterAll(async () => {
    agent?.stop();
    node?.stopHeartbeat();
    await api?.close();
    await controllers?.stop();
  });

  let registered: ApiAnswer;

  /** The evaluation a write answered with, read at once (as `nomad job run` monitors it): it exists already. */
  async function evaluationOf(answer: ApiAnswer): Promise<ApiAnswer> {
    expect(answer.json.EvalID).toBeTruthy();
    const e = await call("GET", `/v1/evaluation/${answer.json.EvalID}?${q()}`);
    expect([e.status, e.json?.ID]).toEqual([200, answer.json.EvalID]);
    expect(e.json.CreateIndex).toBe(answer.json.EvalCreateIndex);
    expect(answer.json.Index).toBeGreaterThanOrEqual(answer.json.EvalCreateIndex);
    return e;
  }

  it("parses HCL into Nomad's job JSON, canonicalized on request", async () => {
    const plain = await call("POST", `/v1/jobs/parse?${q()}`, { JobHCL: hcl });
    expect(plain.status).toBe(200);
    expect(plain.json).toMatchObject({ ID: "web", TaskGroups: [{ Name: "frontend", Count: 2 }] });
    expect(plain.json.Priority).toBeUndefined();
    const canonical = await call("POST", `/v1/jobs/parse?${q()}`, {
      JobHCL: hcl,
      Canonicalize: true,
    });
    expect(canonical.json).toMatchObject({
      ID: "web",
      Priority: 50,
      Type: "service",
      Namespace: ns,
    });
    expect(canonical.json.TaskGroups[0].Tasks[0]).toMatchObject({
      Name: "server",
      Driver: "docker",
      Resources: { CPU: 100, MemoryMB: 64 },
    });
    const bad = await call("POST", `/v1/jobs/parse?${q()}`, {
      JobHCL: 'job "x" {\n  group "g" {\n',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/input\.hcl:\d+/);
  });

  it("registers a job: a NomadJob appears and the answer names its evaluation", async () => {
    const parsed = await call("POST", `/v1/jobs/parse?${q()}`, { JobHCL: hcl, Canonicalize: true });
    registered = await call("POST", `/v1/jobs?${q()}`, { Job: parsed.json });
    expect(registered.status).toBe(200);
    expect(registered.json).toMatchObject({ EvalID: specEvaluation(ns, "web", 1), Warnings: "" });
    expect(registered.json.JobModifyIndex).toBeGreaterThan(0);
    expect(Number(registered.headers.get("x-nomad-index"))).toBe(registered.json.Index);
    expect((await evaluationOf(registered)).json).toMatchObject({
      JobID: "web",
      TriggeredBy: "job-register",
      Namespace: ns,
    });
    const k = await kubectlOk(kubeconfig, ["get", "-n", ns, "nomadjob/web", "-o", "json"]);
    const resource = JSON.parse(k);
    expect(resource.spec.groups[0]).toMatchObject({ name: "frontend", count: 2 });
    expect(resource.spec.groups[0].tasks[0].config).toEqual({ image: "nginx:1.25" });
  });

  it("reads the job back in Nomad's shape, and lists it with its summary", async () => {
    const job = await call("GET", `/v1/job/web?${q()}`);
    expect(job.status).toBe(200);
    expect(job.headers.get("x-nomad-knownleader")).toBe("true");
    expect(job.json).toMatchObject({
      ID: "web",
      Name: "web",
      Namespace: ns,
      Type: "service",
      Priority: 50,
      Datacenters: [dc],
      TaskGroups: [{ Name: "frontend", Count: 2, Scaling: { Min: 1, Max: 5 } }],
      Stop: false,
      JobModifyIndex: registered.json.JobModifyIndex,
    });
    const evaluation = await eventually(async () => {
      const e = await call("GET", `/v1/evaluation/${specEvaluation(ns, "web", 1)}?${q()}`);
      return e.status === 200 && e.json.Status === "complete" ? e : undefined;
    }, "the registration evaluation to complete");
    expect(evaluation.json).toMatchObject({
      JobID: "web",
      TriggeredBy: "job-register",
      Namespace: ns,
    });

    const list = await eventually(async () => {
      const l = await call("GET", `/v1/jobs?${q()}`);
      return l.json?.[0]?.JobSummary?.Summary?.frontend?.Running === 2 ? l : undefined;
    }, "two running allocations in the job list");
    expect(list.json).toHaveLength(1);
    expect(list.json[0]).toMatchObject({
      ID: "web",
      Type: "service",
      Status: "running",
      Namespace: ns,
    });

    const allocs = await call("GET", `/v1/job/web/allocations?${q()}`);
    expect(allocs.json).toHaveLength(2);
    for (const a of allocs.json)
      expect(a).toMatchObject({
        JobID: "web",
        TaskGroup: "frontend",
        ClientStatus: "running",
        DesiredStatus: "run",
        NodeID: `api-node-${run}`,
      });
    const one = await call("GET", `/v1/allocation/${allocs.json[0].ID}?${q()}`);
    expect(one.json).toMatchObject({ ID: allocs.json[0].ID, Job: { ID: "web" } });
    // Placement metrics, as `nomad alloc status -verbose` shows them, come from the evaluation.
    expect(one.json.Metrics.NodesEvaluated).toBeGreaterThan(0);
    expect(one.json.Metrics.ScoreMetaData[0]).toMatchObject({ NodeID: `api-node-${run}` });
    const evals = await call("GET", `/v1/job/web/evaluations?${q()}`);
    expect(evals.json.map((e: { ID: string }) => e.ID)).toContain(specEvaluation(ns, "web", 1));
    const summary = await call("GET", `/v1/job/web/summary?${q()}`);
    expect(summary.json).toMatchObject({ JobID: "web", Summary: { frontend: { Running: 2 } } });
    const versions = await call("GET", `/v1/job/web/versions?${q()}`);
    expect(versions.json.Versions[0]).toMatchObject({ ID: "web", Version: 0 });
  });

  it("scales like the autoscaler, and a blocking query returns when the allocations change", async () => {
    const before = await call("GET", `/v1/job/web/allocations?${q()}`);
    let index = Number(before.headers.get("x-nomad-index"));
    const block = () => call("GET", `/v1/job/web/allocations?${q()}&index=${index}&wait=60s`);
    let blocked = block();
    // The query waits while nothing changes. Something else may still touch an
    // allocation (health, status): then it answers, and we wait from there.
    let waiting = false;
    for (let i = 0; i < 10 && !waiting; i++) {
      const early = await Promise.race([
        blocked,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 1000)),
      ]);
      if (!early) waiting = true;
      else {
        expect(Number(early.headers.get("x-nomad-index"))).toBeGreaterThan(index);
        index = Number(early.headers.get("x-nomad-index"));
        blocked = block();
      }
    }
    expect(waiting).toBe(true);
    const started = Date.now();

    const tooMany = await call("POST", `/v1/job/web/scale?${q()}`, {
      Count: 9,
      Target: { Group: "frontend" },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.text).toBe("group count was greater than scaling policy maximum: 9 > 5");
    const unscaled = (await call("GET", `/v1/job/web/scale?${q()}`)).json.TaskGroups.frontend;
    const scaled = await call("POST", `/v1/job/web/scale?${q()}`, {
      Count: 3,
      Target: { Group: "frontend" },
      Message: "scaling up",
    });
    expect(scaled.status).toBe(200);
    expect(scaled.json.EvalID).toBe(specEvaluation(ns, "web", 2));
    expect((await evaluationOf(scaled)).json.TriggeredBy).toBe("job-scaling");
    // The scale is recorded as the group's scaling event (`nomad job scaling-events`), readable at once.
    const recorded = await call("GET", `/v1/job/web/scale?${q()}`);
    expect(recorded.json.TaskGroups.frontend.Events).toEqual([
      {
        Time: expect.any(Number),
        Count: 3,
        PreviousCount: unscaled.Desired,
        Message: "scaling up",
        Error: false,
        Meta: null,
        EvalID: scaled.json.EvalID,
        CreateIndex: expect.any(Number),
      },
    ]);
    const [scaleEvent] = recorded.json.TaskGroups.frontend.Events;
    expect(Math.abs(scaleEvent.Time / 1e6 - Date.now())).toBeLessThan(60_000);
    expect(scaleEvent.CreateIndex).toBeGreaterThanOrEqual(scaled.json.EvalCreateIndex);

    const answered = await blocked;
    expect(Number(answered.headers.get("x-nomad-index"))).toBeGreaterThan(index);
    expect(Date.now() - started).toBeLessThan(55_000);

    const status = await eventually(async () => {
      const s = await call("GET", `/v1/job/web/scale?${q()}`);
      return s.json?.TaskGroups?.frontend?.Running === 3 ? s : undefined;
    }, "three running allocations");
    expect(status.json).toMatchObject({
      JobID: "web",
      JobStopped: false,
      TaskGroups: { frontend: { Desired: 3 } },
    });
    // The autoscaler's report without a count is an event too, with no evaluation, newest first.
    const report = await call("POST", `/v1/job/web/scale?${q()}`, {
      Target: { Group: "frontend" },
      Message: "metric unavailable",
      Error: true,
      Meta: { source: "prometheus" },
    });
    expect([report.status, report.json.EvalID]).toEqual([200, ""]);
    const events = (await call("GET", `/v1/job/web/scale?${q()}`)).json.TaskGroups.frontend.Events;
    expect(
      events.map((e: { Count: number | null; Message: string }) => [e.Count, e.Message]),
    ).toEqual([
      [null, "metric unavailable"],
      [3, "scaling up"],
    ]);
    expect(events[0]).toMatchObject({
      PreviousCount: 3,
      Error: true,
      Meta: { source: "prometheus" },
      EvalID: null,
    });
    expect(events[0].CreateIndex).toBeGreaterThan(events[1].CreateIndex);
    expect(report.json.Index).toBeGreaterThanOrEqual(events[0].CreateIndex);
  });

  it("plans a change without making it, reverts to an earlier version and marks versions stable", async () => {
    const current = await call("GET", `/v1/job/web?${q()}`);
    const job = current.json;
    job.TaskGroups[0].Count = 4;
    const plan = await call("POST", `/v1/job/web/plan?${q()}`, { Job: job, Diff: true });
    expect(plan.status).toBe(200);
    expect(plan.json.Diff).toMatchObject({ Type: "Edited", ID: "web" });
    // A count change: one more allocation; the three running ones stay (updated in place, as Nomad does).
    const updates = plan.json.Annotations.DesiredTGUpdates.frontend;
    expect(updates).toMatchObject({ Place: 1, Stop: 0, DestructiveUpdate: 0 });
    expect(updates.Ignore + updates.InPlaceUpdate).toBe(3);
    const after = await call("GET", `/v1/job/web?${q()}`);
    expect(after.json.JobModifyIndex).toBe(current.json.JobModifyIndex);
    expect(after.json.TaskGroups[0].Count).toBe(3);

    const versions = await eventually(async () => {
      const v = await call("GET", `/v1/job/web/versions?${q()}`);
      return v.json.Versions.length === 2 ? v : undefined;
    }, "two versions");
    expect(versions.json.Versions.map((v: { Version: number }) => v.Version)).toEqual([1, 0]);
    // Each version's Submit Date is when it was written (its ControllerRevision), as `nomad job history` shows.
    const revisions = JSON.parse(
      await kubectlOk(kubeconfig, [
        "get",
        "controllerrevisions",
        "-n",
        ns,
        "-l",
        "caravan.dev/job=web",
        "-o",
        "json",
      ]),
    ).items as { revision: number; metadata: { creationTimestamp: string } }[];
    for (const v of versions.json.Versions as { Version: number; SubmitTime: number }[]) {
      const written = revisions.find((r) => r.revision === v.Version)?.metadata.creationTimestamp;
      expect(v.SubmitTime, `version ${v.Version}`).toBe(Date.parse(written ?? "") * 1e6);
    }
    const stable = await call("POST", `/v1/job/web/stable?${q()}`, { JobVersion: 0, Stable: true });
    expect(stable.status).toBe(200);
    const marked = await call("GET", `/v1/job/web/versions?${q()}`);
    expect(marked.json.Versions.find((v: { Version: number }) => v.Version === 0).Stable).toBe(
      true,
    );

    const reverted = await call("POST", `/v1/job/web/revert?${q()}`, {
      JobID: "web",
      JobVersion: 0,
    });
    expect(reverted.status).toBe(200);
    expect(reverted.json.EvalID).toBe(specEvaluation(ns, "web", 3));
    expect((await evaluationOf(reverted)).json.TriggeredBy).toBe("job-register");
    const back = await call("GET", `/v1/job/web?${q()}`);
    expect(back.json.TaskGroups[0].Count).toBe(2);
    const missing = await call("POST", `/v1/job/web/revert?${q()}`, { JobVersion: 42 });
    expect([missing.status, missing.text]).toEqual([
      500,
      `job "web" in namespace "${ns}" at version 42 not found`,
    ]);
    await eventually(async () => {
      const v = await call("GET", `/v1/job/web/versions?${q()}`);
      return v.json.Versions[0]?.Version === 2 ? v : undefined;
    }, "the revert recorded as version 2");
  });

  it("serves scaling policies and search, and stops an allocation so it is replaced", async () => {
    const policies = await call("GET", `/v1/scaling/policies?${q()}`);
    expect(policies.json).toHaveLength(1);
    expect(policies.json[0]).toMatchObject({
      Type: "horizontal",
      Enabled: true,
      Target: { Namespace: ns, Job: "web", Group: "frontend" },
    });
    const policy = await call("GET", `/v1/scaling/policy/${policies.json[0].ID}?${q()}`);
    expect(policy.json).toMatchObject({ Min: 1, Max: 5, Target: { Job: "web" } });
    const evaluated = await call("POST", `/v1/job/web/evaluate?${q()}`, {});
    expect(evaluated.status).toBe(200);
    await evaluationOf(evaluated);
    const forced = await eventually(async () => {
      const e = await call("GET", `/v1/evaluation/${evaluated.json.EvalID}?${q()}`);
      return e.json?.Status === "complete" ? e : undefined;
    }, "the forced evaluation to complete");
    expect(forced.json).toMatchObject({ JobID: "web", TriggeredBy: "job-register" });
    const search = await call("POST", `/v1/search?${q()}`, { Prefix: "we", Context: "jobs" });
    expect(search.json.Matches.jobs).toEqual(["web"]);
    // A forced collection takes what is terminal now, whatever its age.
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadEvaluation",
        metadata: { name: "finished", namespace: ns },
        spec: { jobName: "gone", type: "service", priority: 50, triggeredBy: "job-register" },
      }),
    );
    await kubectlOk(kubeconfig, [
      ...["patch", "nomadevaluation", "finished", "-n", ns],
      ...["--subresource=status", "--type=merge", "-p", '{"status":{"status":"complete"}}'],
    ]);
    await eventually(
      async () =>
        (await call("GET", `/v1/evaluation/finished?${q()}`)).status === 200 ? true : undefined,
      "the finished evaluation in the API",
    );
    const gc = await call("PUT", "/v1/system/gc");
    expect(gc.status).toBe(200);
    expect(
      (await kubectl(kubeconfig, ["get", "nomadevaluation/finished", "-n", ns])).code,
    ).not.toBe(0);
    expect((await call("PUT", "/v1/system/reconcile/summaries")).status).toBe(200);

    const allocs = await call("GET", `/v1/job/web/allocations?${q()}`);
    const victim = allocs.json.find((a: { DesiredStatus: string }) => a.DesiredStatus === "run");
    const stop = await call("POST", `/v1/allocation/${victim.ID}/stop?${q()}`);
    expect(stop.status).toBe(200);
    expect(stop.json.EvalID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    const stopEval = await call("GET", `/v1/evaluation/${stop.json.EvalID}?${q()}`);
    expect([stopEval.status, stopEval.json?.TriggeredBy]).toEqual([200, "alloc-stop"]);
    await eventually(
      async () => {
        const now = await call("GET", `/v1/job/web/allocations?${q()}`);
        const stopped = now.json.find((a: { ID: string }) => a.ID === victim.ID);
        const running = now.json.filter(
          (a: { DesiredStatus: string; ClientStatus: string }) =>
            a.DesiredStatus === "run" && a.ClientStatus === "running",
        );
        return stopped?.DesiredStatus !== "run" && running.length === 2 ? now : undefined;
      },
      "the stopped allocation to be replaced",
      60_000,
    );
  });

  it("dispatches parameterized jobs and forces periodic ones; child IDs hold slashes", async () => {
    const group = [{ Name: "g", Tasks: [{ Name: "t", Driver: "docker", Config: { image: "x" } }] }];
    const parent = await call("POST", `/v1/jobs?${q()}`, {
      Job: {
        ID: "report",
        Type: "batch",
        Datacenters: ["nowhere"],
        ParameterizedJob: { Payload: "optional", MetaRequired: ["customer"] },
        TaskGroups: group,
        // A field of a newer Nomad: stored without it, and the answer says so.
        FutureSetting: { Enabled: true },
      },
    });
    expect(parent.status).toBe(200);
    // A parameterized parent is never scheduled: no evaluation, as in Nomad.
    expect(parent.json.EvalID).toBe("");
    expect(parent.json.Warnings).toBe(
      "1 warning:\n\n* Caravan does not support these fields and ignored them: spec.futureSetting",
    );
    const missing = await call("POST", `/v1/job/report/dispatch?${q()}`, { Meta: {} });
    expect([missing.status, missing.text]).toEqual([
      400,
      "Dispatch did not provide required meta keys: [customer]",
    ]);
    const body = {
      Meta: { customer: "acme" },
      Payload: Buffer.from("hello").toString("base64"),
      IdempotencyToken: "once",
    };
    const dispatched = await call("POST", `/v1/job/report/dispatch?${q()}`, body);
    expect(dispatched.status).toBe(200);
    const childID: string = dispatched.json.DispatchedJobID;
    expect(childID).toMatch(/^report\/dispatch-\d+-[0-9a-f]{8}$/);
    expect((await evaluationOf(dispatched)).json).toMatchObject({ JobID: childID });
    const again = await call("POST", `/v1/job/report/dispatch?${q()}`, body);
    expect(again.json.DispatchedJobID).toBe(childID);
    for (const path of [childID, encodeURIComponent(childID)]) {
      const child = await call("GET", `/v1/job/${path}?${q()}`);
      expect(child.json).toMatchObject({ ID: childID, ParentID: "report", Dispatched: true });
      expect(child.json.Meta).toMatchObject({ customer: "acme" });
    }

    const periodic = await call("POST", `/v1/jobs?${q()}`, {
      Job: {
        ID: "nightly",
        Type: "batch",
        Datacenters: ["nowhere"],
        Periodic: { Spec: "0 3 1 1 *", SpecType: "cron", Enabled: true },
        TaskGroups: group,
      },
    });
    expect(periodic.status).toBe(200);
    expect(periodic.json.EvalID).toBe("");
    const parentEval = await call("POST", `/v1/job/nightly/evaluate?${q()}`, {});
    expect([parentEval.status, parentEval.text]).toEqual([400, "can't evaluate periodic job"]);
    const forced = await call("POST", `/v1/job/nightly/periodic/force?${q()}`);
    expect(forced.status).toBe(200);
    expect(forced.json.DispatchedJobID).toMatch(/^nightly\/periodic-\d+$/);
    expect((await evaluationOf(forced)).json.JobID).toBe(forced.json.DispatchedJobID);
    // The CLI's prefix lookups (nomad job dispatch, nomad job periodic force)
    // find the parents, not their children.
    const lookup = async (prefix: string, filter: string) =>
      (
        await call(
          "GET",
          `/v1/jobs?${q()}&prefix=${prefix}&per_page=20&filter=${encodeURIComponent(filter)}`,
        )
      ).json.map((j: { ID: string }) => j.ID);
    expect(await lookup("rep", 'ParentID == "" and ParameterizedJob is not nil')).toEqual([
      "report",
    ]);
    expect(await lookup("", "Periodic is not nil")).toEqual(["nightly"]);
    expect(await lookup("report", 'ParentID == "report"')).toEqual([childID]);
    const unevaluable = await call(
      "GET",
      `/v1/jobs?${q()}&filter=${encodeURIComponent("Status is nil")}`,
    );
    expect([unevaluable.status, unevaluable.text]).toEqual([
      400,
      'failed to read result page: cannot perform is-nil operations on type string for selector: "Status"',
    ]);
    const notPeriodic = await call("POST", `/v1/job/report/periodic/force?${q()}`);
    expect([notPeriodic.status, notPeriodic.text]).toEqual([
      400,
      "can't force launch non-periodic job",
    ]);
    for (const id of ["report", "nightly"])
      expect((await call("DELETE", `/v1/job/${id}?${q()}&purge=true`)).status).toBe(200);
    // As in Nomad, purging a parent leaves its children; they are purged on their own.
    for (const id of [childID, forced.json.DispatchedJobID as string]) {
      const path = `/v1/job/${encodeURIComponent(id)}`;
      expect((await call("GET", `${path}?${q()}`)).status).toBe(200);
      expect((await call("DELETE", `${path}?${q()}&purge=true`)).status).toBe(200);
    }
  });

  it("pauses and resumes the job's deployment", async () => {
    const ds = await eventually(async () => {
      const r = await call("GET", `/v1/job/web/deployments?${q()}`);
      return r.json?.length ? r : undefined;
    }, "a deployment of the job");
    const latest = await call("GET", `/v1/job/web/deployment?${q()}`);
    expect(latest.json.ID).toBe(ds.json[0].ID);
    const d = ds.json[0];
    expect(d).toMatchObject({ JobID: "web", Namespace: ns });
    // The evaluation that placed the deployment's allocations names it, as
    // Nomad's does: `nomad job run` monitors that deployment after the evaluation.
    const evals = await call("GET", `/v1/job/web/evaluations?${q()}`);
    expect(evals.json.map((e: { DeploymentID: string }) => e.DeploymentID)).toContain(d.ID);
    // `nomad deployment status -verbose` lists the deployment's allocations.
    const allocs = await call("GET", `/v1/job/web/allocations?${q()}`);
    const inDeployment = allocs.json
      .filter((a: { DeploymentID: string }) => a.DeploymentID === d.ID)
      .map((a: { ID: string }) => a.ID)
      .sort();
    const placed = await call("GET", `/v1/deployment/allocations/${d.ID}?${q()}`);
    expect(placed.status).toBe(200);
    expect(placed.json.map((a: { ID: string }) => a.ID).sort()).toEqual(inDeployment);
    expect(inDeployment.length).toBeGreaterThan(0);
    expect((await call("GET", `/v1/deployment/allocations/nope?${q()}`)).status).toBe(404);
    const terminal = ["successful", "failed", "cancelled"].includes(d.Status);
    const pause = await call("POST", `/v1/deployment/pause/${d.ID}?${q()}`, { Pause: true });
    if (terminal) {
      expect([pause.status, pause.text]).toEqual([
        400,
        `can't change deployment in terminal state ${d.Status}`,
      ]);
      return;
    }
    expect(pause.status).toBe(200);
    // As Nomad's deployment watcher, a pause makes no evaluation, and the
    // deployment reads back paused as soon as the answer comes.
    expect(pause.json.EvalID).toBe("");
    const pausedRead = await call("GET", `/v1/deployment/${d.ID}?${q()}`);
    expect(pausedRead.json.Status).toBe("paused");
    const paused = JSON.parse(
      await kubectlOk(kubeconfig, ["get", "-n", ns, `nomaddeployment/${d.ID}`, "-o", "json"]),
    );
    expect(paused.spec.paused).toBe(true);
    const promote = await call("POST", `/v1/deployment/promote/${d.ID}?${q()}`, {});
    expect([promote.status, promote.text]).toEqual([400, "must set All or Groups"]);
    const resume = await call("POST", `/v1/deployment/pause/${d.ID}?${q()}`, { Pause: false });
    expect(resume.status).toBe(200);
    // A resume answers the evaluation it made for the deployment, readable at once.
    expect(resume.json.EvalID).toMatch(/^[0-9a-f-]{36}$/);
    const resumedEval = await call("GET", `/v1/evaluation/${resume.json.EvalID}?${q()}`);
    expect(resumedEval.json).toMatchObject({
      JobID: "web",
      TriggeredBy: "deployment-watcher",
      DeploymentID: d.ID,
    });
    expect((await call("GET", `/v1/deployment/${d.ID}?${q()}`)).json.Status).not.toBe("paused");
    // The deployment carries the indexes of the job it rolls out, as the job's JSON shows them.
    const jobRead = await call("GET", `/v1/job/web?${q()}`);
    const withIndexes = await call("GET", `/v1/deployment/${d.ID}?${q()}`);
    expect(withIndexes.json).toMatchObject({
      JobCreateIndex: jobRead.json.CreateIndex,
      JobSpecModifyIndex: jobRead.json.JobModifyIndex,
      JobModifyIndex: jobRead.json.JobModifyIndex,
    });
    expect(jobRead.json.CreateIndex).toBeGreaterThan(0);
    const missing = await call("POST", `/v1/deployment/fail/nope?${q()}`, {});
    expect([missing.status, missing.text]).toEqual([404, "deployment not found"]);
  });

  it("a blocking query with nothing new returns after its wait with the same index", async () => {
    const first = await call("GET", `/v1/job/web?${q()}`);
    const index = Number(first.headers.get("x-nomad-index"));
    const t0 = Date.now();
    const again = await call("GET", `/v1/job/web?${q()}&index=${index + 1_000_000}&wait=1s`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(again.status).toBe(200);
  });

  it("lists a NomadJob applied with kubectl: one source of truth", async () => {
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadJob",
        metadata: { name: "from-kubectl", namespace: ns },
        spec: {
          datacenters: ["nowhere"],
          groups: [{ name: "g", tasks: [{ name: "t", driver: "docker", config: { image: "x" } }] }],
        },
      }),
    );
    const list = await eventually(async () => {
      const l = await call("GET", `/v1/jobs?${q()}`);
      return l.json?.length === 2 ? l : undefined;
    }, "the kubectl job in /v1/jobs");
    expect(list.json.map((j: { ID: string }) => j.ID)).toEqual(["from-kubectl", "web"]);
    // Defaults a kubectl user left out read as Nomad fills them in.
    const job = await call("GET", `/v1/job/from-kubectl?${q()}`);
    expect(job.json).toMatchObject({ Type: "service", Priority: 50, TaskGroups: [{ Count: 1 }] });

    const prefixed = await call("GET", `/v1/jobs?${q()}&prefix=from`);
    expect(prefixed.json.map((j: { ID: string }) => j.ID)).toEqual(["from-kubectl"]);
    const filtered = await call(
      "GET",
      `/v1/jobs?${q()}&filter=${encodeURIComponent('Status == "running"')}`,
    );
    expect(filtered.json.map((j: { ID: string }) => j.ID)).toEqual(["web"]);
    const page = await call("GET", `/v1/jobs?${q()}&per_page=1`);
    expect(page.json.map((j: { ID: string }) => j.ID)).toEqual(["from-kubectl"]);
    expect(page.headers.get("x-nomad-nexttoken")).toBe("web");
    const next = await call("GET", `/v1/jobs?${q()}&per_page=1&next_token=web`);
    expect(next.json.map((j: { ID: string }) => j.ID)).toEqual(["web"]);
    expect(next.headers.get("x-nomad-nexttoken")).toBeNull();
    const everywhere = await call("GET", "/v1/jobs?namespace=*");
    expect(
      everywhere.json.map((j: { ID: string; Namespace: string }) => `${j.Namespace}/${j.ID}`),
    ).toEqual([`${ns}/from-kubectl`, `${ns}/web`]);
    const otherRegion = await call("GET", `/v1/jobs?${q()}&region=mars`);
    expect([otherRegion.status, otherRegion.text]).toEqual([400, 'No path to region "mars"']);
    expect((await call("GET", `/v1/jobs?${q()}&region=global`)).status).toBe(200);
    const badFilter = await call("GET", `/v1/jobs?${q()}&filter=${encodeURIComponent("Status =")}`);
    expect(badFilter.status).toBe(400);
    expect(badFilter.text).toBe(
      'failed to create result paginator: failed to read filter expression: 1:8 (7): no match found, expected: "!=", "==", "contains", "in", "is", "matches", "not" or [ \\t\\r\\n]',
    );
  });

  it("answers bad requests with Nomad's errors and changes nothing", async () => {
    const rv = async () =>
      JSON.parse(await kubectlOk(kubeconfig, ["get", "-n", ns, "nomadjob/web", "-o", "json"]))
        .metadata.resourceVersion;
    const before = await rv();
    const notFound = await call("GET", `/v1/job/nope?${q()}`);
    expect([notFound.status, notFound.text]).toEqual([404, "job not found"]);
    const badJson = await call("POST", `/v1/jobs?${q()}`, undefined, undefined, '{"Job": {');
    expect(badJson.status).toBe(400);
    expect(badJson.text).toMatch(/^Failed to decode request body/);
    const invalid = await call("POST", `/v1/jobs?${q()}`, {
      Job: {
        ID: "web",
        TaskGroups: [
          { Name: "frontend", Count: -1, Tasks: [{ Name: "server", Driver: "docker" }] },
        ],
      },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.text).toMatch(/count cannot be negative/);
    const mismatch = await call("POST", `/v1/job/other?${q()}`, { Job: { ID: "web" } });
    expect([mismatch.status, mismatch.text]).toEqual([400, "Job ID does not match name"]);
    expect(await postOversized(`${api.url}/v1/jobs?${q()}`, 9 * 1024 * 1024, false)).toBe(413);
    expect(await postOversized(`${api.url}/v1/jobs?${q()}`, 9 * 1024 * 1024, true)).toBe(413);
    const utf8 = await call(
      "POST",
      `/v1/jobs?${q()}`,
      undefined,
      undefined,
      Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
    );
    expect([utf8.status, utf8.text]).toEqual([
      400,
      "Failed to decode request body: not valid UTF-8",
    ]);
    const deep = await call(
      "POST",
      `/v1/jobs?${q()}`,
      undefined,
      undefined,
      `${"[".repeat(5000)}${"]".repeat(5000)}`,
    );
    expect(deep.status).toBe(400);
    const method = await call("DELETE", "/v1/jobs");
    expect(method.status).toBe(405);
    expect(await rv()).toBe(before);
  });

  it("registers a task's deprecated network with Nomad's warning, and reads it back", async () => {
    const legacy = {
      ID: "legacy-net",
      Type: "batch",
      Datacenters: ["nowhere"],
      TaskGroups: [
        {
          Name: "g",
          Tasks: [
            {
              Name: "t",
              Driver: "raw_exec",
              Config: { command: "/bin/true" },
              Resources: {
                Networks: [{ MBits: 10, DynamicPorts: [{ Label: "db" }] }],
              },
            },
          ],
        },
      ],
    };
    const run = await call("PUT", `/v1/jobs?${q()}`, { Job: legacy });
    expect(run.status).toBe(200);
    expect(run.json.Warnings).toMatch(
      /task "t": task network resources have been deprecated as of Nomad 0\.12\.0/,
    );
    const read = await call("GET", `/v1/job/legacy-net?${q()}`);
    expect(read.json.TaskGroups[0].Tasks[0].Resources.Networks).toMatchObject([
      { MBits: 10, DynamicPorts: [{ Label: "db" }] },
    ]);
  });

  it("registers the job `nomad job run` sends for a dynamic port and a Nomad service, Go's zero values and all", async () => {
    // The request body the nomad CLI (2.x) sent for nomad-cli-job-run.json's
    // Submission.Source: every unset string "", every unset number 0.
    const body = JSON.parse(
      readFileSync(new URL("./nomad-cli-job-run.json", import.meta.url), "utf8"),
    );
    body.Job.Datacenters = [dc];
    const run = await call("PUT", `/v1/jobs?${q()}`, body);
    expect([run.status, run.text.slice(0, 200)]).toEqual([200, expect.any(String)]);
    // Nomad's own warning for this job, word for word.
    expect(run.json.Warnings).toBe(
      '1 warning:\n\n* group "web" defines services, but neither the group nor any of its tasks have shutdown_delay set',
    );
    // Go's "" is Nomad's default: the network's mode is host, the service's address mode auto.
    const stored = JSON.parse(
      await kubectlOk(kubeconfig, ["get", "-n", ns, "nomadjob/cli-web", "-o", "json"]),
    );
    expect(stored.spec.groups[0].networks).toEqual([
      { ports: [{ label: "http", ignoreCollision: false }] },
    ]);
    const job = await call("GET", `/v1/job/cli-web?${q()}`);
    expect(job.json.TaskGroups[0].Networks[0].DynamicPorts).toEqual([
      expect.objectContaining({ Label: "http" }),
    ]);
    expect(job.json.TaskGroups[0].Services[0]).toMatchObject({
      Name: "cli-web",
      PortLabel: "http",
      Provider: "nomad",
      AddressMode: "auto",
    });
    // Placed with a port picked for it.
    const alloc = await eventually(async () => {
      const l = await call("GET", `/v1/job/cli-web/allocations?${q()}`);
      const id = l.json?.[0]?.ID;
      return id ? (await call("GET", `/v1/allocation/${id}?${q()}`)).json : undefined;
    }, "an allocation of the CLI's job");
    expect(alloc.AllocatedResources.Shared.Ports).toEqual([
      expect.objectContaining({ Label: "http", Value: expect.any(Number) }),
    ]);
    expect(alloc.AllocatedResources.Shared.Ports[0].Value).toBeGreaterThan(0);
    expect((await call("DELETE", `/v1/job/cli-web?${q()}&purge=true`)).status).toBe(200);
  });

  it("stops, then purges the job", async () => {
    const stopped = await call("DELETE", `/v1/job/web?${q()}`);
    expect(stopped.status).toBe(200);
    expect((await evaluationOf(stopped)).json.TriggeredBy).toBe("job-deregister");
    const job = await call("GET", `/v1/job/web?${q()}`);
    expect(job.json.Stop).toBe(true);
    await eventually(async () => {
      const a = await call("GET", `/v1/job/web/allocations?${q()}`);
      return a.json.every((x: { DesiredStatus: string }) => x.DesiredStatus === "stop")
        ? a
        : undefined;
    }, "allocations told to stop");
    const purged = await call("DELETE", `/v1/job/web?${q()}&purge=true`);
    expect(purged.status).toBe(200);
    // As Nomad's Job.Deregister, a purge makes an evaluation even of a stopped job.
    expect(purged.json.EvalID).toMatch(/^[0-9a-f-]{36}$/);
    expect(purged.json.EvalID).not.toBe(stopped.json.EvalID);
    expect(purged.json.EvalCreateIndex).toBeGreaterThan(0);
    expect((await evaluationOf(purged)).json).toMatchObject({
      JobID: "web",
      TriggeredBy: "job-deregister",
    });
    await eventually(async () => {
      const g = await call("GET", `/v1/job/web?${q()}`);
      return g.status === 404 ? g : undefined;
    }, "the job to be gone");
    const k = await kubectl(kubeconfig, ["get", "-n", ns, "nomadjob/web"]);
    expect(k.code).not.toBe(0);
  });

  it("serves nodes, drain and eligibility, agent and status endpoints", async () => {
    const nodes = await call("GET", "/v1/nodes");
    expect(nodes.json.map((n: { ID: string }) => n.ID)).toContain(`api-node-${run}`);
    const n = await call("GET", `/v1/node/api-node-${run}`);
    expect(n.json).toMatchObject({ ID: `api-node-${run}`, Status: "ready", Datacenter: dc });
    const bad = await call("POST", `/v1/node/api-node-${run}/eligibility`, {
      Eligibility: "maybe",
    });
    expect(bad.status).toBe(400);
    const drain = await call("POST", `/v1/node/api-node-${run}/drain`, {
      DrainSpec: { Deadline: 60e9, IgnoreSystemJobs: true },
    });
    expect(drain.status).toBe(200);
    // The drain is recorded; with nothing on the node, a drainer may finish it at once.
    await eventually(async () => {
      const n = JSON.parse(
        await kubectlOk(kubeconfig, ["get", `nomadnode/api-node-${run}`, "-o", "json"]),
      );
      const asked = n.spec.drain?.deadline === "1m" && n.spec.drain?.ignoreSystemJobs === true;
      const done = ["draining", "complete"].includes(n.status?.lastDrain?.status);
      return n.spec.eligibility === "ineligible" && (asked || done) ? n : undefined;
    }, "the drain on the node");
    const cancel = await call("POST", `/v1/node/api-node-${run}/drain`, {
      DrainSpec: null,
      MarkEligible: true,
    });
    expect(cancel.status).toBe(200);
    const after = JSON.parse(
      await kubectlOk(kubeconfig, ["get", `nomadnode/api-node-${run}`, "-o", "json"]),
    );
    expect(after.spec.drain).toBeUndefined();
    expect(after.spec.eligibility).toBe("eligible");

    expect((await call("GET", "/v1/status/leader")).json).toMatch(/:4647$/);
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadNodePool",
        metadata: { name: `gpu-${run}` },
        spec: {
          description: "GPU nodes",
          schedulerConfiguration: { schedulerAlgorithm: "spread" },
        },
      }),
    );
    const pools = await eventually(async () => {
      const r = await call("GET", "/v1/node/pools");
      return r.json?.some((p: { Name: string }) => p.Name === `gpu-${run}`) ? r : undefined;
    }, "the node pool in /v1/node/pools");
    expect(pools.json.map((p: { Name: string }) => p.Name)).toEqual(
      expect.arrayContaining(["all", "default", `gpu-${run}`]),
    );
    const pool = await call("GET", `/v1/node/pool/gpu-${run}`);
    expect(pool.json).toMatchObject({
      Name: `gpu-${run}`,
      Description: "GPU nodes",
      SchedulerConfiguration: { SchedulerAlgorithm: "spread" },
    });
    expect((await call("GET", "/v1/node/pool/nope")).status).toBe(404);
    expect((await call("GET", "/v1/regions")).json).toEqual(["global"]);
    expect((await call("GET", "/v1/agent/health")).json).toEqual({
      server: { ok: true, message: "ok" },
    });
    const self = await call("GET", "/v1/agent/self");
    expect(self.json.config).toMatchObject({ Region: "global", Datacenter: "dc1" });
    // A server alone (`caravan controller`) is no client: `nomad node status -self`
    // then says "Nomad not running in client mode", as against a Nomad server.
    expect(self.json.stats.client).toBeUndefined();
    expect(self.json.stats.nomad).toMatchObject({ server: "true" });
    const metrics = await call("GET", "/v1/metrics?format=prometheus");
    expect(metrics.text).toMatch(/nomad_nomad_broker_total_ready/);
    const metricsJson = await call("GET", "/v1/metrics");
    expect(metricsJson.json.Gauges.map((g: { Name: string }) => g.Name)).toContain(
      "nomad_nomad_broker_total_ready",
    );
  });
});
