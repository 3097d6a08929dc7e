// The launcher of an exec task, as shell text (pure). It runs as PID 1 of the
// task's new PID namespace, in a private mount namespace: it joins the task's
// cgroups, names the UTS namespace, bind-mounts the chroot (read-only, nosuid)
// plus /alloc, /dev and /proc into the task directory, then starts the task
// chrooted, as its user, in its own session, and forwards the stop signals it
// receives to the task's process group. Its exit code is the task's. Every
// mount lives only in the namespace: when the task ends they are gone, and
// the host never sees them.
import type { TaskMount } from "../driver.js";
import type { ExecConfig } from "./config.js";

export interface LaunchPlan {
  /** The task directory: the chroot's root. */
  root: string;
  /** The allocation's shared directory, mounted at /alloc. */
  allocShared: string;
  hostname: string;
  /** chroot_env: host path → path inside the chroot. */
  chrootEnv: Record<string, string>;
  /** Host volumes, bound after the chroot so they may sit inside its paths. */
  mounts: TaskMount[];
  /** cgroup.procs files the launcher moves itself into (the task inherits them). */
  cgroupProcs: string[];
  uid: number;
  gid: number;
  capabilities: string[];
  config: ExecConfig;
  /** The allocation's network namespace to enter (bridge and CNI modes); the host's when unset. */
  netns?: string;
}

/** Quotes one word for sh. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

const forwarded = ["TERM", "INT", "HUP", "QUIT", "USR1", "USR2", "WINCH"];
const devices = ["null", "zero", "full", "random", "urandom", "tty"];

export function launcherScript(plan: LaunchPlan): string {
  const q = shellQuote;
  const lines = [
    "set -e",
    ...plan.cgroupProcs.map((f) => `echo 0 > ${q(f)}`),
    `echo ${q(plan.hostname)} > /proc/sys/kernel/hostname`,
    `R=${q(plan.root)}`,
    // A directory gets a directory mount point, a file a file; absent sources are skipped, as Nomad does.
    'bind() { if [ -d "$1" ]; then mkdir -p "$R$2"; elif [ -e "$1" ]; then mkdir -p "$(dirname "$R$2")"; [ -e "$R$2" ] || : > "$R$2"; else return 0; fi; mount --bind "$1" "$R$2"; mount -o remount,bind,ro,nosuid,nodev "$R$2"; }',
    ...Object.entries(plan.chrootEnv).map(([host, inside]) => `bind ${q(host)} ${q(inside)}`),
    'mkdir -p "$R/alloc"',
    `mount --bind ${q(plan.allocShared)} "$R/alloc"`,
    ...plan.mounts.flatMap((m) => [
      // chroot_env paths are read-only binds: a mount point inside one must exist on the host.
      `mkdir -p "$R"${q(m.taskPath)} || { echo ${q(`caravan: cannot create ${m.taskPath} for a host volume: it lies in a read-only chroot_env path`)} >&2; exit 1; }`,
      `mount --bind ${q(m.hostPath)} "$R"${q(m.taskPath)}`,
      ...(m.readOnly ? [`mount -o remount,bind,ro,nosuid,nodev "$R"${q(m.taskPath)}`] : []),
    ]),
    'mkdir -p "$R/dev"',
    'mount -t tmpfs -o nosuid,noexec,mode=755 caravan-dev "$R/dev"',
    `for d in ${devices.join(" ")}; do : > "$R/dev/$d"; mount --bind "/dev/$d" "$R/dev/$d"; done`,
    'mkdir -p "$R/dev/shm"',
    'mount -t tmpfs -o nosuid,nodev,noexec,mode=1777 shm "$R/dev/shm"',
    'ln -s /proc/self/fd "$R/dev/fd"; ln -s fd/0 "$R/dev/stdin"; ln -s fd/1 "$R/dev/stdout"; ln -s fd/2 "$R/dev/stderr"',
    'mkdir -p "$R/proc"',
    'mount -t proc -o nosuid,nodev,noexec proc "$R/proc"',
    "set +e",
    "child=",
    ...forwarded.map((s) => `trap 'sig=1; [ -n "$child" ] && kill -${s} -$child 2>/dev/null' ${s}`),
    // The task gets default SIGINT/SIGQUIT back (sh ignores them for background
    // commands), its own session, no way to gain privileges, and its user.
    [
      "env --default-signal=INT,QUIT setsid setpriv --no-new-privs",
      `--bounding-set=-all${plan.capabilities.map((c) => `,+${c}`).join("")}`,
      `unshare --root="$R" --wd=${q(plan.config.workDir ?? "/")}`,
      `--setgid=${plan.gid} --setuid=${plan.uid}`,
      "--",
      q(plan.config.command),
      ...plan.config.args.map(q),
      "&",
    ].join(" "),
    "child=$!",
    // wait returns early when a signal comes in (sig is set): wait again for
    // the task's own status; 127 means that status was already collected.
    "while :; do",
    '  sig=; wait "$child"; code=$?',
    '  [ -z "$sig" ] && break',
    '  if ! kill -0 "$child" 2>/dev/null; then wait "$child"; last=$?; [ "$last" -ne 127 ] && code=$last; break; fi',
    "done",
    'exit "$code"',
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * The command the agent spawns: a shell that records the exit code in
 * `exitFile` (so a restarted agent learns how the task ended), around
 * unshare creating the namespaces and running the launcher (in the
 * allocation's network namespace, when it has one).
 */
export function launchCommand(plan: LaunchPlan, exitFile: string): string[] {
  const namespaces = ["--mount", "--uts", "--propagation", "private"];
  if (plan.config.pidMode === "private") namespaces.push("--pid");
  if (plan.config.ipcMode === "private") namespaces.push("--ipc");
  return [
    "/bin/sh",
    "-c",
    'code=0; "$@" || code=$?; echo "$code" > "$0"',
    exitFile,
    // The group's network namespace is entered first: the task's own namespaces are made inside it.
    ...(plan.netns ? ["nsenter", `--net=${plan.netns}`, "--"] : []),
    "unshare",
    ...namespaces,
    "--fork",
    "--",
    "/bin/sh",
    "-c",
    launcherScript(plan),
  ];
}
