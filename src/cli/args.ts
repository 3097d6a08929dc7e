// Nomad's CLI takes long flags with one dash (`-config=x`, `-log-level=debug`);
// Caravan accepts both that and the `--flag` form by rewriting the former.
export function normalizeNomadFlags(argv: readonly string[]): string[] {
  const out: string[] = [];
  let passthrough = false;
  for (const arg of argv) {
    if (arg === "--") passthrough = true;
    out.push(!passthrough && /^-[A-Za-z][A-Za-z0-9_-]+(=.*)?$/s.test(arg) ? `-${arg}` : arg);
  }
  return out;
}
