// Nomad's `job dispatch`: a parameterized parent becomes a child job with the
// dispatch's meta merged over the parent's and its payload (base64, at most
// 16 KiB) in the spec, after the checks Nomad makes: the parent is
// parameterized and running, the payload is present when required and absent
// when forbidden, every required meta key is given and no key is outside
// meta_required/meta_optional. Pure: the parent, the request and an ID go in.
import type { NomadJob } from "../../crds/objects.js";
import { childJob, jobId } from "../periodic/child.js";

/** Nomad's DispatchPayloadSizeLimit. */
export const maxPayloadBytes = 16 * 1024;

export interface DispatchRequest {
  meta: Record<string, string>;
  payload?: Uint8Array;
  idempotencyToken?: string;
  /** Wall clock (ms) and a random suffix: the child's name carries both. */
  now: number;
  id: string;
}

export type DispatchResult = { ok: true; child: NomadJob } | { ok: false; errors: string[] };

export function dispatchJob(parent: NomadJob, req: DispatchRequest): DispatchResult {
  const p = parent.spec.parameterized;
  const name = jobId(parent);
  if (!p) return { ok: false, errors: [`job "${name}" is not a parameterized job`] };
  if (parent.spec.stop || parent.metadata.deletionTimestamp)
    return { ok: false, errors: [`job "${name}" is stopped: it cannot be dispatched`] };
  const errors: string[] = [];
  const mode = p.payload ?? "optional";
  const size = req.payload?.length ?? 0;
  if (mode === "required" && size === 0) errors.push(`job "${name}" requires a payload`);
  if (mode === "forbidden" && size > 0) errors.push(`job "${name}" does not allow a payload`);
  if (size > maxPayloadBytes)
    errors.push(`payload exceeds the maximum size: ${size} > ${maxPayloadBytes} bytes`);
  const required = p.metaRequired ?? [];
  const allowed = new Set([...required, ...(p.metaOptional ?? [])]);
  const missing = required.filter((k) => req.meta[k] === undefined);
  if (missing.length > 0)
    errors.push(`Dispatch did not provide required meta keys: [${missing.join(" ")}]`);
  const unknown = Object.keys(req.meta).filter((k) => !allowed.has(k));
  if (unknown.length > 0)
    errors.push(`Dispatch request included unpermitted metadata keys: [${unknown.join(" ")}]`);
  if (errors.length > 0) return { ok: false, errors };

  const suffix = `dispatch-${Math.floor(req.now / 1000)}-${req.id.slice(0, 8).toLowerCase()}`;
  const child = childJob(parent, suffix, {
    dispatched: true,
    meta: { ...parent.spec.meta, ...req.meta },
    ...(size > 0 && req.payload ? { payload: Buffer.from(req.payload).toString("base64") } : {}),
    ...(req.idempotencyToken ? { dispatchIdempotencyToken: req.idempotencyToken } : {}),
  });
  return { ok: true, child };
}

/** The meta flags of `job dispatch` ("k=v"), with the bad one named. */
export function parseMetaFlags(
  flags: readonly string[],
): { ok: true; meta: Record<string, string> } | { ok: false; error: string } {
  const meta: Record<string, string> = {};
  for (const f of flags) {
    const at = f.indexOf("=");
    if (at <= 0) return { ok: false, error: `-meta "${f}": expected key=value` };
    meta[f.slice(0, at)] = f.slice(at + 1);
  }
  return { ok: true, meta };
}
