// `caravan dev`: like `nomad agent -dev`. Starts the embedded control plane (or
// joins a cluster given with --kubeconfig), installs the CRDs and runs in the
// foreground until interrupted. Without --data-dir, state lives in a temporary
// directory removed at exit, as Nomad's dev agent keeps nothing.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { startAgent } from "../../agent/agent.js";
import type { Logger } from "../../common/log.js";
import { Shutdown } from "../../common/shutdown.js";
import { version } from "../../common/version.js";
import type { AgentConfig } from "../../config/agent-config.js";
import { repoRoot } from "../../controlplane/binary.js";
import { startControlPlane } from "../../controlplane/start.js";
import { controllerNamespace, loadKubeConfig } from "../../kube/client.js";
import { installCrds } from "../../kube/crds.js";
import { runServer } from "../../server/server.js";
import {
  addCommonFlags,
  type CommonFlags,
  configFromFlags,
  loggerFor,
  UsageError,
} from "../options.js";

interface DevFlags extends CommonFlags {
  port?: string;
}

export function devCommand(): Command {
  const cmd = new Command("dev")
    .description("run a single-process Caravan for development, like `nomad agent -dev`")
    .option(
      "--port <port>",
      "kube-apiserver port of the embedded control plane (default: a free port)",
    );
  return addCommonFlags(cmd).action(async (flags: DevFlags) => {
    process.exitCode = await runDev(flags);
  });
}

async function runDev(flags: DevFlags): Promise<number> {
  const config = await configFromFlags(flags);
  const log = loggerFor(config);
  const shutdown = new Shutdown(log);
  shutdown.listen();
  try {
    await startDev(flags, config, log, shutdown);
  } catch (err) {
    // Whatever was started before the failure is stopped again.
    await shutdown.stop();
    throw err;
  }
  await shutdown.waitForSignal();
  await shutdown.stop();
  return 0;
}

async function startDev(
  flags: DevFlags,
  config: AgentConfig,
  log: Logger,
  shutdown: Shutdown,
): Promise<void> {
  const crdDir = path.join(repoRoot, "charts/caravan/crds");
  const ephemeral = !config.dataDir;
  const dataDir = path.resolve(
    config.dataDir ?? mkdtempSync(path.join(os.tmpdir(), "caravan-dev-")),
  );
  if (ephemeral) shutdown.add("data dir", () => rmSync(dataDir, { recursive: true, force: true }));

  let kubeconfigPath = config.kubeconfig;
  let server: string;
  if (kubeconfigPath) {
    server = loadKubeConfig(kubeconfigPath).getCurrentCluster()?.server ?? "(unknown)";
    log.info({ kubeconfig: kubeconfigPath, server }, "using existing cluster");
  } else {
    log.info({ dataDir }, "starting embedded control plane");
    const port = flags.port === undefined ? undefined : Number(flags.port);
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
      throw new UsageError(
        `--port: expected a port number from 1 to 65535, got ${JSON.stringify(flags.port)}`,
      );
    }
    const controlPlane = await startControlPlane({
      dataDir,
      log,
      crds: [crdDir],
      ...(port ? { port } : {}),
    });
    shutdown.add("control plane", () => controlPlane.stop());
    void controlPlane.exited.then((code) => {
      if (shutdown.isStopping) return;
      log.error({ code }, "control plane exited unexpectedly; see its logs in the data dir");
      void shutdown.stop().then(() => process.exit(1));
    });
    kubeconfigPath = controlPlane.kubeconfigPath;
    server = controlPlane.server;
  }

  const kc = loadKubeConfig(kubeconfigPath);
  if (config.kubeconfig) {
    // The embedded control plane installs them itself, before its garbage collector starts.
    const crds = await installCrds(kc, crdDir);
    log.info({ count: crds.length }, "CRDs installed");
  }
  const { httpAddress } = await runServer(
    kc,
    // Like `nomad agent -dev`, this agent is a server and a client; its server
    // keeps what it writes (the ACL bootstrap reset file) under <data dir>/server.
    { ...config, dataDir, client: { ...config.client, enabled: true } },
    log.child({ component: "controller" }),
    shutdown,
    { leaseNamespace: controllerNamespace() },
  );

  // One agent on this machine, with raw_exec enabled as `nomad agent -dev` does.
  // Its client endpoints listen on a free loopback port, recorded on its node:
  // the API forwards logs, fs, restart and signal there, as it does to remote agents.
  const agentConfig = {
    ...config,
    bindAddr: "127.0.0.1",
    ports: { http: 0 },
    client: {
      ...config.client,
      options: { "driver.raw_exec.enable": "1", ...config.client.options },
    },
  };
  const agent = await startAgent(
    kc,
    agentConfig,
    log.child({ component: "agent" }),
    version(),
    path.join(dataDir, "client"),
  );
  // Like Nomad's dev agent, stopping dev stops the tasks too.
  shutdown.add("agent", () => agent.stop(true));

  process.stdout.write(
    [
      "==> Caravan dev mode started! Log data will stream in below:",
      "",
      `    Kubernetes API: ${server}`,
      `    Nomad API:      ${httpAddress} (export NOMAD_ADDR=${httpAddress})`,
      `    HTTP (metrics): ${httpAddress}/metrics`,
      `    Client node:    ${agent.nodeName} (raw_exec enabled)`,
      `        Data dir:   ${dataDir}${ephemeral ? " (removed at exit)" : ""}`,
      "",
      "    Use it with kubectl:",
      `      export KUBECONFIG=${kubeconfigPath}`,
      "      kubectl get nomad",
      `      kubectl apply -f ${path.relative(process.cwd(), path.join(repoRoot, "examples")) || "examples"}/`,
      "",
      "    Press Ctrl-C to stop.",
      "",
    ].join("\n"),
  );
}
