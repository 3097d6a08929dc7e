// Rewrites the corpus expectations from the current code: the .nomad.json
// beside each valid and seed job, and the "# expect:" header of each invalid
// file. Run it after a deliberate change, then read the diff before
// committing: the checked-in files are the reviewed truth the tests hold the
// code to. Usage: node --import tsx test/jobspec/regenerate.ts
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseJob, toNomadRunOutput } from "../../src/jobspec/index.js";

const root = import.meta.dirname;
const header =
  "# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:\n";

for (const kind of ["valid", "seeds"]) {
  const dir = path.join(root, kind);
  const readFile = (p: string) => {
    const full = path.join(dir, p);
    return existsSync(full) ? readFileSync(full, "utf8") : undefined;
  };
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".nomad.hcl"))) {
    const source = readFileSync(path.join(dir, f), "utf8");
    const validation = kind === "seeds" ? "warn" : "error";
    const r = parseJob({ file: f, source, readFile, validation });
    if (!r.ok) throw new Error(`${kind}/${f} does not convert: ${JSON.stringify(r.errors)}`);
    const out = `${JSON.stringify(toNomadRunOutput(r.parsed, r.namespace), null, 2)}\n`;
    writeFileSync(path.join(dir, f.replace(/\.hcl$/, ".json")), out);
  }
}

const dir = path.join(root, "invalid");
for (const f of readdirSync(dir).filter((f) => f.endsWith(".nomad.hcl"))) {
  const body = readFileSync(path.join(dir, f), "utf8").replace(
    /^(# expect: .*\n|# Expected errors.*\n)+/,
    "",
  );
  // Errors move down by the header's length, so parse once to size it.
  const first = parseJob({ file: f, source: body });
  if (first.ok) throw new Error(`invalid/${f} is valid`);
  const sized = header + first.errors.map(() => "# expect: -\n").join("");
  const second = parseJob({ file: f, source: sized + body });
  if (second.ok) throw new Error(`invalid/${f} is valid`);
  const lines = second.errors
    .map((e) => `# expect: ${e.line}:${e.column}: ${e.message}\n`)
    .join("");
  writeFileSync(path.join(dir, f), header + lines + body);
}

execFileSync("npx", ["biome", "format", "--write", root], { stdio: "inherit" });
