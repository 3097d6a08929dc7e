// The pure parts of the docker, java and qemu drivers: task and plugin
// configs read as Nomad takes them (blocks as lists, as the jobspec writes
// them), the plugin config's refusals, the container create request, registry
// credentials, and the JVM and QEMU command lines.
import { describe, expect, it } from "vitest";
import { authFromDockerConfig, registryOf } from "../../src/drivers/docker/auth.js";
import { policyErrors, readPluginConfig, readTaskConfig } from "../../src/drivers/docker/config.js";
import { createOptions } from "../../src/drivers/docker/container.js";
import { withTag } from "../../src/drivers/docker/images.js";
import { oomKillRecorded } from "../../src/drivers/docker/oom.js";
import type { TaskStart } from "../../src/drivers/driver.js";
import { javaCommand, parseJavaVersion } from "../../src/drivers/java/index.js";
import {
  parseQemuVersion,
  qemuArgs,
  qemuPolicyErrors,
  readQemuConfig,
  readQemuPluginConfig,
} from "../../src/drivers/qemu/command.js";

const task = (config: Record<string, unknown>, extra: Partial<TaskStart> = {}): TaskStart => ({
  allocId: "8d3f-alloc",
  jobName: "web-app",
  groupName: "frontend",
  taskName: "nginx",
  config,
  env: { NOMAD_TASK_DIR: "/data/alloc/x/nginx/local", APP: "1" },
  allocDir: "/data/alloc/x",
  taskDir: "/data/alloc/x/nginx",
  stdoutPath: "/dev/null",
  stderrPath: "/dev/null",
  resources: { cpuMHz: 500, memoryMB: 256 },
  ports: [{ label: "http", value: 23456, to: 80, hostIP: "10.0.0.5" }],
  ...extra,
});

function must<T>(r: { ok: true } & T): T;
function must<T>(r: ({ ok: true } & T) | { ok: false; errors: string[] }): T;
function must<T>(r: ({ ok: true } & T) | { ok: false; errors: string[] }): T {
  if (!r.ok) throw new Error(r.errors.join("; "));
  return r;
}

const seedsPlugin = must(
  readPluginConfig({
    endpoint: "unix:///var/run/docker.sock",
    gc: [{ image: true, image_delay: "3m", container: true }],
    volumes: [{ enabled: true }],
    allow_privileged: false,
    allow_caps: ["NET_ADMIN", "SYS_TIME"],
  }),
).config;

describe("docker task config", () => {
  it("reads blocks written as lists, as the jobspec gives them", () => {
    const { config } = must(
      readTaskConfig({
        image: "app:1",
        labels: [{ team: "a" }],
        logging: [{ type: "journald", config: [{ tag: "app" }] }],
        mount: [
          { type: "bind", source: "local", target: "/etc/app" },
          { type: "tmpfs", target: "/tmp", tmpfs_options: [{ size: 1000 }] },
        ],
        ulimit: [{ nofile: "1024:2048", nproc: "512" }],
        devices: [{ host_path: "/dev/fuse" }],
      }),
    );
    expect(config.labels).toEqual({ team: "a" });
    expect(config.logging).toEqual({ type: "journald", config: { tag: "app" } });
    expect(config.mounts).toEqual([
      { type: "bind", source: "local", target: "/etc/app", readonly: false },
      { type: "tmpfs", target: "/tmp", readonly: false, tmpfsSizeBytes: 1000 },
    ]);
    expect(config.ulimits).toEqual([
      { name: "nofile", soft: 1024, hard: 2048 },
      { name: "nproc", soft: 512, hard: 512 },
    ]);
    expect(config.devices).toEqual([
      { hostPath: "/dev/fuse", containerPath: "/dev/fuse", cgroupPermissions: "rwm" },
    ]);
  });

  it("reads the pre-1.0 mounts list after the mount blocks, as Nomad still does", () => {
    const r = readTaskConfig({
      image: "busybox",
      mount: [{ type: "tmpfs", target: "/scratch" }],
      mounts: [{ type: "bind", source: "local", target: "/usr/local/bin", readonly: true }],
    });
    expect(r.ok && r.config.mounts.map((m) => m.target)).toEqual(["/scratch", "/usr/local/bin"]);
    const bad = readTaskConfig({ image: "busybox", mounts: [{ type: "bind", target: "/x" }] });
    expect(bad.ok ? [] : bad.errors).toEqual(["config.mounts[0].source: required for bind"]);
  });

  it("names the field of every mistake", () => {
    const r = readTaskConfig({
      imag: "x",
      privileged: "yes",
      mount: [{ type: "bind", target: "/x" }],
      args: "not a list",
      image_pull_timeout: "soon",
    });
    expect(r.ok ? [] : r.errors).toEqual([
      'config: unknown option "imag" for docker',
      "config.image: required",
      "config.mount[0].source: required for bind",
      'config.image_pull_timeout: not a duration: "soon"',
      "config.args: must be a list of strings",
      "config.privileged: must be true or false",
    ]);
  });

  it("refuses what the plugin config forbids", () => {
    const read = (c: Record<string, unknown>) => must(readTaskConfig({ image: "a", ...c })).config;
    expect(policyErrors(read({ privileged: true }), seedsPlugin)).toEqual([
      "config.privileged: Docker privileged mode is disabled on this Nomad agent (plugin config allow_privileged = false)",
    ]);
    expect(policyErrors(read({ cap_add: ["CAP_NET_ADMIN", "sys_time"] }), seedsPlugin)).toEqual([]);
    expect(policyErrors(read({ cap_add: ["all"] }), seedsPlugin)).toEqual([
      "config.cap_add: capabilities not allowed by the plugin config allow_caps: all",
    ]);
    const noVolumes = must(readPluginConfig({})).config;
    expect(policyErrors(read({ volumes: ["data:/data"] }), noVolumes)).toEqual([]);
    expect(policyErrors(read({ volumes: ["/etc:/host-etc"] }), noVolumes)).toEqual([
      "config.volumes: volumes are not enabled on this agent (plugin config volumes.enabled); cannot mount /etc:/host-etc",
    ]);
    expect(noVolumes.allowCaps).toContain("net_bind_service");
    expect(noVolumes.allowCaps).not.toContain("net_admin");
  });

  it("reads the seeds' plugin config, and names a bad one's field", () => {
    expect(seedsPlugin).toMatchObject({
      endpoint: "unix:///var/run/docker.sock",
      gc: { image: true, imageDelayMs: 180_000, container: true },
      volumesEnabled: true,
      allowPrivileged: false,
      allowCaps: ["net_admin", "sys_time"],
    });
    const bad = readPluginConfig({ gc: { image_delay: "3 minutes" }, allow_privilege: true });
    expect(bad.ok ? [] : bad.errors).toEqual([
      'plugin.docker.config: unknown option "allow_privilege" for docker',
      'plugin.docker.config.gc.image_delay: not a duration: "3 minutes"',
    ]);
  });

  it("makes the container create request: ports, alloc dirs, limits, env inside the container", () => {
    const { config } = must(
      readTaskConfig({
        image: "app:1",
        ports: ["http"],
        memory_hard_limit: 512,
        volumes: ["data:/data"],
        mount: [{ type: "bind", source: "local/conf", target: "/etc/app", readonly: true }],
      }),
    );
    const { options } = must(createOptions(task({}), config, seedsPlugin));
    expect(options.name).toBe("nginx-8d3f-alloc");
    expect(options.ExposedPorts).toEqual({ "80/tcp": {}, "80/udp": {} });
    expect(options.HostConfig?.PortBindings).toEqual({
      "80/tcp": [{ HostIp: "10.0.0.5", HostPort: "23456" }],
      "80/udp": [{ HostIp: "10.0.0.5", HostPort: "23456" }],
    });
    expect(options.HostConfig?.Binds).toEqual([
      "/data/alloc/x/alloc:/alloc",
      "/data/alloc/x/nginx/local:/local",
      "/data/alloc/x/nginx/secrets:/secrets",
      "/data/alloc/x/nginx/data:/data",
    ]);
    expect(options.HostConfig?.Mounts).toEqual([
      {
        Type: "bind",
        Target: "/etc/app",
        ReadOnly: true,
        Source: "/data/alloc/x/nginx/local/conf",
      },
    ]);
    expect(options.HostConfig?.Memory).toBe(512 * 1024 * 1024);
    expect(options.HostConfig?.MemoryReservation).toBe(256 * 1024 * 1024);
    expect(options.HostConfig?.CpuShares).toBe(500);
    expect(options.Env).toContain("NOMAD_TASK_DIR=/local");
    expect(options.Env).toContain("APP=1");
    expect(options.Labels?.["com.hashicorp.nomad.alloc_id"]).toBe("8d3f-alloc");
  });

  it("maps ports by the deprecated port_map, pins cpus, and turns image health checks off", () => {
    const { config } = must(
      readTaskConfig({
        image: "a",
        ports: ["http"],
        port_map: [{ http: 8080 }],
        cpuset_cpus: "0-1",
        healthchecks: [{ disable: true }],
      }),
    );
    const { options } = must(createOptions(task({}), config, seedsPlugin));
    expect(Object.keys(options.HostConfig?.PortBindings ?? {})).toEqual(["8080/tcp", "8080/udp"]);
    expect(options.HostConfig?.CpusetCpus).toBe("0-1");
    expect(options.Healthcheck).toEqual({ Test: ["NONE"] });
  });

  it("publishes a task network's ports by port_map when config names no ports, as Nomad does", () => {
    const { config } = must(readTaskConfig({ image: "a", port_map: [{ http: 6379 }] }));
    const legacy = task({}, { taskNetworkPorts: ["http"] });
    const { options } = must(createOptions(legacy, config, seedsPlugin));
    expect(options.HostConfig?.PortBindings?.["6379/tcp"]).toEqual([
      { HostIp: "10.0.0.5", HostPort: "23456" },
    ]);
    const none = must(createOptions(task({}), config, seedsPlugin));
    expect(none.options.HostConfig?.PortBindings).toEqual({});
  });

  it("binds the group's host volumes where volume_mount puts them", () => {
    const { config } = must(readTaskConfig({ image: "a" }));
    const withMounts = {
      ...task({}),
      mounts: [{ hostPath: "/mnt/data", taskPath: "/srv/data", readOnly: true }],
    };
    const { options } = must(createOptions(withMounts, config, seedsPlugin));
    expect(options.HostConfig?.Binds).toContain("/mnt/data:/srv/data:ro");
  });

  it("publishes nothing in host network mode, and names a port the group lacks", () => {
    const host = must(readTaskConfig({ image: "a", network_mode: "host", ports: ["http"] })).config;
    expect(
      must(createOptions(task({}), host, seedsPlugin)).options.HostConfig?.PortBindings,
    ).toEqual({});
    const missing = must(readTaskConfig({ image: "a", ports: ["admin"] })).config;
    const r = createOptions(task({}), missing, seedsPlugin);
    expect(r.ok ? [] : r.errors).toEqual([
      'config.ports: no port labeled "admin" in the group\'s network (have: http)',
    ]);
  });
});

describe("registry credentials", () => {
  const config = JSON.stringify({
    auths: {
      "registry.example.com:5000": { auth: Buffer.from("ann:s3cret:x").toString("base64") },
      "https://index.docker.io/v1/": { auth: Buffer.from("hub:pw").toString("base64") },
    },
  });
  it("finds the image's registry in a Docker config.json", () => {
    expect(registryOf("registry.example.com:5000/team/app:1")).toBe("registry.example.com:5000");
    expect(registryOf("library/nginx:1.25")).toBe("https://index.docker.io/v1/");
    expect(registryOf("nginx")).toBe("https://index.docker.io/v1/");
    expect(authFromDockerConfig(config, "registry.example.com:5000/team/app:1")).toEqual({
      username: "ann",
      password: "s3cret:x",
      serveraddress: "registry.example.com:5000",
    });
    expect(authFromDockerConfig(config, "nginx:1.25")?.username).toBe("hub");
    expect(authFromDockerConfig(config, "quay.io/a/b")).toBeUndefined();
  });
});

describe("OOM kills in the kernel's log", () => {
  const id = "b0ca5e2e6d10682d89323870dccc8abddc46b4b75baae5c74b3f21605d5f6ec1";
  const record = `6,2214,12910571691,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=libpod-${id},mems_allowed=0,oom_memcg=/libpod_parent/libpod-${id},task_memcg=/libpod_parent/libpod-${id},task=sh,pid=12170,uid=0\n`;
  it("finds the container's cgroup in an oom-kill record", () => {
    expect(oomKillRecorded(["3,1,1,-;unrelated\n", record], id)).toBe(true);
    expect(oomKillRecorded([record], "0123456789abcdef")).toBe(false);
    expect(oomKillRecorded([`6,1,1,-;veth0 ${id} entered disabled state\n`], id)).toBe(false);
  });
});

describe("image references", () => {
  it("pull :latest when no tag or digest is named", () => {
    expect(withTag("nginx")).toBe("nginx:latest");
    expect(withTag("registry.example.com:5000/team/app")).toBe(
      "registry.example.com:5000/team/app:latest",
    );
    expect(withTag("nginx:1.25")).toBe("nginx:1.25");
    expect(withTag("app@sha256:abc")).toBe("app@sha256:abc");
  });
});

describe("java command line", () => {
  it("puts the JVM options before -jar or the main class", () => {
    expect(
      must(javaCommand({ jar_path: "local/app.jar", jvm_options: ["-Xmx1g"], args: ["x"] }, "/"))
        .command,
    ).toEqual({ command: "java", args: ["-Xmx1g", "-jar", "/local/app.jar", "x"] });
    expect(
      must(javaCommand({ class: "a.Main", class_path: "/alloc/lib/*" }, "/t", "/opt/jdk/bin/java"))
        .command,
    ).toEqual({ command: "/opt/jdk/bin/java", args: ["-cp", "/alloc/lib/*", "a.Main"] });
    const both = javaCommand({ class: "a.Main", jar_path: "a.jar" }, "/");
    expect(both.ok ? [] : both.errors).toEqual([
      "config.class: give either jar_path or class, not both",
    ]);
  });

  it("reads java -version", () => {
    expect(
      parseJavaVersion(
        'openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)\nOpenJDK 64-Bit Server VM (build 17.0.15+6-Debian-1deb12u1, mixed mode, sharing)\n',
      ),
    ).toEqual({
      version: "17.0.15",
      runtime: "OpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)",
      vm: "OpenJDK 64-Bit Server VM (build 17.0.15+6-Debian-1deb12u1, mixed mode, sharing)",
    });
    expect(parseJavaVersion("command not found")).toBeUndefined();
  });
});

describe("qemu command line", () => {
  const input = (config: Record<string, unknown>, accel = "tcg") => ({
    config: must(readQemuConfig({ image_path: "vm.qcow2", ...config })).config,
    taskName: "vm",
    memoryMB: 512,
    ports: [{ label: "ssh", value: 22022, to: 0, hostIP: "" }],
    defaultAccelerator: accel,
    imagePath: "/t/vm.qcow2",
  });

  it("forwards the group's ports to the guest and uses kvm when it is the default", () => {
    const args = must(qemuArgs(input({ port_map: [{ ssh: 22 }] }, "kvm"))).args;
    expect(args.join(" ")).toBe(
      "-machine type=pc,accel=kvm -name vm -m 512M -drive file=/t/vm.qcow2,if=ide -nographic -enable-kvm -cpu host -netdev user,id=user.0,hostfwd=tcp::22022-:22,hostfwd=udp::22022-:22 -device virtio-net,netdev=user.0",
    );
    const tcg = must(
      qemuArgs(input({ accelerator: "tcg", drive_interface: "virtio" }, "kvm")),
    ).args;
    expect(tcg).toContain("type=pc,accel=tcg");
    expect(tcg).toContain("file=/t/vm.qcow2,if=virtio");
    expect(tcg).not.toContain("-enable-kvm");
  });

  it("names a port_map label the group lacks and a bad port", () => {
    const r = qemuArgs(input({ port_map: { web: 80 } }));
    expect(r.ok ? [] : r.errors).toEqual([
      'config.port_map.web: no port labeled "web" in the group\'s network (have: ssh)',
    ]);
    const bad = readQemuConfig({ image_path: "a", port_map: { ssh: "x" } });
    expect(bad.ok ? [] : bad.errors).toEqual([
      'config.port_map.ssh: must be a port number, got "x"',
    ]);
  });

  it("keeps images inside image_paths and args on the args_allowlist", () => {
    const plugin = must(
      readQemuPluginConfig({
        image_paths: ["/srv/images"],
        args_allowlist: ["-kernel", "-append"],
      }),
    ).config;
    const config = must(
      readQemuConfig({ image_path: "x", args: ["-kernel", "/k", "-device", "e1000"] }),
    ).config;
    expect(qemuPolicyErrors(config, "/srv/images/a/vm.img", plugin)).toEqual([
      "config.args: not in the plugin config's args_allowlist: -device",
    ]);
    expect(qemuPolicyErrors(config, "/srv/images-evil/vm.img", plugin)[0]).toBe(
      'config.image_path: "/srv/images-evil/vm.img" is not under the plugin config\'s image_paths (/srv/images)',
    );
    expect(
      qemuPolicyErrors(config, "/anywhere.img", must(readQemuPluginConfig({})).config),
    ).toEqual([]);
    const bad = readQemuPluginConfig({ image_path: ["/x"] });
    expect(bad.ok ? [] : bad.errors).toEqual([
      'plugin.qemu.config: unknown option "image_path" for qemu',
    ]);
  });

  it("reads qemu --version", () => {
    expect(parseQemuVersion("QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)")).toBe(
      "7.2.22",
    );
  });
});
