// The seed example jobs with networks and services — dynamic-ports,
// custom-network, consul-integrated, api-gateway and microservice — run under
// the built `bin/caravan dev`, sent through Nomad's HTTP API as the nomad CLI
// sends them (parsed by /v1/jobs/parse, registered by /v1/jobs), their network and
// service blocks unchanged. No registry is reachable here, so the images the
// seeds name (myapp:latest, api-gateway:latest) are built from local files
// into a Podman service of the test's own: busybox httpd serving on the port
// Nomad gives the task (NOMAD_PORT_http, 8080 when the task has none).
// microservice needs what a dev node has not (node class "compute", a GPU, an
// s3 artifact, Vault, a multiregion block): its network and service are kept
// and the rest of the job is swapped for a plain task, as documented below.
// Checks: each job's services register in the native catalog at the
// allocation's address, the address serves (not for custom-network, whose
// task leaves the group's namespace with docker network_mode = "bridge", as
// it would under Nomad), the allocation carries the shared network `nomad alloc
// status` prints as "Allocation Addresses", a template of another job renders the seed's
// service addresses, and stopping a job removes its registrations.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildBusyboxImage } from "../support/images.js";
import { eventually } from "../support/kubectl.js";
import { collectOutput } from "../support/output.js";
import { type PodmanService, startPodman } from "../support/podman.js";

const root = path.resolve(import.meta.dirname, "../..");
const seeds = path.join(root, "test/jobspec/seeds");
// biome-ignore lint/suspicious/noExplicitAny: objects read back as JSON
type Obj = Record<string, any>;

// The image's CMD: httpd on the task's "http" port, as the seeds' images would serve.
const serve = ["/bin/sh", "-c", 'exec httpd -f -p "${NOMAD_PORT_http:-8080}" -h /www'];

describe("seed jobs with networks and services under caravan dev", () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "caravan-e2e-seednet-"));
  const config = path.join(tmp, "dev.hcl");
  let podman: PodmanService;
  let stopDev = async () => {};
  let addr = "";

  async function call(method: string, p: string, body?: unknown): Promise<Obj> {
    const res = await fetch(`${addr}${p}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    const text = await res.text();
    return (text.startsWith("{") || text.startsWith("[") ? JSON.parse(text) : { text }) as Obj;
  }
  const api = (p: string) => call("GET", p);
  /** `nomad job run -detach FILE`: parsed by the API as the CLI's jobspec would, then registered; the answer's Warnings. */
  async function runJob(file: string): Promise<string> {
    const source = readFileSync(file, "utf8");
    const job = file.endsWith(".json")
      ? (JSON.parse(source) as Obj).Job
      : await call("POST", "/v1/jobs/parse", { JobHCL: source, Canonicalize: true });
    const answer = await call("PUT", "/v1/jobs", { Job: job });
    expect(answer.EvalID).toBeTruthy();
    return String(answer.Warnings ?? "");
  }
  /** What `nomad alloc status` prints under "Allocation Addresses": the allocation's shared network. */
  async function sharedNetwork(allocID: string): Promise<Obj> {
    const alloc = await api(`/v1/allocation/${allocID}`);
    const [network] = alloc.AllocatedResources?.Shared?.Networks ?? [];
    expect(network, JSON.stringify(alloc.AllocatedResources)).toBeDefined();
    return network as Obj;
  }
  const ports = (n: Obj): Obj[] => [...(n.ReservedPorts ?? []), ...(n.DynamicPorts ?? [])];
  const runningAllocs = async (job: string): Promise<Obj[]> =>
    ((await api(`/v1/job/${job}/allocations`)) as unknown as Obj[]).filter(
      (a) => a.ClientStatus === "running",
    );
  /** The job's registrations once `want` of them are there. */
  const registrations = (job: string, want: number) =>
    eventually(
      async () => {
        const regs = (await api(`/v1/job/${job}/services`)) as unknown as Obj[];
        return regs.length >= want ? regs : undefined;
      },
      `${want} service registrations of ${job}`,
      90_000,
    );
  async function serves(address: string, port: number): Promise<string> {
    return eventually(async () => {
      try {
        const res = await fetch(`http://${address}:${port}/`);
        return res.ok ? await res.text() : undefined;
      } catch {
        return undefined;
      }
    }, `http://${address}:${port}/ to answer`);
  }
  /** Stops and purges the job; done when its registrations are gone and its tasks have exited. */
  async function stopped(job: string) {
    await call("DELETE", `/v1/job/${job}?purge=true`);
    await eventually(
      async () =>
        ((await api(`/v1/job/${job}/services`).catch(() => [])) as unknown as Obj[]).length === 0
          ? true
          : undefined,
      `${job}'s registrations to go`,
      60_000,
    );
    // The next job may want the same static port: the old containers must have let it go.
    await eventually(
      async () => {
        const allocs = (await api("/v1/allocations")) as unknown as Obj[];
        const live = allocs.filter(
          (a) => a.JobID === job && (a.ClientStatus === "running" || a.ClientStatus === "pending"),
        );
        return live.length === 0 ? true : undefined;
      },
      `${job}'s tasks to exit`,
      60_000,
    );
  }

  beforeAll(async () => {
    podman = await startPodman();
    const image = await buildBusyboxImage(podman, "localhost/myapp:latest", "seed app\n", serve);
    await podman.podman(["tag", image, "localhost/api-gateway:latest"]);
    writeFileSync(
      config,
      `ports {\n  http = 0\n}\nplugin "docker" {\n  config {\n    endpoint = "${podman.endpoint}"\n  }\n}\n`,
    );
    const dev = spawn(path.join(root, "bin/caravan"), ["dev", "--config", config], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out = collectOutput(dev);
    stopDev = async () => {
      if (dev.exitCode !== null || dev.signalCode !== null) return;
      const exited = new Promise((r) => dev.once("exit", r));
      dev.kill("SIGINT");
      const timer = setTimeout(() => dev.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    };
    addr = await eventually(
      async () => {
        if (dev.exitCode !== null) throw new Error(`caravan dev exited:\n${out.stderr}`);
        return /NOMAD_ADDR=(\S+?)\)/.exec(out.stdout)?.[1];
      },
      "caravan dev to start",
      120_000,
    );
    await eventually(
      async () => {
        const nodes = (await api("/v1/nodes")) as unknown as Obj[];
        const node = nodes[0] ? await api(`/v1/node/${nodes[0].ID}`) : undefined;
        return node?.Drivers?.docker?.Healthy ? true : undefined;
      },
      "the docker driver to be healthy",
      60_000,
    );
  }, 240_000);
  // A failed test leaves no job holding a static port for the next one.
  afterEach(async () => {
    for (const j of (await api("/v1/jobs")) as unknown as Obj[]) await stopped(j.ID);
  }, 120_000);
  afterAll(async () => {
    await stopDev();
    await podman?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }, 120_000);

  it("dynamic-ports: three allocations on picked ports, read by another job's template", async () => {
    const warnings = await runJob(path.join(seeds, "003-dynamic-ports.nomad.hcl"));
    expect(warnings).toContain('service "app" uses provider "consul"');
    const regs = await registrations("dynamic-ports", 6);
    const app = regs.filter((s) => s.ServiceName === "app");
    expect(app).toHaveLength(3);
    expect(regs.filter((s) => s.ServiceName === "app-metrics")).toHaveLength(3);
    expect(new Set(app.map((s) => s.Port)).size).toBe(3);
    for (const s of app) expect(await serves(s.Address, s.Port)).toBe("seed app\n");

    const host = await sharedNetwork(app[0]?.AllocID);
    // The node's address, and no mapping (To 0) for a port without one.
    expect(host).toMatchObject({ Mode: "host", IP: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/) });
    for (const label of ["http", "metrics"])
      expect(ports(host).find((p) => p.Label === label)).toMatchObject({
        Value: expect.any(Number),
        To: 0,
      });

    const watcher = path.join(tmp, "watcher.nomad.hcl");
    writeFileSync(
      watcher,
      `job "watcher" {
  group "w" {
    task "w" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["600"]
      }
      template {
        data        = "{{ range nomadService \\"app\\" }}{{ .Address }}:{{ .Port }}\\n{{ end }}"
        destination = "local/app.txt"
        change_mode = "noop"
      }
    }
  }
}
`,
    );
    await runJob(watcher);
    const rendered = await eventually(
      async () => {
        const id = (await runningAllocs("watcher"))[0]?.ID;
        if (!id) return undefined;
        const file = await call("GET", `/v1/client/fs/cat/${id}?path=w/local/app.txt`).catch(
          () => ({ text: "" }),
        );
        const text = String(file.text ?? "");
        return text.trim().split("\n").length === 3 ? text : undefined;
      },
      "the watcher's template to list the three app addresses",
      60_000,
    );
    expect(rendered.trim().split("\n").sort()).toEqual(
      app.map((s) => `${s.Address}:${s.Port}`).sort(),
    );
    await stopped("watcher");
    await stopped("dynamic-ports");
  });

  it("api-gateway: a bridge group whose Connect sidecar is warned about, not run", async () => {
    const warnings = await runJob(path.join(seeds, "000-api-gateway.nomad.hcl"));
    expect(warnings).toContain(
      "Consul Connect (sidecar_service), which Caravan does not support yet",
    );
    const [reg] = await registrations("api-gateway", 1);
    expect(reg).toMatchObject({ ServiceName: "api-gateway", Port: 8080 });
    // Nomad registers a bridge group's service at the node's address; the port
    // is the literal 8080 of the seed, inside the group's namespace.
    const full = await api(`/v1/allocation/${reg?.AllocID}`);
    expect(full.NetworkStatus?.Address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(await serves(full.NetworkStatus.Address, 8080)).toBe("seed app\n");
    await stopped("api-gateway");
  });

  it("custom-network: a bridge group with static 8080 -> 80 registers and shows its address", async () => {
    await runJob(path.join(seeds, "003-custom-network.nomad.hcl"));
    // One node, one host port 8080: one allocation places, the other waits, as in Nomad.
    const [reg] = await registrations("custom-network", 1);
    expect(reg).toMatchObject({ ServiceName: "app", Port: 8080 });
    const bridge = await sharedNetwork(reg?.AllocID);
    expect(bridge).toMatchObject({ Mode: "bridge", IP: reg?.Address });
    expect(ports(bridge).find((p) => p.Label === "http")).toMatchObject({ Value: 8080, To: 80 });
    // The seed's task sets docker network_mode = "bridge", so, as under
    // Nomad, its container is on the engine's own network and not in the
    // group's namespace, where portmap sends 8080: nothing answers there.
    const full = await api(`/v1/allocation/${reg?.AllocID}`);
    expect(full.NetworkStatus?.Address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    await stopped("custom-network");
  });

  it("consul-integrated: a tagged service with checks in the native catalog", async () => {
    await runJob(path.join(seeds, "003-consul-integrated.nomad.hcl"));
    const [reg] = await registrations("consul-integrated", 1);
    expect(reg).toMatchObject({ ServiceName: "app", Port: 8080, Tags: ["v1", "api"] });
    expect(await serves(reg?.Address, 8080)).toBe("seed app\n");
    const info = (await api("/v1/service/app")) as unknown as Obj[];
    expect(info.map((s) => s.JobID)).toContain("consul-integrated");
    await stopped("consul-integrated");
  });

  it("microservice: its bridge network and checked service, on a plain task", async () => {
    // Local substitution: what a dev node cannot give (class "compute",
    // dc2, multiregion, a GPU, Vault, an s3 artifact) is dropped and the task
    // runs the local image; Networks and Services are the seed's, unchanged.
    const seed = JSON.parse(
      readFileSync(path.join(seeds, "000-microservice.nomad.json"), "utf8"),
    ) as Obj;
    const job = seed.Job;
    const group = job.TaskGroups[0];
    const original = JSON.stringify({ n: group.Networks, s: group.Services });
    job.Datacenters = ["dc1"];
    for (const k of ["Constraints", "Spreads", "Multiregion", "Update"]) delete job[k];
    group.Count = 1;
    delete group.Scaling;
    group.Tasks = [
      {
        Name: "api",
        Driver: "docker",
        Config: { image: "myapp:latest", ports: ["http"] },
        Env: group.Tasks[0].Env,
        Resources: { CPU: 100, MemoryMB: 64 },
      },
    ];
    expect(JSON.stringify({ n: group.Networks, s: group.Services })).toBe(original);
    const file = path.join(tmp, "microservice.json");
    writeFileSync(file, JSON.stringify(seed));
    expect(await runJob(file)).toContain("Consul Connect (sidecar_service)");
    const [reg] = await registrations("microservice", 1);
    expect(reg).toMatchObject({ ServiceName: "api", Port: 8080, Tags: ["urlprefix-/api"] });
    expect(await serves(reg?.Address, 8080)).toBe("seed app\n");
    await stopped("microservice");
  });
});
