// A running docker task: its container's logs copied into the task's log
// files, its exit code and OOM kill read from the container's state, stop as
// signal then SIGKILL, stats and exec through the Engine API. The same handle
// serves a container started now and one found again after an agent restart.
import { createWriteStream } from "node:fs";
import { type Duplex, PassThrough, Writable } from "node:stream";
import type Docker from "dockerode";
import type { Logger } from "../../common/log.js";
import type { ExecProcess, ExecResult, ExitResult, TaskHandle, TaskStats } from "../driver.js";
import { kernelLogRecords, oomKillRecorded } from "./oom.js";

export interface DockerRecovery {
  containerId: string;
  imageId: string;
  stdoutPath: string;
  stderrPath: string;
  [key: string]: unknown;
}

export interface HandleDeps {
  docker: Docker;
  log: Logger;
  /** Remove the container once it exited (plugin gc.container). */
  removeContainer: boolean;
  releaseImage: (imageId: string) => void;
}

export async function containerHandle(
  deps: HandleDeps,
  state: DockerRecovery,
  /** Copy output from this time on (seconds since the epoch); 0 = all of it. */
  logsSince: number,
): Promise<TaskHandle> {
  const container = deps.docker.getContainer(state.containerId);
  const info = await container.inspect();
  const logsDone = followLogs(deps, container, state, logsSince, info.Config.Tty);
  let exited: Promise<ExitResult> | undefined;

  const wait = (): Promise<ExitResult> => {
    exited ??= (async () => {
      await waitForExit(container);
      const end = await container.inspect().catch(() => undefined);
      if (!end)
        return {
          exitCode: null,
          signal: null,
          error: `container ${state.containerId.slice(0, 12)} was removed before its exit could be read`,
        };
      // Give the log copy a moment to drain what the container wrote last.
      await Promise.race([logsDone, new Promise((r) => setTimeout(r, 2000))]);
      const result: ExitResult = { exitCode: end.State.ExitCode, signal: null };
      // SIGKILLed (137) without the engine saying why: ask the kernel's log.
      if (
        end.State.OOMKilled ||
        (end.State.ExitCode === 137 && oomKillRecorded(kernelLogRecords(), state.containerId))
      )
        result.oomKilled = true;
      if (end.State.Error) result.error = end.State.Error;
      return result;
    })();
    return exited;
  };

  const kill = async (signal: string) => {
    try {
      await container.kill({ signal });
    } catch (err) {
      // 409/304: not running any more, which is what we wanted.
      const code = (err as { statusCode?: number }).statusCode;
      if (code !== 409 && code !== 304 && code !== 404) throw err;
    }
  };

  return {
    pid: info.State.Pid || undefined,
    recovery: state,
    fsIsolation: "image",
    wait,
    signal: (signal) => {
      kill(signal).catch((err: unknown) =>
        deps.log.warn({ err, container: state.containerId }, "could not signal container"),
      );
    },
    async stop(signal, timeoutMs) {
      await kill(signal);
      const done = await Promise.race([
        wait().then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref()),
      ]);
      if (!done) await kill("SIGKILL");
    },
    async destroy() {
      if (deps.removeContainer) {
        await container.remove({ force: true, v: true }).catch((err: unknown) => {
          // Gone already (Podman answers 500 "no such container" where Docker says 404).
          if (!isNoSuchContainer(err)) throw err;
        });
      }
      deps.releaseImage(state.imageId);
    },
    async stats(): Promise<TaskStats | undefined> {
      const s = (await container.stats({ stream: false })) as {
        memory_stats?: { usage?: number; stats?: { rss?: number; total_rss?: number } };
        cpu_stats?: { cpu_usage?: { total_usage?: number } };
      };
      return {
        memoryRssBytes:
          s.memory_stats?.stats?.rss ??
          s.memory_stats?.stats?.total_rss ??
          s.memory_stats?.usage ??
          0,
        cpuTotalNanos: s.cpu_stats?.cpu_usage?.total_usage ?? 0,
        timestamp: Date.now(),
      };
    },
    // `nomad alloc exec`: the Engine's exec with its stream hijacked, stdin
    // included; with a tty the engine makes the terminal and resizes it.
    async execStreaming(command, { tty }): Promise<ExecProcess> {
      const exec = await container.exec({
        Cmd: command,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: tty,
      });
      const stream = await exec.start({ hijack: true, stdin: true, Tty: tty });
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      if (tty) stream.pipe(stdout);
      else deps.docker.modem.demuxStream(stream, stdout, stderr);
      const ended = new Promise<void>((resolve) => {
        stream.once("end", resolve);
        stream.once("close", resolve);
        stream.once("error", resolve);
      });
      const exited = ended.then(async () => {
        stdout.end();
        stderr.end();
        const inspected = await exec.inspect().catch(() => undefined);
        return inspected?.ExitCode ?? -1;
      });
      stream.on("error", () => {});
      return {
        stdin: new Writable({
          write: (chunk, _enc, done) => {
            stream.write(chunk, done);
          },
          // Half-closes the connection: the engine closes the command's stdin.
          final: (done) => {
            (stream as Duplex).end();
            done();
          },
        }),
        stdout,
        stderr,
        exited,
        resize: (h, w) => {
          exec.resize({ h, w }).catch(() => {});
        },
        kill: () => stream.destroy(),
      };
    },
    async exec(command, timeoutMs): Promise<ExecResult> {
      const exec = await container.exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
      const stream = await exec.start({ hijack: true, stdin: false });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const stdout = new PassThrough().on("data", (b: Buffer) => out.push(b));
      const stderr = new PassThrough().on("data", (b: Buffer) => err.push(b));
      deps.docker.modem.demuxStream(stream, stdout, stderr);
      await Promise.race([
        new Promise((r) => stream.on("end", r).on("close", r)),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error(`exec timed out after ${timeoutMs} ms`)), timeoutMs),
        ),
      ]);
      const inspected = await exec.inspect();
      return {
        exitCode: inspected.ExitCode ?? -1,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      };
    },
  };
}

function isNoSuchContainer(err: unknown): boolean {
  const e = err as { statusCode?: number; message?: string };
  return e.statusCode === 404 || /no such container/i.test(e.message ?? "");
}

/** Waits for the container to stop; falls back to polling if the wait call drops. */
async function waitForExit(container: Docker.Container): Promise<void> {
  for (;;) {
    try {
      await container.wait();
      return;
    } catch {
      const info = await container.inspect().catch(() => undefined);
      if (!info?.State.Running) return;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** Copies the container's output into the task's stdout and stderr files until it exits. */
function followLogs(
  deps: HandleDeps,
  container: Docker.Container,
  state: DockerRecovery,
  since: number,
  tty: boolean,
): Promise<void> {
  return (async () => {
    const stream = await container.logs({
      follow: true,
      stdout: true,
      stderr: true,
      ...(since ? { since } : {}),
    });
    // Append only: the files (or the log rotator's FIFOs) belong to the agent.
    const stdout = createWriteStream(state.stdoutPath, { flags: "a" });
    const stderr = createWriteStream(state.stderrPath, { flags: "a" });
    if (tty) stream.pipe(stdout);
    else deps.docker.modem.demuxStream(stream, stdout, stderr);
    await new Promise<void>((resolve) => {
      stream.on("end", resolve);
      stream.on("close", resolve);
      stream.on("error", resolve);
    });
    await Promise.all([stdout, stderr].map((s) => new Promise<void>((r) => s.end(() => r()))));
  })().catch((err: unknown) =>
    deps.log.warn({ err, container: state.containerId }, "could not copy container logs"),
  );
}
