// Caravan's version, from package.json.
import { readFileSync } from "node:fs";
import { repoRoot } from "../controlplane/binary.js";

export function version(): string {
  const pkg = JSON.parse(readFileSync(`${repoRoot}/package.json`, "utf8")) as { version: string };
  return pkg.version;
}
