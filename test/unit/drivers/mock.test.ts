// The mock driver: Nomad's mock_driver options, without processes.
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/common/log.js";
import type { TaskStart } from "../../../src/drivers/driver.js";
import { checkMockConfig, parseMockConfig } from "../../../src/drivers/mock/config.js";
import { MockStartError, mockDriver } from "../../../src/drivers/mock/index.js";

const log = createLogger({ level: "warn", json: false });
const driver = (options: Record<string, string> = { "driver.mock.enable": "1" }) =>
  mockDriver({ options, pluginConfig: {}, dataDir: os.tmpdir(), log });

function task(config: Record<string, unknown>): TaskStart {
  const dir = mkdtempSync(path.join(os.tmpdir(), "caravan-mock-"));
  return {
    allocId: "a1",
    jobName: "j",
    groupName: "g",
    taskName: "t",
    config,
    env: {},
    allocDir: dir,
    taskDir: dir,
    stdoutPath: path.join(dir, "t.stdout.0"),
    stderrPath: path.join(dir, "t.stderr.0"),
    resources: { cpuMHz: 100, memoryMB: 64 },
    ports: [],
  };
}

describe("mock driver", () => {
  it("is detected only when the agent enables it", async () => {
    expect((await driver().fingerprint()).detected).toBe(true);
    const off = await driver({}).fingerprint();
    expect(off.detected).toBe(false);
    expect(off.healthDescription).toContain("driver.mock.enable");
    expect((await driver({ "driver.mock.enable": "true" }).fingerprint()).detected).toBe(true);
  });

  it("rejects unknown options and malformed values, naming them", () => {
    const check = checkMockConfig({ run_for: "soon", exit_code: "x", bogus: 1 });
    expect(check.ok).toBe(false);
    const errors = check.ok ? [] : check.errors;
    expect(errors).toContain('config: unknown option "bogus" for mock');
    expect(errors.some((e) => e.startsWith("config.run_for:"))).toBe(true);
    expect(errors.some((e) => e.startsWith("config.exit_code:"))).toBe(true);
    expect(checkMockConfig({ run_for: "1s", exit_code: 2, stdout_string: "hi" }).ok).toBe(true);
  });

  it("runs for run_for, then exits with exit_code and exit_signal", async () => {
    const started = Date.now();
    const handle = await driver().start(task({ run_for: "150ms", exit_code: 3, exit_signal: 9 }));
    const result = await handle.wait();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(result).toEqual({ exitCode: 3, signal: "SIGKILL" });
  });

  it("runs until stopped when run_for is not set, and takes kill_after to die", async () => {
    const handle = await driver().start(task({ kill_after: "200ms" }));
    const raced = await Promise.race([
      handle.wait(),
      new Promise((r) => setTimeout(() => r("still running"), 300)),
    ]);
    expect(raced).toBe("still running");
    const stopping = Date.now();
    await handle.stop?.("SIGTERM", 5000);
    expect(Date.now() - stopping).toBeGreaterThanOrEqual(190);
    expect(await handle.wait()).toEqual({ exitCode: null, signal: "SIGTERM" });
  });

  it("is killed after the stop timeout when kill_after is longer", async () => {
    const handle = await driver().start(task({ kill_after: "10s" }));
    await handle.stop?.("SIGINT", 100);
    expect((await handle.wait()).signal).toBe("SIGKILL");
  });

  it("fails to start with start_error, recoverable or not, after start_block_for", async () => {
    const started = Date.now();
    const err = await driver()
      .start(
        task({ start_error: "no luck", start_error_recoverable: true, start_block_for: "100ms" }),
      )
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(err).toBeInstanceOf(MockStartError);
    expect((err as MockStartError).message).toBe("no luck");
    expect((err as MockStartError).recoverable).toBe(true);
  });

  it("writes stdout_string, repeated stdout_repeat times", async () => {
    const t = task({
      stdout_string: "tick\n",
      stdout_repeat: 2,
      stdout_repeat_duration: "50ms",
      run_for: "300ms",
    });
    const handle = await driver().start(t);
    await handle.wait();
    expect(readFileSync(t.stdoutPath, "utf8")).toBe("tick\ntick\ntick\n");
  });

  it("reads Go durations and nanosecond numbers", () => {
    expect(parseMockConfig({ run_for: "1m30s" }).runForMs).toBe(90_000);
    expect(parseMockConfig({ run_for: 2_000_000_000 }).runForMs).toBe(2000);
    expect(parseMockConfig({}).runForMs).toBeUndefined();
  });
});
