// POST /v1/acl/bootstrap: the first management token, once (its object's
// fixed name makes a second bootstrap a conflict), with the operator's own
// BootstrapSecret when given. As Nomad: an empty one (the `nomad` CLI always
// sends the field) means "generate one"; any other must be a UUID.
//
// A second bootstrap is refused with the reset index (the bootstrap token's
// create index). As with Nomad, writing that number to
// <data_dir>/server/acl-bootstrap-reset on the API server allows one more
// bootstrap; Caravan's replaces the bootstrap token (the lost one stops
// working), since its object's fixed name is what marks bootstrap as done.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Ctx, Reply, Route } from "../../../http/context.js";
import { badRequest } from "../../../http/errors.js";
import { deleteObject } from "../../../kube/apply.js";
import { type AclDeps, tokensRef } from "./shared.js";
import { bootstrapTokenName, createToken } from "./tokens.js";

/** Nomad's file name, in the server's data dir, holding the reset index. */
const resetFile = "acl-bootstrap-reset";

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

async function bootstrap(a: AclDeps, ctx: Ctx): Promise<Reply> {
  const body = ctx.body as Record<string, unknown> | undefined;
  const given = body && typeof body === "object" ? body.BootstrapSecret : undefined;
  if (given !== undefined && given !== null && typeof given !== "string")
    throw badRequest("failed to decode request body: BootstrapSecret must be a string");
  if (typeof given === "string" && given !== "" && !uuidPattern.test(given))
    throw badRequest("invalid acl token");
  const done = a.state.tokens.store.get(bootstrapTokenName);
  if (done) {
    const resetIndex = a.state.indexesOf(done).create;
    const specified = fileResetIndex(a);
    if (!specified) throw badRequest(`ACL bootstrap already done (reset index: ${resetIndex})`);
    if (specified !== resetIndex)
      throw badRequest(
        `Invalid bootstrap reset index (specified ${specified}, reset index: ${resetIndex})`,
      );
    a.log.warn({ resetIndex }, "ACL bootstrap reset: replacing the bootstrap token");
    await deleteObject(a.kc, tokensRef, done);
  }
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

/** The reset index in <data_dir>/server/acl-bootstrap-reset, or 0 (none, or unreadable). */
function fileResetIndex(a: AclDeps): number {
  if (!a.config.dataDir) return 0;
  const file = path.join(a.config.dataDir, "server", resetFile);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return 0;
  }
  const m = /^\s*(\d+)/.exec(text);
  if (!m) {
    a.log.error({ file }, "failed to parse the ACL bootstrap reset file");
    return 0;
  }
  a.log.warn({ file, resetIndex: Number(m[1]) }, "bootstrap file parsed");
  return Number(m[1]);
}
