// Which of Nomad's fingerprinters run, from the client options
// "fingerprint.allowlist" (or the older "fingerprint.whitelist") and
// "fingerprint.denylist" ("fingerprint.blacklist"): comma-separated names.
// With an allowlist only those run; a denied one never does. Names Nomad has
// no fingerprinter for are passed over, as Nomad passes over them.

/** Nomad's fingerprinters whose attributes Caravan's node fingerprint carries. */
export type Fingerprinter =
  | "arch"
  | "bridge"
  | "cgroup"
  | "cni"
  | "cpu"
  | "host"
  | "memory"
  | "network"
  | "nomad"
  | "plugins_cni"
  | "storage";

function list(options: Record<string, string>, ...keys: string[]): Set<string> {
  const out = new Set<string>();
  for (const key of keys)
    for (const name of (options[key] ?? "").split(","))
      if (name.trim() !== "") out.add(name.trim());
  return out;
}

export function fingerprinterFilter(
  options: Record<string, string>,
): (name: Fingerprinter) => boolean {
  const allow = list(options, "fingerprint.allowlist", "fingerprint.whitelist");
  const deny = list(options, "fingerprint.denylist", "fingerprint.blacklist");
  return (name) => (allow.size === 0 || allow.has(name)) && !deny.has(name);
}
