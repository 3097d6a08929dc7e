// Writes the .nomad.json beside each job file in test/jobspec/nomad from
// Nomad itself: `nomad job validate` must accept the file, and the JSON is
// what `nomad job run -output` prints for it (no server needed). The files
// are written here; only Nomad's answer for them is checked in.
// Usage: NOMAD=/path/to/nomad node --import tsx test/jobspec/from-nomad.ts
import { execFileSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const nomad = process.env.NOMAD ?? "nomad";
const dir = path.join(import.meta.dirname, "nomad");
// An unreachable address: validation runs locally, as without an agent.
const env = { ...process.env, NOMAD_ADDR: "http://127.0.0.1:1" };

for (const f of readdirSync(dir).filter((f) => f.endsWith(".nomad.hcl"))) {
  execFileSync(nomad, ["job", "validate", f], { cwd: dir, env, stdio: "pipe" });
  const json = execFileSync(nomad, ["job", "run", "-output", f], {
    cwd: dir,
    env,
    encoding: "utf8",
  });
  writeFileSync(path.join(dir, f.replace(/\.hcl$/, ".json")), json);
}

execFileSync("npx", ["biome", "format", "--write", dir], { stdio: "inherit" });
