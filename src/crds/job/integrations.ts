// Consul and Vault settings of a group or task, and workload identities
// (`consul`, `vault`, `identity` blocks).
import type { Duration } from "../common.js";

/** Which Consul a group or task uses (`consul` block). */
export interface ConsulSettings {
  /** The Consul cluster (from the agent's consul blocks) to use (Enterprise). Nomad's default is "default". */
  cluster?: string;
  /** The Consul namespace for services and templates (Consul Enterprise). */
  namespace?: string;
  /** The Consul admin partition (Consul Enterprise). */
  partition?: string;
}

/**
 * Vault access for a task (`vault` block): Nomad derives a Vault token for
 * it and renews it. Set on the job or a group it is the default for every
 * task without its own.
 * @validation {"rule": "!has(self.changeMode) || self.changeMode != 'signal' || has(self.changeSignal)", "message": "changeMode signal needs changeSignal"}
 */
export interface VaultSettings {
  /**
   * Vault policies the token gets (legacy token flow; workload identities use role).
   * @listType set
   */
  policies?: string[];
  /** The Vault role to log in with through the task's workload identity. */
  role?: string;
  /** The Vault cluster to use (Enterprise). Nomad's default is "default". */
  cluster?: string;
  /** The Vault namespace (Vault Enterprise). */
  namespace?: string;
  /** Whether the token is also in the VAULT_TOKEN environment variable. Nomad's default is true. */
  env?: boolean;
  /** Whether writing the token to secrets/vault_token is skipped. Nomad's default is false. */
  disableFile?: boolean;
  /**
   * What happens when the token changes: "noop", "restart" or "signal". Nomad's default is "restart".
   * @maxLength 7
   */
  changeMode?: "noop" | "restart" | "signal";
  /** The signal sent when changeMode is "signal", e.g. "SIGHUP". */
  changeSignal?: string;
  /** Whether the task keeps running when its token can no longer be renewed. Nomad's default is false. */
  allowTokenExpiration?: boolean;
}

/**
 * A workload identity: a JWT Nomad signs for the task, used to reach Consul,
 * Vault or other services (`identity` block).
 * @validation {"rule": "!has(self.changeMode) || self.changeMode != 'signal' || has(self.changeSignal)", "message": "changeMode signal needs changeSignal"}
 */
export interface WorkloadIdentity {
  /** The name, when written: "default" for a task's default identity, as Nomad names it; a service's identity is named by Nomad's server. */
  name?: string;
  /**
   * Audiences ("aud" claim) of the token.
   * @listType set
   */
  aud?: string[];
  /**
   * What happens when the token is renewed: "noop", "restart" or "signal". Nomad's default is "noop".
   * @maxLength 7
   */
  changeMode?: "noop" | "restart" | "signal";
  /** The signal sent when changeMode is "signal". */
  changeSignal?: string;
  /** Whether the token is in the NOMAD_TOKEN (default identity) or NOMAD_TOKEN_<name> environment variable. Nomad's default is false. */
  env?: boolean;
  /** Whether the token is written to secrets/nomad_token (default identity) or secrets/nomad_<name>.jwt. Nomad's default is false. */
  file?: boolean;
  /** A path inside the task to write the token to instead of the default file. */
  filepath?: string;
  /** Lifetime of the token; unset means it does not expire. */
  ttl?: Duration;
}

/** An additional workload identity (an `identity` block with a name), e.g. "vault_default" or "consul_default". */
export interface NamedWorkloadIdentity extends WorkloadIdentity {
  /**
   * The identity's name.
   * @minLength 1
   */
  name: string;
}
