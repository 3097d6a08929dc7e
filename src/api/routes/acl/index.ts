// /v1/acl/*: bootstrap, policies, tokens and roles, each over its custom
// resource (NomadACLPolicy, NomadACLToken with a Secret, NomadACLRole). With
// ACLs off every one of them answers Nomad's "ACL support disabled".
import type { Route } from "../../../http/context.js";
import type { RouteDeps } from "../deps.js";
import { bootstrapRoutes } from "./bootstrap.js";
import { policyRoutes } from "./policies.js";
import { roleRoutes } from "./roles.js";
import { aclDeps, whenEnabled } from "./shared.js";
import { tokenRoutes } from "./tokens.js";

export function aclRoutes(deps: RouteDeps): Route[] {
  const a = aclDeps(deps);
  return whenEnabled(a, [
    ...bootstrapRoutes(a),
    ...policyRoutes(a),
    ...tokenRoutes(a),
    ...roleRoutes(a),
  ]);
}
