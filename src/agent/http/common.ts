// Shared by the client endpoints: the allocation a request names, checked
// against the caller's ACL in the allocation's namespace, as Nomad's client does.
import type { Ctx } from "../../http/context.js";
import { HttpError, permissionDenied } from "../../http/errors.js";
import type { AllocSource, ClientAlloc } from "./source.js";

export function allocFor(source: AllocSource, ctx: Ctx, ...anyOf: string[]): ClientAlloc {
  const found = source.find(ctx.params.alloc ?? "");
  // Nomad's client answers an allocation it does not hold with 404.
  if (!found) throw new HttpError(404, `Unknown allocation "${ctx.params.alloc ?? ""}"`);
  const ns = found.alloc.metadata.namespace ?? "default";
  if (!anyOf.some((c) => ctx.acl.allowNamespace(ns, c))) throw permissionDenied();
  return found;
}
