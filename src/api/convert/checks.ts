// NomadAllocation status.checks → the body of Nomad's
// /v1/client/allocation/:alloc/checks (what `nomad alloc checks` prints):
// the latest result of each Nomad service check, by check ID.
import type { NomadAllocation } from "../../crds/objects.js";

export function checksOut(a: NomadAllocation): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const c of a.status?.checks ?? []) {
    out[c.id] = {
      ID: c.id,
      Check: c.check,
      // Nomad names the group by the allocation's name here.
      Group: a.spec.name,
      ...(c.task ? { Task: c.task } : {}),
      Service: c.service,
      Mode: c.mode,
      Status: c.status,
      ...(c.statusCode ? { StatusCode: c.statusCode } : {}),
      Output: c.output ?? "",
      Timestamp: Math.floor(Date.parse(c.timestamp) / 1000),
    };
  }
  return out;
}
