// The mock driver's task config, as Nomad's mock_driver takes it (pure).
import { durationMs } from "../../common/duration.js";
import type { ConfigCheck } from "../driver.js";

export interface MockConfig {
  /** How long the task runs before it exits by itself; undefined runs it until stopped. */
  runForMs?: number;
  exitCode: number;
  /** A signal number the exit reports, as if the task died of it. */
  exitSignal: number;
  exitErrMsg?: string;
  startError?: string;
  startErrorRecoverable: boolean;
  startBlockForMs: number;
  /** How long the task takes to die once told to stop. */
  killAfterMs: number;
  stdoutString?: string;
  stdoutRepeat: number;
  stdoutRepeatMs: number;
  signalError?: string;
}

const durations = ["run_for", "start_block_for", "kill_after", "stdout_repeat_duration"];
const ints = ["exit_code", "exit_signal", "stdout_repeat"];
const strings = ["exit_err_msg", "start_error", "stdout_string", "signal_error"];
const bools = ["start_error_recoverable"];
const known = new Set([...durations, ...ints, ...strings, ...bools]);

const isDuration = (v: unknown) =>
  (typeof v === "string" && !Number.isNaN(durationMs(v, Number.NaN))) ||
  (typeof v === "number" && Number.isFinite(v) && v >= 0);

export function checkMockConfig(config: Record<string, unknown>): ConfigCheck {
  const errors: string[] = [];
  for (const [key, v] of Object.entries(config)) {
    if (!known.has(key)) errors.push(`config: unknown option "${key}" for mock`);
    else if (durations.includes(key) && !isDuration(v))
      errors.push(`config.${key}: expected a duration such as "10s", got ${JSON.stringify(v)}`);
    else if (ints.includes(key) && !Number.isInteger(typeof v === "string" ? Number(v) : v))
      errors.push(`config.${key}: expected a whole number, got ${JSON.stringify(v)}`);
    else if (strings.includes(key) && typeof v !== "string")
      errors.push(`config.${key}: expected a string, got ${JSON.stringify(v)}`);
    else if (bools.includes(key) && typeof v !== "boolean" && v !== "true" && v !== "false")
      errors.push(`config.${key}: expected true or false, got ${JSON.stringify(v)}`);
  }
  return errors.length ? { ok: false, errors } : { ok: true };
}

/** The config once checked. A bare number as a duration is nanoseconds, as in Go. */
export function parseMockConfig(config: Record<string, unknown>): MockConfig {
  const ms = (key: string): number | undefined => {
    const v = config[key];
    if (typeof v === "number") return v / 1e6;
    return typeof v === "string" ? durationMs(v, 0) : undefined;
  };
  const int = (key: string) => Number(config[key] ?? 0);
  const str = (key: string) =>
    typeof config[key] === "string" ? (config[key] as string) : undefined;
  const runFor = ms("run_for");
  const exitErrMsg = str("exit_err_msg");
  const startError = str("start_error");
  const stdoutString = str("stdout_string");
  const signalError = str("signal_error");
  return {
    ...(runFor !== undefined ? { runForMs: runFor } : {}),
    exitCode: int("exit_code"),
    exitSignal: int("exit_signal"),
    ...(exitErrMsg ? { exitErrMsg } : {}),
    ...(startError ? { startError } : {}),
    startErrorRecoverable: String(config.start_error_recoverable) === "true",
    startBlockForMs: ms("start_block_for") ?? 0,
    killAfterMs: ms("kill_after") ?? 0,
    ...(stdoutString !== undefined ? { stdoutString } : {}),
    stdoutRepeat: int("stdout_repeat"),
    stdoutRepeatMs: ms("stdout_repeat_duration") ?? 0,
    ...(signalError ? { signalError } : {}),
  };
}
