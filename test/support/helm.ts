// helm for the chart tests, built from its Go module (no release downloads
// here) once into .cache/tools, like the control plane.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "../../src/controlplane/binary.js";

export const helmVersion = "v3.16.4";
const toolDir = path.join(repoRoot, ".cache/tools", `helm-${helmVersion}`);
export const helmPath = path.join(toolDir, "helm");

export async function ensureHelm(): Promise<string> {
  if (existsSync(helmPath)) return helmPath;
  mkdirSync(toolDir, { recursive: true });
  process.stderr.write(`building helm ${helmVersion} from its Go module (first run only)\n`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      "go",
      ["install", "-trimpath", "-ldflags=-s -w", `helm.sh/helm/v3/cmd/helm@${helmVersion}`],
      { env: { ...process.env, GOBIN: toolDir }, stdio: ["ignore", "inherit", "inherit"] },
    );
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`go install helm failed (exit ${code})`)),
    );
  });
  return helmPath;
}
