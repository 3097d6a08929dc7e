// `caravan controller --config` and `caravan agent --config` start with the
// seed documents' server and client files unchanged (a second file only moves
// the HTTP port off 4646): each setting they ignore is named once on stderr,
// and the settings that work show on the node the agent registers.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/common/log.js";
import { type ControlPlane, startControlPlane } from "../../src/controlplane/start.js";
import { eventually, kubectlOk } from "../support/kubectl.js";
import { collectOutput, type Output } from "../support/output.js";

const root = path.resolve(import.meta.dirname, "../..");
const caravan = path.join(root, "bin/caravan");
const seeds = path.join(root, "test/config/seeds");
// biome-ignore lint/suspicious/noExplicitAny: objects read back as JSON
type Obj = Record<string, any>;

describe("the seeds' agent configuration files", () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "caravan-e2e-seeds-"));
  const ports = path.join(tmp, "ports.hcl");
  const logFile = path.join(tmp, "logs", "agent.log");
  const logging = path.join(tmp, "logging.hcl");
  writeFileSync(ports, "ports {\n  http = 0\n}\n");
  writeFileSync(logging, `log_file = "${logFile}"\nlog_rotate_max_files = 3\n`);
  const children: ChildProcess[] = [];
  let cluster: ControlPlane;
  let kubeconfig = "";

  beforeAll(async () => {
    cluster = await startControlPlane({
      dataDir: path.join(tmp, "cluster"),
      log: createLogger({ level: "warn", json: false }),
      crds: [path.join(root, "charts/caravan/crds")],
      controllers: [],
    });
    kubeconfig = cluster.kubeconfigPath;
  }, 180_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    await cluster?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  function start(
    args: string[],
    env: Record<string, string> = {},
  ): { child: ChildProcess; out: Output } {
    const child = spawn(caravan, [...args, "--kubeconfig", kubeconfig], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
    children.push(child);
    return { child, out: collectOutput(child) };
  }

  const warned = (stderr: string, file: string) =>
    stderr
      .split("\n")
      .filter((l) => l.startsWith(`WARNING: ${path.join(seeds, file)}:`))
      .map((l) => /:\d+: (\S+) is/.exec(l)?.[1]);

  it("caravan controller starts with a seed's server file", async () => {
    const { child, out } = start([
      "controller",
      "--config",
      path.join(seeds, "003-federation-server.hcl"),
      "--config",
      ports,
      "--data-dir",
      path.join(tmp, "server"),
      "--namespace",
      "seeds",
    ]);
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`controller exited:\n${out.stderr}`);
        return out.stderr.includes("controller started") || undefined;
      },
      "the controller to start",
      120_000,
    );
    expect(warned(out.stderr, "003-federation-server.hcl")).toEqual([
      "server.bootstrap_expect",
      "advertise.rpc",
      "advertise.serf",
      "server_join",
    ]);
    child.kill("SIGINT");
  }, 180_000);

  it("caravan agent starts with a seed's client files, and its node shows what they set", async () => {
    const { child, out } = start(
      [
        "agent",
        "--config",
        path.join(seeds, "000-client.hcl"),
        "--config",
        path.join(seeds, "000-performance.hcl"),
        "--config",
        ports,
        "--config",
        logging,
        "--data-dir",
        path.join(tmp, "client"),
      ],
      { CARAVAN_NODE_NAME: "seed-client" },
    );
    const node = await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`agent exited:\n${out.stderr}`);
        const r = await kubectlOk(kubeconfig, ["get", "nomadnodes", "-A", "-o", "json"]).catch(
          () => "",
        );
        const items = r ? (JSON.parse(r).items as Obj[]) : [];
        return items.find((n) => n.status?.name === "seed-client" && n.status?.attributes);
      },
      "the agent's node",
      120_000,
    );
    expect(warned(out.stderr, "000-client.hcl")).toEqual([
      "client.servers",
      "host_volume",
      "consul.address",
      "telemetry.publish_allocation_metrics",
      "telemetry.publish_node_metrics",
    ]);
    // client { node_class = "compute" } and the fingerprint allowlist (cpu, memory, disk, network).
    expect(node.status.nodeClass).toBe("compute");
    expect(node.status.attributes["cpu.numcores"]).toBeDefined();
    expect(node.status.attributes["kernel.name"]).toBeUndefined();
    expect(node.status.reserved).toMatchObject({ cpuShares: 500, memoryMB: 512, diskMB: 1024 });
    // log_file gets the agent's log lines too.
    const logged = readFileSync(logFile, "utf8");
    expect(logged.length).toBeGreaterThan(0);
    expect(out.stderr).toContain(logged.split("\n")[0]);
    child.kill("SIGINT");
  }, 180_000);
});
