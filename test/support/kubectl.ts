// Runs the real kubectl against the test control plane, as a user would.
import { spawn } from "node:child_process";
import { collectOutput } from "./output.js";

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function kubectl(
  kubeconfig: string,
  args: readonly string[],
  stdin?: string,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("kubectl", [...args], {
      env: { ...process.env, KUBECONFIG: kubeconfig },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const output = collectOutput(child);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout: output.stdout, stderr: output.stderr }));
    child.stdin.end(stdin ?? "");
  });
}

/** kubectl that must succeed; its failure message carries stderr. */
export async function kubectlOk(
  kubeconfig: string,
  args: readonly string[],
  stdin?: string,
): Promise<string> {
  const result = await kubectl(kubeconfig, args, stdin);
  if (result.code !== 0) {
    throw new Error(`kubectl ${args.join(" ")} failed (${result.code}):\n${result.stderr}`);
  }
  return result.stdout;
}

/** A fresh namespace per test file keeps files independent on the shared control plane. */
export async function createNamespace(kubeconfig: string, prefix: string): Promise<string> {
  const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  await kubectlOk(kubeconfig, ["create", "namespace", name]);
  return name;
}

export async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
