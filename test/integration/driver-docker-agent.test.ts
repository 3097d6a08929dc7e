// The docker driver end to end: controllers and a node agent on the real API
// server, the docker driver configured as the seeds configure it (endpoint,
// gc, volumes, allow_privileged = false, allow_caps) against a Podman service
// of the test's own. The seeds' web-app job, with nginx replaced by a busybox
// httpd image built here, serves on three mapped ports; failing containers
// restart per the restart policy; refused configs say why in the task events;
// a restarted agent re-attaches to its containers and a later stop stops them.
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { AgentClient } from "../../src/agent/client.js";
import { agentFieldManager, NodeRegistration } from "../../src/agent/registration.js";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { dockerDriver } from "../../src/drivers/docker/index.js";
import type { TaskDriver, TaskHandle } from "../../src/drivers/driver.js";
import { parseJob, toResource, toYaml } from "../../src/jobspec/index.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { type Obj, runningOf } from "../support/allocations.js";
import { buildBusyboxImage } from "../support/images.js";
import { createNamespace, eventually, kubectlOk } from "../support/kubectl.js";
import { type PodmanService, startPodman } from "../support/podman.js";

const kubeconfig = inject("kubeconfig");
const kc = loadKubeConfig(kubeconfig);
const log = createLogger({ level: "warn", json: false });
const run = Math.random().toString(36).slice(2, 7);
const dc = `docker-${run}`;
const nodeName = `docker-${run}-node`;
const image = "localhost/caravan-httpd:test";

type Event = { type: string; message: string };
const eventsOf = (a: Obj | undefined, task: string): Event[] =>
  (a?.status?.taskStates?.[task]?.events ?? []) as Event[];

describe("docker driver with the agent", () => {
  let ns: string;
  let controllers: Controllers;
  let registration: NodeRegistration;
  let podman: PodmanService;
  let docker: Docker;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "caravan-agent-docker-"));
  const driver = () =>
    dockerDriver({
      options: {},
      // As the seeds' client config writes it (HCL blocks arrive as lists).
      pluginConfig: {
        endpoint: podman.endpoint,
        gc: [{ image: true, image_delay: "3m", container: true }],
        volumes: [{ enabled: true }],
        allow_privileged: false,
        allow_caps: ["NET_ADMIN", "SYS_TIME", "CHOWN", "SETUID", "SETGID", "KILL"],
      },
      dataDir,
      log,
    });
  const client = (docker: TaskDriver = driver()) =>
    new AgentClient({
      kc,
      log,
      nodeName,
      dataDir,
      region: "global",
      drivers: new Map([["docker", docker]]),
      fieldManager: agentFieldManager,
    });

  async function runJob(hcl: string): Promise<void> {
    const parsed = parseJob({ file: "job.nomad.hcl", source: hcl });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const resource = toResource(parsed.job, ns);
    resource.metadata.namespace = ns;
    (resource.spec as Obj).datacenters = [dc];
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], toYaml(resource));
  }

  /** The containers the agent runs for a job, by Nomad's labels. */
  async function containersOf(job: string) {
    return docker.listContainers({
      all: true,
      filters: { label: [`com.hashicorp.nomad.job_name=${job}`] },
    });
  }

  beforeAll(async () => {
    podman = await startPodman();
    docker = new Docker({ socketPath: podman.socketPath });
    await buildBusyboxImage(podman, image);
    ns = await createNamespace(kubeconfig, "docker");
    controllers = await startControllers(kc, log, { namespace: ns });
    registration = new NodeRegistration(
      kc,
      log,
      {
        name: nodeName,
        datacenter: dc,
        nodePool: "default",
        meta: {},
        dataDir,
        reserved: {},
        version: "0.1.0",
      },
      async () => ({ docker: await driver().fingerprint() }),
    );
    await registration.start();
  }, 180_000);
  afterAll(async () => {
    registration?.stop();
    await controllers?.stop();
    await podman?.stop();
  }, 60_000);

  it("runs the seeds' web-app job: three containers serve HTTP on their mapped ports, with their memory limit and output", async () => {
    const agent = client();
    agent.start();
    await runJob(`
job "web-app" {
  type = "service"
  group "frontend" {
    count = 3
    network {
      port "http" { to = 8080 }
    }
    task "nginx" {
      driver = "docker"
      config {
        image   = "${image}"
        command = "/bin/sh"
        args    = ["-c", "echo serving $NOMAD_ALLOC_INDEX; exec httpd -f -p 8080 -h /www"]
        ports   = ["http"]
      }
      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}`);
    const allocs = await eventually(
      async () => {
        const all = await runningOf(kubeconfig, ns, "web-app");
        return all.length === 3 && all.every((a) => a.status?.clientStatus === "running")
          ? all
          : undefined;
      },
      "three running allocations",
      120_000,
    );
    // The node says it has docker, as Nomad's fingerprint does.
    const node = JSON.parse(
      await kubectlOk(kubeconfig, ["get", "nomadnode", nodeName, "-o", "json"]),
    ) as Obj;
    expect(node.status.attributes["driver.docker"]).toBe("1");
    expect(node.status.attributes["driver.docker.version"]).toMatch(/^\d+\.\d+/);
    expect(node.status.attributes["driver.docker.privileged.enabled"]).toBe("false");
    const listed = await kubectlOk(kubeconfig, ["get", "nomadallocations", "-n", ns]);
    expect(listed.match(/running/g)?.length).toBeGreaterThanOrEqual(3);

    for (const alloc of allocs) {
      const port = (alloc.spec.resources.shared.ports as Obj[]).find((p) => p.label === "http");
      expect(port?.value).toBeGreaterThan(0);
      const host = port?.hostIP || "127.0.0.1";
      const body = await eventually(async () => {
        try {
          const res = await fetch(`http://${host}:${port?.value}/`);
          return res.ok ? await res.text() : undefined;
        } catch {
          return undefined;
        }
      }, `httpd on ${host}:${port?.value}`);
      expect(body).toBe("hello from busybox httpd\n");
      const logFile = path.join(dataDir, "alloc", alloc.metadata.name, "alloc/logs/nginx.stdout.0");
      await eventually(
        async () =>
          readFileSync(logFile, "utf8").includes(`serving ${alloc.spec.index}`) ? true : undefined,
        "the container's output in the allocation's log",
      );
    }
    const containers = await containersOf("web-app");
    expect(containers.filter((c) => c.State === "running")).toHaveLength(3);
    for (const c of containers) {
      const info = await docker.getContainer(c.Id).inspect();
      expect(info.HostConfig.Memory).toBe(64 * 1024 * 1024);
    }
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "web-app", "-n", ns, "--timeout=60s"]);
    await eventually(
      async () => ((await containersOf("web-app")).length === 0 ? true : undefined),
      "the containers to be stopped and removed",
      60_000,
    );
    await agent.stop();
  }, 240_000);

  it("restarts a container that exits non-zero per the restart policy, then fails it", async () => {
    const agent = client();
    agent.start();
    await runJob(`
job "crasher" {
  group "g" {
    restart {
      attempts = 2
      interval = "5m"
      delay    = "1s"
      mode     = "fail"
    }
    reschedule {
      attempts  = 0
      unlimited = false
    }
    task "crash" {
      driver = "docker"
      config {
        image   = "${image}"
        command = "/bin/sh"
        args    = ["-c", "echo crashing; exit 3"]
      }
    }
  }
}`);
    const alloc = await eventually(
      async () => {
        const [a] = await runningOf(kubeconfig, ns, "crasher");
        return a?.status?.clientStatus === "failed" ? a : undefined;
      },
      "the allocation to fail after its restarts",
      120_000,
    );
    const state = alloc.status.taskStates.crash;
    expect(state.restarts).toBe(2);
    const types = eventsOf(alloc, "crash").map((e) => e.type);
    expect(types.filter((t) => t === "Restarting")).toHaveLength(2);
    expect(types.at(-1)).toBe("Not Restarting");
    expect(eventsOf(alloc, "crash").find((e) => e.type === "Terminated")?.message).toContain(
      "Exit Code: 3",
    );
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "crasher", "-n", ns, "--timeout=60s"]);
    await agent.stop();
  }, 240_000);

  it("reports a container killed for its memory limit as OOM Killed in the task events", async () => {
    const agent = client();
    agent.start();
    await runJob(`
job "hog" {
  type = "batch"
  group "g" {
    restart { attempts = 0 }
    reschedule { attempts = 0 }
    task "hog" {
      driver = "docker"
      config {
        image   = "${image}"
        command = "/bin/sh"
        args    = ["-c", "x=aaaaaaaaaaaaaaaa; while true; do x=\\"$x$x\\"; done"]
      }
      resources {
        cpu    = 100
        memory = 16
      }
    }
  }
}`);
    const alloc = await eventually(
      async () => {
        const [a] = await runningOf(kubeconfig, ns, "hog");
        return a?.status?.clientStatus === "failed" ? a : undefined;
      },
      "the allocation to fail",
      120_000,
    );
    const terminated = (alloc.status.taskStates.hog.events as Obj[]).find(
      (e) => e.type === "Terminated",
    );
    expect(terminated?.message).toBe('Exit Code: 137, Exit Message: "OOM Killed"');
    expect(terminated?.details).toMatchObject({ oom_killed: "true", exit_code: "137" });
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "hog", "-n", ns, "--timeout=60s"]);
    await agent.stop();
  }, 240_000);

  it("refuses privileged and cap_add outside allow_caps with the reason in the task events", async () => {
    const agent = client();
    agent.start();
    const job = (name: string, extra: string) => `
job "${name}" {
  type = "batch"
  group "g" {
    restart { attempts = 0 }
    reschedule { attempts = 0 }
    task "t" {
      driver = "docker"
      config {
        image   = "${image}"
        command = "/bin/true"
        ${extra}
      }
    }
  }
}`;
    await runJob(job("privileged", "privileged = true"));
    await runJob(job("caps", 'cap_add = ["SYS_ADMIN"]'));
    for (const [name, reason] of [
      ["privileged", "config.privileged: Docker privileged mode is disabled"],
      [
        "caps",
        "config.cap_add: capabilities not allowed by the plugin config allow_caps: SYS_ADMIN",
      ],
    ] as const) {
      const alloc = await eventually(
        async () => {
          const [a] = await runningOf(kubeconfig, ns, name);
          return a?.status?.clientStatus === "failed" ? a : undefined;
        },
        `${name} to be refused`,
        60_000,
      );
      const event = eventsOf(alloc, "t").find((e) => e.type === "Failed Validation");
      expect(event?.message).toContain(reason);
      await kubectlOk(kubeconfig, ["delete", "nomadjob", name, "-n", ns, "--timeout=60s"]);
    }
    expect(await containersOf("privileged")).toEqual([]);
    await agent.stop();
  }, 240_000);

  it("re-attaches to running containers after an agent restart, and a later stop stops them", async () => {
    // An agent in this process cannot be kill -9ed; one whose driver goes
    // silent is as good: its task runners never hear of their tasks again.
    const dying = killable(driver());
    const first = client(dying.driver);
    first.start();
    await runJob(`
job "steady" {
  group "g" {
    count = 2
    task "s" {
      driver = "docker"
      config {
        image   = "${image}"
        command = "/bin/sh"
        args    = ["-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
      }
    }
  }
}`);
    const before = await eventually(
      async () => {
        const running = (await containersOf("steady")).filter((c) => c.State === "running");
        const allocs = await runningOf(kubeconfig, ns, "steady");
        return running.length === 2 && allocs.every((a) => a.status?.clientStatus === "running")
          ? running
          : undefined;
      },
      "two running containers",
      120_000,
    );
    // The agent goes away as after kill -9: nothing stops its containers.
    dying.kill();
    await first.stop();
    const second = client();
    second.start();
    await eventually(
      async () => {
        const allocs = await runningOf(kubeconfig, ns, "steady");
        return allocs.length === 2 &&
          allocs.every((a) =>
            eventsOf(a, "s").some((e) => e.message === "Task re-attached after an agent restart"),
          )
          ? true
          : undefined;
      },
      "the new agent to re-attach to both",
      60_000,
    );
    const after = (await containersOf("steady")).filter((c) => c.State === "running");
    expect(after.map((c) => c.Id).sort()).toEqual(before.map((c) => c.Id).sort());
    for (const c of after) expect((await docker.getContainer(c.Id).inspect()).RestartCount).toBe(0);

    await kubectlOk(kubeconfig, ["delete", "nomadjob", "steady", "-n", ns, "--timeout=60s"]);
    await eventually(
      async () => ((await containersOf("steady")).length === 0 ? true : undefined),
      "the re-attached containers to be stopped",
      60_000,
    );
    await second.stop();
  }, 240_000);
});

/** A driver that, once killed, never reports anything to the agent that uses it. */
function killable(inner: TaskDriver): { driver: TaskDriver; kill(): void } {
  let dead = false;
  const never = <T>() => new Promise<T>(() => {});
  const silent = <T>(p: Promise<T>) =>
    p.then(
      (v) => (dead ? never<T>() : v),
      (err: unknown) => (dead ? never<T>() : Promise.reject(err)),
    );
  const wrap = (h: TaskHandle): TaskHandle => ({
    ...h,
    wait: () => silent(h.wait()),
    signal: (s) => (dead ? undefined : h.signal(s)),
    stop: async (s, t) => (dead ? undefined : h.stop?.(s, t)),
    destroy: async () => (dead ? undefined : h.destroy?.()),
  });
  return {
    driver: {
      ...inner,
      start: async (task) => wrap(await inner.start(task)),
    },
    kill: () => {
      dead = true;
    },
  };
}
