// Reads a rendered `env = true` template as KEY=value lines, the dotenv
// format Nomad reads: blank lines and # comments skipped, an optional
// `export ` prefix, values optionally in single or double quotes. Pure.
export type EnvFileResult =
  | { ok: true; env: Record<string, string> }
  | { ok: false; error: string };

export function parseEnvFile(text: string, name: string): EnvFileResult {
  const env: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const body = line.startsWith("export ") ? line.slice(7).trimStart() : line;
    const eq = body.indexOf("=");
    const key = eq < 0 ? "" : body.slice(0, eq).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(key))
      return { ok: false, error: `${name}: line ${i + 1}: expected KEY=value, got "${line}"` };
    let value = body.slice(eq + 1).trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\n/g, "\n").replace(/\\(["\\])/g, "$1");
    } else {
      // An unquoted value ends at an inline comment.
      value = value.replace(/\s+#.*$/, "");
    }
    env[key] = value;
  }
  return { ok: true, env };
}
