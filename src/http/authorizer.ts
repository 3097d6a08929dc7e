// Who is asking: the secret in X-Nomad-Token (or Authorization: Bearer) is
// hashed and looked up among NomadACLTokens; its policies are compiled into
// one ACL with those of the roles it links (as the roles are now, so a role's
// change applies at once). No token means the "anonymous" policy, as in Nomad.
// The API server and the node agents each resolve against their own caches.
import { type Acl, compileAcl, managementAcl } from "../acl/acl.js";
import { type Policy, parsePolicy } from "../acl/policy.js";
import type { NomadACLPolicy, NomadACLRole, NomadACLToken } from "../crds/objects.js";
import {
  policyName,
  requestToken,
  roleID,
  roleName,
  secretHash,
  tokenExpired,
} from "./acl-objects.js";
import type { RequestToken } from "./context.js";
import { HttpError } from "./errors.js";

export const anonymousPolicy = "anonymous";
const byPolicyName = "policyName";
const byRoleName = "roleName";
const byRoleID = "roleID";
const bySecretHash = "secretHash";

/** An informer's indexed cache, as far as the Authorizer reads it. */
export interface IndexedCache<T> {
  store: {
    addIndex(name: string, fn: (obj: T) => readonly string[]): void;
    byIndex(name: string, value: string): T[];
  };
}

/** The caches tokens resolve against (without roles, a token gets only its own policies). */
export interface AclCaches {
  tokens: IndexedCache<NomadACLToken>;
  policies: IndexedCache<NomadACLPolicy>;
  roles?: IndexedCache<NomadACLRole>;
}

export class Authorizer {
  private readonly parsed = new WeakMap<NomadACLPolicy, Policy | null>();
  private readonly compiled = new Map<string, { key: string; acl: Acl }>();

  /**
   * `state`: the tokens, policies and roles caches (the API's, or a node
   * agent's own; without roles, a token gets only its own policies).
   */
  constructor(
    private readonly state: AclCaches,
    readonly enabled: boolean,
    private readonly now: () => number = Date.now,
  ) {
    state.policies.store.addIndex(byPolicyName, (p) => [policyName(p)]);
    state.roles?.store.addIndex(byRoleName, (r) => [roleName(r)]);
    state.roles?.store.addIndex(byRoleID, (r) => (roleID(r) ? [roleID(r)] : []));
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
