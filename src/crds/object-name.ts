// Names of objects derived from other objects' names (an evaluation from its
// job and cause, a job version from its job): deterministic, so a retry finds
// the object an earlier attempt wrote, and always a valid Kubernetes name.
import { createHash } from "node:crypto";

/** The longest object name Kubernetes takes (a DNS-1123 subdomain). */
export const maxNameLength = 253;

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Whether Kubernetes takes `name` as an object name (DNS-1123 subdomain). */
export function isObjectName(name: string): boolean {
  return name.length <= maxNameLength && dnsSubdomain.test(name);
}

/** A short, stable digest of some strings, for names built from free-form input. */
export function nameDigest(...parts: string[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex").slice(0, 12);
}

/**
 * The parts joined with "-" when that is a valid object name; otherwise (too
 * long, or characters Kubernetes refuses) a DNS-safe prefix of it and a digest
 * of the whole, so different inputs keep different names.
 */
export function derivedName(...parts: string[]): string {
  const joined = parts.filter((p) => p !== "").join("-");
  if (isObjectName(joined)) return joined;
  const digest = nameDigest(joined);
  const prefix = joined
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .replace(/-*\.-*/g, ".")
    .replace(/\.{2,}/g, ".")
    .replace(/^[-.]+/, "")
    .slice(0, maxNameLength - digest.length - 1)
    .replace(/[-.]+$/, "");
  return prefix ? `${prefix}-${digest}` : digest;
}
