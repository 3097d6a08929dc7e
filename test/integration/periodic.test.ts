// Periodic jobs on a real API server with the controllers running on a fixed
// clock the test moves (no waiting for real minutes): children launch on
// schedule, prohibit_overlap skips a launch while a child runs, time_zone is
// honoured, a controller that missed launches runs only the latest one, and
// `caravan job periodic force` launches at once. The parent itself is never
// scheduled.
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { stringify } from "yaml";
import { main } from "../../src/cli/main.js";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { allocationsOf, type Obj, setClientStatus } from "../support/allocations.js";
import { createNamespace, eventually, kubectl, kubectlOk } from "../support/kubectl.js";
import { registerNode } from "../support/nodes.js";
import { type SimulatedAgent, simulateAgent } from "../support/simulated-agent.js";

const kubeconfig = inject("kubeconfig");
const run = Math.random().toString(36).slice(2, 7);
const dc = `periodic-${run}`;
let clock = Date.now();

function periodicJob(ns: string, name: string, periodic: Obj): string {
  return stringify({
    apiVersion: "caravan.dev/v1alpha1",
    kind: "NomadJob",
    metadata: { name, namespace: ns },
    spec: {
      type: "batch",
      datacenters: [dc],
      periodic,
      groups: [
        {
          name: "work",
          count: 1,
          tasks: [{ name: "run", driver: "docker", config: { image: "worker:1" } }],
        },
      ],
    },
  });
}

async function get(ns: string, what: string): Promise<Obj | undefined> {
  const r = await kubectl(kubeconfig, ["get", "-n", ns, what, "-o", "json"]);
  return r.code === 0 ? (JSON.parse(r.stdout) as Obj) : undefined;
}

async function childrenOf(ns: string, parent: string): Promise<Obj[]> {
  const out = await kubectlOk(kubeconfig, [
    ...["get", "nomadjobs", "-n", ns, "-l", `caravan.dev/parent=${parent}`, "-o", "json"],
  ]);
  return (JSON.parse(out).items as Obj[]).sort((a, b) =>
    a.metadata.name.localeCompare(b.metadata.name),
  );
}

let pokes = 0;
/** Moves the clock and nudges the controller to look (its own timers run on real time). */
async function at(ns: string, name: string, ms: number): Promise<void> {
  clock = ms;
  await kubectlOk(kubeconfig, [
    ...["annotate", "nomadjob", name, "-n", ns, "--overwrite"],
    `test.caravan.dev/poke=${++pokes}`,
  ]);
}

async function annotation(ns: string, name: string, key: string): Promise<string | undefined> {
  return (await get(ns, `nomadjob/${name}`))?.metadata.annotations?.[key];
}

const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

describe("periodic jobs", () => {
  let ns: string;
  let controllers: Controllers;
  let agent: SimulatedAgent;
  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "periodic");
    await registerNode(kubeconfig, { name: `${dc}-n1`, datacenter: dc });
    controllers = await startControllers(
      loadKubeConfig(kubeconfig),
      createLogger({ level: "warn", json: false }),
      { namespace: ns, clock: () => clock },
    );
    agent = simulateAgent(kubeconfig, ns); // children run until the test completes them
  });
  afterAll(async () => {
    agent?.stop();
    await controllers?.stop();
  });

  it("launches every minute, and skips a launch while the child still runs (prohibit_overlap)", async () => {
    const t0 = Math.ceil((Date.now() + 2_000) / 60_000) * 60_000; // the next minute
    clock = t0 - 30_000;
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      periodicJob(ns, "report", { crons: ["* * * * *"], prohibitOverlap: true }),
    );
    await eventually(
      async () =>
        (await annotation(ns, "report", "caravan.dev/periodic-next-launch")) ? true : undefined,
      "the next launch recorded",
    );
    expect(await annotation(ns, "report", "caravan.dev/periodic-next-launch")).toBe(
      new Date(t0).toISOString(),
    );
    expect(await childrenOf(ns, "report")).toHaveLength(0);
    // The parent is a template: never scheduled.
    expect(await allocationsOf(kubeconfig, ns, "report")).toHaveLength(0);

    await at(ns, "report", t0 + 5_000);
    const [first] = await eventually(async () => {
      const c = await childrenOf(ns, "report");
      return c.length === 1 ? c : undefined;
    }, "the first child");
    expect(first?.metadata.name).toBe(`report-periodic-${t0 / 1000}`);
    expect(first?.spec).toMatchObject({ id: `report/periodic-${t0 / 1000}`, parentId: "report" });
    expect(first?.spec.periodic).toBeUndefined();
    const [alloc] = await eventually(async () => {
      const a = await allocationsOf(kubeconfig, ns, first?.metadata.name);
      return a.length === 1 && a[0]?.status?.clientStatus === "running" ? a : undefined;
    }, "the first child running");

    // A minute later the first child still runs: that launch is skipped.
    await at(ns, "report", t0 + 65_000);
    await eventually(
      async () =>
        (await annotation(ns, "report", "caravan.dev/periodic-last-launch")) ===
        new Date(t0 + 60_000).toISOString()
          ? true
          : undefined,
      "the skipped launch recorded",
    );
    expect(await childrenOf(ns, "report")).toHaveLength(1);

    // Once it finished, the next minute launches again.
    await setClientStatus(kubeconfig, ns, alloc?.metadata.name, "complete");
    await eventually(
      async () =>
        (await get(ns, `nomadjob/${first?.metadata.name}`))?.status?.status === "dead"
          ? true
          : undefined,
      "the first child dead",
    );
    await at(ns, "report", t0 + 125_000);
    const both = await eventually(async () => {
      const c = await childrenOf(ns, "report");
      return c.length === 2 ? c : undefined;
    }, "the second child");
    expect(both.map((c) => c.metadata.name)).toContain(`report-periodic-${t0 / 1000 + 120}`);
    // The parent counts its children by status, as `nomad job status` shows them.
    await eventually(async () => {
      const c = (await get(ns, "nomadjob/report"))?.status?.children;
      return c?.dead === 1 && c.pending + c.running === 1 ? true : undefined;
    }, "the parent's children summary");
  }, 180_000);

  it("reads the cron expression in the job's time zone", async () => {
    // 09:30 in Tokyo is 00:30 UTC: the next one at least two minutes away, so it
    // comes after the job's registration and no launch falls between the two.
    const day = 86_400_000;
    let tokyo930 = Math.floor(Date.now() / day) * day + 30 * 60_000;
    while (tokyo930 < Date.now() + 2 * 60_000) tokyo930 += day;
    clock = tokyo930 - 60_000;
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      periodicJob(ns, "tz", { crons: ["30 9 * * *"], timeZone: "Asia/Tokyo" }),
    );
    await eventually(
      async () =>
        (await annotation(ns, "tz", "caravan.dev/periodic-next-launch")) ===
        new Date(tokyo930).toISOString()
          ? true
          : undefined,
      `the next launch at ${iso(tokyo930)}`,
    );
    expect(await childrenOf(ns, "tz")).toHaveLength(0);
    await at(ns, "tz", tokyo930 + 10_000);
    const [child] = await eventually(async () => {
      const c = await childrenOf(ns, "tz");
      return c.length === 1 ? c : undefined;
    }, "the 09:30 Tokyo child");
    expect(child?.metadata.name).toBe(`tz-periodic-${tokyo930 / 1000}`);
  }, 120_000);

  it("after missed launches runs only the latest one, and force launches at once", async () => {
    const t0 = Math.ceil((Date.now() + 2_000) / 60_000) * 60_000;
    clock = t0 - 10_000;
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      periodicJob(ns, "catchup", { crons: ["*/2 * * * *"] }),
    );
    await eventually(
      async () =>
        (await annotation(ns, "catchup", "caravan.dev/periodic-next-launch")) ? true : undefined,
      "the next launch recorded",
    );
    // The controller "was down" for 30 minutes: 15 launches missed.
    await at(ns, "catchup", t0 + 30 * 60_000 + 5_000);
    await eventually(async () => {
      const c = await childrenOf(ns, "catchup");
      return c.length >= 1 ? c : undefined;
    }, "the catch-up child");
    await at(ns, "catchup", t0 + 30 * 60_000 + 10_000);
    await new Promise((r) => setTimeout(r, 2_000));
    const children = await childrenOf(ns, "catchup");
    const latestMissed = Math.floor((t0 + 30 * 60_000) / 120_000) * 120_000;
    expect(children.map((c) => c.metadata.name)).toEqual([
      `catchup-periodic-${latestMissed / 1000}`,
    ]);

    let out = "";
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((s) => {
      out += String(s);
      return true;
    });
    const code = await main([
      ...["job", "periodic", "force", "catchup", "-namespace", ns, "-kubeconfig", kubeconfig],
    ]).finally(() => spy.mockRestore());
    expect(code).toBe(0);
    expect(out).toMatch(/Job "catchup" launched: catchup\/periodic-\d+/);
    expect(await childrenOf(ns, "catchup")).toHaveLength(2);
  }, 120_000);
});
