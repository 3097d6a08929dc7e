// A real node agent (`caravan agent`'s composition: registration with its
// HTTP address, client endpoints, ACLs) for the API tests, so their client
// requests (logs, fs, restart, signal) take the forwarding path to an agent.
// The allocations it is given name a job that is never registered, so the
// agent keeps them without running them: the tests write the files.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type RunningAgent, startAgent } from "../../src/agent/agent.js";
import type { Logger } from "../../src/common/log.js";
import { defaultAgentConfig } from "../../src/config/agent-config.js";
import type { NomadAllocation } from "../../src/crds/objects.js";
import { createObject } from "../../src/kube/apply.js";
import type { KubeConfig } from "../../src/kube/kubeconfig.js";
import { caravanResource } from "../../src/kube/resources.js";
import { kubectlOk } from "../support/kubectl.js";

export interface ApiTestAgent {
  agent: RunningAgent;
  /** The directory holding every allocation's directory. */
  allocRoot: string;
  /** Creates an allocation on this node whose task "t" is running; returns its directory. */
  addAlloc(ns: string, name: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startApiTestAgent(
  kubeconfig: string,
  kc: KubeConfig,
  log: Logger,
  nodeName: string,
  acl: boolean,
): Promise<ApiTestAgent> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `caravan-${nodeName}-`));
  const config = defaultAgentConfig();
  const agent = await startAgent(
    kc,
    {
      ...config,
      name: nodeName,
      ports: { http: 0 },
      // Garbage collection would remove the files the tests write.
      client: { ...config.client, enabled: true, gc: { interval: "1h", diskUsageThreshold: 100 } },
      ...(acl ? { acl: { enabled: true } } : {}),
    },
    log,
    "0.1.0",
    dataDir,
  );
  const allocRoot = path.join(dataDir, "alloc");
  mkdirSync(allocRoot, { recursive: true });
  return {
    agent,
    allocRoot,
    async addAlloc(ns, name) {
      await createObject(kc, caravanResource("NomadAllocation"), {
        metadata: { name, namespace: ns, labels: { "caravan.dev/node": nodeName } },
        spec: {
          jobName: `unregistered-${name}`,
          jobVersion: 0,
          group: "g",
          nodeName,
          desiredStatus: "run",
          name: "web.g[0]",
          index: 0,
          evalName: "web-g1",
          resources: {},
        },
      } as NomadAllocation);
      await kubectlOk(kubeconfig, [
        "patch",
        "-n",
        ns,
        `nomadallocation/${name}`,
        "--subresource=status",
        "--type=merge",
        "-p",
        JSON.stringify({
          status: { clientStatus: "running", taskStates: { t: { state: "running" } } },
        }),
      ]);
      const dir = path.join(allocRoot, name);
      mkdirSync(path.join(dir, "alloc", "logs"), { recursive: true });
      return dir;
    },
    async stop() {
      await agent.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
