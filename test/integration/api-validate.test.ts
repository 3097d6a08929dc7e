// `nomad job validate` through the API: PUT /v1/validate/job over a real API
// server answers what the CLI reads (DriverConfigValidated, Error,
// ValidationErrors, Warnings) with the rules and warnings a registration
// applies and the drivers' config checks, a job breaking them is a 200 naming
// each problem, a body without a job is a 400, and nothing is written.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type RunningApi, startApi } from "../../src/api/index.js";
import { createLogger } from "../../src/common/log.js";
import { defaultAgentConfig } from "../../src/config/agent-config.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { createControllerMetrics } from "../../src/metrics/registry.js";
import { createNamespace, kubectlOk } from "../support/kubectl.js";
import { apiClient } from "./api-client.js";

const kubeconfig = inject("kubeconfig");

/** A job file with `group` as its one group's body. */
const jobFile = (group: string) => `
job "web" {
  group "g" {
${group}
  }
}
`;

const task = `
    task "t" {
      driver = "docker"
      config {
        image = "nginx:1.25"
      }
    }`;

describe("Nomad HTTP API: job validate", () => {
  let ns: string;
  let api: RunningApi;
  let call: ReturnType<typeof apiClient>;
  const q = () => `namespace=${ns}`;

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "validate");
    api = await startApi(
      loadKubeConfig(kubeconfig),
      { ...defaultAgentConfig(), ports: { http: 0 } },
      createLogger({ level: "warn", json: false }),
      { registry: createControllerMetrics().registry, secretNamespace: ns, namespace: ns },
    );
    call = apiClient(api.url);
  });
  afterAll(async () => {
    await api?.close();
  });

  /** The job file as the CLI sends it: parsed, not canonicalized, in the test's namespace. */
  async function apiJob(hcl: string): Promise<Record<string, unknown>> {
    const parsed = await call("POST", `/v1/jobs/parse?${q()}`, { JobHCL: hcl });
    expect(parsed.status, parsed.text).toBe(200);
    return { ...parsed.json, Namespace: ns };
  }

  async function validate(job: unknown) {
    const answer = await call("PUT", `/v1/validate/job?${q()}`, { Job: job });
    expect(answer.status, answer.text).toBe(200);
    return answer.json;
  }

  it("answers a valid job with no errors and DriverConfigValidated, so the CLI does not validate locally", async () => {
    const job = await apiJob(jobFile(`    count = 2\n${task}`));
    expect(await validate(job)).toEqual({
      DriverConfigValidated: true,
      Error: "",
      ValidationErrors: null,
      Warnings: "",
    });
  });

  it("answers a job breaking the rules with a 200 naming each problem, as a registration refuses it", async () => {
    const hcl = jobFile(`    count = -1
    network {
      port "http" {}
    }
    service {
      name     = "web"
      port     = "nope"
      provider = "nomad"
    }
${task}`);
    const job = await apiJob(hcl);
    const answer = await validate(job);
    expect(answer.DriverConfigValidated).toBe(true);
    expect(answer.ValidationErrors).toHaveLength(2);
    expect(answer.ValidationErrors[0]).toMatch(/count cannot be negative/);
    expect(answer.ValidationErrors[1]).toMatch(/port "nope" is not a port of the group's network/);
    // go-multierror's text, which `nomad job validate` prints under "Job validation errors:".
    expect(answer.Error).toBe(
      `2 errors occurred:\n\t* ${answer.ValidationErrors[0]}\n\t* ${answer.ValidationErrors[1]}\n\n`,
    );
    const registered = await call("POST", `/v1/jobs?${q()}`, { Job: job });
    expect([registered.status, registered.text]).toEqual([400, answer.Error]);
  });

  it("names a job without groups, tasks or a driver among the validation errors, not as a failed request", async () => {
    const answer = await validate({ ID: "web", Namespace: ns, TaskGroups: [{ Name: "g" }] });
    expect(answer.ValidationErrors).toEqual([
      "Task group g validation failed: Missing tasks for task group",
    ]);
    const noID = await validate({
      Namespace: ns,
      TaskGroups: [
        { Name: "g", Tasks: [{ Name: "t", Driver: "docker", Config: { image: "nginx" } }] },
      ],
    });
    expect(noID.ValidationErrors).toEqual(["Missing job ID"]);
  });

  it("checks each task's driver config as its driver will at start, which Nomad's servers do not", async () => {
    const job = await apiJob(jobFile(task.replace("image =", "imgae =")));
    const answer = await validate(job);
    expect(answer.ValidationErrors).toEqual([
      'group "g" task "t" (docker): config: unknown option "imgae" for docker',
      'group "g" task "t" (docker): config.image: required',
    ]);
  });

  it("warns of deprecations, ignored memory_max and fields Caravan drops, as a registration does", async () => {
    const job = await apiJob(
      jobFile(`    task "t" {
      driver = "docker"
      config {
        image = "nginx:1.25"
      }
      resources {
        memory_max = 512
        network {
          mbits = 10
        }
      }
    }`),
    );
    const answer = await validate({ ...job, Bogus: 1 });
    expect([answer.Error, answer.ValidationErrors]).toEqual(["", null]);
    expect(answer.Warnings).toMatch(/^3 warnings:\n\n\* /);
    expect(answer.Warnings).toContain("task network resources have been deprecated");
    expect(answer.Warnings).toContain('Task "g.t" memory_max value will be ignored');
    expect(answer.Warnings).toContain("Caravan does not support these fields and ignored them");
  });

  it("names a namespace that does not exist", async () => {
    const job = { ...(await apiJob(jobFile(task))), Namespace: `${ns}-missing` };
    const answer = await validate(job);
    expect(answer.ValidationErrors).toEqual([
      `job "web" is in nonexistent namespace "${ns}-missing"`,
    ]);
  });

  it("refuses a body without a job or a GET with Nomad's status, and writes nothing", async () => {
    const empty = await call("PUT", `/v1/validate/job?${q()}`, {});
    expect([empty.status, empty.text]).toEqual([400, "Job must be specified"]);
    const get = await call("GET", `/v1/validate/job?${q()}`);
    expect(get.status).toBe(405);
    const jobs = await call("GET", `/v1/jobs?${q()}`);
    expect(jobs.json).toEqual([]);
    const stored = await kubectlOk(kubeconfig, ["get", "nomadjobs", "-n", ns, "-o", "name"]);
    expect(stored.trim()).toBe("");
  });
});
