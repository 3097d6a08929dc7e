// `caravan job plan`, `job history` and `job revert` against a real API
// server with the controllers running and a simulated agent: a plan shows
// the changes the scheduler then makes when the job is registered (compared
// with the registration evaluation's annotations), changes nothing itself,
// names failed placements; history lists versions with their stability;
// revert puts an earlier spec back as a new version.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { type Obj, runningOf } from "../support/allocations.js";
import { runCaravan } from "../support/cli.js";
import { specEvaluation } from "../support/evaluations.js";
import { createNamespace, eventually, kubectl, kubectlOk } from "../support/kubectl.js";
import { registerNode } from "../support/nodes.js";
import { type SimulatedAgent, simulateAgent } from "../support/simulated-agent.js";

const kubeconfig = inject("kubeconfig");
const run = Math.random().toString(36).slice(2, 7);
const dc = `plan-${run}`;
const dir = mkdtempSync(path.join(os.tmpdir(), "caravan-plan-"));

function jobFile(name: string, count: number, image: string, memory = 64): string {
  const file = path.join(dir, `${name}-${count}-${image.replace(/\W/g, "")}-${memory}.nomad.hcl`);
  writeFileSync(
    file,
    `job "web" {
  datacenters = ["${dc}"]
  update {
    max_parallel     = 2
    min_healthy_time = "1s"
  }
  group "web" {
    count = ${count}
    task "server" {
      driver = "docker"
      config {
        image = "${image}"
      }
      resources {
        cpu    = 100
        memory = ${memory}
      }
    }
  }
}
`,
  );
  return file;
}

/** `caravan ARGS` against the test cluster (convert reads no cluster). */
const caravan = (...args: string[]) =>
  runCaravan(args[1] === "convert" ? args : [...args, "-kubeconfig", kubeconfig]);

/** The plan's table row for group web, in the evaluation's words. */
function printed(out: string): Record<string, number> {
  const m = /^web\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$/m.exec(out);
  if (!m) throw new Error(`no plan row for group web in:\n${out}`);
  const [place, stop, inPlaceUpdate, destructiveUpdate, canary, ignore] = m.slice(1).map(Number);
  return { place, stop, inPlaceUpdate, destructiveUpdate, canary, ignore } as Record<
    string,
    number
  >;
}

async function get(ns: string, what: string): Promise<Obj | undefined> {
  const r = await kubectl(kubeconfig, ["get", "-n", ns, what, "-o", "json"]);
  return r.code === 0 ? (JSON.parse(r.stdout) as Obj) : undefined;
}

describe("caravan job plan, history and revert", () => {
  let ns: string;
  let controllers: Controllers;
  let agent: SimulatedAgent;

  async function register(file: string): Promise<void> {
    const converted = await caravan("job", "convert", file);
    expect(converted.code).toBe(0);
    await kubectlOk(kubeconfig, ["apply", "-n", ns, "-f", "-"], converted.out);
  }

  async function settled(version: number, count: number): Promise<void> {
    await eventually(
      async () => {
        const j = await get(ns, "nomadjob/web");
        const live = await runningOf(kubeconfig, ns, "web");
        return j?.status?.version === version &&
          live.length === count &&
          live.every((a) => a.spec.jobVersion === version && a.status?.clientStatus === "running")
          ? true
          : undefined;
      },
      `version ${version} running ${count}`,
      90_000,
    );
  }

  /** The registration evaluation's annotations for the job's current generation. */
  async function registered(): Promise<Obj> {
    const j = await get(ns, "nomadjob/web");
    return eventually(async () => {
      const e = await get(
        ns,
        `nomadevaluation/${specEvaluation(ns, "web", j?.metadata.generation)}`,
      );
      return e?.status?.status === "complete" ? e.status.annotations.desiredTGUpdates : undefined;
    }, "the registration evaluation");
  }

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "plan");
    for (const n of [1, 2]) await registerNode(kubeconfig, { name: `${dc}-n${n}`, datacenter: dc });
    controllers = await startControllers(
      loadKubeConfig(kubeconfig),
      createLogger({ level: "warn", json: false }),
      { namespace: ns },
    );
    agent = simulateAgent(kubeconfig, ns);
  });
  afterAll(async () => {
    agent?.stop();
    await controllers?.stop();
  });

  it("plans a new job as 4 creates, changing nothing, then the scheduler does the same", async () => {
    const file = jobFile("a", 4, "app:1");
    const p = await caravan("job", "plan", file, "-namespace", ns);
    expect(p.err).toBe("");
    expect(p.code).toBe(1); // allocations would be created
    expect(p.out).toContain('+ Job: "web"');
    expect(p.out).toContain('+/- Task Group: "web" (4 create)');
    expect(p.out).toContain("- All tasks successfully allocated.");
    expect(await get(ns, "nomadjob/web")).toBeUndefined();

    await register(file);
    expect((await registered()).web).toMatchObject(printed(p.out));
    await settled(0, 4);
  }, 180_000);

  it("plans a count change as creates and in-place updates, exactly as the scheduler then updates", async () => {
    const file = jobFile("b", 6, "app:1");
    const p = await caravan("job", "plan", file, "-namespace", ns);
    expect(p.out).toContain('+/- Job: "web"');
    expect(p.out).toContain('+/- Task Group: "web" (2 create, 4 in-place update)');
    expect(p.out).toContain('  +/- groups["web"].count: 4 => 6');
    expect(p.out).toMatch(/web\s+2\s+0\s+4\s+0\s+0\s+0/);
    await register(file);
    expect((await registered()).web).toMatchObject(printed(p.out));
    await settled(1, 6);
  }, 180_000);

  it("plans an image change as max_parallel destructive updates and the rest ignored", async () => {
    const file = jobFile("c", 6, "app:2");
    const p = await caravan("job", "plan", file, "-namespace", ns);
    expect(p.out).toContain('+/- Task Group: "web" (2 create/destroy update, 4 ignore)');
    expect(p.out).toContain('  +/- groups["web"].tasks["server"].config.image: "app:1" => "app:2"');
    expect(p.out).toContain("A deployment of version 2 would roll this out.");
    await register(file);
    expect((await registered()).web).toMatchObject(printed(p.out));
    await settled(2, 6);
  }, 180_000);

  it("plans an unchanged job as no change (exit 0) and names placements that cannot fit", async () => {
    const same = await caravan("job", "plan", jobFile("c", 6, "app:2"), "-namespace", ns);
    expect(same.code).toBe(0);
    expect(same.out).toContain('Job: "web"');
    expect(same.out).not.toContain("+/-");
    expect(same.out).toContain('Task Group: "web" (6 ignore)');

    const huge = await caravan("job", "plan", jobFile("d", 6, "app:3", 100_000), "-namespace", ns);
    expect(huge.out).toContain("- WARNING: Failed to place all allocations.");
    expect(huge.out).toMatch(/allocations? of group "web" not placed: memory exhausted on 2 nodes/);
    expect((await get(ns, "nomadjob/web"))?.status.version).toBe(2);
  }, 120_000);

  it("lists versions with their stability, and reverts to an earlier one as a new version", async () => {
    await eventually(
      async () => ((await get(ns, "nomadjob/web"))?.status?.stable === true ? true : undefined),
      "version 2 stable",
      60_000,
    );
    const h = await caravan("job", "history", "web", "-namespace", ns);
    expect(h.code).toBe(0);
    const versions = [...h.out.matchAll(/Version\s+= (\d+)\nStable\s+= (\w+)/g)].map((m) => [
      Number(m[1]),
      m[2],
    ]);
    expect(versions.map((v) => v[0])).toEqual([2, 1, 0]);
    const diffs = await caravan("job", "history", "-p", "web", "-namespace", ns);
    expect(diffs.out).toContain(
      '+/- groups["web"].tasks["server"].config.image: "app:1" => "app:2"',
    );
    expect(diffs.out).toContain('+/- groups["web"].count: 4 => 6');
    expect(versions[0]?.[1]).toBe("true");

    const missing = await caravan("job", "revert", "web", "9", "-namespace", ns);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("has no version 9 (kept: 0, 1, 2)");

    const r = await caravan("job", "revert", "web", "0", "-namespace", ns);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Job "web" reverted to the spec of version 0');
    await settled(3, 4);
    const j = await get(ns, "nomadjob/web");
    expect(j?.spec.groups[0].count).toBe(4);
    expect(j?.spec.groups[0].tasks[0].config.image).toBe("app:1");
  }, 180_000);
});
