// A tiny virtual machine for the qemu driver's tests: Debian's kernel (this
// machine has none in /boot, so scripts/setup.sh downloads the linux-image
// package, and it is unpacked here, never installed) and a busybox initramfs whose /init
// loads the virtio network driver, takes QEMU's user-net address, serves
// HTTP on port 80 and powers off when the ACPI power button is pressed.
import { execFile } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../../src/controlplane/binary.js";

const run = promisify(execFile);
const cache = path.join(os.tmpdir(), "caravan-test-kernel");
const kernelDebDir = path.join(repoRoot, ".cache/test-kernel");

/** Loaded in this order (each after what it depends on). */
const modules = [
  "drivers/virtio/virtio_ring.ko",
  "drivers/virtio/virtio.ko",
  "drivers/virtio/virtio_pci_modern_dev.ko",
  "drivers/virtio/virtio_pci_legacy_dev.ko",
  "drivers/virtio/virtio_pci.ko",
  "net/core/failover.ko",
  "drivers/net/net_failover.ko",
  "drivers/net/virtio_net.ko",
  "drivers/input/evdev.ko",
  "drivers/acpi/button.ko",
];

export interface TestVm {
  kernel: string;
  initramfs: string;
  /** An empty raw disk for image_path (the guest runs from its initramfs). */
  disk: string;
}

/** Debian's kernel and the modules the test VM loads, unpacked once per machine. */
async function debianKernel(): Promise<{ kernel: string; moduleDir: string }> {
  const unpacked = path.join(cache, "root");
  const find = () => {
    const boot = path.join(unpacked, "boot");
    const kernel = existsSync(boot)
      ? readdirSync(boot).find((f) => f.startsWith("vmlinuz-"))
      : undefined;
    if (!kernel) return undefined;
    const version = kernel.slice("vmlinuz-".length);
    return {
      kernel: path.join(boot, kernel),
      moduleDir: path.join(unpacked, "lib/modules", version, "kernel"),
    };
  };
  const found = find();
  if (found) return found;
  // scripts/setup.sh downloads the kernel package (npm test runs it first).
  const deb = existsSync(kernelDebDir)
    ? readdirSync(kernelDebDir).find((f) => f.startsWith("linux-image-") && f.endsWith(".deb"))
    : undefined;
  if (!deb) throw new Error(`no kernel package in ${kernelDebDir}: run scripts/setup.sh`);
  // Test files run in parallel: each unpacks into a directory of its own and
  // renames it into place; the first rename wins, the others use it.
  mkdirSync(cache, { recursive: true });
  const work = mkdtempSync(path.join(cache, "work-"));
  const staging = path.join(work, "root");
  mkdirSync(staging);
  await run("sh", [
    "-c",
    `dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" --wildcards './boot/vmlinuz-*' ${modules.map((m) => `'./lib/modules/*/kernel/${m}'`).join(" ")}`,
    "sh",
    path.join(kernelDebDir, deb),
    staging,
  ]);
  try {
    renameSync(staging, unpacked);
  } catch {
    // Another test file got there first.
  }
  rmSync(work, { recursive: true, force: true });
  const after = find();
  if (!after) throw new Error(`no vmlinuz in ${deb}`);
  return after;
}

const init = `#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in ${modules.map((m) => path.basename(m, ".ko")).join(" ")}; do insmod /lib/$m.ko; done
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
echo "hello from the vm" > /www/index.html
httpd -p 80 -h /www
# In the foreground: daemonized, busybox acpid leaves /etc/acpi and finds no actions.
acpid -f -c /etc/acpi -l /tmp/acpid.log &
echo "caravan-vm: ready"
while true; do sleep 1; done
`;

export async function buildTestVm(): Promise<TestVm> {
  const { kernel, moduleDir } = await debianKernel();
  const dir = mkdtempSync(path.join(os.tmpdir(), "caravan-vm-"));
  const root = path.join(dir, "root");
  for (const d of ["bin", "dev", "proc", "sys", "lib", "www", "tmp", "etc/acpi/PWRF"])
    mkdirSync(path.join(root, d), { recursive: true });
  copyFileSync("/bin/busybox", path.join(root, "bin/busybox"));
  for (const a of [
    "sh",
    "mount",
    "insmod",
    "ip",
    "httpd",
    "sleep",
    "echo",
    "poweroff",
    "acpid",
    "run-parts",
  ])
    symlinkSync("busybox", path.join(root, "bin", a));
  for (const m of modules)
    copyFileSync(path.join(moduleDir, m), path.join(root, "lib", path.basename(m)));
  // busybox acpid runs /etc/acpi/PWRF/00000080 for the power button.
  writeFileSync(
    path.join(root, "etc/acpi/PWRF/00000080"),
    '#!/bin/sh\necho "caravan-vm: power button, powering off"\npoweroff -f\n',
  );
  chmodSync(path.join(root, "etc/acpi/PWRF/00000080"), 0o755);
  writeFileSync(path.join(root, "init"), init);
  chmodSync(path.join(root, "init"), 0o755);
  const initramfs = path.join(dir, "initramfs.gz");
  await run("sh", [
    "-c",
    'cd "$1" && find . | cpio -o -H newc 2>/dev/null | gzip -1 > "$2"',
    "sh",
    root,
    initramfs,
  ]);
  const disk = path.join(dir, "disk.img");
  writeFileSync(disk, Buffer.alloc(1024 * 1024));
  return { kernel, initramfs, disk };
}
