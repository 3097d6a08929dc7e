// python-nomad (PyPI, pinned in scripts/setup.sh), a Nomad client nobody
// here wrote, runs a user's journey against `bin/caravan dev` with ACLs on:
// ACL bootstrap, policy and token, register from JSON, read, allocations,
// logs, scale, deployments, evaluations, stop, purge, token delete
// (test/clients/python/journey.py). Needs `npm run build` and
// `npm run setup` (which installs python-nomad under .cache/) first.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type DevAgent, startDevAgent } from "../support/dev-agent.js";
import { collectOutput } from "../support/output.js";

const root = path.resolve(import.meta.dirname, "../..");
const python = path.join(root, ".cache/python-nomad/bin/python");
const journey = path.join(root, "test/clients/python/journey.py");

describe("python-nomad against caravan dev", () => {
  let dev: DevAgent | undefined;
  afterAll(async () => {
    await dev?.stop();
  });

  it("runs the journey, every step ok", { timeout: 600_000 }, async () => {
    expect(existsSync(python), `${python} is missing: run npm run setup`).toBe(true);
    dev = await startDevAgent({ acl: true });
    const child = spawn(python, [journey], {
      env: { ...process.env, NOMAD_ADDR: dev.addr, NOMAD_TOKEN: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const result = collectOutput(child);
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(result.stdout.trim().split("\n"), `${result.stdout}\n${result.stderr}`).toEqual([
      "ok acl bootstrap",
      "ok acl policy",
      "ok acl token",
      "ok register",
      "ok read",
      "ok allocations",
      "ok logs",
      "ok scale",
      "ok deployments",
      "ok evaluations",
      "ok stop",
      "ok purge",
      "ok acl token delete",
    ]);
    expect(code).toBe(0);
  });
});
