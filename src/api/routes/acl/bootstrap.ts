// POST /v1/acl/bootstrap: the first management token, once (its object's
// fixed name makes a second bootstrap a conflict), with the operator's own
// BootstrapSecret when given. As Nomad: an empty one (the `nomad` CLI always
// sends the field) means "generate one"; any other must be a UUID.
import type { Ctx, Reply, Route } from "../../../http/context.js";
import { badRequest } from "../../../http/errors.js";
import type { AclDeps } from "./shared.js";
import { bootstrapTokenName, createToken } from "./tokens.js";

/** Nomad's helper.IsUUID. */
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
  if (given !== undefined && given !== null && typeof given !== "string")
    throw badRequest("failed to decode request body: BootstrapSecret must be a string");
  if (typeof given === "string" && given !== "" && !uuidPattern.test(given))
    throw badRequest("invalid acl token");
  return createToken(
    a,
    bootstrapTokenName,
    {
      name: "Bootstrap Token",
      type: "management",
      global: true,
      secretRef: { name: "", namespace: "" },
    },
    given || undefined,
  );
}
