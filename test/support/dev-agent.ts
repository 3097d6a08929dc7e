// Starts `bin/caravan dev` as a user does, on a free port, with ACLs on or
// off, and stops it with Ctrl-C (SIGINT). Needs `npm run build` first.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { collectOutput, type Output } from "./output.js";

const root = path.resolve(import.meta.dirname, "../..");

export interface DevAgent {
  /** What NOMAD_ADDR should be set to. */
  readonly addr: string;
  readonly output: Output;
  stop(): Promise<void>;
}

export async function startDevAgent(options: { acl: boolean }): Promise<DevAgent> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "caravan-dev-agent-"));
  const config = path.join(tmp, "dev.hcl");
  writeFileSync(
    config,
    `ports {\n  http = 0\n}\n${options.acl ? "acl {\n  enabled = true\n}\n" : ""}`,
  );
  const child = spawn(path.join(root, "bin/caravan"), ["dev", "--config", config], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = collectOutput(child);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(tmp, { recursive: true, force: true });
  };
  const deadline = Date.now() + 180_000;
  for (;;) {
    const addr = /NOMAD_ADDR=(\S+?)\)/.exec(output.stdout)?.[1];
    if (addr) return { addr, output, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`caravan dev did not start:\n${output.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
