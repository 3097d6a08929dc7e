// Nomad's official Go API client (github.com/hashicorp/nomad/api, built from
// test/conformance) against `bin/caravan dev` with ACLs on: bootstrap, parse
// an HCL job, register it, read its status, allocations, evaluations and
// logs, alloc stats, signal, restart and exec (served by the node agent), a blocking query that returns when scaling changes the allocations,
// the autoscaler's scale call, a read-only token denied a write (directly and
// through an ACL role), a token update, stop and
// purge, and a node drain. Needs `npm run build` first.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureConformanceBinary } from "../conformance/build.js";
import { collectOutput } from "../support/output.js";

const root = path.resolve(import.meta.dirname, "../..");

describe("Nomad API conformance (official Go client)", () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "caravan-conformance-"));
  let dev: ChildProcess | undefined;
  afterAll(async () => {
    if (dev && dev.exitCode === null && dev.signalCode === null) {
      const exited = new Promise((resolve) => dev?.once("exit", resolve));
      dev.kill("SIGINT");
      const timer = setTimeout(() => dev?.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  it("passes every step", { timeout: 600_000 }, async () => {
    const binary = await ensureConformanceBinary();
    const config = path.join(tmp, "dev.hcl");
    writeFileSync(config, "ports {\n  http = 0\n}\nacl {\n  enabled = true\n}\n");
    const child = spawn(path.join(root, "bin/caravan"), ["dev", "--config", config], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    dev = child;
    const output = collectOutput(child);
    const deadline = Date.now() + 180_000;
    let addr: string | undefined;
    while (!addr) {
      addr = /NOMAD_ADDR=(\S+?)\)/.exec(output.stdout)?.[1];
      if (child.exitCode !== null) throw new Error(`caravan dev exited early:\n${output.stderr}`);
      if (Date.now() > deadline) throw new Error(`caravan dev did not start:\n${output.stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const client = spawn(binary, [], {
      env: { ...process.env, NOMAD_ADDR: addr, NOMAD_TOKEN: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const result = collectOutput(client);
    const code = await new Promise<number | null>((resolve) => client.on("close", resolve));
    const steps = result.stdout.trim().split("\n");
    expect(steps, `${result.stdout}\n${result.stderr}`).toEqual([
      "ok acl bootstrap",
      "ok status and agent",
      "ok parse",
      "ok register",
      "ok info and list",
      "ok allocation running",
      "ok event stream",
      "ok evaluations, allocation and summary",
      "ok logs",
      "ok logs follow",
      "ok alloc stats",
      "ok alloc signal",
      "ok alloc restart",
      "ok alloc exec",
      "ok blocking query",
      "ok scale",
      "ok acl policy and client token",
      "ok acl role and role-linked token",
      "ok stop and purge",
      "ok drain",
    ]);
    expect(code).toBe(0);
  });
});
