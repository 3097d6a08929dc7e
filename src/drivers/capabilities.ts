// Linux capabilities as Nomad's task drivers name them (lower case, without
// the cap_ prefix): the default set tasks keep and every one there is.

/** Nomad's default capability set (its drivers' allow_caps default): what Docker grants by default. */
export const defaultCaps: readonly string[] = [
  "audit_write",
  "chown",
  "dac_override",
  "fowner",
  "fsetid",
  "kill",
  "mknod",
  "net_bind_service",
  "setfcap",
  "setgid",
  "setpcap",
  "setuid",
  "sys_chroot",
];

/** Every capability name Linux knows, without the cap_ prefix. */
export const allCaps: ReadonlySet<string> = new Set([
  ...defaultCaps,
  "audit_control",
  "audit_read",
  "block_suspend",
  "bpf",
  "checkpoint_restore",
  "dac_read_search",
  "ipc_lock",
  "ipc_owner",
  "lease",
  "linux_immutable",
  "mac_admin",
  "mac_override",
  "net_admin",
  "net_broadcast",
  "net_raw",
  "perfmon",
  "sys_admin",
  "sys_boot",
  "sys_module",
  "sys_nice",
  "sys_pacct",
  "sys_ptrace",
  "sys_rawio",
  "sys_resource",
  "sys_time",
  "sys_tty_config",
  "syslog",
  "wake_alarm",
]);

/** "CAP_NET_ADMIN", "net_admin" and "NET_ADMIN" are one capability. */
export function normalCap(cap: string): string {
  return cap.toLowerCase().replace(/^cap_/, "");
}
