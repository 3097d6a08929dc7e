// The exec driver's task handle on this host, without an agent: the stop
// signal reaches the task through its namespace's init (SIGTERM and SIGINT
// alike), SIGKILL after the timeout ends everything in the namespace, exec
// runs inside the task's namespaces as its user, stats come from its cgroup,
// and destroy removes the cgroup.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/common/log.js";
import type { TaskHandle, TaskStart } from "../../src/drivers/driver.js";
import { execDriver } from "../../src/drivers/exec/index.js";

const log = createLogger({ level: "warn", json: false });
const driver = execDriver({ options: {}, pluginConfig: {}, dataDir: os.tmpdir(), log });
/** Tasks started by a test: killed and destroyed afterwards even when the test failed. */
const started: TaskHandle[] = [];
const exec = {
  start: async (t: TaskStart) => {
    const handle = await driver.start(t);
    started.push(handle);
    return handle;
  },
};
afterEach(async () => {
  for (const handle of started.splice(0)) {
    handle.signal("SIGKILL");
    await handle.wait();
    await handle.destroy?.().catch(() => undefined);
  }
});

function task(name: string, script: string, extra: Partial<TaskStart> = {}): TaskStart {
  const allocDir = mkdtempSync(path.join(os.tmpdir(), "caravan-exec-handle-"));
  const taskDir = path.join(allocDir, "t");
  for (const sub of ["local", "secrets", "tmp"])
    mkdirSync(path.join(taskDir, sub), { recursive: true });
  for (const sub of ["logs", "data", "tmp"])
    mkdirSync(path.join(allocDir, "alloc", sub), { recursive: true });
  return {
    allocId: `${name}-${Math.random().toString(36).slice(2, 8)}`,
    jobName: "j",
    groupName: "g",
    taskName: "t",
    config: { command: "/bin/sh", args: ["-c", script] },
    env: { PATH: "/usr/bin:/bin" },
    allocDir,
    taskDir,
    stdoutPath: path.join(allocDir, "alloc/logs/t.stdout.0"),
    stderrPath: path.join(allocDir, "alloc/logs/t.stderr.0"),
    resources: { cpuMHz: 250, memoryMB: 64 },
    ports: [],
    ...extra,
  };
}

const stdout = (t: TaskStart) => readFileSync(t.stdoutPath, "utf8");
const cgroupDir = (h: TaskHandle) =>
  (h.recovery as { cgroup: { paths: Record<string, string> } }).cgroup.paths;

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("exec task handle", () => {
  it("forwards the kill signal to the task, execs inside it, measures it and frees its cgroup", async () => {
    const t = task(
      "term",
      'trap "echo got TERM; exit 7" TERM; echo ready; while :; do sleep 0.1; done',
    );
    const handle = await exec.start(t);
    await until("the task to start", () => stdout(t).includes("ready"));
    const paths = cgroupDir(handle);
    expect(
      readFileSync(
        path.join(
          paths.memory ?? paths.unified ?? "",
          paths.memory ? "memory.limit_in_bytes" : "memory.max",
        ),
        "utf8",
      ).trim(),
    ).toBe(String(64 * 1024 * 1024));
    if (paths.cpu)
      expect(readFileSync(path.join(paths.cpu, "cpu.shares"), "utf8").trim()).toBe("250");

    const inside = await handle.exec?.(
      ["/bin/sh", "-c", "id -u; hostname; cat /proc/1/cmdline | head -c 7"],
      10_000,
    );
    expect(inside?.exitCode).toBe(0);
    const [uid, hostname, init] = (inside?.stdout ?? "").split("\n");
    expect(uid).toBe("65534");
    expect(hostname).toBe(t.allocId);
    expect(init).toBe("/bin/sh");

    const stats = await handle.stats?.();
    expect(stats?.cpuTotalNanos).toBeGreaterThan(0);
    expect(stats?.memoryRssBytes).toBeGreaterThan(0);

    await handle.stop?.("SIGTERM", 10_000);
    expect(await handle.wait()).toEqual({ exitCode: 7, signal: null });
    expect(stdout(t)).toContain("got TERM");
    await handle.destroy?.();
    for (const dir of Object.values(paths)) expect(existsSync(dir)).toBe(false);
  });

  it("delivers SIGINT to a task that handles it (the shell's default ignore is undone)", async () => {
    const t = task(
      "int",
      'trap "echo got INT; exit 0" INT; echo ready; while :; do sleep 0.1; done',
    );
    const handle = await exec.start(t);
    await until("the task to start", () => stdout(t).includes("ready"));
    await handle.stop?.("SIGINT", 10_000);
    expect((await handle.wait()).exitCode).toBe(0);
    expect(stdout(t)).toContain("got INT");
    await handle.destroy?.();
  });

  it("kills everything in the namespace when the task ignores its stop signal", async () => {
    const t = task(
      "stubborn",
      'trap "" TERM; (trap "" TERM; sleep 300) & echo ready; while :; do sleep 0.1; done',
    );
    const handle = await exec.start(t);
    await until("the task to start", () => stdout(t).includes("ready"));
    const started = Date.now();
    await handle.stop?.("SIGTERM", 500);
    expect(Date.now() - started).toBeLessThan(10_000);
    const result = await handle.wait();
    expect(result.exitCode).toBe(137);
    expect(result.signal).toBe("SIGKILL");
    await handle.destroy?.();
  });

  it("runs as the task's user and in its work_dir", async () => {
    const t = task("user", "id -un; pwd", { user: "root" });
    t.config = { ...t.config, work_dir: "/local" };
    const handle = await exec.start(t);
    expect((await handle.wait()).exitCode).toBe(0);
    expect(stdout(t)).toBe("root\n/local\n");
    await handle.destroy?.();
  });

  it("builds the chroot from the client's chroot_env", async () => {
    const custom = execDriver({
      options: {},
      pluginConfig: {},
      dataDir: os.tmpdir(),
      chrootEnv: {
        "/bin": "/bin",
        "/lib": "/lib",
        "/lib64": "/lib64",
        "/usr": "/usr",
        "/etc/passwd": "/etc/passwd",
      },
      log,
    });
    const t = task("chroot", "ls /etc; ls / | tr '\\n' ' '");
    const handle = await custom.start(t);
    started.push(handle);
    expect((await handle.wait()).exitCode).toBe(0);
    const [etc, root] = stdout(t).split("\n");
    expect(etc).toBe("passwd");
    expect(root?.split(" ").filter(Boolean).sort()).toEqual(
      [
        "alloc",
        "bin",
        "dev",
        "etc",
        "lib",
        "lib64",
        "local",
        "proc",
        "secrets",
        "tmp",
        "usr",
      ].sort(),
    );
  });

  it("refuses a user the host does not know", async () => {
    await expect(exec.start(task("ghost", "true", { user: "no-such-user" }))).rejects.toThrow(
      'user: "no-such-user" is not a user on this host',
    );
  });
});

describe("exec host volumes", () => {
  it("mounts a host volume at its destination, read-only when asked, and the host keeps what the task wrote", async () => {
    const data = mkdtempSync(path.join(os.tmpdir(), "caravan-hostvol-data-"));
    const certs = mkdtempSync(path.join(os.tmpdir(), "caravan-hostvol-certs-"));
    writeFileSync(path.join(certs, "ca.pem"), "CA\n");
    const t = task(
      "volumes",
      "cat /certs/ca.pem; echo hi > /srv/data/out && echo wrote; echo no > /certs/x || echo read-only",
      {
        mounts: [
          { hostPath: data, taskPath: "/srv/data", readOnly: false },
          { hostPath: certs, taskPath: "/certs", readOnly: true },
        ],
        user: "root",
      },
    );
    const handle = await exec.start(t);
    const exit = await handle.wait();
    expect(stdout(t)).toBe("CA\nwrote\nread-only\n");
    expect(exit.exitCode).toBe(0);
    expect(readFileSync(path.join(data, "out"), "utf8")).toBe("hi\n");
    expect(existsSync(path.join(certs, "x"))).toBe(false);
  });
});
