// mock: Nomad's mock_driver — tasks that run for a while, print, exit with a
// chosen code or signal, or fail to start, without any process. For tests
// and for scale simulation (`caravan agent --simulate`). Like Nomad, which
// builds it only into dev binaries, it is off unless the agent enables it
// (client option "driver.mock.enable").
import { appendFile } from "node:fs/promises";
import os from "node:os";
import type {
  DriverContext,
  DriverFactory,
  ExitResult,
  TaskDriver,
  TaskHandle,
  TaskStart,
} from "../driver.js";
import { enabledByOption } from "../options.js";
import { checkMockConfig, type MockConfig, parseMockConfig } from "./config.js";

/** A start_error the agent may retry (Nomad's recoverable error). */
export class MockStartError extends Error {
  constructor(
    message: string,
    readonly recoverable: boolean,
  ) {
    super(message);
  }
}

export const mockDriver: DriverFactory = (ctx: DriverContext): TaskDriver => ({
  name: "mock",

  async fingerprint() {
    return enabledByOption(ctx.options, "mock");
  },

  validate: checkMockConfig,

  async start(task: TaskStart): Promise<TaskHandle> {
    return startMockTask(parseMockConfig(task.config), task.stdoutPath);
  },
});

/** Runs one mock task; `stdoutPath` empty writes no output (simulation). */
export async function startMockTask(config: MockConfig, stdoutPath: string): Promise<TaskHandle> {
  if (config.startBlockForMs > 0) await sleep(config.startBlockForMs);
  if (config.startError) throw new MockStartError(config.startError, config.startErrorRecoverable);

  const timers: NodeJS.Timeout[] = [];
  let finish: (r: ExitResult) => void = () => {};
  const exited = new Promise<ExitResult>((resolve) => {
    finish = (r) => {
      for (const t of timers) clearTimeout(t);
      resolve(r);
    };
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });

  if (config.stdoutString !== undefined && stdoutPath) {
    const write = () => appendFile(stdoutPath, config.stdoutString ?? "").catch(() => undefined);
    void write();
    for (let i = 1; i <= config.stdoutRepeat; i++)
      timers.push(setTimeout(() => void write(), i * config.stdoutRepeatMs));
  }
  if (config.runForMs !== undefined) {
    timers.push(
      setTimeout(
        () =>
          finish({
            exitCode: config.exitCode,
            signal: config.exitSignal ? signalName(config.exitSignal) : null,
            ...(config.exitErrMsg ? { error: config.exitErrMsg } : {}),
          }),
        config.runForMs,
      ),
    );
  }

  const kill = (signal: NodeJS.Signals) => {
    if (done) return;
    // Dies kill_after later, of the signal it was sent.
    const die = () => finish({ exitCode: null, signal });
    if (signal === "SIGKILL" || config.killAfterMs === 0) die();
    else timers.push(setTimeout(die, config.killAfterMs));
  };
  return {
    pid: undefined,
    wait: () => exited,
    signal: (signal) => {
      if (config.signalError) throw new Error(config.signalError);
      kill(signal);
    },
    async stop(signal, timeoutMs) {
      kill(signal);
      const forced = setTimeout(() => kill("SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(forced);
    },
    async stats() {
      return { memoryRssBytes: 0, cpuTotalNanos: 0, timestamp: Date.now() };
    },
    async exec() {
      return { exitCode: 0, stdout: "", stderr: "" };
    },
  };
}

function signalName(n: number): string {
  return Object.entries(os.constants.signals).find(([, v]) => v === n)?.[0] ?? String(n);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
