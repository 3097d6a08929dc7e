// /v1/client/fs/{ls,stat,cat,readat}/:alloc: `nomad alloc fs`. The node agent
// running the allocation serves its directory (src/agent/http/fs.ts, which
// keeps every path inside it); the API server checks read-fs in the
// allocation's namespace and forwards.
import type { Route } from "../../http/context.js";
import { namespaceOf } from "./common.js";
import type { RouteDeps } from "./deps.js";
import { clientForwarder, mustFindAlloc } from "./forward.js";

export function fsRoutes(deps: RouteDeps): Route[] {
  const forward = clientForwarder(deps);
  return ["ls", "stat", "cat", "readat"].map(
    (op): Route => ({
      method: "GET",
      path: `/v1/client/fs/${op}/:alloc`,
      acl: "ns:read-fs",
      aclNamespace: namespaceOf(deps.state.allocations.store, "alloc"),
      handle: (ctx) => forward(ctx, mustFindAlloc(ctx, deps.state, "read-fs").spec.nodeName),
    }),
  );
}
