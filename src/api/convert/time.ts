// Nomad's API carries times as Unix nanoseconds (CreateTime, SubmitTime) or
// RFC 3339 strings (task states); Kubernetes objects carry RFC 3339.

export function nanos(rfc3339: string | undefined): number {
  if (!rfc3339) return 0;
  const ms = Date.parse(rfc3339);
  return Number.isNaN(ms) ? 0 : ms * 1e6;
}

/** Go's zero time, which Nomad sends for a time that has not happened. */
export const zeroTime = "0001-01-01T00:00:00Z";
