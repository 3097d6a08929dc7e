// The java driver with the machine's OpenJDK and a small program compiled
// here: the version fingerprint, config checks naming the field, a jar and a
// main class on a class path that print from main with the JVM options on
// their command line, isolated as exec tasks are (chrooted into the task
// directory, as nobody, in the task's memory cgroup), and stop.
import { execFile } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/common/log.js";
import type { TaskStart } from "../../src/drivers/driver.js";
import { javaDriver } from "../../src/drivers/java/index.js";
import { buildJavaApp, type JavaApp, jvmsWithMarker } from "../support/java-app.js";
import { eventually } from "../support/kubectl.js";

const run = promisify(execFile);
const log = createLogger({ level: "warn", json: false });
const driver = javaDriver({ options: {}, pluginConfig: {}, dataDir: os.tmpdir(), log });
const marker = `m${Math.random().toString(36).slice(2, 8)}`;

/**
 * A task whose directory holds the jar and the classes under local/, as an
 * artifact would put them: the JVM runs chrooted into the task directory.
 */
function taskStart(config: Record<string, unknown>): TaskStart {
  const allocDir = mkdtempSync(path.join(os.tmpdir(), "caravan-java-alloc-"));
  const taskDir = path.join(allocDir, "app");
  for (const d of ["alloc/logs", "app/local", "app/secrets", "app/tmp"])
    mkdirSync(path.join(allocDir, d), { recursive: true });
  copyFileSync(app.jar, path.join(taskDir, "local/app.jar"));
  cpSync(app.classes, path.join(taskDir, "local/classes"), { recursive: true });
  return {
    allocId: "a1",
    jobName: "java",
    groupName: "g",
    taskName: "app",
    config,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", GREETING: "hello" },
    allocDir,
    taskDir,
    stdoutPath: path.join(allocDir, "alloc/logs/app.stdout.0"),
    stderrPath: path.join(allocDir, "alloc/logs/app.stderr.0"),
    resources: { cpuMHz: 500, memoryMB: 256 },
    ports: [],
  };
}

let app: JavaApp;
const jvms = () => jvmsWithMarker(marker);

const read = (f: string) => {
  try {
    return readFileSync(f, "utf8");
  } catch {
    return "";
  }
};

describe("java driver", () => {
  beforeAll(async () => {
    app = await buildJavaApp();
  }, 120_000);

  it("fingerprints the JVM's version", async () => {
    const fp = await driver.fingerprint();
    expect(fp).toMatchObject({ detected: true, healthy: true });
    const { stderr } = await run("java", ["-version"]);
    expect(stderr).toContain(`"${fp.attributes.version}"`);
    expect(fp.attributes.version).toMatch(/^\d+/);
  });

  it("names the field of a bad config", () => {
    expect(driver.validate({ jar_path: "a.jar", jvm_option: ["-Xmx1m"] })).toEqual({
      ok: false,
      errors: ['config: unknown option "jvm_option" for java'],
    });
    expect(driver.validate({ args: ["x"] })).toEqual({
      ok: false,
      errors: ["config.jar_path: required unless config.class is given"],
    });
    expect(driver.validate({ class: "demo.Main", class_path: "/x" })).toEqual({ ok: true });
  });

  it("runs a jar whose main prints, with the JVM options on the command line, re-attaches to it, and stops it", async () => {
    const task = taskStart({
      jar_path: "local/app.jar",
      jvm_options: ["-Xmx64m", `-Dcaravan.marker=${marker}`],
      args: ["wait", "two"],
    });
    const handle = await driver.start(task);
    await eventually(
      async () => (read(task.stdoutPath).includes("hello from main") ? true : undefined),
      "the jar's output",
      60_000,
    );
    expect(read(task.stdoutPath)).toBe(
      `hello from main: wait,two marker=${marker} greeting=hello\n`,
    );
    const [jvm, ...others] = jvms();
    expect(others).toEqual([]);
    expect(jvm?.argv.slice(1)).toEqual([
      "-Xmx64m",
      `-Dcaravan.marker=${marker}`,
      "-jar",
      "/local/app.jar",
      "wait",
      "two",
    ]);
    // Isolated as an exec task: chrooted into its task directory, as nobody.
    expect(readlinkSync(`/proc/${jvm?.pid}/root`)).toBe(task.taskDir);
    expect(readFileSync(`/proc/${jvm?.pid}/status`, "utf8")).toMatch(/^Uid:\t65534\t/m);
    // A restarted agent's driver finds the JVM again from the recorded state and stops it.
    const again = await javaDriver({
      options: {},
      pluginConfig: {},
      dataDir: os.tmpdir(),
      log,
    }).recover?.(JSON.parse(JSON.stringify(handle.recovery)));
    if (!again) throw new Error("java driver has no recover");
    expect(jvms()).toHaveLength(1);
    again.signal("SIGTERM");
    const result = await again.wait();
    expect(result.exitCode ?? result.signal).not.toBe(0);
    await eventually(async () => (jvms().length === 0 ? true : undefined), "the JVM to exit");
  }, 90_000);

  it("runs a main class from a class path to completion", async () => {
    const task = taskStart({
      class: "demo.Main",
      class_path: "/local/classes",
      jvm_options: [`-Dcaravan.marker=${marker}`],
      args: ["once"],
    });
    const handle = await driver.start(task);
    expect(await handle.wait()).toMatchObject({ exitCode: 0 });
    expect(read(task.stdoutPath)).toBe(`hello from main: once marker=${marker} greeting=hello\n`);
  }, 90_000);
});
