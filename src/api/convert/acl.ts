// NomadACLPolicy, NomadACLRole and NomadACLToken → Nomad's api.ACLPolicy,
// api.ACLRole and api.ACLToken.
import { createHash } from "node:crypto";
import { formatGoDurationMs, goDurationMs } from "../../common/duration.js";
import type { NomadACLPolicy, NomadACLRole, NomadACLToken } from "../../crds/objects.js";
import { policyName, roleID, roleName } from "../../http/acl-objects.js";
import type { ObjectIndexes } from "../state.js";

type Obj = Record<string, unknown>;

export function policyOut(p: NomadACLPolicy, idx: ObjectIndexes): Obj {
  return {
    Name: policyName(p),
    Description: p.spec.description ?? "",
    Rules: p.spec.rules,
    JobACL: p.spec.jobACL
      ? {
          Namespace: p.spec.jobACL.namespace,
          JobID: p.spec.jobACL.jobID,
          Group: p.spec.jobACL.group ?? "",
          Task: p.spec.jobACL.task ?? "",
        }
      : null,
    CreateIndex: idx.create,
    ModifyIndex: idx.modify,
  };
}

/** A policy as the list shows it: without its rules. */
export function policyStub(p: NomadACLPolicy, idx: ObjectIndexes): Obj {
  const { Rules, JobACL, ...stub } = policyOut(p, idx);
  return stub;
}

export function roleOut(r: NomadACLRole, idx: ObjectIndexes): Obj {
  const name = roleName(r);
  const description = r.spec.description ?? "";
  return {
    ID: roleID(r),
    Name: name,
    Description: description,
    Policies: r.spec.policies.map((p) => ({ Name: p })),
    Hash: createHash("sha256")
      .update([name, description, ...r.spec.policies].join("\0"))
      .digest("base64"),
    CreateIndex: idx.create,
    ModifyIndex: idx.modify,
  };
}

/**
 * `roles`: the roles the token links that exist, shown as Nomad shows links
 * (ID and name); `secret` only in the answer that creates the token.
 */
export function tokenOut(
  t: NomadACLToken,
  idx: ObjectIndexes,
  roles: readonly NomadACLRole[],
  secret?: string,
): Obj {
  const ttl = t.spec.expirationTTL ? goDurationMs(t.spec.expirationTTL) : undefined;
  return {
    AccessorID: t.status?.accessorID ?? "",
    SecretID: secret ?? "",
    Name: t.spec.name ?? "",
    Type: t.spec.type,
    Policies: t.spec.policies ?? null,
    Roles: roles.length ? roles.map((r) => ({ ID: roleID(r), Name: roleName(r) })) : null,
    Global: t.spec.global ?? false,
    Hash: t.status?.secretHash
      ? Buffer.from(t.status.secretHash.slice(7), "hex").toString("base64")
      : "",
    CreateTime: t.status?.createTime ?? t.metadata.creationTimestamp ?? "",
    ExpirationTime: t.status?.expirationTime ?? null,
    ExpirationTTL: ttl ? formatGoDurationMs(ttl) : "",
    CreateIndex: idx.create,
    ModifyIndex: idx.modify,
  };
}
