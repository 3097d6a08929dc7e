// The route-level ACL check: the secret a request presents, and whether the
// ACL it resolves to lets the request through the route's declared Access.
import type { IncomingMessage } from "node:http";
import type { Access, Ctx, Route } from "./context.js";
import { permissionDenied } from "./errors.js";

/** The secret in X-Nomad-Token, or in Authorization: Bearer. */
export function tokenSecret(req: IncomingMessage): string | undefined {
  const header = req.headers["x-nomad-token"];
  if (typeof header === "string" && header) return header;
  const auth = req.headers.authorization;
  if (auth?.startsWith("Bearer ")) return auth.slice(7).trim() || undefined;
  return undefined;
}

/** Whether one declared access (see Access in context.ts) lets this request through. */
function allows(access: Access, route: Route, ctx: Ctx): boolean {
  const acl = ctx.acl;
  if (acl.management) return true;
  switch (access) {
    case "anonymous":
    case "filtered":
      return true;
    case "token":
      return ctx.token !== undefined;
    case "management":
      return false;
  }
  const [kind, what = ""] = access.split(":") as [string, string];
  if (kind === "pool") return acl.allowNodePool(poolNamed(ctx), what);
  if (kind === "var") return acl.allowVariable(ctx.opts.namespace, ctx.params.path ?? "", what);
  if (kind === "ns") {
    const caps = what.split("+");
    // namespace=*: as Nomad, allowed when some namespace rule grants it; the
    // handler then shows only the namespaces that do.
    if (!route.aclNamespace && ctx.opts.allNamespaces)
      return caps.every((c) => c === "any" || acl.anyNamespaceAllows(c));
    const addressed = route.aclNamespace ? route.aclNamespace(ctx) : ctx.opts.namespace;
    // An unknown object is the handler's 404, as Nomad answers an unknown ID.
    if (addressed === undefined) return true;
    return caps.every((c) =>
      c === "any" ? acl.anyInNamespace(addressed) : acl.allowNamespace(addressed, c),
    );
  }
  return acl.allow(kind as "node" | "agent" | "operator", what as "read" | "write");
}

/** The node pool a request addresses: the path's :name, else the Name in its body (an upsert). */
function poolNamed(ctx: Ctx): string {
  if (ctx.params.name !== undefined) return ctx.params.name;
  const body = ctx.body as { Name?: unknown } | undefined;
  return typeof body?.Name === "string" ? body.Name : "";
}

/** Nomad's 403 unless one of the route's declared accesses lets the request through. */
export function authorize(route: Route, ctx: Ctx): void {
  // Management tokens (and every request when ACLs are off) pass without parsing the declaration.
  if (ctx.acl.management) return;
  const list: readonly Access[] = typeof route.acl === "string" ? [route.acl] : route.acl;
  if (!list.some((a) => allows(a, route, ctx))) throw permissionDenied();
}

const accessForms =
  /^(anonymous|filtered|token|management|pool:(read|write|delete)|var:(list|read|write|destroy)|(node|agent|operator):(read|write)|ns:[a-z-]+(\+[a-z-]+)*)$/;

/** Refuses a route that declares no access, or one the server would not understand. */
export function checkAccessDeclared(route: Route): void {
  const list: readonly unknown[] =
    typeof route.acl === "string" ? [route.acl] : Array.isArray(route.acl) ? route.acl : [];
  if (list.length === 0 || !list.every((a) => typeof a === "string" && accessForms.test(a)))
    throw new Error(
      `route ${route.method} ${route.path} declares no valid ACL requirement (acl: see Access in src/http/context.ts)`,
    );
}
