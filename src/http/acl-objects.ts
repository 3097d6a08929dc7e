// NomadACLToken, NomadACLPolicy and NomadACLRole as requests see them: their
// Nomad names, the hash a secret is stored as, whether a token has expired,
// and the RequestToken a resolved token becomes.
import { createHash } from "node:crypto";
import { tokenExpiry } from "../acl/expiration.js";
import { nomadIDAnnotation } from "../crds/names.js";
import type { NomadACLPolicy, NomadACLRole, NomadACLToken } from "../crds/objects.js";
import type { RequestToken } from "./context.js";

export function secretHash(secret: string): string {
  return `sha256:${createHash("sha256").update(secret).digest("hex")}`;
}

export function policyName(p: NomadACLPolicy): string {
  return p.spec.name ?? p.metadata.name;
}

export function roleName(r: NomadACLRole): string {
  return r.spec.name ?? r.metadata.name;
}

/** A role's Nomad ID: its UID, unless a restore kept the one it had (nomadIDAnnotation). */
export function roleID(r: NomadACLRole): string {
  return r.metadata.annotations?.[nomadIDAnnotation] ?? r.metadata.uid ?? "";
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
