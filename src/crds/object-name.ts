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

/**
 * A UUID-shaped name that is a digest of the parts (version nibble 8, the
 * RFC 9562 layout for custom UUIDs): for objects whose Nomad ID users type
 * by prefix. Nomad's CLI shortens IDs to 8 characters and trims a prefix of
 * odd length, both of which assume an ID is a UUID.
 */
export function uuidName(...parts: string[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  const hex = h.digest("hex").slice(0, 32).split("");
  hex[12] = "8";
  hex[16] = ((Number.parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  const x = hex.join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
