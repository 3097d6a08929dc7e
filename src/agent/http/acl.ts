// The ACL tokens, policies and roles a node agent resolves callers against:
// the same NomadACLToken, NomadACLPolicy and NomadACLRole objects, and the same
// Authorizer, as the API server. Nomad's clients resolve tokens the same way (through the
// servers); reading the objects only exposes secret hashes, never secrets.

import type { Logger } from "../../common/log.js";
import type { NomadACLPolicy, NomadACLRole, NomadACLToken } from "../../crds/objects.js";
import { Authorizer } from "../../http/authorizer.js";
import { Informer } from "../../kube/informer.js";
import type { KubeConfig } from "../../kube/kubeconfig.js";
import { caravanResource } from "../../kube/resources.js";

export interface AgentAcl {
  auth: Authorizer;
  stop(): void;
}

/** With ACLs off every caller may act (Nomad's default); nothing is watched. */
export async function agentAcl(kc: KubeConfig, log: Logger, enabled: boolean): Promise<AgentAcl> {
  const caches = {
    tokens: new Informer<NomadACLToken>(kc, caravanResource("NomadACLToken"), log),
    policies: new Informer<NomadACLPolicy>(kc, caravanResource("NomadACLPolicy"), log),
    // A token may hold its policies through roles.
    roles: new Informer<NomadACLRole>(kc, caravanResource("NomadACLRole"), log),
  };
  const auth = new Authorizer(caches, enabled);
  if (!enabled) return { auth, stop: () => {} };
  const all = Object.values(caches);
  for (const c of all) c.start();
  // Until they are listed every token would be "not found".
  await Promise.race([
    Promise.all(all.map((c) => c.waitForSync())),
    new Promise((r) => setTimeout(r, 15_000).unref()),
  ]);
  return {
    auth,
    stop: () => {
      for (const c of all) c.stop();
    },
  };
}
