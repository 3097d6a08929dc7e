// What an allocation's runners are given by the agent: the cluster, drivers,
// node, state store and log plumbing they share with every other allocation.
import type { Logger } from "../common/log.js";
import type { Task } from "../crds/job/index.js";
import type { NomadAllocation, NomadNode } from "../crds/objects.js";
import type { TaskDriver } from "../drivers/driver.js";
import type { KubeConfig } from "../kube/kubeconfig.js";
import type { LogmonClient } from "./logs/logmon.js";
import type { LogCollector } from "./logs/tasklogs.js";
import type { CniSettings } from "./network/conflist.js";
import type { AgentState } from "./state.js";
import type { TaskTemplateHook, TemplateHookEvents } from "./templates/hook.js";

export interface AllocRunnerDeps {
  kc: KubeConfig;
  log: Logger;
  dataDir: string;
  /** Where allocations' directories go (client alloc_dir); <dataDir>/alloc when unset. */
  allocRoot?: string;
  region: string;
  drivers: ReadonlyMap<string, TaskDriver>;
  node: () => NomadNode | undefined;
  fieldManager: string;
  /** Where running tasks are recorded, to re-attach to them after an agent restart. */
  state: AgentState;
  /** How task output is collected; "logmon" (the default) rotates it in a process that outlives the agent. */
  logCollector?: LogCollector;
  /** The agent's log monitor, shared by every task. */
  logmon?: LogmonClient;
  /** Makes the hook that renders a task's templates; unset means templates are not supported here. */
  templates?: (
    task: Task,
    ctx: { alloc: NomadAllocation; taskDir: string; env: Record<string, string> },
    events: TemplateHookEvents,
  ) => TaskTemplateHook;
  /** The client's CNI settings: bridge and cni/<name> groups get a network namespace; unset, they cannot run here. */
  cni?: CniSettings;
  /** How often allocation status is written at most (Nomad's client batches its updates). */
  statusIntervalMs?: number;
}
