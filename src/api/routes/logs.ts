// /v1/client/fs/logs/:alloc: a task's stdout or stderr. The node agent running
// the allocation serves it (src/agent/http/logs.ts); the API server checks
// read-logs in the allocation's namespace and forwards, streaming, so
// follow=true keeps flowing until the client goes away.
import type { Route } from "../../http/context.js";
import { namespaceOf } from "./common.js";
import type { RouteDeps } from "./deps.js";
import { clientForwarder, mustFindAlloc } from "./forward.js";

export function logRoutes(deps: RouteDeps): Route[] {
  const forward = clientForwarder(deps);
  return [
    {
      method: "GET",
      path: "/v1/client/fs/logs/:alloc",
      acl: "ns:read-logs",
      aclNamespace: namespaceOf(deps.state.allocations.store, "alloc"),
      handle: (ctx) => forward(ctx, mustFindAlloc(ctx, deps.state, "read-logs").spec.nodeName),
    },
  ];
}
