// Nomad endpoints Caravan does not serve (yet), answered with the reason
// instead of Nomad's bare "Invalid URL path", so `nomad volume status`, `nomad
// operator keyring` and the like say what is missing. A route added for one of these
// paths takes precedence: the router consults this list only when no route
// matches. Nomad Enterprise's endpoints answer as Nomad's open-source build does.
import type { NotServed } from "../../http/router.js";

const notYet = (prefixes: string[], message: string): NotServed[] =>
  prefixes.map((prefix) => ({ prefix, status: 404, message }));

const enterprise = (prefixes: string[]): NotServed[] =>
  prefixes.map((prefix) => ({ prefix, status: 501, message: "Nomad Enterprise only endpoint" }));

export const notServed: readonly NotServed[] = [
  ...notYet(
    ["/v1/volumes", "/v1/volume"],
    "volumes (CSI and dynamic host volumes) are not implemented yet in Caravan",
  ),
  ...notYet(["/v1/plugins", "/v1/plugin"], "CSI plugins are not implemented yet in Caravan"),
  ...notYet(
    ["/v1/operator/autopilot"],
    "Caravan has no autopilot: its state is in the Kubernetes API (etcd)",
  ),
  ...notYet(
    ["/v1/operator/keyring"],
    "the keyring (workload identity keys) is not implemented yet in Caravan",
  ),
  ...notYet(
    [
      "/v1/acl/auth-methods",
      "/v1/acl/auth-method",
      "/v1/acl/binding-rules",
      "/v1/acl/binding-rule",
    ],
    "ACL auth methods and binding rules are not implemented yet in Caravan",
  ),
  ...notYet(["/v1/acl/login", "/v1/acl/oidc"], "ACL login (SSO) is not implemented yet in Caravan"),
  ...enterprise(["/v1/sentinel", "/v1/quotas", "/v1/quota", "/v1/quota-usages"]),
  ...enterprise(["/v1/recommendation", "/v1/recommendations"]),
];
