// A task's log monitor as its own process: it reads the task's FIFOs, rotates
// the output into <task>.<stream>.N files, keeps serving across runs of the
// task, and is found again by a restarted agent.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { listLogFiles } from "../../src/agent/logs/files.js";
import { logmonAlive, logmonFifos, startLogmon, stopLogmon } from "../../src/agent/logs/logmon.js";
import { eventually } from "../support/kubectl.js";

/** The newest stdout file's content. */
function newest(logDir: string): string {
  const files = listLogFiles(logDir, "web", "stdout");
  return readFileSync(files.at(-1) ?? "/dev/null", "utf8");
}

function runInto(stdout: string, script: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", `${script} >> "${stdout}"`], { stdio: "ignore" });
    child.once("exit", (code) => resolve(code));
  });
}

describe("log monitor", () => {
  const logDir = mkdtempSync(path.join(os.tmpdir(), "caravan-logmon-"));
  const spec = { logDir, task: "web", maxFiles: 3, maxFileSizeBytes: 1000 };
  let pid = 0;
  afterAll(() => stopLogmon(pid));

  it("rotates a task's output into numbered files, keeping max_files of them", async () => {
    pid = await startLogmon(spec);
    expect(logmonAlive(pid, spec)).toBe(true);
    const { stdout, stderr } = logmonFifos(spec);
    // 100 lines of 50 bytes: 5000 bytes, five files' worth.
    const code = await runInto(
      stdout,
      'i=0; while [ $i -lt 100 ]; do printf "%049d\\n" $i; i=$((i+1)); done',
    );
    expect(code).toBe(0);
    await runInto(stderr, "echo oops");
    const files = await eventually(async () => {
      const names = readdirSync(logDir)
        .filter((n) => n.startsWith("web.stdout."))
        .sort();
      return names.length === 3 && names.includes("web.stdout.4") ? names : undefined;
    }, "rotation to reach the fifth file");
    expect(files).toEqual(["web.stdout.2", "web.stdout.3", "web.stdout.4"]);
    for (const f of files) expect(statSync(path.join(logDir, f)).size).toBe(1000);
    // The newest file holds the last 20 lines.
    expect(readFileSync(path.join(logDir, "web.stdout.4"), "utf8").split("\n")[19]).toBe(
      "99".padStart(49, "0"),
    );
    await eventually(
      async () => readFileSync(path.join(logDir, "web.stderr.0"), "utf8") === "oops\n" || undefined,
      "stderr to be collected",
    );
  });

  it("keeps serving the next run of the task, and a stopped monitor leaves its files", async () => {
    await runInto(logmonFifos(spec).stdout, "echo second run");
    await eventually(
      async () => newest(logDir).endsWith("second run\n") || undefined,
      "the second run's output",
    );
    stopLogmon(pid);
    await eventually(async () => !logmonAlive(pid, spec) || undefined, "the monitor to exit");
    // A new monitor continues the newest file instead of starting over.
    pid = await startLogmon(spec);
    await runInto(logmonFifos(spec).stdout, "echo third run");
    await eventually(
      async () => newest(logDir) === "second run\nthird run\n" || undefined,
      "the third run's output in the same file",
    );
    expect(listLogFiles(logDir, "web", "stdout").map((f) => path.basename(f))).toEqual([
      "web.stdout.3",
      "web.stdout.4",
      "web.stdout.5",
    ]);
    expect(logmonAlive(pid, { logDir, task: "api" })).toBe(false);
  });
});

describe("an orphaned log monitor", () => {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  const logmonModule = pathToFileURL(
    path.resolve(import.meta.dirname, "../../src/agent/logs/logmon.ts"),
  ).href;

  /** Starts a monitor from a short-lived process, as an agent that then dies would. */
  async function startFromDyingAgent(spec: Record<string, unknown>): Promise<number> {
    const script = `const m = await import(${JSON.stringify(logmonModule)}); process.stdout.write(String(await m.startLogmon(${JSON.stringify(spec)}))); process.exit(0);`;
    const child = spawn(process.execPath, ["--import", tsx, "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    await new Promise((r) => child.once("exit", r));
    return Number(out);
  }

  it("exits once its agent is gone and no task holds its FIFOs, and not while a task does", async () => {
    const logDir = mkdtempSync(path.join(os.tmpdir(), "caravan-logmon-orphan-"));
    const busy = { logDir, task: "busy", maxFiles: 2, maxFileSizeBytes: 1000, orphanCheckMs: 300 };
    const idle = { ...busy, task: "idle" };
    // A task still writing into "busy".
    const busyPid = await startFromDyingAgent(busy);
    const writer = spawn("/bin/sh", ["-c", `exec sleep 30 >> "${logmonFifos(busy).stdout}"`], {
      stdio: "ignore",
    });
    const idlePid = await startFromDyingAgent(idle);
    expect(logmonAlive(idlePid, idle)).toBe(true);
    await eventually(
      async () => !logmonAlive(idlePid, idle) || undefined,
      "the idle orphan to exit",
    );
    expect(logmonAlive(busyPid, busy)).toBe(true);
    writer.kill("SIGKILL");
    await eventually(
      async () => !logmonAlive(busyPid, busy) || undefined,
      "the busy orphan to exit once its task ended",
    );
  });
});
