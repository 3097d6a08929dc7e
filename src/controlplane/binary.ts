// The embedded control plane (etcd, kube-apiserver, kube-controller-manager) is
// a Go program in src/controlplane/go, built from Kubernetes' Go modules
// because no registry serves those binaries here. It is built once per source
// hash and cached under .cache/controlplane/.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "../common/log.js";

/** The repository root, from src/ or from dist/ alike. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const sourceDir = path.join(repoRoot, "src/controlplane/go");

function sourceHash(): string {
  const hash = createHash("sha256");
  const files = readdirSync(sourceDir)
    .filter((f) => f.endsWith(".go") || f === "go.mod" || f === "go.sum" || f === "build.sh")
    .sort();
  for (const f of files) hash.update(f).update(readFileSync(path.join(sourceDir, f)));
  return hash.digest("hex").slice(0, 16);
}

export function controlPlaneBinaryPath(): string {
  return path.join(repoRoot, ".cache/controlplane", sourceHash(), "caravan-controlplane");
}

/** Returns the binary, building it first if this source has never been built. */
export async function ensureControlPlaneBinary(log: Logger): Promise<string> {
  const binary = controlPlaneBinaryPath();
  if (existsSync(binary)) return binary;
  mkdirSync(path.dirname(binary), { recursive: true });
  log.info(
    { source: path.relative(process.cwd(), sourceDir) || sourceDir },
    "building the embedded control plane (first run only; several minutes)",
  );
  const started = Date.now();
  const partial = `${binary}.partial`;
  await new Promise<void>((resolve, reject) => {
    const child = spawn("bash", [path.join(sourceDir, "build.sh"), partial], {
      cwd: sourceDir,
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0
        ? resolve()
        : reject(
            new Error(
              code === 127
                ? "building the embedded control plane needs Go (https://go.dev/dl); or use --kubeconfig with an existing cluster"
                : `building the control plane failed (${signal ?? `exit ${code}`}); the Go compiler's messages are above`,
            ),
          ),
    );
  });
  renameSync(partial, binary);
  // Builds of older sources are 100 MB each and never used again.
  const cache = path.dirname(path.dirname(binary));
  for (const old of readdirSync(cache)) {
    if (old !== path.basename(path.dirname(binary)))
      rmSync(path.join(cache, old), { recursive: true, force: true });
  }
  log.info({ seconds: Math.round((Date.now() - started) / 1000) }, "control plane built");
  return binary;
}
