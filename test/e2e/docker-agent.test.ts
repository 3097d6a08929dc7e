// A docker task under the built `bin/caravan dev` (controller and agent in one
// process), its plugin "docker" block as the seeds write it, pointed at a
// Podman service of the test's own: the container serves on its mapped port
// and `caravan alloc logs` prints its output; `kill -9` of caravan leaves the
// container running; the restarted agent re-attaches to the same container
// (not restarted) and copies what it wrote meanwhile, with no gap; `kubectl
// delete` then stops and removes it.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/common/log.js";
import { type ControlPlane, startControlPlane } from "../../src/controlplane/start.js";
import { parseJob, toResource, toYaml } from "../../src/jobspec/index.js";
import { buildBusyboxImage } from "../support/images.js";
import { eventually, kubectlOk } from "../support/kubectl.js";
import { collectOutput } from "../support/output.js";
import { type PodmanService, startPodman } from "../support/podman.js";

const root = path.resolve(import.meta.dirname, "../..");
const caravan = path.join(root, "bin/caravan");
const image = "localhost/caravan-e2e-httpd:test";
// biome-ignore lint/suspicious/noExplicitAny: objects read back as JSON
type Obj = Record<string, any>;

async function caravanRun(args: string[]) {
  const child = spawn(caravan, args, { stdio: ["ignore", "pipe", "pipe"] });
  const out = collectOutput(child);
  const code = await new Promise<number | null>((r) => child.on("close", r));
  return { code, stdout: out.stdout, stderr: out.stderr };
}

describe("docker tasks under caravan dev, across a kill -9", () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "caravan-e2e-docker-"));
  const dataDir = path.join(tmp, "data");
  const config = path.join(tmp, "dev.hcl");
  const started: ChildProcess[] = [];
  const m = `tick-${Math.random().toString(36).slice(2, 8)}`;
  let cluster: ControlPlane;
  let podman: PodmanService;
  let docker: Docker;
  let kubeconfig = "";

  async function startDev(): Promise<ChildProcess> {
    const dev = spawn(
      caravan,
      ["dev", "--kubeconfig", kubeconfig, "--data-dir", dataDir, "--config", config],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    started.push(dev);
    const out = collectOutput(dev);
    await eventually(
      async () => {
        if (dev.exitCode !== null) throw new Error(`caravan dev exited:\n${out.stderr}`);
        return out.stdout.includes("Press Ctrl-C to stop") || undefined;
      },
      "caravan dev to start",
      120_000,
    );
    return dev;
  }

  const allocOf = async (): Promise<Obj | undefined> =>
    JSON.parse(await kubectlOk(kubeconfig, ["get", "nomadallocations", "-o", "json"])).items[0];

  beforeAll(async () => {
    podman = await startPodman();
    docker = new Docker({ socketPath: podman.socketPath });
    await buildBusyboxImage(podman, image);
    writeFileSync(
      config,
      `ports {
  http = 0
}
plugin "docker" {
  config {
    endpoint = "${podman.endpoint}"
    gc {
      image       = true
      image_delay = "3m"
      container   = true
    }
    volumes {
      enabled = true
    }
    allow_privileged = false
    allow_caps       = ["NET_ADMIN", "SYS_TIME", "CHOWN", "SETUID", "SETGID", "KILL", "NET_BIND_SERVICE"]
  }
}
`,
    );
    cluster = await startControlPlane({
      dataDir: path.join(tmp, "cluster"),
      log: createLogger({ level: "warn", json: false }),
      controllers: [],
    });
    kubeconfig = cluster.kubeconfigPath;
  }, 240_000);
  afterAll(async () => {
    for (const dev of started) {
      if (dev.exitCode !== null || dev.signalCode !== null) continue;
      const exited = new Promise((r) => dev.once("exit", r));
      dev.kill("SIGINT");
      const timer = setTimeout(() => dev.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    }
    await podman?.stop();
    await cluster?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }, 120_000);

  it("serves, logs, survives the agent's kill -9, is re-attached and stopped", async () => {
    const first = await startDev();
    const parsed = parseJob({
      file: "web.nomad.hcl",
      source: `
job "web" {
  group "frontend" {
    network {
      port "http" { to = 8080 }
    }
    task "server" {
      driver = "docker"
      config {
        image   = "${image}"
        command = "/bin/sh"
        args    = ["-c", "httpd -p 8080 -h /www; i=0; while true; do echo \\"${m} $i\\"; i=$((i+1)); sleep 0.2; done"]
        ports   = ["http"]
      }
      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}`,
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], toYaml(toResource(parsed.job)));
    const alloc = await eventually(
      async () => {
        const a = await allocOf();
        return a?.status?.clientStatus === "running" ? a : undefined;
      },
      "the allocation to run",
      120_000,
    );
    const port = (alloc.spec.resources.shared.ports as Obj[]).find((p) => p.label === "http");
    const body = await eventually(async () => {
      try {
        const res = await fetch(`http://${port?.hostIP || "127.0.0.1"}:${port?.value}/`);
        return res.ok ? await res.text() : undefined;
      } catch {
        return undefined;
      }
    }, "httpd on the mapped port");
    expect(body).toBe("hello from busybox httpd\n");

    const logs = () =>
      caravanRun([
        "alloc",
        "logs",
        "-kubeconfig",
        kubeconfig,
        "-data-dir",
        dataDir,
        alloc.metadata.name,
      ]);
    const ticks = (out: string) =>
      out
        .split("\n")
        .filter((l) => l.startsWith(m))
        .map((l) => Number(l.slice(m.length + 1)));
    await eventually(
      async () => (ticks((await logs()).stdout).length >= 5 ? true : undefined),
      "caravan alloc logs to print the container's output",
    );

    const [container] = await docker.listContainers({
      filters: { label: ["com.hashicorp.nomad.job_name=web"] },
    });
    expect(container?.State).toBe("running");
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));
    const beforeRestart = Math.max(...ticks((await logs()).stdout));
    // The container goes on without an agent.
    await new Promise((r) => setTimeout(r, 3_000));
    const info = await docker.getContainer(container?.Id ?? "").inspect();
    expect(info.State.Running).toBe(true);

    await startDev();
    await eventually(
      async () => {
        const a = await allocOf();
        const events = (a?.status?.taskStates?.server?.events ?? []) as { message: string }[];
        return events.some((e) => e.message === "Task re-attached after an agent restart")
          ? true
          : undefined;
      },
      "the agent to re-attach",
      120_000,
    );
    const again = await docker.getContainer(container?.Id ?? "").inspect();
    expect(again.State.StartedAt).toBe(info.State.StartedAt);
    expect(again.RestartCount).toBe(0);
    // What the container wrote while no agent ran reaches the logs: no gap.
    const seen = await eventually(
      async () => {
        const t = ticks((await logs()).stdout);
        return Math.max(...t) > beforeRestart + 20 ? t : undefined;
      },
      "output after the restart",
      60_000,
    );
    const unique = [...new Set(seen)].sort((a, b) => a - b);
    expect(unique).toEqual(unique.map((_, i) => i));

    await kubectlOk(kubeconfig, ["delete", "nomadjob", "web", "--timeout=60s"]);
    await eventually(
      async () =>
        (
          await docker.listContainers({
            all: true,
            filters: { label: ["com.hashicorp.nomad.job_name=web"] },
          })
        ).length === 0
          ? true
          : undefined,
      "the container to be stopped and removed",
      60_000,
    );
  }, 480_000);
});
