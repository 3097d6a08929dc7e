// Nomad agent settings that have no meaning for Caravan, or that Caravan does
// not act on yet, each with the one reason its warning gives. A file may carry
// them (Nomad's own files do); each is read, never acted on, and named in one
// warning line: "<file>:<line>: <setting> is ignored: <why>".
import type { Decoder, Handler } from "./decoder.js";

export const why = {
  raft: "Caravan keeps its state in the Kubernetes API, so there is no Raft to tune",
  rpc: "Caravan has no RPC or Serf; servers and clients meet through the Kubernetes API",
  join: "Caravan's servers and clients find each other through the Kubernetes API, not by joining",
  enterprise: "a Nomad Enterprise feature Caravan does not have",
  plugins: "Caravan's task drivers are built in; it loads no external plugins",
  csi: "Caravan has no CSI volumes",
  ui: "Caravan has no web UI",
  notYet: "Caravan does not do this yet",
  consul: "Caravan does not talk to Consul yet",
  vault: "Caravan does not talk to Vault yet",
  telemetry: "Caravan does not publish this metric yet",
  telemetrySink: "Caravan serves metrics to Prometheus at /v1/metrics only; it sends them nowhere",
  windows: "the Windows event log is for agents on Windows",
  nomadDrops: "not a setting Nomad knows; Nomad drops it too",
} as const;

/** A handler that reads nothing and warns once with `reason`. */
export function ignored(d: Decoder, reason: string): Handler {
  return (_value, at, field) => d.ignore(field.pos, at, reason);
}

/** Handlers for each of `keys`, all ignored for `reason`. */
export function ignoredKeys(
  d: Decoder,
  reason: string,
  keys: readonly string[],
): Record<string, Handler> {
  return Object.fromEntries(keys.map((k) => [k, ignored(d, reason)]));
}
