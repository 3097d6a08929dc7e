// The java and qemu drivers end to end: controllers and a node agent on the
// real API server. A Java task prints from its main class with its JVM
// options on its command line, chrooted as exec tasks are, and stops with
// its job; a QEMU task boots
// (software emulation), its forwarded port answers, and stopping the job
// powers the VM off through the QEMU monitor.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { AgentClient } from "../../src/agent/client.js";
import { agentFieldManager, NodeRegistration } from "../../src/agent/registration.js";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { javaDriver } from "../../src/drivers/java/index.js";
import { qemuDriver } from "../../src/drivers/qemu/index.js";
import { rawExecDriver } from "../../src/drivers/raw_exec/index.js";
import { parseJob, toResource, toYaml } from "../../src/jobspec/index.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { type Obj, runningOf } from "../support/allocations.js";
import { buildJavaApp, type JavaApp, jvmsWithMarker } from "../support/java-app.js";
import { createNamespace, eventually, kubectlOk } from "../support/kubectl.js";
import { buildTestVm, type TestVm } from "../support/qemu-image.js";

const kubeconfig = inject("kubeconfig");
const kc = loadKubeConfig(kubeconfig);
const log = createLogger({ level: "warn", json: false });
const run = Math.random().toString(36).slice(2, 7);
const dc = `jvm-vm-${run}`;
const nodeName = `jvm-vm-${run}-node`;
const marker = `m${run}`;

const context = (dataDir: string) => ({ options: {}, pluginConfig: {}, dataDir, log });

const read = (f: string) => {
  try {
    return readFileSync(f, "utf8");
  } catch {
    return "";
  }
};

/** PIDs of QEMU processes forwarding the given host port. */
function vmsOn(port: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (argv[0]?.endsWith("qemu-system-x86_64") && argv.some((a) => a.includes(`:${port}-:80`)))
        pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

describe("java and qemu drivers with the agent", () => {
  let ns: string;
  let controllers: Controllers;
  let registration: NodeRegistration;
  let agent: AgentClient;
  let app: JavaApp;
  let vm: TestVm;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "caravan-agent-jvm-vm-"));
  const java = javaDriver(context(dataDir));
  const qemu = qemuDriver(context(dataDir));

  async function runJob(hcl: string): Promise<void> {
    const parsed = parseJob({ file: "job.nomad.hcl", source: hcl });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const resource = toResource(parsed.job, ns);
    resource.metadata.namespace = ns;
    (resource.spec as Obj).datacenters = [dc];
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], toYaml(resource));
  }

  const runningAlloc = (job: string, timeoutMs: number) =>
    eventually(
      async () => {
        const [a] = await runningOf(kubeconfig, ns, job);
        return a?.status?.clientStatus === "running" ? a : undefined;
      },
      `${job} to run`,
      timeoutMs,
    );

  beforeAll(async () => {
    [app, vm] = await Promise.all([buildJavaApp(), buildTestVm()]);
    ns = await createNamespace(kubeconfig, "jvm-vm");
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
      async () => ({
        java: await java.fingerprint(),
        qemu: await qemu.fingerprint(),
        raw_exec: { detected: true, healthy: true, healthDescription: "Healthy", attributes: {} },
      }),
    );
    await registration.start();
    agent = new AgentClient({
      kc,
      log,
      nodeName,
      dataDir,
      region: "global",
      drivers: new Map([
        ["java", java],
        [
          "raw_exec",
          rawExecDriver({ ...context(dataDir), options: { "driver.raw_exec.enable": "1" } }),
        ],
        ["qemu", qemu],
      ]),
      fieldManager: agentFieldManager,
    });
    agent.start();
  }, 300_000);
  afterAll(async () => {
    await agent?.stop(true);
    registration?.stop();
    await controllers?.stop();
  }, 120_000);

  it("runs a Java task that prints from its main class, with the JVM options on its command line", async () => {
    // The classes reach the allocation as an artifact would: a prestart task
    // copies them into the allocation's shared directory, which the JVM's
    // chroot sees at /alloc.
    await runJob(`
job "jvm" {
  type = "batch"
  group "g" {
    task "fetch" {
      driver = "raw_exec"
      lifecycle {
        hook = "prestart"
      }
      config {
        command = "/bin/cp"
        args    = ["-r", "${app.classes}", "\${NOMAD_ALLOC_DIR}/data/classes"]
      }
    }
    task "app" {
      driver = "java"
      config {
        class       = "demo.Main"
        class_path  = "/alloc/data/classes"
        jvm_options = ["-Xmx48m", "-Dcaravan.marker=${marker}"]
        args        = ["wait", "from-job"]
      }
      env {
        GREETING = "hi from the job"
      }
      resources {
        cpu    = 200
        memory = 128
      }
    }
  }
}`);
    const alloc = await runningAlloc("jvm", 120_000);
    const node = JSON.parse(
      await kubectlOk(kubeconfig, ["get", "nomadnode", nodeName, "-o", "json"]),
    ) as Obj;
    expect(node.status.attributes["driver.java.version"]).toMatch(/^\d+/);
    expect(node.status.attributes["driver.qemu.version"]).toMatch(/^\d+\.\d+/);
    const logFile = path.join(dataDir, "alloc", alloc.metadata.name, "alloc/logs/app.stdout.0");
    await eventually(
      async () => (read(logFile).includes("hello from main") ? true : undefined),
      "the main class's output",
      60_000,
    );
    expect(read(logFile)).toBe(
      `hello from main: wait,from-job marker=${marker} greeting=hi from the job\n`,
    );
    const [jvm, ...others] = jvmsWithMarker(marker);
    expect(others).toEqual([]);
    expect(jvm?.argv.slice(1)).toEqual([
      "-Xmx48m",
      `-Dcaravan.marker=${marker}`,
      "-cp",
      "/alloc/data/classes",
      "demo.Main",
      "wait",
      "from-job",
    ]);
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "jvm", "-n", ns, "--timeout=60s"]);
    await eventually(
      async () => (jvmsWithMarker(marker).length === 0 ? true : undefined),
      "the JVM to stop with its job",
      60_000,
    );
  }, 240_000);

  it("boots a QEMU task whose forwarded port answers, and powers it off when the job stops", async () => {
    await runJob(`
job "vm" {
  group "g" {
    network {
      port "http" {}
    }
    task "vm" {
      driver       = "qemu"
      kill_timeout = "60s"
      config {
        image_path        = "${vm.disk}"
        accelerator       = "tcg"
        graceful_shutdown = true
        port_map {
          http = 80
        }
        args = ["-kernel", "${vm.kernel}", "-initrd", "${vm.initramfs}", "-append", "console=ttyS0 quiet"]
      }
      resources {
        cpu    = 500
        memory = 256
      }
    }
  }
}`);
    const alloc = await runningAlloc("vm", 120_000);
    const port = (alloc.spec.resources.shared.ports as Obj[]).find((p) => p.label === "http");
    const host = port?.hostIP || "127.0.0.1";
    const body = await eventually(
      async () => {
        try {
          const res = await fetch(`http://${host}:${port?.value}/`);
          return res.ok ? await res.text() : undefined;
        } catch {
          return undefined;
        }
      },
      "the VM's forwarded port to answer",
      240_000,
    );
    expect(body).toBe("hello from the vm\n");
    expect(vmsOn(port?.value)).toHaveLength(1);

    await kubectlOk(kubeconfig, ["delete", "nomadjob", "vm", "-n", ns, "--timeout=120s"]);
    await eventually(
      async () => (vmsOn(port?.value).length === 0 ? true : undefined),
      "the VM to shut down",
      120_000,
    );
    const logFile = path.join(dataDir, "alloc", alloc.metadata.name, "alloc/logs/vm.stdout.0");
    // Powered off by the guest itself (the monitor's power button), not killed.
    expect(read(logFile)).toContain("reboot: Power down");
  }, 480_000);
});
