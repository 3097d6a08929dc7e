// What every controller is built from: the cluster, the shared informers, the
// event recorder, a logger and the clock.
import type { Logger } from "../common/log.js";
import type { EventRecorder } from "../kube/events.js";
import type { KubeConfig } from "../kube/kubeconfig.js";
import type { SharedInformers } from "./informers.js";

export interface ControllerContext {
  kc: KubeConfig;
  informers: SharedInformers;
  events: EventRecorder;
  log: Logger;
  now: () => number;
}
