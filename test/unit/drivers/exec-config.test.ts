// The exec driver's pure parts: config validation, capabilities, the
// launcher script, user lookup and cgroup arithmetic.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { defaultCaps } from "../../../src/drivers/capabilities.js";
import { cpuWeight } from "../../../src/drivers/exec/cgroups.js";
import {
  checkExecConfig,
  parseExecConfig,
  taskCapabilities,
} from "../../../src/drivers/exec/config.js";
import { launchCommand, launcherScript, shellQuote } from "../../../src/drivers/exec/script.js";
import { lookupUser } from "../../../src/drivers/exec/users.js";

const errorsOf = (config: Record<string, unknown>) => {
  const check = checkExecConfig(config);
  return check.ok ? [] : check.errors;
};

describe("exec config", () => {
  it("accepts Nomad's exec options", () => {
    expect(
      checkExecConfig({
        command: "/bin/sleep",
        args: ["10"],
        pid_mode: "private",
        ipc_mode: "host",
        cap_add: ["net_raw"],
        cap_drop: ["all"],
        work_dir: "/local",
      }),
    ).toEqual({
      ok: false,
      errors: ['config.cap_add: "net_raw" is not in the driver\'s allow_caps'],
    });
    expect(checkExecConfig({ command: "/bin/true", cap_add: ["CAP_CHOWN"] })).toEqual({ ok: true });
  });

  it("names unknown options and bad values", () => {
    const errors = errorsOf({
      comand: "/bin/sh",
      args: "x",
      pid_mode: "shared",
      cap_drop: ["flying"],
      work_dir: "local",
    });
    expect(errors).toEqual([
      'config: unknown option "comand" for exec',
      'config.command: required, the program to run (e.g. "/bin/sh")',
      "config.args: must be a list of strings",
      'config.pid_mode: must be "private" or "host", got "shared"',
      "config.work_dir: must be an absolute path inside the task's chroot",
      'config.cap_drop: unknown capability "flying"',
    ]);
  });

  it("takes pid_mode and ipc_mode from the driver's defaults when the task does not set them", () => {
    const host = { pidMode: "host", ipcMode: "host" } as const;
    expect(parseExecConfig({ command: "x" }, host)).toMatchObject(host);
    expect(parseExecConfig({ command: "x", pid_mode: "private" }, host).pidMode).toBe("private");
    expect(parseExecConfig({ command: "x" })).toMatchObject({
      pidMode: "private",
      ipcMode: "private",
    });
  });

  it("computes the capability bounding set from the defaults, cap_add and cap_drop", () => {
    const caps = (c: Record<string, unknown>) =>
      taskCapabilities(parseExecConfig({ command: "x", ...c }));
    expect(caps({})).toEqual([...defaultCaps].sort());
    expect(caps({ cap_drop: ["all"] })).toEqual(["setgid", "setuid", "sys_chroot"]);
    expect(caps({ cap_drop: ["CAP_KILL"], cap_add: ["sys_time"] })).toContain("sys_time");
    expect(caps({ cap_drop: ["CAP_KILL"] })).not.toContain("kill");
  });
});

describe("exec launcher", () => {
  const plan = {
    root: "/data/alloc/a1/web",
    allocShared: "/data/alloc/a1/alloc",
    hostname: "a1",
    chrootEnv: { "/bin": "/bin", "/etc/passwd": "/etc/passwd" },
    mounts: [],
    cgroupProcs: ["/sys/fs/cgroup/memory/caravan/a1.web/cgroup.procs"],
    uid: 65534,
    gid: 65534,
    capabilities: ["setgid", "setuid", "sys_chroot"],
    config: parseExecConfig({ command: "/bin/echo", args: ["it's", "$HOME"] }),
  };

  it("is valid shell that quotes the task's words", () => {
    const script = launcherScript(plan);
    expect(spawnSync("/bin/sh", ["-n", "-c", script]).status).toBe(0);
    expect(script).toContain(`'/bin/echo' 'it'\\''s' '$HOME'`);
    expect(script).toContain("--setgid=65534 --setuid=65534");
    expect(script).toContain("bind '/etc/passwd' '/etc/passwd'");
    expect(script).toContain("echo 0 > '/sys/fs/cgroup/memory/caravan/a1.web/cgroup.procs'");
    expect(
      spawnSync("/bin/sh", ["-c", `printf %s ${shellQuote("a'b $c")}`]).stdout.toString(),
    ).toBe("a'b $c");
  });

  it("creates the PID and IPC namespaces unless the task shares the host's", () => {
    expect(launchCommand(plan, "/x")).toEqual(
      expect.arrayContaining(["--pid", "--ipc", "--mount", "--uts"]),
    );
    const host = launchCommand(
      { ...plan, config: { ...plan.config, pidMode: "host", ipcMode: "host" } },
      "/x",
    );
    expect(host).not.toContain("--pid");
    expect(host).not.toContain("--ipc");
  });
});

describe("exec users and cgroups", () => {
  const passwd =
    "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\napp:x:1000:1001::/home/app:/bin/sh\n";
  it("looks users up by name or uid", () => {
    expect(lookupUser(passwd, "nobody")).toEqual({ uid: 65534, gid: 65534 });
    expect(lookupUser(passwd, "app")).toEqual({ uid: 1000, gid: 1001 });
    expect(lookupUser(passwd, "1000")).toEqual({ uid: 1000, gid: 1001 });
    expect(lookupUser(passwd, "4242")).toEqual({ uid: 4242, gid: 4242 });
    expect(lookupUser(passwd, "ghost")).toBeUndefined();
  });

  it("maps CPU shares to cgroup v2 weights as runc does", () => {
    expect(cpuWeight(2)).toBe(1);
    expect(cpuWeight(1024)).toBe(39);
    expect(cpuWeight(262144)).toBe(10000);
  });
});
