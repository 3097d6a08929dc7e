// Who is asking: the secret in X-Nomad-Token (or Authorization: Bearer) is
// hashed and looked up among NomadACLTokens; its policies are compiled into
// one ACL with those of the roles it links (as the roles are now, so a role's
// change applies at once). No token means the "anonymous" policy, as in Nomad.
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { type Acl, compileAcl, managementAcl } from "../acl/acl.js";
import { tokenExpiry } from "../acl/expiration.js";
import { type Policy, parsePolicy } from "../acl/policy.js";
import type { NomadACLPolicy, NomadACLRole, NomadACLToken } from "../crds/objects.js";
import {
  type Access,
  type Ctx,
  HttpError,
  permissionDenied,
  type RequestToken,
  type Route,
} from "./http.js";
import { type ApiState, bySecretHash } from "./state.js";

export const anonymousPolicy = "anonymous";
const byPolicyName = "policyName";
const byRoleName = "roleName";
const byRoleID = "roleID";

export function secretHash(secret: string): string {
  return `sha256:${createHash("sha256").update(secret).digest("hex")}`;
}

export function policyName(p: NomadACLPolicy): string {
  return p.spec.name ?? p.metadata.name;
}

export function roleName(r: NomadACLRole): string {
  return r.spec.name ?? r.metadata.name;
}

export function tokenSecret(req: IncomingMessage): string | undefined {
  const header = req.headers["x-nomad-token"];
  if (typeof header === "string" && header) return header;
  const auth = req.headers.authorization;
  if (auth?.startsWith("Bearer ")) return auth.slice(7).trim() || undefined;
  return undefined;
}

export function tokenExpired(t: NomadACLToken, now: number): boolean {
  if (t.status?.expired) return true;
  const at = tokenExpiry(t);
  return at !== undefined && at <= now;
}

/** `policies`: the token's own, then those of its roles (see Authorizer.policiesOf). */
export function requestToken(t: NomadACLToken, policies?: string[]): RequestToken {
  return {
    accessorID: t.status?.accessorID ?? "",
    name: t.spec.name ?? "",
    type: t.spec.type,
    policies: policies ?? t.spec.policies ?? [],
    objectName: t.metadata.name,
  };
}

export class Authorizer {
  private readonly parsed = new WeakMap<NomadACLPolicy, Policy | null>();
  private readonly compiled = new Map<string, { key: string; acl: Acl }>();

  /**
   * `state`: the tokens, policies and roles caches (the API's, or a node
   * agent's own; without roles, a token gets only its own policies).
   */
  constructor(
    private readonly state: Pick<ApiState, "tokens" | "policies"> &
      Partial<Pick<ApiState, "roles">>,
    readonly enabled: boolean,
    private readonly now: () => number = Date.now,
  ) {
    state.policies.store.addIndex(byPolicyName, (p) => [policyName(p)]);
    state.roles?.store.addIndex(byRoleName, (r) => [roleName(r)]);
    state.roles?.store.addIndex(byRoleID, (r) => (r.metadata.uid ? [r.metadata.uid] : []));
    state.tokens.store.addIndex(bySecretHash, (t) =>
      t.status?.secretHash ? [t.status.secretHash] : [],
    );
  }

  resolve(secret: string | undefined): { acl: Acl; token?: RequestToken } {
    if (!this.enabled) return { acl: managementAcl };
    if (!secret) return { acl: this.aclFor([anonymousPolicy]) };
    const [token] = this.state.tokens.store.byIndex(bySecretHash, secretHash(secret));
    if (!token) throw new HttpError(403, "ACL token not found");
    if (tokenExpired(token, this.now())) throw new HttpError(403, "ACL token expired");
    const info = requestToken(token, this.policiesOf(token));
    if (token.spec.type === "management") return { acl: managementAcl, token: info };
    return { acl: this.aclFor(info.policies), token: info };
  }

  /** The policy of this Nomad name. */
  policy(name: string): NomadACLPolicy | undefined {
    return this.state.policies.store.byIndex(byPolicyName, name)[0];
  }

  /** The role of this Nomad name. */
  role(name: string): NomadACLRole | undefined {
    return this.state.roles?.store.byIndex(byRoleName, name)[0];
  }

  /** The role of this Nomad ID (its object's UID). */
  roleByID(id: string): NomadACLRole | undefined {
    return this.state.roles?.store.byIndex(byRoleID, id)[0];
  }

  /** The roles a token links that exist; a missing one grants nothing. */
  rolesOf(token: NomadACLToken): NomadACLRole[] {
    return (token.spec.roles ?? []).flatMap((n) => this.role(n) ?? []);
  }

  /** A token's policy names: its own, then its roles', each once. */
  policiesOf(token: NomadACLToken): string[] {
    const names = new Set(token.spec.policies ?? []);
    for (const r of this.rolesOf(token)) for (const p of r.spec.policies) names.add(p);
    return [...names];
  }

  private aclFor(names: readonly string[]): Acl {
    const objects = names.map((n) => this.policy(n));
    const key = objects.map((p) => p?.metadata.resourceVersion ?? "-").join(",");
    const id = names.join(",");
    const hit = this.compiled.get(id);
    if (hit && hit.key === key) return hit.acl;
    const policies: Policy[] = [];
    for (const p of objects) {
      if (!p) continue;
      let parsed = this.parsed.get(p);
      if (parsed === undefined) {
        const r = parsePolicy(p.spec.rules);
        parsed = r.ok ? r.policy : null;
        this.parsed.set(p, parsed);
      }
      // A policy that does not parse grants nothing.
      if (parsed) policies.push(parsed);
    }
    const acl = compileAcl(policies);
    if (this.compiled.size > 10_000) this.compiled.clear();
    this.compiled.set(id, { key, acl });
    return acl;
  }
}

/** Whether one declared access (see Access in http.ts) lets this request through. */
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
    case "pool:read":
      return acl.allowNodePool(ctx.params.name ?? "", "read");
  }
  const [kind, what = ""] = access.split(":") as [string, string];
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

/** Nomad's 403 unless one of the route's declared accesses lets the request through. */
export function authorize(route: Route, ctx: Ctx): void {
  // Management tokens (and every request when ACLs are off) pass without parsing the declaration.
  if (ctx.acl.management) return;
  const list: readonly Access[] = typeof route.acl === "string" ? [route.acl] : route.acl;
  if (!list.some((a) => allows(a, route, ctx))) throw permissionDenied();
}

const accessForms =
  /^(anonymous|filtered|token|management|pool:read|(node|agent|operator):(read|write)|ns:[a-z-]+(\+[a-z-]+)*)$/;

/** Refuses a route that declares no access, or one the server would not understand. */
export function checkAccessDeclared(route: Route): void {
  const list: readonly unknown[] =
    typeof route.acl === "string" ? [route.acl] : Array.isArray(route.acl) ? route.acl : [];
  if (list.length === 0 || !list.every((a) => typeof a === "string" && accessForms.test(a)))
    throw new Error(
      `route ${route.method} ${route.path} declares no valid ACL requirement (acl: see Access in src/api/http.ts)`,
    );
}
