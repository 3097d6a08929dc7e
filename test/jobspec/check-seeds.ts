// Checks that test/jobspec/seeds/ carries a corpus file for every job in the
// seed documents. The seed documents live beside the project, not in it, so
// this is run by hand: node --import tsx test/jobspec/check-seeds.ts DIR
// (DIR defaults to ../shared/seeds from the repository). Exits 1 and names
// each missing job.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const corpus = path.join(import.meta.dirname, "seeds");
const seeds = process.argv[2] ?? path.resolve(import.meta.dirname, "../../../shared/seeds");

const names = new Set<string>();
for (const f of readdirSync(seeds))
  for (const block of readFileSync(path.join(seeds, f), "utf8").matchAll(/```hcl\n([\s\S]*?)```/g))
    for (const m of (block[1] ?? "").matchAll(/^job "([^"]+)"/gm)) names.add(m[1] ?? "");

const have = new Set(readdirSync(corpus).map((f) => f.replace(/^\d+-|\.nomad\.hcl$/g, "")));
const missing = [...names].filter((n) => !have.has(n));
for (const n of missing) console.log(`missing: ${n}`);
console.log(`${names.size - missing.length} of ${names.size} seed jobs have a corpus file`);
process.exit(missing.length > 0 || names.size === 0 ? 1 : 0);
