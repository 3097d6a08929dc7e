// Writes charts/caravan/crds/*.yaml and the NomadJob pruning schema module from the TypeScript types in src/crds.
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateCrds, jobSchemaModule, jobSchemaModuleText } from "../src/crds/schema/generate.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dir = path.join(root, "charts/caravan/crds");
const generated = generateCrds(root);
const wanted = new Set(generated.map((g) => g.fileName));
for (const old of readdirSync(dir)) {
  if (old.endsWith(".yaml") && !wanted.has(old)) rmSync(path.join(dir, old));
}
for (const { fileName, yaml } of generated) writeFileSync(path.join(dir, fileName), yaml);
writeFileSync(path.join(root, jobSchemaModule), jobSchemaModuleText(generated));
console.log(
  `wrote ${generated.length} CRDs to ${path.relative(process.cwd(), dir) || "."} and ${jobSchemaModule}`,
);
