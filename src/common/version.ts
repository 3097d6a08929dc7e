// Caravan's version, from package.json.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const packageJson = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../package.json",
);

export function version(): string {
  const pkg = JSON.parse(readFileSync(packageJson, "utf8")) as { version: string };
  return pkg.version;
}
