// The qemu driver's task config and the QEMU command line it makes, after
// Nomad's qemu driver: the image as the VM's drive on drive_interface, the
// task's memory, user-mode networking with a host forward per port_map
// entry, and a monitor socket when graceful_shutdown asks for one. Pure.
import path from "node:path";
import type { TaskPort } from "../driver.js";
import { FieldReader } from "../fields.js";

export interface QemuTaskConfig {
  imagePath: string;
  accelerator?: string;
  driveInterface: string;
  args: string[];
  portMap: Record<string, number>;
  gracefulShutdown: boolean;
  guestAgent: boolean;
}

const keys = [
  "image_path",
  "accelerator",
  "drive_interface",
  "args",
  "port_map",
  "graceful_shutdown",
  "guest_agent",
];
const interfaces = ["ide", "scsi", "sd", "mtd", "floppy", "pflash", "virtio", "none"];

export function readQemuConfig(
  raw: Record<string, unknown>,
): { ok: true; config: QemuTaskConfig } | { ok: false; errors: string[] } {
  const r = new FieldReader("qemu");
  r.known(raw, keys);
  const imagePath = r.string(raw, "image_path", true) ?? "";
  const accelerator = r.string(raw, "accelerator");
  if (accelerator && !["kvm", "tcg", "hvf", "whpx", "xen"].includes(accelerator))
    r.errors.push(`config.accelerator: unknown accelerator "${accelerator}" (kvm or tcg)`);
  const driveInterface = r.string(raw, "drive_interface") ?? "ide";
  if (!interfaces.includes(driveInterface))
    r.errors.push(
      `config.drive_interface: must be one of ${interfaces.join(", ")}, got "${driveInterface}"`,
    );
  const portMap = r.portMap(raw);
  const config: QemuTaskConfig = {
    imagePath,
    ...(accelerator ? { accelerator } : {}),
    driveInterface,
    args: r.strings(raw, "args") ?? [],
    portMap,
    gracefulShutdown: r.bool(raw, "graceful_shutdown") ?? false,
    guestAgent: r.bool(raw, "guest_agent") ?? false,
  };
  return r.errors.length ? { ok: false, errors: r.errors } : { ok: true, config };
}

export interface QemuPluginConfig {
  /** image_paths: where images may be; empty allows any. */
  imagePaths: string[];
  /** args_allowlist: the QEMU options tasks may pass in args; empty allows any. */
  argsAllowlist: string[];
}

export function readQemuPluginConfig(
  raw: Record<string, unknown>,
): { ok: true; config: QemuPluginConfig } | { ok: false; errors: string[] } {
  const r = new FieldReader("qemu", "plugin.qemu.config");
  r.known(raw, ["image_paths", "args_allowlist", "emulator"]);
  r.string(raw, "emulator");
  const config = {
    imagePaths: r.strings(raw, "image_paths") ?? [],
    argsAllowlist: r.strings(raw, "args_allowlist") ?? [],
  };
  return r.errors.length ? { ok: false, errors: r.errors } : { ok: true, config };
}

/** What the plugin config forbids: images outside image_paths, args off the allowlist. */
export function qemuPolicyErrors(
  config: QemuTaskConfig,
  /** The image path resolved against the task directory. */
  imagePath: string,
  plugin: QemuPluginConfig,
): string[] {
  const errors: string[] = [];
  const inside = (dir: string) => {
    const rel = path.relative(dir, imagePath);
    return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
  };
  if (plugin.imagePaths.length && !plugin.imagePaths.some(inside))
    errors.push(
      `config.image_path: "${imagePath}" is not under the plugin config's image_paths (${plugin.imagePaths.join(", ")})`,
    );
  if (plugin.argsAllowlist.length) {
    const denied = config.args.filter(
      (a) => a.startsWith("-") && !plugin.argsAllowlist.includes(a),
    );
    if (denied.length)
      errors.push(`config.args: not in the plugin config's args_allowlist: ${denied.join(", ")}`);
  }
  return errors;
}

export interface QemuCommandInput {
  config: QemuTaskConfig;
  taskName: string;
  memoryMB: number;
  ports: TaskPort[];
  /** The accelerator when the config names none: kvm when /dev/kvm exists. */
  defaultAccelerator: string;
  monitorPath?: string;
  guestAgentPath?: string;
  /** The image path resolved against the task directory. */
  imagePath: string;
}

export function qemuArgs(
  input: QemuCommandInput,
): { ok: true; args: string[] } | { ok: false; errors: string[] } {
  const { config } = input;
  const accel = config.accelerator ?? input.defaultAccelerator;
  const errors: string[] = [];
  const forwards: string[] = [];
  for (const [label, guestPort] of Object.entries(config.portMap)) {
    const port = input.ports.find((p) => p.label === label);
    if (!port) {
      errors.push(
        `config.port_map.${label}: no port labeled "${label}" in the group's network (have: ${input.ports.map((p) => p.label).join(", ") || "none"})`,
      );
      continue;
    }
    for (const proto of ["tcp", "udp"])
      forwards.push(`hostfwd=${proto}:${port.hostIP}:${port.value}-:${guestPort}`);
  }
  if (errors.length) return { ok: false, errors };
  const args = [
    "-machine",
    `type=pc,accel=${accel}`,
    "-name",
    input.taskName,
    "-m",
    `${input.memoryMB}M`,
    "-drive",
    `file=${input.imagePath},if=${config.driveInterface}${/\.(img|raw)$/.test(input.imagePath) ? ",format=raw" : ""}`,
    "-nographic",
    ...(accel === "kvm" ? ["-enable-kvm", "-cpu", "host"] : []),
    ...(input.monitorPath ? ["-monitor", `unix:${input.monitorPath},server,nowait`] : []),
    ...(input.guestAgentPath
      ? [
          "-chardev",
          `socket,path=${input.guestAgentPath},server=on,wait=off,id=qga0`,
          "-device",
          "virtio-serial",
          "-device",
          "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0",
        ]
      : []),
    ...(forwards.length
      ? [
          "-netdev",
          ["user", "id=user.0", ...forwards].join(","),
          "-device",
          "virtio-net,netdev=user.0",
        ]
      : []),
    ...config.args,
  ];
  return { ok: true, args };
}

/** `qemu-system-x86_64 --version` → "7.2.22". */
export function parseQemuVersion(output: string): string | undefined {
  return /version (\d+\.\d+(?:\.\d+)?)/.exec(output)?.[1];
}
