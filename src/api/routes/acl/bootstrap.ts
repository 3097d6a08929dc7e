// POST /v1/acl/bootstrap: the first management token, once (its object's
// fixed name makes a second bootstrap a conflict), with the operator's own
// BootstrapSecret when given.
import type { Ctx, Reply, Route } from "../../../http/context.js";
import { badRequest } from "../../../http/errors.js";
import type { AclDeps } from "./shared.js";
import { bootstrapTokenName, createToken } from "./tokens.js";

export function bootstrapRoutes(a: AclDeps): Route[] {
  return [
    {
      method: "POST",
      path: "/v1/acl/bootstrap",
      acl: "anonymous",
      handle: (ctx) => bootstrap(a, ctx),
    },
  ];
}

function bootstrap(a: AclDeps, ctx: Ctx): Promise<Reply> {
  const body = ctx.body as Record<string, unknown> | undefined;
  const given = body && typeof body === "object" ? body.BootstrapSecret : undefined;
  if (given !== undefined && (typeof given !== "string" || given.length < 8))
    throw badRequest("BootstrapSecret must be a string of at least 8 characters");
  return createToken(
    a,
    bootstrapTokenName,
    {
      name: "Bootstrap Token",
      type: "management",
      global: true,
      secretRef: { name: "", namespace: "" },
    },
    given as string | undefined,
  );
}
