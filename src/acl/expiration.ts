// When a new token expires, and whether that is within the agent's
// token_min_expiration_ttl and token_max_expiration_ttl, as Nomad checks it.
// Messages are Nomad's, so scripts matching them keep working.
import { formatGoDurationMs } from "../common/duration.js";
import { multiError } from "../common/multierror.js";
import type { NomadACLToken } from "../crds/objects.js";

export interface Expiration {
  /** ExpirationTTL asked for, in milliseconds (0 or absent: none). */
  ttlMs?: number;
  /** ExpirationTime asked for, in milliseconds since the epoch; wins over the TTL, as in Nomad. */
  timeMs?: number;
}

/**
 * The problems with a new token's expiration (empty when none), and when it
 * expires (undefined: never). `createMs` is the token's creation time.
 */
export function checkExpiration(
  asked: Expiration,
  createMs: number,
  minMs: number,
  maxMs: number,
): { errors: string[]; expiresAt?: number } {
  const errors: string[] = [];
  const ttl = asked.ttlMs ?? 0;
  if (ttl < 0)
    errors.push(`token expiration TTL '${formatGoDurationMs(ttl)}' should not be negative`);
  const expiresAt = asked.timeMs ?? (ttl > 0 ? createMs + ttl : undefined);
  if (expiresAt === undefined) return { errors };
  if (createMs > expiresAt) errors.push("expiration time cannot be before create time");
  const expiresIn = expiresAt - createMs;
  if (expiresIn > maxMs)
    errors.push(
      `expiration time cannot be more than ${formatGoDurationMs(maxMs)} in the future (was ${formatGoDurationMs(expiresIn)})`,
    );
  else if (expiresIn < minMs)
    errors.push(
      `expiration time cannot be less than ${formatGoDurationMs(minMs)} in the future (was ${formatGoDurationMs(expiresIn)})`,
    );
  return { errors, expiresAt };
}

/** Nomad's "token N invalid: …" message: go-multierror's rendering of the list. */
export function invalidToken(index: number, errors: readonly string[]): string {
  return `token ${index} invalid: ${multiError(errors)}`;
}

/** When a token stops working (ms since the epoch), or undefined for never. */
export function tokenExpiry(t: NomadACLToken): number | undefined {
  const at = t.status?.expirationTime ?? t.spec.expirationTime;
  if (!at) return undefined;
  const ms = Date.parse(at);
  return Number.isNaN(ms) ? undefined : ms;
}
