// A Podman service answering the Docker Engine API on a socket of its own,
// with its own storage, for the docker driver's tests. On these machines
// Podman needs runc, the cgroupfs cgroup manager and no default ulimits, so
// the tests write their own containers.conf and storage.conf.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";

import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface PodmanService {
  /** unix:///… for the docker driver's plugin config `endpoint`. */
  endpoint: string;
  socketPath: string;
  /** Runs the podman CLI against the same storage. */
  podman(args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startPodman(): Promise<PodmanService> {
  const dir = mkdtempSync(path.join("/tmp", "caravan-podman-"));
  const containersConf = path.join(dir, "containers.conf");
  const storageConf = path.join(dir, "storage.conf");
  writeFileSync(
    containersConf,
    [
      "[engine]",
      'cgroup_manager = "cgroupfs"',
      'runtime = "runc"',
      'events_logger = "file"',
      `tmp_dir = "${dir}/tmp"`,
      "[containers]",
      "default_ulimits = []",
      'log_driver = "k8s-file"',
      "",
    ].join("\n"),
  );
  writeFileSync(
    storageConf,
    ["[storage]", 'driver = "vfs"', `runroot = "${dir}/run"`, `graphroot = "${dir}/root"`, ""].join(
      "\n",
    ),
  );
  const env = {
    ...process.env,
    CONTAINERS_CONF: containersConf,
    CONTAINERS_STORAGE_CONF: storageConf,
  };
  const socketPath = path.join(dir, "docker.sock");
  const service: ChildProcess = spawn(
    "podman",
    ["system", "service", "--time=0", `unix://${socketPath}`],
    // Its own working dir: conmon writes files such as "oom" into the cwd it inherits.
    { env, stdio: "ignore", cwd: dir },
  );
  const deadline = Date.now() + 30_000;
  while (!existsSync(socketPath)) {
    if (service.exitCode !== null) throw new Error(`podman service exited (${service.exitCode})`);
    if (Date.now() > deadline) throw new Error("podman service did not open its socket in 30s");
    await new Promise((r) => setTimeout(r, 100));
  }
  const podman = async (args: string[]) =>
    (await run("podman", args, { env, maxBuffer: 16 * 1024 * 1024 })).stdout;
  return {
    endpoint: `unix://${socketPath}`,
    socketPath,
    podman,
    async stop() {
      await podman(["rm", "--all", "--force", "--time", "0"]).catch(() => undefined);
      service.kill("SIGTERM");
      await new Promise((r) => (service.exitCode !== null ? r(null) : service.once("exit", r)));
      // conmon of an exec session lingers for minutes after its container
      // is gone; it is ours (its command line names our storage), so end it.
      for (const pid of processesMentioning(dir)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // Gone meanwhile.
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(text)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}
