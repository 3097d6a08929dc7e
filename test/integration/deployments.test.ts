// Deployments end to end on a real API server: the controllers run, nodes
// and their agent are simulated (allocations reported running as an agent
// would), and a user drives jobs and deployments with kubectl. Rolling
// updates respect max_parallel, canaries wait for promotion (by the user or
// auto_promote), a failed deployment with auto_revert puts the job back on its
// last stable version, and successful versions are marked stable.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { allocationsOf, type Obj, runningOf } from "../support/allocations.js";
import { runCaravan } from "../support/cli.js";
import { createNamespace, eventually, kubectl, kubectlOk } from "../support/kubectl.js";
import { registerNode } from "../support/nodes.js";
import { type SimulatedAgent, simulateAgent } from "../support/simulated-agent.js";

const kubeconfig = inject("kubeconfig");
const run = Math.random().toString(36).slice(2, 7);
const dc = `deploy-${run}`;

function job(ns: string, name: string, image: string, update: Obj): string {
  return stringify({
    apiVersion: "caravan.dev/v1alpha1",
    kind: "NomadJob",
    metadata: { name, namespace: ns },
    spec: {
      type: "service",
      datacenters: [dc],
      update: { minHealthyTime: "1s", healthyDeadline: "30s", progressDeadline: "60s", ...update },
      groups: [
        {
          name: "web",
          count: 4,
          tasks: [
            {
              name: "server",
              driver: "docker",
              config: { image },
              resources: { cpu: 100, memory: 64 },
            },
          ],
        },
      ],
    },
  });
}

/** `caravan ARGS` against the test cluster. */
const caravan = (...args: string[]) => runCaravan([...args, "-kubeconfig", kubeconfig]);

async function get(ns: string, what: string): Promise<Obj | undefined> {
  const r = await kubectl(kubeconfig, ["get", "-n", ns, what, "-o", "json"]);
  return r.code === 0 ? (JSON.parse(r.stdout) as Obj) : undefined;
}

async function deploymentsOf(ns: string, name: string): Promise<Obj[]> {
  const out = await kubectlOk(kubeconfig, [
    ...["get", "nomaddeployments", "-n", ns, "-l", `caravan.dev/job=${name}`, "-o", "json"],
  ]);
  return (JSON.parse(out).items as Obj[]).sort((a, b) => a.spec.jobVersion - b.spec.jobVersion);
}

async function deploymentOf(ns: string, name: string, version: number): Promise<Obj | undefined> {
  return (await deploymentsOf(ns, name)).find((d) => d.spec.jobVersion === version);
}

/** Waits until the job runs `count` healthy-looking allocations of `version` and nothing else. */
async function settledAt(ns: string, name: string, version: number, timeoutMs = 90_000) {
  return eventually(
    async () => {
      const live = await runningOf(kubeconfig, ns, name);
      const ok =
        live.length === 4 &&
        live.every((a) => a.spec.jobVersion === version && a.status?.clientStatus === "running");
      return ok ? live : undefined;
    },
    `${name} to run 4 allocations of version ${version}`,
    timeoutMs,
  );
}

async function stableVersion(ns: string, name: string, version: number): Promise<Obj> {
  return eventually(
    async () => {
      const j = await get(ns, `nomadjob/${name}`);
      return j?.status?.version === version && j.status.stable === true ? j : undefined;
    },
    `${name} version ${version} to be stable`,
    90_000,
  );
}

describe("deployment watcher", () => {
  let ns: string;
  let controllers: Controllers;
  let agent: SimulatedAgent;
  const held = new Set<string>();
  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "deploy");
    for (const n of [1, 2, 3])
      await registerNode(kubeconfig, { name: `${dc}-n${n}`, datacenter: dc });
    controllers = await startControllers(
      loadKubeConfig(kubeconfig),
      createLogger({ level: "warn", json: false }),
      { namespace: ns },
    );
    // Allocations whose image is "broken" never come up.
    agent = simulateAgent(kubeconfig, ns, {
      hold: (a) => held.has(`${a.spec.jobName}/${a.spec.jobVersion}`),
    });
  });
  afterAll(async () => {
    agent?.stop();
    await controllers?.stop();
  });

  it("rolls a 4-allocation update 2 at a time, finishes and marks the version stable", async () => {
    const update = { maxParallel: 2 };
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, "roll", "app:1", update));
    await settledAt(ns, "roll", 0);
    await stableVersion(ns, "roll", 0);
    await eventually(async () => {
      const d = await deploymentOf(ns, "roll", 0);
      return d?.status?.status === "successful" ? d : undefined;
    }, "the version 0 deployment to succeed");

    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, "roll", "app:2", update));
    // Sample while it rolls: allocations of the new version not yet healthy are the ones being replaced.
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const live = await allocationsOf(kubeconfig, ns, "roll");
        const inFlight = live.filter(
          (a) =>
            a.spec.jobVersion === 1 &&
            a.spec.desiredStatus === "run" &&
            a.status?.deploymentStatus?.healthy !== true,
        ).length;
        most = Math.max(most, inFlight);
      }
    })();
    const done = await eventually(
      async () => {
        const d = await deploymentOf(ns, "roll", 1);
        return d?.status?.status === "successful" ? d : undefined;
      },
      "the version 1 deployment to succeed",
      90_000,
    );
    sampling = false;
    await sampler;
    expect(most).toBe(2);
    expect(done.status.statusDescription).toBe("Deployment completed successfully");
    expect(done.status.groups.web).toMatchObject({
      desiredTotal: 4,
      placedAllocs: 4,
      healthyAllocs: 4,
      unhealthyAllocs: 0,
    });
    await settledAt(ns, "roll", 1);
    await stableVersion(ns, "roll", 1);
  }, 240_000);

  it("canary = 1 without auto_promote runs one canary beside the 4 old allocations until promoted", async () => {
    const update = { maxParallel: 2, canary: 1 };
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, "canary", "app:1", update));
    await settledAt(ns, "canary", 0);
    await stableVersion(ns, "canary", 0);

    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, "canary", "app:2", update));
    const waiting = await eventually(
      async () => {
        const d = await deploymentOf(ns, "canary", 1);
        const g = d?.status?.groups?.web;
        return g?.healthyAllocs === 1 && g.placedCanaries?.length === 1 ? d : undefined;
      },
      "a healthy canary",
      60_000,
    );
    expect(waiting.status.statusDescription).toBe(
      "Deployment is running but requires manual promotion",
    );
    // Nothing else moves while it waits.
    await new Promise((r) => setTimeout(r, 3_000));
    const live = await runningOf(kubeconfig, ns, "canary");
    expect(live.filter((a) => a.spec.jobVersion === 0)).toHaveLength(4);
    const canaries = live.filter((a) => a.spec.jobVersion === 1);
    expect(canaries).toHaveLength(1);
    expect(canaries[0]?.status.deploymentStatus).toMatchObject({ canary: true, healthy: true });
    expect((await deploymentOf(ns, "canary", 1))?.status.status).toBe("running");

    const id = waiting.metadata.name.slice(0, 8);
    const shown = await caravan("deployment", "status", id, "-namespace", ns);
    expect(shown.out).toMatch(/Status\s+= running/);
    expect(shown.out).toMatch(
      /Description\s+= Deployment is running but requires manual promotion/,
    );
    expect(shown.out).toMatch(/web\s+false\s+false\s+4\s+1\s+1\s+1\s+0/);
    const promoted = await caravan("deployment", "promote", id, "-namespace", ns);
    expect(promoted.err).toBe("");
    expect(promoted.out).toContain(`Deployment "${waiting.metadata.name}" promoted`);
    await eventually(
      async () => {
        const d = await deploymentOf(ns, "canary", 1);
        return d?.status?.status === "successful" ? d : undefined;
      },
      "the promoted deployment to succeed",
      90_000,
    );
    await settledAt(ns, "canary", 1);
    const d = await deploymentOf(ns, "canary", 1);
    expect(d?.status.groups.web).toMatchObject({ promoted: true, desiredCanaries: 1 });
  }, 240_000);

  it("canary = 1 with auto_promote promotes itself once the canary is healthy", async () => {
    const update = { maxParallel: 2, canary: 1, autoPromote: true };
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, "auto", "app:1", update));
    await settledAt(ns, "auto", 0);
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, "auto", "app:2", update));
    const d = await eventually(
      async () => {
        const x = await deploymentOf(ns, "auto", 1);
        return x?.status?.status === "successful" ? x : undefined;
      },
      "the auto-promoted deployment to succeed",
      90_000,
    );
    expect(d.status.groups.web).toMatchObject({ promoted: true, healthyAllocs: 4 });
    await settledAt(ns, "auto", 1);
  }, 240_000);

  it("pause holds a rollout where it is; resume lets it finish", async () => {
    const update = { maxParallel: 1, minHealthyTime: "2s" };
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, "pause", "app:1", update));
    await settledAt(ns, "pause", 0);
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, "pause", "app:2", update));
    const d = await eventually(() => deploymentOf(ns, "pause", 1), "the version 1 deployment");
    expect((await caravan("deployment", "pause", d.metadata.name, "-namespace", ns)).code).toBe(0);
    await eventually(
      async () =>
        (await deploymentOf(ns, "pause", 1))?.status?.status === "paused" ? true : undefined,
      "the deployment paused",
    );
    await new Promise((r) => setTimeout(r, 5_000));
    const held = (await runningOf(kubeconfig, ns, "pause")).filter((a) => a.spec.jobVersion === 1);
    expect(held.length).toBe(1); // the first replacement, and no second one
    expect((await caravan("deployment", "resume", d.metadata.name, "-namespace", ns)).code).toBe(0);
    await eventually(
      async () =>
        (await deploymentOf(ns, "pause", 1))?.status?.status === "successful" ? true : undefined,
      "the resumed deployment to succeed",
      90_000,
    );
    await settledAt(ns, "pause", 1);
    const failed = await caravan("deployment", "fail", d.metadata.name, "-namespace", ns);
    expect(failed.code).toBe(1);
    expect(failed.err).toContain("is successful: it can no longer change");
  }, 240_000);

  it("auto_revert puts the job back on its last stable version when a deployment fails", async () => {
    const update = { maxParallel: 1, autoRevert: true, healthyDeadline: "4s" };
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, "revert", "app:1", update));
    await settledAt(ns, "revert", 0);
    await stableVersion(ns, "revert", 0);

    held.add("revert/1"); // version 1's tasks never come up
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, "revert", "broken:2", update));
    const failed = await eventually(
      async () => {
        const x = await deploymentOf(ns, "revert", 1);
        return x?.status?.status === "failed" ? x : undefined;
      },
      "the version 1 deployment to fail",
      60_000,
    );
    expect(failed.status.statusDescription).toBe(
      "Failed due to unhealthy allocations - rolling back to job version 0",
    );
    // The revert is a new version with version 0's spec, running everywhere.
    const reverted = await eventually(async () => {
      const j = await get(ns, "nomadjob/revert");
      return j?.status?.version === 2 ? j : undefined;
    }, "the job reverted as version 2");
    expect(reverted.spec.groups[0].tasks[0].config.image).toBe("app:1");
    await settledAt(ns, "revert", 2);
    await stableVersion(ns, "revert", 2);
  }, 240_000);
});
