// A deployment end to end with the real node agent running raw_exec tasks:
// a new version whose task exits at once never becomes healthy, the
// deployment fails at its healthy deadline, and auto_revert puts the job back
// on the previous version, running.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { type Obj, runningOf } from "../support/allocations.js";
import { createNamespace, eventually, kubectl, kubectlOk } from "../support/kubectl.js";
import { startTestAgent, type TestAgent } from "./agent-harness.js";

const kubeconfig = inject("kubeconfig");
const kc = loadKubeConfig(kubeconfig);
const log = createLogger({ level: "warn", json: false });
const run = Math.random().toString(36).slice(2, 7);
const dc = `deploy-agent-${run}`;
const nodeName = `deploy-agent-${run}-node`;

function job(ns: string, command: string, args: string[]): string {
  return stringify({
    apiVersion: "caravan.dev/v1alpha1",
    kind: "NomadJob",
    metadata: { name: "svc", namespace: ns },
    spec: {
      type: "service",
      datacenters: [dc],
      update: {
        maxParallel: 1,
        minHealthyTime: "2s",
        healthyDeadline: "8s",
        progressDeadline: "30s",
        autoRevert: true,
        healthCheck: "task_states",
      },
      groups: [
        {
          name: "svc",
          count: 2,
          restart: { attempts: 20, interval: "5m", delay: "1s", mode: "delay" },
          tasks: [
            {
              name: "main",
              driver: "raw_exec",
              config: { command, args },
              resources: { cpu: 100, memory: 32 },
            },
          ],
        },
      ],
    },
  });
}

async function get(ns: string, what: string): Promise<Obj | undefined> {
  const r = await kubectl(kubeconfig, ["get", "-n", ns, what, "-o", "json"]);
  return r.code === 0 ? (JSON.parse(r.stdout) as Obj) : undefined;
}

async function deployment(ns: string, version: number): Promise<Obj | undefined> {
  const out = await kubectlOk(kubeconfig, ["get", "nomaddeployments", "-n", ns, "-o", "json"]);
  return (JSON.parse(out).items as Obj[]).find((d) => d.spec.jobVersion === version);
}

describe("deployments with the node agent", () => {
  let ns: string;
  let controllers: Controllers;
  let agent: TestAgent;

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "deploy-agent");
    controllers = await startControllers(kc, log, { namespace: ns });
    agent = await startTestAgent(kc, log, { name: nodeName, datacenter: dc });
  });
  afterAll(async () => {
    await kubectl(kubeconfig, ["delete", "nomadjob", "svc", "-n", ns, "--timeout=30s"]);
    await agent?.stop();
    await controllers?.stop();
  });

  it("a version whose task exits at once fails its deployment at the deadline and is reverted", async () => {
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, "/bin/sleep", ["3600"]));
    await eventually(
      async () => ((await get(ns, "nomadjob/svc"))?.status?.stable === true ? true : undefined),
      "version 0 running and stable",
      60_000,
    );

    const started = Date.now();
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, "/bin/sh", ["-c", "exit 3"]));
    const failed = await eventually(
      async () => {
        const d = await deployment(ns, 1);
        return d?.status?.status === "failed" ? d : undefined;
      },
      "the version 1 deployment to fail",
      90_000,
    );
    // Not before the healthy deadline (8 s): the task kept restarting, never
    // healthy. The deadline counts from the allocation's creationTimestamp,
    // which Kubernetes keeps to the second, so it may start up to 1 s earlier.
    expect(Date.now() - started).toBeGreaterThanOrEqual(7_000);
    expect(failed.status.statusDescription).toBe(
      "Failed due to unhealthy allocations - rolling back to job version 0",
    );
    const back = await eventually(
      async () => {
        const j = await get(ns, "nomadjob/svc");
        const live = await runningOf(kubeconfig, ns, "svc");
        return j?.status?.version === 2 &&
          live.length === 2 &&
          live.every((a) => a.spec.jobVersion === 2 && a.status?.clientStatus === "running")
          ? j
          : undefined;
      },
      "the job back on version 0's spec, running",
      90_000,
    );
    expect(back.spec.groups[0].tasks[0].config.command).toBe("/bin/sleep");
  }, 240_000);
});
