// The Helm chart as a Kubernetes user installs it: it lints, installs on a real
// API server, creates the controller and the agent DaemonSet, and the agent
// and server configuration it renders is accepted by Caravan's own loader.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { loadAgentConfig } from "../../src/config/load.js";
import { ensureHelm } from "../support/helm.js";
import { type CommandResult, createNamespace, kubectlOk } from "../support/kubectl.js";
import { collectOutput } from "../support/output.js";

const kubeconfig = inject("kubeconfig");
const chart = path.resolve(import.meta.dirname, "../../charts/caravan");

async function helm(args: readonly string[]): Promise<CommandResult> {
  const binary = await ensureHelm();
  const child = spawn(binary, [...args, "--kubeconfig", kubeconfig], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = collectOutput(child);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, stdout: output.stdout, stderr: output.stderr };
}

describe("helm chart", () => {
  let ns: string;
  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "chart");
  });

  it("passes helm lint", async () => {
    const lint = await helm(["lint", chart]);
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
    expect(lint.stdout).toContain("0 chart(s) failed");
  });

  it("installs with helm install and creates the controller and the agent", async () => {
    const install = await helm(["install", "caravan", chart, "--namespace", ns]);
    expect(install.code, install.stderr).toBe(0);
    const objects = await kubectlOk(kubeconfig, [
      "get",
      "deploy,ds,svc,cm,sa",
      "-n",
      ns,
      "-o",
      "name",
    ]);
    for (const name of [
      "deployment.apps/caravan-controller",
      "daemonset.apps/caravan-agent",
      "service/caravan",
      "configmap/caravan-controller",
      "configmap/caravan-agent",
      "serviceaccount/caravan-agent",
    ]) {
      expect(objects).toContain(name);
    }
    const roles = await kubectlOk(kubeconfig, [
      "get",
      "clusterrole",
      "caravan-controller",
      "caravan-agent",
      "-o",
      "name",
    ]);
    expect(roles.trim().split("\n")).toHaveLength(2);
  });

  it("renders agent and server configuration that Caravan's loader accepts", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "caravan-chart-"));
    for (const [cm, key] of [
      ["caravan-agent", "agent.hcl"],
      ["caravan-controller", "server.hcl"],
    ] as const) {
      const text = await kubectlOk(kubeconfig, [
        "get",
        "cm",
        cm,
        "-n",
        ns,
        "-o",
        `jsonpath={.data.${key.replace(".", "\\.")}}`,
      ]);
      writeFileSync(path.join(dir, key), text);
    }
    // The DaemonSet advertises the host's IP, through the downward API.
    const ds = JSON.parse(
      await kubectlOk(kubeconfig, ["get", "daemonset", "caravan-agent", "-n", ns, "-o", "json"]),
    );
    expect(ds.spec.template.spec.containers[0].env).toContainEqual({
      name: "CARAVAN_ADVERTISE_HTTP",
      valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "status.hostIP" } },
    });
    const agent = await loadAgentConfig({
      files: [path.join(dir, "agent.hcl")],
      env: { CARAVAN_ADVERTISE_HTTP: "192.0.2.7" },
    });
    expect(agent.ok, JSON.stringify(agent)).toBe(true);
    if (agent.ok) {
      expect(agent.config.client.enabled).toBe(true);
      expect(agent.config.dataDir).toBe("/var/lib/caravan");
      expect(agent.config.advertise).toEqual({ http: "192.0.2.7" });
    }
    const server = await loadAgentConfig({ files: [path.join(dir, "server.hcl")] });
    expect(server.ok, JSON.stringify(server)).toBe(true);
    if (server.ok) expect(server.config.server).toEqual({ enabled: true, numSchedulers: 2 });
  });
});
