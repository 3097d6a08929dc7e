// What `caravan controller` and `caravan dev` run: the HTTP endpoint (the
// Nomad API, metrics and probes on ports.http) on every replica, and the
// controllers on the leader only (two replicas can run and only one acts; a
// follower takes over within the lease duration when the leader dies, at once
// when it stops cleanly).

import os from "node:os";
import { advertisedAddr } from "../agent/agent.js";
import { advertiseHost } from "../agent/http/server.js";
import { startApi } from "../api/index.js";
import { durationMs } from "../common/duration.js";
import type { Logger } from "../common/log.js";
import type { Shutdown } from "../common/shutdown.js";
import type { AgentConfig } from "../config/agent-config.js";
import { thresholdsFrom } from "../controllers/gc/collect.js";
import { createInformers } from "../controllers/informers.js";
import { startControllers } from "../controllers/run.js";
import type { KubeConfig } from "../kube/kubeconfig.js";
import { defaultIdentity, whileLeader } from "../kube/leaderelection.js";
import { announceReplica, listReplicas } from "../kube/replicas.js";
import { createControllerMetrics } from "../metrics/registry.js";

export const controllerLease = "caravan-controller";

export interface ServerOptions {
  /** Namespace of the leader Lease. */
  leaseNamespace: string;
  /** Act on one namespace only; unset means every namespace. */
  watchNamespace?: string;
}

export async function runServer(
  kc: KubeConfig,
  config: AgentConfig,
  log: Logger,
  shutdown: Shutdown,
  options: ServerOptions,
): Promise<{ httpAddress: string }> {
  const metrics = createControllerMetrics();
  // One identity for the leader election and the replica's own Lease, so the peer list marks the leader.
  const identity = defaultIdentity();
  // One cache per kind in this process: the API reads what the controllers (on the leader) act on.
  const informers = createInformers(kc, log, options.watchNamespace);
  // Registered first, so stopped last: after the controllers and the API that read them.
  shutdown.add("informers", () => informers.stop());
  const server = await startApi(kc, config, log.child({ component: "api" }), {
    registry: metrics.registry,
    informers,
    secretNamespace: options.leaseNamespace,
    ...(options.watchNamespace ? { namespace: options.watchNamespace } : {}),
    replicas: () => listReplicas(kc, options.leaseNamespace, controllerLease, Date.now()),
  }).catch((err: NodeJS.ErrnoException) => {
    throw new Error(
      err.code === "EADDRINUSE"
        ? `${config.addresses?.http ?? config.bindAddr}:${config.ports.http} is in use; set another port with ports { http = N } (0 picks a free one)`
        : err.message,
    );
  });
  shutdown.add("http", () => server.close());
  const replica = announceReplica(kc, {
    namespace: options.leaseNamespace,
    election: controllerLease,
    identity,
    node: `${config.name || os.hostname()}.${config.region}`,
    address: replicaAddress(config, server.url),
    log,
  });
  shutdown.add("replica", () => replica.stop());
  const leader = whileLeader(kc, {
    namespace: options.leaseNamespace,
    name: controllerLease,
    identity,
    log,
    start: () =>
      startControllers(kc, log, {
        metrics,
        informers,
        gc: {
          thresholds: thresholdsFrom(config.server),
          // Nomad's job_gc_interval; its other core GC passes are every 5m too.
          ...(config.server.jobGcInterval
            ? { intervalMs: durationMs(config.server.jobGcInterval, 300_000) }
            : {}),
        },
        ...(config.server.numSchedulers ? { numSchedulers: config.server.numSchedulers } : {}),
        ...(options.watchNamespace ? { namespace: options.watchNamespace } : {}),
      }),
    onFailed: (err) => {
      log.error({ err }, "controllers failed to start");
      void shutdown.stop().then(() => process.exit(1));
    },
    onLost: () => {
      // Another replica may act now: stop at once, as controller-runtime does.
      log.error("leadership lost; exiting");
      process.exit(1);
    },
  });
  shutdown.add("controllers", () => leader.stop());
  return { httpAddress: server.url };
}

/** Where others reach this replica's API: advertise { http }, else the address it listens on. */
function replicaAddress(config: AgentConfig, url: string): string {
  const { hostname, port } = new URL(url);
  return advertisedAddr(config.advertise?.http, `${advertiseHost(hostname)}:${port}`);
}
