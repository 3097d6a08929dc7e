// Builds the Go conformance program (Nomad's official API client driving
// Caravan) once per source hash, cached under .cache/conformance/.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from "node:fs";
import path from "node:path";

const sourceDir = import.meta.dirname;
const root = path.resolve(sourceDir, "../..");

export async function ensureConformanceBinary(): Promise<string> {
  const hash = createHash("sha256");
  for (const f of readdirSync(sourceDir)
    .filter((f) => /\.go$|^go\.(mod|sum)$/.test(f))
    .sort())
    hash.update(f).update(readFileSync(path.join(sourceDir, f)));
  const binary = path.join(
    root,
    ".cache/conformance",
    hash.digest("hex").slice(0, 16),
    "conformance",
  );
  if (existsSync(binary)) return binary;
  mkdirSync(path.dirname(binary), { recursive: true });
  const partial = `${binary}.partial`;
  await new Promise<void>((resolve, reject) => {
    const child = spawn("go", ["build", "-o", partial, "."], {
      cwd: sourceDir,
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`go build of the conformance program failed (exit ${code})`)),
    );
  });
  renameSync(partial, binary);
  return binary;
}
