// The qemu driver with Debian's qemu-system-x86_64 booting Debian's kernel and
// a busybox initramfs built here, under software emulation (tcg): the version
// fingerprint, config checks naming the field, a VM whose forwarded port
// answers, and a graceful shutdown through the QEMU monitor that powers the
// guest off.
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/common/log.js";
import type { TaskStart } from "../../src/drivers/driver.js";
import { qemuDriver } from "../../src/drivers/qemu/index.js";
import { eventually } from "../support/kubectl.js";
import { buildTestVm, type TestVm } from "../support/qemu-image.js";

const log = createLogger({ level: "warn", json: false });
const driver = qemuDriver({ options: {}, pluginConfig: {}, dataDir: os.tmpdir(), log });
let vm: TestVm;
/** Kills a VM a failed test left running. */
let stopLater: (() => void) | undefined;

function taskStart(config: Record<string, unknown>, port: number): TaskStart {
  const allocDir = mkdtempSync(path.join(os.tmpdir(), "caravan-qemu-alloc-"));
  const taskDir = path.join(allocDir, "vm");
  for (const d of ["alloc/logs", "vm/local", "vm/secrets", "vm/tmp"])
    mkdirSync(path.join(allocDir, d), { recursive: true });
  return {
    allocId: "a1",
    jobName: "vm",
    groupName: "g",
    taskName: "vm",
    config,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    allocDir,
    taskDir,
    stdoutPath: path.join(allocDir, "alloc/logs/vm.stdout.0"),
    stderrPath: path.join(allocDir, "alloc/logs/vm.stderr.0"),
    resources: { cpuMHz: 1000, memoryMB: 256 },
    ports: [{ label: "http", value: port, to: 0, hostIP: "127.0.0.1" }],
  };
}

const read = (f: string) => {
  try {
    return readFileSync(f, "utf8");
  } catch {
    return "";
  }
};

describe("qemu driver", () => {
  beforeAll(async () => {
    vm = await buildTestVm();
  }, 300_000);
  afterEach(() => {
    stopLater?.();
    stopLater = undefined;
  });

  it("fingerprints QEMU's version", async () => {
    const fp = await driver.fingerprint();
    expect(fp).toMatchObject({ detected: true, healthy: true });
    expect(fp.attributes.version).toMatch(/^\d+\.\d+/);
    expect(["true", "false"]).toContain(fp.attributes.kvm);
  });

  it("names the field of a bad config", () => {
    expect(driver.validate({ accelerator: "tcg", image: "x" })).toEqual({
      ok: false,
      errors: ['config: unknown option "image" for qemu', "config.image_path: required"],
    });
    expect(driver.validate({ image_path: "a.img", drive_interface: "usb" })).toEqual({
      ok: false,
      errors: [
        'config.drive_interface: must be one of ide, scsi, sd, mtd, floppy, pflash, virtio, none, got "usb"',
      ],
    });
  });

  it("boots a VM whose forwarded port answers, is found again after an agent restart, and shuts down through the monitor on stop", async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const task = taskStart(
      {
        image_path: vm.disk,
        // No accelerator: kvm where it works, else tcg (this machine's
        // /dev/kvm cannot start a vCPU, nested, so the fingerprint says no).
        graceful_shutdown: true,
        port_map: { http: 80 },
        args: ["-kernel", vm.kernel, "-initrd", vm.initramfs, "-append", "console=ttyS0 quiet"],
      },
      port,
    );
    const handle = await driver.start(task);
    stopLater = () => handle.signal("SIGKILL");
    await eventually(
      async () => (read(task.stdoutPath).includes("caravan-vm: ready") ? true : undefined),
      "the VM to boot",
      300_000,
    );
    const body = await eventually(
      async () => {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/`);
          return res.ok ? await res.text() : undefined;
        } catch {
          return undefined;
        }
      },
      "the forwarded port to answer",
      120_000,
    );
    expect(body).toBe("hello from the vm\n");

    // A restarted agent finds the VM again from what the first one recorded,
    // monitor socket included, and shuts it down the same way.
    const recovered = await qemuDriver({
      options: {},
      pluginConfig: {},
      dataDir: os.tmpdir(),
      log,
    }).recover?.(JSON.parse(JSON.stringify(handle.recovery)));
    if (!recovered) throw new Error("qemu driver has no recover");
    expect(recovered.pid).toBe(handle.pid);
    await recovered.stop?.("SIGINT", 60_000);
    const result = await recovered.wait();
    // The guest powered itself off: QEMU exits 0, no signal needed.
    expect(result).toMatchObject({ exitCode: 0, signal: null });
    // The kernel says so on the console as the guest powers itself off.
    expect(read(task.stdoutPath)).toContain("reboot: Power down");
    await handle.destroy?.();
  }, 600_000);
});
