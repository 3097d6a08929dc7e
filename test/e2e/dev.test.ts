// `bin/caravan dev` as a user runs it: it comes up, kubectl answers through the
// kubeconfig it writes, and Ctrl-C (SIGINT) leaves no process behind.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { kubectl } from "../support/kubectl.js";

const root = path.resolve(import.meta.dirname, "../..");

/** PIDs of live processes whose command line mentions `needle`. */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (cmdline.includes(needle) && !/\) Z /.test(stat)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

describe("caravan dev", () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "caravan-dev-e2e-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("starts, answers kubectl, and stops cleanly on Ctrl-C", async () => {
    const dev = spawn(path.join(root, "bin/caravan"), ["dev", "--data-dir", dataDir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    dev.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    dev.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => dev.on("exit", (code) => resolve(code)));

    const deadline = Date.now() + 120_000;
    while (!stdout.includes("Press Ctrl-C to stop")) {
      if (dev.exitCode !== null) throw new Error(`caravan dev exited early:\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`caravan dev did not start:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const kubeconfig = path.join(dataDir, "kubeconfig");
    expect(stdout).toContain(`export KUBECONFIG=${kubeconfig}`);
    expect(existsSync(kubeconfig)).toBe(true);

    const get = await kubectl(kubeconfig, ["get", "nomadjobs"]);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stderr).toContain("No resources found in default namespace.");
    expect(processesMentioning(dataDir).length).toBeGreaterThan(1);

    dev.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(processesMentioning(dataDir)).toEqual([]);
  });
});
