// Registration warnings reach the user whichever way the job comes in: the
// Nomad API answers them in Nomad's Warnings field (what `nomad job run`
// prints as "Job Warnings:"), and a NomadJob applied with kubectl gets a
// Warning event with the same text. Nothing Caravan does not run yet
// (Connect, Vault, multiregion, Consul, CSI volumes) is silently ignored.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { type RunningApi, startApi } from "../../src/api/index.js";
import { createLogger } from "../../src/common/log.js";
import { defaultAgentConfig } from "../../src/config/agent-config.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { createControllerMetrics } from "../../src/metrics/registry.js";
import type { Obj } from "../support/allocations.js";
import { createNamespace, eventually, kubectlOk } from "../support/kubectl.js";
import { apiClient } from "./api-client.js";

const kubeconfig = inject("kubeconfig");
const run = Math.random().toString(36).slice(2, 7);

const hcl = `
job "mesh" {
  datacenters = ["warn-${run}"]
  multiregion {
    region "east" {}
  }
  group "api" {
    shutdown_delay = "5s"
    network { mode = "bridge" }
    service {
      name = "api"
      port = "9090"
      connect {
        sidecar_service {}
      }
    }
    task "app" {
      driver = "docker"
      config { image = "app:1" }
      vault {
        role = "app"
      }
    }
  }
}
`;

describe("registration warnings", () => {
  let ns: string;
  let api: RunningApi;
  let controllers: Controllers;
  let call: ReturnType<typeof apiClient>;
  const q = () => `namespace=${ns}`;

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "warn");
    const kc = loadKubeConfig(kubeconfig);
    const log = createLogger({ level: "warn", json: false });
    controllers = await startControllers(kc, log, { namespace: ns });
    api = await startApi(kc, { ...defaultAgentConfig(), ports: { http: 0 } }, log, {
      registry: createControllerMetrics().registry,
      secretNamespace: ns,
      namespace: ns,
    });
    call = apiClient(api.url);
  });
  afterAll(async () => {
    await api?.close();
    await controllers?.stop();
  });

  it("answers a registration with Nomad's Warnings naming each unsupported feature", async () => {
    const parsed = await call("POST", `/v1/jobs/parse?${q()}`, { JobHCL: hcl, Canonicalize: true });
    expect(parsed.status).toBe(200);
    const registered = await call("POST", `/v1/jobs?${q()}`, { Job: parsed.json });
    expect(registered.status).toBe(200);
    expect(registered.json.Warnings).toBe(
      [
        "3 warnings:",
        "",
        "* multiregion is a Nomad Enterprise feature (Nomad CE refuses the job as unlicensed); Caravan keeps the block but does not deploy to other regions yet: the job runs in its own region with the groups' counts",
        '* group "api": service "api" uses Consul Connect (sidecar_service), which Caravan does not support yet; there is no service mesh for it to join',
        '* task "app" in group "api": vault is not supported by Caravan yet; the task gets no Vault token and its templates cannot read Vault',
      ].join("\n"),
    );
    // Planning the same job says the same.
    const plan = await call("POST", `/v1/job/mesh/plan?${q()}`, { Job: parsed.json });
    expect(plan.json.Warnings).toMatch(
      /^\d warnings:\n\n\* multiregion is a Nomad Enterprise feature/,
    );
  });

  it("records the same warnings as an event on a NomadJob applied with kubectl", async () => {
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadJob",
        metadata: { name: "plain", namespace: ns },
        spec: {
          type: "service",
          datacenters: [`warn-${run}`],
          groups: [
            {
              name: "web",
              shutdownDelay: "5s",
              volumes: [
                {
                  name: "data",
                  type: "csi",
                  source: "data",
                  accessMode: "single-node-writer",
                  attachmentMode: "file-system",
                },
              ],
              tasks: [{ name: "t", driver: "docker", config: { image: "nginx" } }],
            },
          ],
        },
      }),
    );
    const event = await eventually(async () => {
      const events = JSON.parse(
        await kubectlOk(kubeconfig, ["get", "events.events.k8s.io", "-n", ns, "-o", "json"]),
      );
      return (events.items as Obj[]).find(
        (e) => e.reason === "JobWarnings" && e.regarding.name === "plain",
      );
    }, "the JobWarnings event");
    expect(event.type).toBe("Warning");
    expect(event.note).toBe(
      '1 warning:\n\n* group "web": volume "data" is a CSI volume, which Caravan does not support yet; it is not mounted',
    );
  });
});
