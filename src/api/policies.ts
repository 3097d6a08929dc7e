// NomadACLPolicy status: whether the rules parse. kubectl and GitOps tools
// read the Ready condition (Ready=False names the line that does not parse);
// a policy that does not parse grants nothing. Deterministic, so API replicas
// writing it at once agree.

import { parsePolicy } from "../acl/policy.js";
import type { Logger } from "../common/log.js";
import { rfc3339, setCondition } from "../crds/conditions.js";
import type { NomadACLPolicy } from "../crds/objects.js";
import { applyStatus } from "../kube/apply.js";
import type { KubeConfig } from "../kube/kubeconfig.js";
import { caravanResource } from "../kube/resources.js";
import type { ApiState } from "./state.js";

const policiesRef = caravanResource("NomadACLPolicy");

export function reportPolicyStatus(kc: KubeConfig, state: ApiState, log: Logger): void {
  const reconcile = async (p: NomadACLPolicy) => {
    const generation = p.metadata.generation ?? 0;
    if (p.status?.observedGeneration === generation) return;
    const parsed = parsePolicy(p.spec.rules);
    const conditions = setCondition(
      p.status?.conditions,
      parsed.ok
        ? {
            type: "Ready",
            status: "True",
            reason: "Parsed",
            message: "the rules parse",
            observedGeneration: generation,
          }
        : {
            type: "Ready",
            status: "False",
            reason: "InvalidRules",
            message: `the rules do not parse, so the policy grants nothing: ${parsed.error}`,
            observedGeneration: generation,
          },
      rfc3339(Date.now()),
    );
    await applyStatus(kc, policiesRef, p, { observedGeneration: generation, conditions }).catch(
      (err: unknown) =>
        log.warn({ err, policy: p.metadata.name }, "could not report the ACL policy's status"),
    );
  };
  state.policies.addHandlers({
    onAdd: (p) => void reconcile(p),
    onUpdate: (_, p) => void reconcile(p),
  });
}
