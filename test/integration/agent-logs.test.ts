// The agent's log monitor as its own process: it reads tasks' FIFOs, rotates
// their output into <task>.<stream>.N files, serves every task of the agent
// and every run of a task, is replaced when it dies (the new one continues
// the newest file), and exits once no agent needs it and no task writes.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { listLogFiles } from "../../src/agent/logs/files.js";
import { LogmonClient, logmonFifos } from "../../src/agent/logs/logmon.js";
import { eventually } from "../support/kubectl.js";

/** The newest stdout file's content. */
function newest(logDir: string, task = "web"): string {
  const files = listLogFiles(logDir, task, "stdout");
  return readFileSync(files.at(-1) ?? "/dev/null", "utf8");
}

function runInto(stdout: string, script: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", `${script} >> "${stdout}"`], { stdio: "ignore" });
    child.once("exit", (code) => resolve(code));
  });
}

/** PIDs of log monitors serving this data dir (their command line names its socket). */
function monitors(dataDir: string): number[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const cmdline = readFileSync(`/proc/${p}/cmdline`, "utf8");
        const stat = readFileSync(`/proc/${p}/stat`, "utf8");
        return cmdline.includes("logmon-main") && cmdline.includes(dataDir) && !/\) Z /.test(stat);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function allocLogDir(dataDir: string, alloc: string): string {
  const dir = path.join(dataDir, "alloc", alloc, "alloc", "logs");
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe("log monitor", () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "caravan-logmon-"));
  const logDir = allocLogDir(dataDir, "a1");
  const spec = { logDir, task: "web", maxFiles: 3, maxFileSizeBytes: 1000 };
  const client = new LogmonClient(dataDir);
  afterAll(() => {
    for (const pid of monitors(dataDir)) process.kill(pid, "SIGTERM");
  });

  it("rotates a task's output into numbered files, keeping max_files of them", async () => {
    await client.open(spec);
    expect(monitors(dataDir)).toHaveLength(1);
    const { stdout, stderr } = logmonFifos(spec);
    // 100 lines of 50 bytes: 5000 bytes, five files' worth.
    const code = await runInto(
      stdout,
      'i=0; while [ $i -lt 100 ]; do printf "%049d\\n" $i; i=$((i+1)); done',
    );
    expect(code).toBe(0);
    await runInto(stderr, "echo oops");
    // Once flushed, everything the task wrote is in the files.
    await client.flush(spec);
    const files = readdirSync(logDir)
      .filter((n) => n.startsWith("web.stdout."))
      .sort();
    expect(files).toEqual(["web.stdout.2", "web.stdout.3", "web.stdout.4"]);
    for (const f of files) expect(statSync(path.join(logDir, f)).size).toBe(1000);
    // The newest file holds the last 20 lines.
    expect(readFileSync(path.join(logDir, "web.stdout.4"), "utf8").split("\n")[19]).toBe(
      "99".padStart(49, "0"),
    );
    expect(readFileSync(path.join(logDir, "web.stderr.0"), "utf8")).toBe("oops\n");
  });

  it("serves every task of the agent in one process, and every run of a task", async () => {
    const api = {
      logDir: allocLogDir(dataDir, "a2"),
      task: "api",
      maxFiles: 2,
      maxFileSizeBytes: 1000,
    };
    await client.open(api);
    await client.open(spec); // before the task's next run: already served
    expect(monitors(dataDir)).toHaveLength(1);
    await runInto(logmonFifos(api).stdout, "echo from api");
    await runInto(logmonFifos(spec).stdout, "echo second run");
    await client.flush(api);
    await client.flush(spec);
    expect(newest(api.logDir, "api")).toBe("from api\n");
    expect(newest(logDir)).toMatch(/second run\n$/);
  });

  it("is replaced when it dies, and the new one continues the newest file", async () => {
    const [old] = monitors(dataDir);
    process.kill(old ?? 0, "SIGKILL");
    await eventually(async () => monitors(dataDir).length === 0 || undefined, "the monitor to die");
    await client.open(spec);
    const [replacement] = monitors(dataDir);
    expect(replacement).not.toBe(old);
    await runInto(logmonFifos(spec).stdout, "echo third run");
    await client.flush(spec);
    expect(newest(logDir)).toBe("second run\nthird run\n");
    expect(listLogFiles(logDir, "web", "stdout").map((f) => path.basename(f))).toEqual([
      "web.stdout.3",
      "web.stdout.4",
      "web.stdout.5",
    ]);
    // A task done for good: its FIFOs are no longer served, its files stay.
    await client.close(spec);
    expect(readdirSync(logDir).filter((n) => n.endsWith(".fifo"))).toEqual([]);
    expect(newest(logDir)).toBe("second run\nthird run\n");
  });
});

describe("an orphaned log monitor", () => {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  const logmonModule = pathToFileURL(
    path.resolve(import.meta.dirname, "../../src/agent/logs/logmon.ts"),
  ).href;

  /** Opens tasks from a short-lived process, as an agent that then dies would. */
  async function openFromDyingAgent(dataDir: string, specs: unknown[]): Promise<void> {
    const script = `const m = await import(${JSON.stringify(logmonModule)}); const c = new m.LogmonClient(${JSON.stringify(dataDir)}, { orphanCheckMs: 300 }); for (const s of ${JSON.stringify(specs)}) await c.open(s); process.exit(0);`;
    const child = spawn(process.execPath, ["--import", tsx, "--input-type=module", "-e", script], {
      stdio: ["ignore", "inherit", "inherit"],
    });
    const code = await new Promise((r) => child.once("exit", r));
    expect(code).toBe(0);
  }

  it("exits once no agent is connected and no task holds its FIFOs, and not while a task does", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "caravan-logmon-orphan-"));
    const busy = {
      logDir: allocLogDir(dataDir, "a1"),
      task: "busy",
      maxFiles: 2,
      maxFileSizeBytes: 1000,
    };
    await openFromDyingAgent(dataDir, [busy]);
    // A task still writing into "busy".
    const writer = spawn("/bin/sh", ["-c", `exec sleep 30 >> "${logmonFifos(busy).stdout}"`], {
      stdio: "ignore",
    });
    const [pid] = monitors(dataDir);
    expect(pid).toBeGreaterThan(0);
    // Well past three checks: still serving the task.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(monitors(dataDir)).toEqual([pid]);
    writer.kill("SIGKILL");
    await eventually(
      async () => monitors(dataDir).length === 0 || undefined,
      "the orphan to exit once its task ended",
    );
  });
});
