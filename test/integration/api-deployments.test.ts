// A service job's versions and deployments through Nomad's HTTP API, in the
// order the CLI survey drives them: an in-place update (only the restart
// policy changed) starts a deployment of the new version that the same
// allocations join and that succeeds once they are healthy again; a stopped
// allocation is replaced without a new deployment, and its evaluation names
// the job's latest deployment, so `nomad alloc stop` ends as it does against
// Nomad.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type RunningApi, startApi } from "../../src/api/index.js";
import { createLogger } from "../../src/common/log.js";
import { defaultAgentConfig } from "../../src/config/agent-config.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { createControllerMetrics } from "../../src/metrics/registry.js";
import { createNamespace, eventually } from "../support/kubectl.js";
import { type NodeHandle, registerNode } from "../support/nodes.js";
import { type SimulatedAgent, simulateAgent } from "../support/simulated-agent.js";
import { type ApiAnswer, apiClient } from "./api-client.js";

const kubeconfig = inject("kubeconfig");
const run = Math.random().toString(36).slice(2, 7);
const dc = `apidep-${run}`;
const MIN_HEALTHY_MS = 2_000;

const hcl = (groupExtra: string) => `
job "web" {
  datacenters = ["${dc}"]
  update {
    min_healthy_time = "2s"
    healthy_deadline = "30s"
  }
  group "web" {
    count = 2
${groupExtra}
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

interface Deployment {
  ID: string;
  JobVersion: number;
  Status: string;
  TaskGroups: Record<
    string,
    { DesiredTotal: number; PlacedAllocs: number; HealthyAllocs: number; ProgressDeadline: number }
  >;
}

describe("Nomad HTTP API: deployments of in-place updates", () => {
  let ns: string;
  let api: RunningApi;
  let controllers: Controllers;
  let node: NodeHandle;
  let agent: SimulatedAgent;
  let call: ReturnType<typeof apiClient>;
  const q = () => `namespace=${ns}`;

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "apidep");
    const kc = loadKubeConfig(kubeconfig);
    const log = createLogger({ level: "warn", json: false });
    node = await registerNode(kubeconfig, { name: `apidep-node-${run}`, datacenter: dc });
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

  async function register(groupExtra: string): Promise<ApiAnswer> {
    const parsed = await call("POST", `/v1/jobs/parse?${q()}`, {
      JobHCL: hcl(groupExtra),
      Canonicalize: true,
    });
    expect(parsed.status).toBe(200);
    const answer = await call("POST", `/v1/jobs?${q()}`, { Job: parsed.json });
    expect(answer.status).toBe(200);
    return answer;
  }

  async function completed(evalId: string): Promise<ApiAnswer> {
    return eventually(async () => {
      const e = await call("GET", `/v1/evaluation/${evalId}?${q()}`);
      return e.json?.Status === "complete" ? e : undefined;
    }, `evaluation ${evalId} to complete`);
  }

  async function deployments(): Promise<Deployment[]> {
    return (await call("GET", `/v1/job/web/deployments?${q()}`)).json as Deployment[];
  }

  async function succeeded(version: number): Promise<Deployment> {
    return eventually(
      async () =>
        (await deployments()).find((d) => d.JobVersion === version && d.Status === "successful"),
      `the version ${version} deployment to succeed`,
      60_000,
    );
  }

  it("an in-place update starts a deployment the same allocations join, healthy again after min_healthy_time", async () => {
    await register("");
    await succeeded(0);
    const before = (await call("GET", `/v1/job/web/allocations?${q()}`)).json as { ID: string }[];
    expect(before).toHaveLength(2);

    const updated = await register("    restart {\n      attempts = 5\n    }\n");
    const evaluation = await completed(updated.json.EvalID);
    const deployment = await succeeded(1);
    // The evaluation names the deployment and lists the allocations it modified.
    expect(evaluation.json.DeploymentID).toBe(deployment.ID);
    const modified = (await call("GET", `/v1/evaluation/${updated.json.EvalID}/allocations?${q()}`))
      .json as { ID: string }[];
    expect(modified.map((a) => a.ID).sort()).toEqual(before.map((a) => a.ID).sort());
    expect(deployment.TaskGroups.web).toMatchObject({
      DesiredTotal: 2,
      PlacedAllocs: 2,
      HealthyAllocs: 2,
      // Nomad's default progress_deadline, 10m in nanoseconds: the CLI's Progress Deadline column.
      ProgressDeadline: 600_000_000_000,
    });
    // Healthy again in the new deployment, judged from the update on.
    const evalCreated = evaluation.json.CreateTime / 1e6;
    for (const { ID } of before) {
      const a = await call("GET", `/v1/allocation/${ID}?${q()}`);
      expect(a.json).toMatchObject({ JobVersion: 1, DeploymentID: deployment.ID });
      expect(a.json.DeploymentStatus.Healthy).toBe(true);
      const healthyAt = Date.parse(a.json.DeploymentStatus.Timestamp);
      expect(healthyAt - evalCreated).toBeGreaterThanOrEqual(MIN_HEALTHY_MS - 500);
    }
    const versions = await call("GET", `/v1/job/web/versions?${q()}`);
    expect(
      versions.json.Versions.map((v: { Version: number; Stable: boolean }) => [
        v.Version,
        v.Stable,
      ]),
    ).toEqual([
      [1, true],
      [0, true],
    ]);
  }, 120_000);

  it("a stopped allocation is replaced without a new deployment; its evaluation names the latest one", async () => {
    const [latest] = await deployments();
    expect(latest?.JobVersion).toBe(1);
    const allocs = (await call("GET", `/v1/job/web/allocations?${q()}`)).json as {
      ID: string;
      DesiredStatus: string;
    }[];
    const victim = allocs.find((a) => a.DesiredStatus === "run");
    const stop = await call("POST", `/v1/allocation/${victim?.ID}/stop?${q()}`);
    expect(stop.status).toBe(200);
    const evaluation = await completed(stop.json.EvalID);
    expect(evaluation.json.DeploymentID).toBe(latest?.ID);
    const replacement = await eventually(async () => {
      const now = (await call("GET", `/v1/job/web/allocations?${q()}`)).json as {
        ID: string;
        PreviousAllocation: string;
        ClientStatus: string;
        DeploymentID: string;
      }[];
      return now.find((a) => a.PreviousAllocation === victim?.ID && a.ClientStatus === "running");
    }, "the stopped allocation to be replaced");
    expect(replacement.DeploymentID).toBe("");
    const after = await deployments();
    expect(after.map((d) => [d.JobVersion, d.Status])).toEqual([
      [1, "successful"],
      [0, "successful"],
    ]);
  }, 120_000);

  it("reverts as Nomad does: errors for the current or a missing version, a new version otherwise, and the same spec again is only evaluated", async () => {
    const revert = (body: Record<string, unknown>) =>
      call("POST", `/v1/job/web/revert?${q()}`, { JobID: "web", ...body });
    expect(await revert({ JobVersion: 1 }).then((r) => [r.status, r.text])).toEqual([
      500,
      "can't revert to current version",
    ]);
    expect(await revert({ JobVersion: 7 }).then((r) => [r.status, r.text])).toEqual([
      500,
      `job "web" in namespace "${ns}" at version 7 not found`,
    ]);
    expect(
      await revert({ JobVersion: 0, EnforcePriorVersion: 0 }).then((r) => [r.status, r.text]),
    ).toEqual([500, "Current job has version 1; enforcing version 0"]);

    const reverted = await revert({ JobVersion: 0 });
    expect(reverted.status).toBe(200);
    await completed(reverted.json.EvalID);
    const v2 = await succeeded(2);

    // Version 2 has version 0's spec: reverting to 0 again, or registering it
    // again, makes no version 3 but a new evaluation each time.
    const again = await revert({ JobVersion: 0 });
    expect(again.status).toBe(200);
    expect(again.json.EvalID).not.toBe(reverted.json.EvalID);
    const evaluation = await completed(again.json.EvalID);
    expect(evaluation.json.DeploymentID).toBe(v2.ID);
    const registered = await register("");
    expect([again.json.EvalID, reverted.json.EvalID]).not.toContain(registered.json.EvalID);
    await completed(registered.json.EvalID);

    const versions = (await call("GET", `/v1/job/web/versions?${q()}`)).json.Versions as {
      Version: number;
      Stable: boolean;
      SubmitTime: number;
    }[];
    expect(versions.map((v) => [v.Version, v.Stable])).toEqual([
      [2, true],
      [1, true],
      [0, true],
    ]);
    // `nomad job history -p`: what each version changed from the one before it.
    const diffs = (await call("GET", `/v1/job/web/versions?diffs=true&${q()}`)).json.Diffs;
    expect(diffs).toHaveLength(2);
    expect(diffs[0].TaskGroups[0].Objects[0]).toMatchObject({
      Type: "Edited",
      Name: "RestartPolicy",
      Fields: expect.arrayContaining([
        { Type: "Edited", Name: "Attempts", Old: "5", New: "2", Annotations: null },
      ]),
    });
    // Each version carries its own submit time.
    const [t2, t1, t0] = versions.map((v) => v.SubmitTime);
    expect(t2).toBeGreaterThan(t1 ?? 0);
    expect(t1).toBeGreaterThan(t0 ?? 0);
  }, 120_000);
});
