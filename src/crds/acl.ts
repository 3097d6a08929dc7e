import type { CommonStatus, Duration } from "./common.js";

/** Ties a policy to a workload: tasks of that job get the policy through their workload identity. */
export interface ACLPolicyJobACL {
  /** Namespace of the job. */
  namespace: string;
  /** Nomad ID of the job. */
  jobID: string;
  /** Limit the policy to this task group; absent means every group. */
  group?: string;
  /** Limit the policy to this task of the group; needs group. */
  task?: string;
}

/**
 * NomadACLPolicy spec: a named set of ACL rules. The policy's name is
 * metadata.name unless spec.name says otherwise.
 * @validation {"rule": "!has(self.jobACL) || !has(self.jobACL.task) || has(self.jobACL.group)", "message": "jobACL.task needs jobACL.group"}
 */
export interface NomadACLPolicySpec {
  /**
   * The exact Nomad policy name when it is not a valid Kubernetes name (Nomad
   * allows capitals); defaults to metadata.name.
   * @pattern ^[a-zA-Z0-9-]{1,128}$
   */
  name?: string;
  /**
   * What the policy is for, for people.
   * @maxLength 256
   */
  description?: string;
  /**
   * The rules, in Nomad's ACL policy language (HCL or JSON): namespace, node,
   * agent, operator, quota, host_volume and plugin blocks.
   * @minLength 1
   */
  rules: string;
  /** Attach the policy to a job, group or task instead of to tokens. */
  jobACL?: ACLPolicyJobACL;
}

/** Whether the policy's rules parse; the Ready condition carries the parse error. */
export interface NomadACLPolicyStatus extends CommonStatus {}

/**
 * NomadACLRole spec: a named set of ACL policies. Tokens linking the role get
 * its policies, as they are at each request. The role's name is metadata.name
 * unless spec.name says otherwise; its Nomad ID is the object's UID.
 */
export interface NomadACLRoleSpec {
  /**
   * The exact Nomad role name when it is not a valid Kubernetes name (Nomad
   * allows capitals); defaults to metadata.name.
   * @pattern ^[a-zA-Z0-9-]{1,128}$
   */
  name?: string;
  /**
   * What the role is for, for people.
   * @maxLength 256
   */
  description?: string;
  /**
   * Names of the NomadACLPolicies the role grants.
   * @minItems 1
   * @listType set
   */
  policies: string[];
}

/** Nothing yet: a role is fully described by its spec. */
export interface NomadACLRoleStatus extends CommonStatus {}

/** A token's power: management tokens may do everything, client tokens what their policies allow. */
export type ACLTokenType = "client" | "management";

/** Where the token's secret ID is kept. */
export interface ACLTokenSecretRef {
  /** Name of the Secret. */
  name: string;
  /** Namespace of the Secret. */
  namespace: string;
  /**
   * Key in the Secret's data holding the secret ID. Default "secretID".
   * @default "secretID"
   */
  key?: string;
}

/**
 * NomadACLToken spec: an ACL token. Its secret ID lives in the Secret named by
 * secretRef (Caravan fills it with a random UUID when the key is missing); this
 * object never holds it.
 * @validation [{"rule": "self.type != 'management' || ((!has(self.policies) || size(self.policies) == 0) && (!has(self.roles) || size(self.roles) == 0))", "message": "management tokens take no policies or roles"}, {"rule": "!has(self.expirationTime) || !has(self.expirationTTL)", "message": "set expirationTime or expirationTTL, not both"}, {"rule": "(has(self.global) && self.global) == (has(oldSelf.global) && oldSelf.global)", "message": "global cannot change"}, {"rule": "has(self.expirationTTL) ? has(oldSelf.expirationTTL) && self.expirationTTL == oldSelf.expirationTTL : !has(oldSelf.expirationTTL)", "message": "expirationTTL can only be given when the token is created"}]
 */
export interface NomadACLTokenSpec {
  /**
   * A name for people.
   * @maxLength 256
   */
  name?: string;
  /** client or management. */
  type: ACLTokenType;
  /**
   * Names of the policies a client token has.
   * @listType set
   */
  policies?: string[];
  /**
   * Names of the NomadACLRoles whose policies the token also has. A role that
   * does not exist grants nothing; deleting a role through the Nomad API
   * removes it here.
   * @listType set
   */
  roles?: string[];
  /**
   * The token is replicated to every federated region instead of staying local.
   * Cannot change once set. Default false.
   */
  global?: boolean;
  /**
   * The token stops working at this time (RFC 3339).
   * @format date-time
   */
  expirationTime?: string;
  /**
   * The token stops working this long after it is created. Can only be given
   * when the token is created.
   */
  expirationTTL?: Duration;
  /** The Secret key holding the token's secret ID. */
  secretRef: ACLTokenSecretRef;
}

/** The token as Caravan knows it. */
export interface NomadACLTokenStatus extends CommonStatus {
  /** The token's public accessor ID (a UUID), which the Nomad API and audit logs show. */
  accessorID?: string;
  /**
   * A hash of the secret ID ("sha256:" and 64 hex digits), by which the API finds
   * the token a request presents. Never the secret ID itself.
   * @pattern ^sha256:[0-9a-f]{64}$
   */
  secretHash?: string;
  /**
   * When the token was created (RFC 3339).
   * @format date-time
   */
  createTime?: string;
  /**
   * When the token stops working (RFC 3339), from expirationTime or expirationTTL.
   * @format date-time
   */
  expirationTime?: string;
  /** The token has expired and is refused. */
  expired?: boolean;
}
