// Nomad Variables kept as Kubernetes Secrets: one Secret per variable in its
// namespace, so the cluster's encryption at rest and Secret RBAC apply. The
// path (which holds "/") is an annotation, the items are the Secret's data,
// Nomad's metadata (create index and times) annotations. ModifyIndex is the
// Secret's resourceVersion, so a check-and-set is a resourceVersion
// precondition. Pure: path rules, size limit, and the Secret ⇄ variable mapping.
import { createHash } from "node:crypto";
import type { ApiObject } from "./meta.js";
import { managedByLabel } from "./names.js";

/** Label on every variable's Secret (value "true"): what the API's informer selects. */
export const variableLabel = "caravan.dev/variable";
/** The variable's Nomad path. */
export const variablePathAnnotation = "caravan.dev/variable-path";
/** Nomad's CreateIndex: the resourceVersion the Secret was created at (set at its first update). */
export const variableCreateIndexAnnotation = "caravan.dev/variable-create-index";
/** Nomad's CreateTime and ModifyTime, Unix nanoseconds. */
export const variableCreateTimeAnnotation = "caravan.dev/variable-create-time";
export const variableModifyTimeAnnotation = "caravan.dev/variable-modify-time";

/** Nomad's limit on a variable's items (keys and values together), not configurable. */
export const maxVariableSize = 65536;

export interface VariableSecret extends ApiObject {
  type?: string;
  /** Base64 values. */
  data?: Record<string, string>;
}

/** Nomad's VariableMetadata. */
export interface VariableMetadata {
  Namespace: string;
  Path: string;
  CreateIndex: number;
  CreateTime: number;
  ModifyIndex: number;
  ModifyTime: number;
}

export interface Variable extends VariableMetadata {
  Items: Record<string, string>;
}

const validPath = /^[a-zA-Z0-9\-_~/]{1,128}$/;

/** Nomad's path rules (structs.ValidatePath), with its messages; undefined when valid. */
export function variablePathError(path: string): string | undefined {
  if (path.length === 0) return "variable requires path";
  if (!validPath.test(path)) return `invalid path ${JSON.stringify(path)}`;
  const parts = path.split("/");
  if (parts[0] !== "nomad") return undefined;
  if (parts.length === 1)
    return `"nomad" is a reserved top-level directory path, but you may write variables to "nomad/jobs", "nomad/job-templates", "nomad/sentinel", or below`;
  if (parts[1] === "jobs" || parts[1] === "sentinel") return undefined;
  if (parts[1] === "job-templates" && parts.length === 3) return undefined;
  if (parts[1] === "job-templates")
    return `"nomad/job-templates" is a reserved directory path, but you may write variables at the level below it, for example, "nomad/job-templates/template-name"`;
  return `only paths at "nomad/jobs" or "nomad/job-templates" and below are valid paths under the top-level "nomad" directory`;
}

/** Nomad's size of the items: the bytes of every key and value. */
export function variableSize(items: Record<string, string>): number {
  let n = 0;
  for (const [k, v] of Object.entries(items)) n += Buffer.byteLength(k) + Buffer.byteLength(v);
  return n;
}

/** The Secret's name for a path: deterministic, so two creators of one variable meet at one name. */
export function variableSecretName(path: string): string {
  return `nomad-var-${createHash("sha256").update(path).digest("hex").slice(0, 32)}`;
}

// Secret data keys are [-._a-zA-Z0-9]+; other item keys (Nomad allows any
// string) are stored base64url-encoded behind this prefix, as are keys that
// happen to begin with it.
const encodedKeyPrefix = "_b64_";
const plainKey = /^[-._a-zA-Z0-9]{1,253}$/;

function dataKey(item: string): string {
  if (plainKey.test(item) && !item.startsWith(encodedKeyPrefix)) return item;
  return encodedKeyPrefix + Buffer.from(item).toString("base64url");
}

function itemKey(data: string): string {
  return data.startsWith(encodedKeyPrefix)
    ? Buffer.from(data.slice(encodedKeyPrefix.length), "base64url").toString()
    : data;
}

/** Whether an object is a variable's Secret. */
export function isVariableSecret(o: ApiObject): boolean {
  return o.metadata.labels?.[variableLabel] === "true";
}

/** The variable's metadata as Nomad reports it (no items). */
export function variableMetadata(s: VariableSecret): VariableMetadata {
  const a = s.metadata.annotations ?? {};
  const modify = Number(s.metadata.resourceVersion) || 0;
  const createdMs = Date.parse(s.metadata.creationTimestamp ?? "") || 0;
  return {
    Namespace: s.metadata.namespace ?? "default",
    Path: a[variablePathAnnotation] ?? "",
    CreateIndex: Number(a[variableCreateIndexAnnotation]) || modify,
    CreateTime: Number(a[variableCreateTimeAnnotation]) || createdMs * 1e6,
    ModifyIndex: modify,
    ModifyTime: Number(a[variableModifyTimeAnnotation]) || createdMs * 1e6,
  };
}

/** The whole variable, items decoded. */
export function variableOf(s: VariableSecret): Variable {
  const items: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.data ?? {}))
    items[itemKey(k)] = Buffer.from(v, "base64").toString();
  return { ...variableMetadata(s), Items: items };
}

/**
 * The Secret holding a variable: new (no `existing`), or the existing one
 * with new items, keeping its create index and time. `nowNs`: Unix nanoseconds.
 */
export function variableSecret(
  namespace: string,
  path: string,
  items: Record<string, string>,
  nowNs: number,
  existing?: VariableSecret,
): VariableSecret {
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(items)) data[dataKey(k)] = Buffer.from(v).toString("base64");
  const before = existing?.metadata.annotations ?? {};
  const annotations: Record<string, string> = {
    ...before,
    [variablePathAnnotation]: path,
    [variableCreateTimeAnnotation]: before[variableCreateTimeAnnotation] ?? String(nowNs),
    [variableModifyTimeAnnotation]: String(nowNs),
  };
  // The first update records the resourceVersion the Secret was created at.
  if (existing && !before[variableCreateIndexAnnotation] && existing.metadata.resourceVersion)
    annotations[variableCreateIndexAnnotation] = existing.metadata.resourceVersion;
  return {
    metadata: {
      ...(existing?.metadata ?? {}),
      name: existing?.metadata.name ?? variableSecretName(path),
      namespace,
      labels: {
        ...(existing?.metadata.labels ?? {}),
        [variableLabel]: "true",
        [managedByLabel]: "caravan",
      },
      annotations,
    },
    type: "Opaque",
    data,
  };
}

/**
 * A variable's lock (Nomad 1.7's variable locks), kept in this annotation as
 * JSON: its ID, TTL and lock delay (ms), and when it expires unless renewed
 * (Unix ms). Nomad keeps the lock in the variable's metadata too, unencrypted.
 */
export const variableLockAnnotation = "caravan.dev/variable-lock";

export interface VariableLock {
  id: string;
  ttlMs: number;
  lockDelayMs: number;
  expiresAtMs: number;
}

/** Nomad's bounds and defaults of a lock. */
export const lockTtlBoundsMs = { min: 10_000, max: 24 * 3600_000 };
export const defaultLockMs = { ttl: 15_000, delay: 15_000 };

/**
 * The lock on the variable as of `nowMs`: "held" until it expires; "delayed"
 * after that for its lock delay (nobody may take it, its holder may no longer
 * renew it); undefined once the delay is over or when there is none.
 */
export function variableLockState(
  s: VariableSecret,
  nowMs: number,
): { lock: VariableLock; state: "held" | "delayed" } | undefined {
  const raw = s.metadata.annotations?.[variableLockAnnotation];
  if (!raw) return undefined;
  let lock: VariableLock;
  try {
    lock = JSON.parse(raw) as VariableLock;
  } catch {
    return undefined;
  }
  if (typeof lock?.id !== "string" || !lock.id) return undefined;
  if (nowMs < lock.expiresAtMs) return { lock, state: "held" };
  if (nowMs < lock.expiresAtMs + lock.lockDelayMs) return { lock, state: "delayed" };
  return undefined;
}

/** The Secret with the lock set (or taken away with `undefined`), as read or as made by variableSecret. */
export function withVariableLock(
  s: VariableSecret,
  lock: VariableLock | undefined,
): VariableSecret {
  const annotations = { ...(s.metadata.annotations ?? {}) };
  // An update of a Secret read from the cluster: record the creation's index first.
  if (!annotations[variableCreateIndexAnnotation] && s.metadata.resourceVersion)
    annotations[variableCreateIndexAnnotation] = s.metadata.resourceVersion;
  if (lock) annotations[variableLockAnnotation] = JSON.stringify(lock);
  else delete annotations[variableLockAnnotation];
  return { ...s, metadata: { ...s.metadata, annotations } };
}
