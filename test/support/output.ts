// Collects a child process's stdout and stderr as text while it runs.
import type { Readable } from "node:stream";

export interface Output {
  readonly stdout: string;
  readonly stderr: string;
}

export function collectOutput(child: { stdout: Readable; stderr: Readable }): Output {
  const out = { stdout: "", stderr: "" };
  child.stdout.on("data", (d: Buffer) => {
    out.stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    out.stderr += d.toString();
  });
  return out;
}
