// The Nomad-compatible HTTP API: informer caches, the authorizer, the routes
// and the server, started together on ports.http by `caravan controller` and
// `caravan dev`.
import type { Registry } from "prom-client";
import type { Logger } from "../common/log.js";
import type { AgentConfig } from "../config/agent-config.js";
import type { SharedInformers } from "../controllers/informers.js";
import { Authorizer } from "../http/authorizer.js";
import type { Route } from "../http/context.js";
import { tlsEnabled } from "../http/listen.js";
import type { KubeConfig } from "../kube/kubeconfig.js";
import { reportPolicyStatus } from "./policies.js";
import { aclRoutes } from "./routes/acl/index.js";
import { agentRoutes } from "./routes/agent.js";
import { allocationRoutes } from "./routes/allocations.js";
import { childRoutes } from "./routes/children.js";
import type { RouteDeps } from "./routes/deps.js";
import { eventRoutes } from "./routes/events.js";
import { fsRoutes } from "./routes/fs.js";
import { jobChangeRoutes } from "./routes/job-changes.js";
import { jobSubmission } from "./routes/job-submit.js";
import { jobValidateRoutes } from "./routes/job-validate.js";
import { jobRoutes } from "./routes/jobs.js";
import { lifecycleRoutes } from "./routes/lifecycle.js";
import { logRoutes } from "./routes/logs.js";
import { namespaceRoutes } from "./routes/namespaces.js";
import { nodePoolRoutes } from "./routes/nodepools.js";
import { nodeRoutes } from "./routes/nodes.js";
import { notServed } from "./routes/not-served.js";
import { operatorRaftRoutes } from "./routes/operator-raft.js";
import { operatorSchedulerRoutes } from "./routes/operator-scheduler.js";
import { operatorSnapshotRoutes } from "./routes/operator-snapshot.js";
import { scalingRoutes } from "./routes/scaling.js";
import { serviceRoutes } from "./routes/services.js";
import { systemRoutes } from "./routes/system.js";
import { variableRoutes } from "./routes/variables.js";
import { type ApiServer, serveApi } from "./server.js";
import { ApiState } from "./state.js";
import { fillTokenStatus } from "./tokens.js";

export interface ApiOptions {
  registry: Registry;
  /** Only this namespace's objects; unset means all. */
  namespace?: string;
  /** Where ACL token Secrets are written. */
  secretNamespace: string;
  ready?: () => boolean;
  /** The controllers' informers, shared so each kind is cached once per process. */
  informers?: SharedInformers;
  /** The live controller replicas, for the Raft peer list. */
  replicas?: RouteDeps["replicas"];
}

export interface RunningApi extends ApiServer {
  state: ApiState;
  url: string;
  /** Every route served, for tests that go through them all. */
  routes: readonly Route[];
}

export async function startApi(
  kc: KubeConfig,
  config: AgentConfig,
  log: Logger,
  options: ApiOptions,
): Promise<RunningApi> {
  // addresses { http } moves the HTTP API off bind_addr, as in Nomad.
  const listenAddr = config.addresses?.http ?? config.bindAddr;
  const state = new ApiState(kc, log, options.namespace, options.informers);
  const auth = new Authorizer(state, config.acl?.enabled ?? false);
  const deps: RouteDeps = {
    kc,
    state,
    auth,
    config,
    registry: options.registry,
    log,
    secretNamespace: options.secretNamespace,
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(options.replicas ? { replicas: options.replicas } : {}),
  };
  const submission = jobSubmission(deps);
  const routes = [
    // Before jobRoutes: their /v1/job/:id* would take ".../dispatch" as a job ID.
    ...childRoutes(deps, submission),
    ...serviceRoutes(deps),
    ...variableRoutes(deps),
    ...jobChangeRoutes(deps, submission),
    ...jobRoutes(deps, submission),
    ...jobValidateRoutes(deps, submission),
    ...allocationRoutes(deps),
    ...nodePoolRoutes(deps),
    ...nodeRoutes(deps),
    ...agentRoutes(deps),
    ...namespaceRoutes(deps),
    ...aclRoutes(deps),
    ...logRoutes(deps),
    ...fsRoutes(deps),
    ...scalingRoutes(deps),
    ...lifecycleRoutes(deps),
    ...systemRoutes(deps),
    ...operatorRaftRoutes(deps),
    ...operatorSnapshotRoutes(deps),
    ...eventRoutes(deps),
    ...operatorSchedulerRoutes(deps),
  ];
  // Tokens applied with kubectl get their status from whichever API replica sees them.
  if (config.acl?.enabled) {
    fillTokenStatus(kc, state, log);
    reportPolicyStatus(kc, state, log);
  }
  state.start();
  let server: ApiServer;
  try {
    server = await serveApi(
      {
        state,
        auth,
        routes,
        notServed,
        registry: options.registry,
        log,
        // Ready once the caches hold the cluster: answers before that would be empty.
        ready: () => (options.ready?.() ?? true) && state.jobs.hasSynced(),
        limits: { maxConnsPerClient: config.limits?.httpMaxConnsPerClient ?? 100 },
        region: config.region,
        ...(config.tls ? { tls: config.tls } : {}),
        ...(config.httpApiResponseHeaders
          ? { responseHeaders: config.httpApiResponseHeaders }
          : {}),
      },
      listenAddr,
      config.ports.http,
    );
  } catch (err) {
    state.stop();
    throw err;
  }
  // Answers before the caches hold the cluster would be empty; wait a while for
  // them, but do not hang start-up on a kind the service account cannot list.
  await Promise.race([state.waitForSync(), new Promise((r) => setTimeout(r, 15_000).unref())]);
  const scheme = tlsEnabled(config.tls) ? "https" : "http";
  return {
    ...server,
    state,
    routes,
    url: `${scheme}://${listenAddr}:${server.port}`,
    close: async () => {
      state.stop();
      await server.close();
    },
  };
}
