// qemu: runs a virtual machine from a disk image with the node's
// qemu-system-x86_64, as Nomad's qemu driver does. The QEMU process runs as
// raw_exec runs a command (so it is re-attached by PID after an agent
// restart); accelerator defaults to kvm where QEMU can use it, else tcg;
// with graceful_shutdown a stop presses the VM's power button
// through the QEMU monitor and waits for the guest to power off before the
// kill timeout ends it.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import type {
  ConfigCheck,
  DriverContext,
  DriverFactory,
  DriverFingerprint,
  TaskHandle,
  TaskRecoveryState,
  TaskStart,
} from "../driver.js";
import { invalidPluginConfig, invalidPluginFingerprint } from "../plugin-config.js";
import { rawExecDriver } from "../raw_exec/index.js";
import {
  parseQemuVersion,
  qemuArgs,
  qemuPolicyErrors,
  readQemuConfig,
  readQemuPluginConfig,
} from "./command.js";

const run = promisify(execFile);

/** Unix socket paths are limited to 108 bytes; long task dirs use /tmp instead. */
const maxSocketPath = 100;

export const qemuDriver: DriverFactory = (ctx: DriverContext) => {
  const emulator =
    typeof ctx.pluginConfig.emulator === "string"
      ? ctx.pluginConfig.emulator
      : "qemu-system-x86_64";
  const processes = rawExecDriver({ ...ctx, options: { "driver.raw_exec.enable": "1" } });
  const pluginRead = readQemuPluginConfig(ctx.pluginConfig);
  const plugin = pluginRead.ok ? pluginRead.config : undefined;
  let kvm: Promise<boolean> | undefined;
  // kvm when /dev/kvm exists and QEMU can actually start a KVM vCPU there
  // (nested virtualisation may offer the device and still fail); else tcg.
  const kvmUsable = () => {
    kvm ??= existsSync("/dev/kvm") ? probeKvm(emulator) : Promise.resolve(false);
    return kvm;
  };
  const defaultAccelerator = async () => ((await kvmUsable()) ? "kvm" : "tcg");

  const withShutdown = (handle: TaskHandle, monitorPath: string | undefined): TaskHandle => {
    const recovery = { ...(handle.recovery ?? {}), ...(monitorPath ? { monitorPath } : {}) };
    // The emulator is a host process, but a command cannot run inside the
    // machine: no exec, as Nomad's qemu driver ("can't execute commands").
    const { exec: _exec, execStreaming: _execStreaming, ...rest } = handle;
    return {
      ...rest,
      recovery,
      async stop(signal, timeoutMs) {
        const exited = handle.wait().then(() => true);
        if (monitorPath) {
          // Nomad's graceful_shutdown: ACPI power button, then the kill timeout.
          const sent = await monitorCommand(monitorPath, "system_powerdown").then(
            () => true,
            (err: unknown) => {
              ctx.log.warn({ err, monitorPath }, "could not reach the QEMU monitor");
              return false;
            },
          );
          if (!sent) handle.signal(signal);
        } else {
          handle.signal(signal);
        }
        const done = await Promise.race([
          exited,
          new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref()),
        ]);
        if (!done) handle.signal("SIGKILL");
      },
      async destroy() {
        if (monitorPath) rmSync(monitorPath, { force: true });
        await handle.destroy?.();
      },
    };
  };

  return {
    name: "qemu",

    async fingerprint(): Promise<DriverFingerprint> {
      if (!pluginRead.ok) return invalidPluginFingerprint(pluginRead.errors);
      try {
        const { stdout } = await run(emulator, ["--version"], { timeout: 30_000 });
        const version = parseQemuVersion(stdout);
        if (!version) throw new Error(`unexpected output: ${stdout.slice(0, 200)}`);
        return {
          detected: true,
          healthy: true,
          healthDescription: "Healthy",
          attributes: { version, kvm: String(await kvmUsable()) },
        };
      } catch (err) {
        return {
          detected: false,
          healthy: false,
          healthDescription: `${emulator} not usable: ${(err as Error).message}`,
          attributes: {},
        };
      }
    },

    validate(config): ConfigCheck {
      const read = readQemuConfig(config);
      if (!read.ok) return read;
      // Relative image paths are only known at start, inside the task directory.
      const errors =
        plugin && path.isAbsolute(read.config.imagePath)
          ? qemuPolicyErrors(read.config, read.config.imagePath, plugin)
          : [];
      return errors.length ? { ok: false, errors } : { ok: true };
    },

    async start(task: TaskStart): Promise<TaskHandle> {
      const read = readQemuConfig(task.config);
      if (!read.ok) throw new Error(read.errors.join("; "));
      const config = read.config;
      const imagePath = path.isAbsolute(config.imagePath)
        ? config.imagePath
        : path.join(task.taskDir, config.imagePath);
      if (!plugin) throw new Error(invalidPluginConfig(pluginRead.ok ? [] : pluginRead.errors));
      const denied = qemuPolicyErrors(config, imagePath, plugin);
      if (denied.length) throw new Error(denied.join("; "));
      if (!existsSync(imagePath))
        throw new Error(`config.image_path: no such image "${imagePath}"`);
      const socket = (name: string) => {
        const inTaskDir = path.join(task.taskDir, name);
        if (inTaskDir.length <= maxSocketPath) return inTaskDir;
        const id = createHash("sha256").update(inTaskDir).digest("hex").slice(0, 16);
        return path.join("/tmp", `caravan-qemu-${id}-${name}`);
      };
      const monitorPath = config.gracefulShutdown ? socket("qemu-monitor.sock") : undefined;
      const args = qemuArgs({
        config,
        taskName: task.taskName,
        memoryMB: task.resources.memoryMB,
        ports: task.ports,
        defaultAccelerator: await defaultAccelerator(),
        imagePath,
        ...(monitorPath ? { monitorPath } : {}),
        ...(config.guestAgent ? { guestAgentPath: socket("qemu-guest-agent.sock") } : {}),
      });
      if (!args.ok) throw new Error(args.errors.join("; "));
      if (monitorPath) rmSync(monitorPath, { force: true });
      const handle = await processes.start({
        ...task,
        config: { command: emulator, args: args.args },
      });
      return withShutdown(handle, monitorPath);
    },

    async recover(state: TaskRecoveryState): Promise<TaskHandle> {
      if (!processes.recover) throw new Error("cannot re-attach to qemu tasks");
      const handle = await processes.recover(state);
      const monitorPath = typeof state.monitorPath === "string" ? state.monitorPath : undefined;
      return withShutdown(handle, monitorPath);
    },
  };
};

/** Starts a paused one-vCPU KVM machine and quits it: true when that works. */
function probeKvm(emulator: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = execFile(
      emulator,
      [
        "-machine",
        "accel=kvm",
        "-cpu",
        "host",
        "-m",
        "16",
        "-display",
        "none",
        "-nodefaults",
        "-S",
        "-monitor",
        "stdio",
      ],
      { timeout: 20_000 },
      (err) => resolve(!err),
    );
    child.stdin?.end("quit\n");
  });
}

/** Sends one command to QEMU's human monitor on a unix socket. */
function monitorCommand(socketPath: string, command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(socketPath);
    let greeted = false;
    const timer = setTimeout(() => {
      conn.destroy();
      reject(new Error("QEMU monitor did not answer within 5s"));
    }, 5_000);
    conn.on("data", (data) => {
      // Wait for the prompt before typing, then leave once it echoed back.
      if (!greeted && data.toString().includes("(qemu)")) {
        greeted = true;
        conn.write(`${command}\n`);
      } else if (greeted && data.toString().includes("\n")) {
        clearTimeout(timer);
        conn.end();
        resolve();
      }
    });
    conn.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
