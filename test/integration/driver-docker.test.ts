// The docker driver against a real Docker Engine API (Podman's service on a
// socket of the test's own) with a busybox image built here: config checks
// that name the field, containers that serve on their mapped ports and write
// their output into the task's log files, exit codes, memory limits, the
// plugin config's refusals, missing images, re-attaching by container ID, and
// exec sessions with stdin and a terminal.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/common/log.js";
import { dockerDriver } from "../../src/drivers/docker/index.js";
import type { ExecProcess, TaskDriver, TaskStart } from "../../src/drivers/driver.js";
import { buildBusyboxImage } from "../support/images.js";
import { eventually } from "../support/kubectl.js";
import { type PodmanService, startPodman } from "../support/podman.js";

const log = createLogger({ level: "warn", json: false });
const image = "localhost/caravan-busybox:test";

let podman: PodmanService;
let docker: Docker;
const driverWith = (config: Record<string, unknown> = {}): TaskDriver =>
  dockerDriver({
    options: {},
    pluginConfig: { endpoint: podman.endpoint, ...config },
    dataDir: os.tmpdir(),
    log,
  });

let n = 0;
function taskStart(config: Record<string, unknown>, extra: Partial<TaskStart> = {}): TaskStart {
  const allocDir = mkdtempSync(path.join(os.tmpdir(), "caravan-docker-alloc-"));
  const taskDir = path.join(allocDir, "web");
  for (const d of ["alloc/logs", "web/local", "web/secrets"])
    mkdirSync(path.join(allocDir, d), { recursive: true });
  n += 1;
  return {
    allocId: `a${n}-${Math.random().toString(36).slice(2, 8)}`,
    jobName: "web-app",
    groupName: "frontend",
    taskName: "web",
    config,
    env: { GREETING: "hi there", NOMAD_TASK_NAME: "web" },
    allocDir,
    taskDir,
    stdoutPath: path.join(allocDir, "alloc/logs/web.stdout.0"),
    stderrPath: path.join(allocDir, "alloc/logs/web.stderr.0"),
    resources: { cpuMHz: 200, memoryMB: 64 },
    ports: [],
    ...extra,
  };
}

const read = (file: string) => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
};

describe("docker driver", () => {
  beforeAll(async () => {
    podman = await startPodman();
    docker = new Docker({ socketPath: podman.socketPath });
    await buildBusyboxImage(podman, image);
  }, 120_000);
  afterAll(async () => {
    await podman?.stop();
  }, 60_000);

  it("fingerprints healthy with the engine's version and runtimes, and undetected without an endpoint", async () => {
    const fp = await driverWith().fingerprint();
    expect(fp).toMatchObject({ detected: true, healthy: true });
    expect(fp.attributes.version).toMatch(/^\d+\.\d+/);
    expect(fp.attributes.runtimes).toContain("runc");
    const gone = await driverWith({ endpoint: "unix:///tmp/caravan-no-such.sock" }).fingerprint();
    expect(gone.healthy).toBe(false);
    expect(gone.healthDescription).toContain("/tmp/caravan-no-such.sock");
  });

  it("rejects unknown options and a missing image, naming the field", () => {
    const check = driverWith().validate({ command: "/bin/sh", imagee: "x" });
    expect(check.ok).toBe(false);
    const errors = check.ok ? [] : check.errors;
    expect(errors).toContain('config: unknown option "imagee" for docker');
    expect(errors).toContain("config.image: required");
    const bad = driverWith().validate({
      image: image,
      ulimit: { nofile: "lots" },
      mount: [{ type: "nfs", target: "/x" }],
    });
    expect(bad.ok ? [] : bad.errors).toEqual([
      'config.mount[0].type: must be bind, volume or tmpfs, got "nfs"',
      'config.ulimit.nofile: must be "soft" or "soft:hard", got "lots"',
    ]);
    expect(
      driverWith().validate({ image, ports: ["http"], args: ["-x"], command: "/bin/sh" }),
    ).toEqual({ ok: true });
  });

  it("refuses privileged containers and capabilities outside allow_caps, with the reason", async () => {
    const driver = driverWith({ allow_privileged: false, allow_caps: ["NET_ADMIN", "SYS_TIME"] });
    const privileged = driver.validate({ image, privileged: true });
    expect(privileged.ok ? "" : privileged.errors.join()).toContain(
      "config.privileged: Docker privileged mode is disabled",
    );
    const caps = driver.validate({ image, cap_add: ["net_admin", "SYS_ADMIN"] });
    expect(caps.ok ? "" : caps.errors.join()).toBe(
      "config.cap_add: capabilities not allowed by the plugin config allow_caps: SYS_ADMIN",
    );
    await expect(driver.start(taskStart({ image, privileged: true }))).rejects.toThrow(
      /privileged mode is disabled/,
    );
    expect(driverWith({ allow_privileged: true }).validate({ image, privileged: true })).toEqual({
      ok: true,
    });
    // Nomad's older client option turns the same switch on.
    const byOption = dockerDriver({
      options: { "docker.privileged.enabled": "true" },
      pluginConfig: { endpoint: podman.endpoint },
      dataDir: os.tmpdir(),
      log,
    });
    expect(byOption.validate({ image, privileged: true })).toEqual({ ok: true });
  });

  it("reports an image that cannot be had", async () => {
    await expect(
      driverWith().start(taskStart({ image: "localhost/caravan-no-such-image:1" })),
    ).rejects.toThrow(/Failed to pull image "localhost\/caravan-no-such-image:1"/);
  });

  it("serves on the mapped port, mounts the task dirs, copies output to the log files, limits memory, and stops", async () => {
    const driver = driverWith();
    const port = 20000 + Math.floor(Math.random() * 20000);
    const task = taskStart(
      {
        image,
        command: "/bin/sh",
        args: [
          "-c",
          'echo "out: $GREETING in $NOMAD_TASK_DIR"; echo oops >&2; echo local-file > /local/served; exec httpd -f -p 8080 -h /www',
        ],
        ports: ["http"],
        labels: { team: "web" },
        hostname: "web-1",
        // Podman adds its own nproc limit when any ulimit is given, one the host may not allow: set it too.
        ulimit: { nofile: "1024:2048", nproc: "1000:2000" },
        init: true,
      },
      {
        ports: [{ label: "http", value: port, to: 8080, hostIP: "127.0.0.1" }],
        resources: { cpuMHz: 300, memoryMB: 48 },
      },
    );
    const handle = await driver.start(task);
    const body = await eventually(async () => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`);
        return res.ok ? await res.text() : undefined;
      } catch {
        return undefined;
      }
    }, "httpd to answer on the mapped port");
    expect(body).toBe("hello from busybox httpd\n");
    await eventually(
      async () => (read(task.stdoutPath).includes("out: hi there in /local") ? true : undefined),
      "the container's stdout in the task's log file",
    );
    expect(read(task.stderrPath)).toContain("oops");
    expect(read(path.join(task.taskDir, "local/served"))).toBe("local-file\n");

    const id = handle.recovery?.containerId as string;
    const info = await docker.getContainer(id).inspect();
    expect(info.HostConfig.Memory).toBe(48 * 1024 * 1024);
    expect(info.HostConfig.CpuShares).toBe(300);
    expect(info.Config.Labels).toMatchObject({
      team: "web",
      "com.hashicorp.nomad.alloc_id": task.allocId,
    });
    expect(info.Config.Hostname).toBe("web-1");
    const stats = await handle.stats?.();
    expect(stats?.memoryRssBytes).toBeGreaterThan(0);
    const exec = await handle.exec?.(["/bin/sh", "-c", "echo $GREETING; exit 3"], 30_000);
    expect(exec).toEqual({ exitCode: 3, stdout: "hi there\n", stderr: "" });

    await handle.stop?.("SIGTERM", 5_000);
    const result = await handle.wait();
    expect(result.exitCode).not.toBe(0);
    await handle.destroy?.();
    await expect(docker.getContainer(id).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it("streams an exec session: stdin to the command, its exit code, a terminal of the asked size", async () => {
    const handle = await driverWith().start(
      taskStart({ image, command: "/bin/sh", args: ["-c", "while true; do sleep 1; done"] }),
    );
    const collect = (p: ExecProcess) => {
      let out = "";
      let err = "";
      p.stdout.on("data", (d: Buffer) => {
        out += d.toString();
      });
      p.stderr.on("data", (d: Buffer) => {
        err += d.toString();
      });
      return p.exited.then((code) => ({ out, err, code }));
    };
    expect(handle.fsIsolation).toBe("image");
    const cat = await handle.execStreaming?.(["/bin/sh", "-c", "cat; echo $GREETING >&2; exit 4"], {
      tty: false,
    });
    if (!cat) throw new Error("no exec");
    const catDone = collect(cat);
    cat.stdin.write("fed through stdin\n");
    cat.stdin.end();
    expect(await catDone).toEqual({ out: "fed through stdin\n", err: "hi there\n", code: 4 });

    const tty = await handle.execStreaming?.(["/bin/sh", "-c", "sleep 1; stty size; exit 2"], {
      tty: true,
    });
    if (!tty) throw new Error("no exec");
    tty.resize(30, 90);
    expect(await collect(tty)).toEqual({ out: "30 90\r\n", err: "", code: 2 });
    await handle.stop?.("SIGKILL", 1_000);
    await handle.wait();
    await handle.destroy?.();
  });

  it("runs in the host's network with network_mode host", async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const handle = await driverWith().start(
      taskStart({
        image,
        network_mode: "host",
        command: "/bin/httpd",
        args: ["-f", "-p", `127.0.0.1:${port}`, "-h", "/www"],
      }),
    );
    const body = await eventually(async () => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`);
        return res.ok ? await res.text() : undefined;
      } catch {
        return undefined;
      }
    }, "httpd on the host's port");
    expect(body).toBe("hello from busybox httpd\n");
    await handle.stop?.("SIGTERM", 5_000);
    await handle.wait();
    await handle.destroy?.();
  });

  it("applies capabilities, a read-only root with a tmpfs mount, work_dir, extra_hosts, dns and init", async () => {
    const task = taskStart({
      image,
      command: "/bin/sh",
      args: [
        "-c",
        [
          "grep CapEff /proc/self/status",
          "touch /rootfs-file 2>/dev/null && echo root-writable || echo root-read-only",
          "echo ok > /scratch/f && cat /scratch/f",
          "pwd",
          "grep -c 'db.internal' /etc/hosts",
          "grep nameserver /etc/resolv.conf",
          "cat /proc/1/cmdline | head -c 20; echo",
        ].join("; "),
      ],
      cap_add: ["NET_ADMIN"],
      cap_drop: ["CHOWN"],
      readonly_rootfs: true,
      mount: [{ type: "tmpfs", target: "/scratch" }],
      work_dir: "/www",
      extra_hosts: ["db.internal:10.1.2.3"],
      dns_servers: ["10.9.9.9"],
      init: true,
    });
    const handle = await driverWith({ allow_caps: ["net_admin", "kill"] }).start(task);
    expect((await handle.wait()).exitCode).toBe(0);
    await handle.destroy?.();
    const out = await eventually(
      async () =>
        read(task.stdoutPath).includes("nameserver") ? read(task.stdoutPath) : undefined,
      "the container's report",
    );
    const capEff = BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(out)?.[1] ?? "0"}`);
    expect(capEff & (1n << 12n)).toBe(1n << 12n); // CAP_NET_ADMIN added
    expect(capEff & 1n).toBe(0n); // CAP_CHOWN dropped
    const lines = out.trim().split("\n").slice(1);
    expect(lines).toEqual([
      "root-read-only",
      "ok",
      "/www",
      "1",
      "nameserver 10.9.9.9",
      expect.stringMatching(/^\/.*(init|catatonit)/),
    ]);
  });

  it("loads an image archive the task brought instead of pulling", async () => {
    const name = "localhost/caravan-load:test";
    await buildBusyboxImage(podman, name, "loaded from an archive\n");
    const task = taskStart({
      image: name,
      load: "local/image.tar",
      command: "/bin/cat",
      args: ["/www/index.html"],
    });
    await podman.podman(["save", "-o", path.join(task.taskDir, "local/image.tar"), name]);
    await podman.podman(["rmi", name]);
    const handle = await driverWith().start(task);
    expect((await handle.wait()).exitCode).toBe(0);
    await handle.destroy?.();
    await eventually(
      async () => (read(task.stdoutPath) === "loaded from an archive\n" ? true : undefined),
      "the loaded image's file in the output",
    );
    await expect(
      driverWith().start(taskStart({ image: name, load: "local/missing.tar" })),
    ).rejects.toThrow('config.load: no image archive at "');
  });

  it("reports a non-zero exit code, and a kill that was no OOM as none", async () => {
    const killed = await driverWith().start(
      taskStart({ image, command: "/bin/sleep", args: ["60"] }),
    );
    killed.signal("SIGKILL");
    expect(await killed.wait()).toMatchObject({ exitCode: 137 });
    expect((await killed.wait()).oomKilled).toBeUndefined();
    await killed.destroy?.();
    const driver = driverWith();
    const handle = await driver.start(
      taskStart({ image, command: "/bin/sh", args: ["-c", "echo bye; exit 7"] }),
    );
    expect(await handle.wait()).toMatchObject({ exitCode: 7, signal: null });
    await handle.destroy?.();
  });

  it("refuses host volumes unless volumes are enabled, and mounts them when they are", async () => {
    const hostDir = mkdtempSync(path.join(os.tmpdir(), "caravan-docker-vol-"));
    writeFileSync(path.join(hostDir, "data.txt"), "from the host\n");
    const config = {
      image,
      command: "/bin/cat",
      args: ["/data/data.txt"],
      volumes: [`${hostDir}:/data:ro`],
    };
    const off = driverWith().validate(config);
    expect(off.ok ? "" : off.errors.join()).toMatch(/^config.volumes: volumes are not enabled/);
    const task = taskStart(config);
    const handle = await driverWith({ volumes: [{ enabled: true }] }).start(task);
    expect((await handle.wait()).exitCode).toBe(0);
    await eventually(
      async () => (read(task.stdoutPath) === "from the host\n" ? true : undefined),
      "the mounted file's content in the log",
    );
    await handle.destroy?.();
  });

  it("re-attaches to a running container by its ID from another driver instance, and stops it", async () => {
    const task = taskStart({
      image,
      command: "/bin/sh",
      args: ["-c", "trap 'echo got TERM; exit 0' TERM; echo started; while true; do sleep 1; done"],
    });
    const first = await driverWith().start(task);
    const recovery = first.recovery as Record<string, unknown>;
    expect(recovery.containerId).toMatch(/^[0-9a-f]{64}$/);
    await eventually(
      async () => (read(task.stdoutPath).includes("started") ? true : undefined),
      "output",
    );

    const second = await driverWith().recover?.(JSON.parse(JSON.stringify(recovery)));
    if (!second) throw new Error("docker driver has no recover");
    const info = await docker.getContainer(recovery.containerId as string).inspect();
    expect(info.State.Running).toBe(true);
    expect(info.RestartCount).toBe(0);
    await second.stop?.("SIGTERM", 10_000);
    expect(await second.wait()).toMatchObject({ exitCode: 0 });
    await eventually(
      async () => (read(task.stdoutPath).includes("got TERM") ? true : undefined),
      "the TERM trap's output",
    );
    await second.destroy?.();
  });

  it("removes an image image_delay after its last task, and keeps exited containers when gc.container is off", async () => {
    const gcImage = await buildBusyboxImage(podman, "localhost/caravan-gc:test", "gc me\n");
    const once = { image: gcImage, command: "/bin/echo", args: ["once"] };
    const keep = driverWith({ gc: [{ image: false, container: false }] });
    const kept = await keep.start(taskStart(once));
    expect((await kept.wait()).exitCode).toBe(0);
    await kept.destroy?.();
    const id = kept.recovery?.containerId as string;
    expect((await docker.getContainer(id).inspect()).State.Status).toBe("exited");
    await docker.getContainer(id).remove();

    const collect = driverWith({ gc: [{ image: true, image_delay: "1s", container: true }] });
    const first = await collect.start(taskStart(once));
    await first.wait();
    // A second task with the image starts before the first is cleaned up: the image stays.
    const second = await collect.start(taskStart(once));
    await first.destroy?.();
    await second.wait();
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await docker.getImage(gcImage).inspect()).Id).toBeTruthy();
    await second.destroy?.();
    await eventually(
      async () =>
        await docker
          .getImage(gcImage)
          .inspect()
          .then(
            () => undefined,
            (err: { statusCode?: number }) => (err.statusCode === 404 ? true : undefined),
          ),
      "the image to be removed after image_delay",
      15_000,
    );
  });

  it("reports a container killed for exceeding its memory limit", async () => {
    const handle = await driverWith().start(
      taskStart(
        // A shell variable that keeps doubling until the cgroup's limit is hit.
        {
          image,
          command: "/bin/sh",
          args: ["-c", 'x=aaaaaaaaaaaaaaaa; while true; do x="$x$x"; done'],
        },
        { resources: { cpuMHz: 100, memoryMB: 16 } },
      ),
    );
    const result = await handle.wait();
    // Podman 4.3 on cgroup v1 (these machines) does not set State.OOMKilled;
    // the driver finds the kernel's OOM report for the container's cgroup.
    expect(result).toMatchObject({ exitCode: 137, oomKilled: true });
    await handle.destroy?.();
  });
});
