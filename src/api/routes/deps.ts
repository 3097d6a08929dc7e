// What route modules are built from.

import type { Registry } from "prom-client";
import type { Logger } from "../../common/log.js";
import type { AgentConfig } from "../../config/agent-config.js";
import type { Authorizer } from "../../http/authorizer.js";
import type { KubeConfig } from "../../kube/kubeconfig.js";
import type { Replica } from "../../kube/replicas.js";
import type { ApiState } from "../state.js";

export interface RouteDeps {
  kc: KubeConfig;
  state: ApiState;
  auth: Authorizer;
  config: AgentConfig;
  registry: Registry;
  log: Logger;
  /** The one namespace this API serves, when it is limited to one. */
  namespace?: string;
  /** Where ACL token secrets are kept (a Secret per token). */
  secretNamespace: string;
  now?: () => number;
  /** The live controller replicas (Nomad's Raft peers); unset when this API runs without them. */
  replicas?: () => Promise<{ replicas: Replica[]; index: number }>;
}
