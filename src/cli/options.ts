// Flags every long-running caravan command shares, and turning them into the
// one AgentConfig through the configuration loader.
import { type Command, Option } from "commander";
import { durationMs } from "../common/duration.js";
import { createLogger, type Logger } from "../common/log.js";
import type { AgentConfig } from "../config/agent-config.js";
import type { PartialAgentConfig } from "../config/decode.js";
import { parseLogLevel } from "../config/decode.js";
import { loadAgentConfig } from "../config/load.js";

export interface CommonFlags {
  config?: string[];
  logLevel?: string;
  logJson?: boolean;
  dataDir?: string;
  kubeconfig?: string;
}

export function addCommonFlags(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        "--config <path>",
        "agent configuration file or directory (HCL or JSON); repeatable",
      ).argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]),
    )
    .option("--log-level <level>", "trace, debug, info, warn or error (Nomad's log_level)")
    .option("--log-json", "write logs as JSON lines (Nomad's log_json)")
    .option("--data-dir <dir>", "where state is kept")
    .option("--kubeconfig <file>", "use this cluster instead of the embedded control plane");
}

export class UsageError extends Error {}

export async function configFromFlags(flags: CommonFlags): Promise<AgentConfig> {
  const overrides: PartialAgentConfig = {};
  if (flags.logLevel !== undefined) {
    const level = parseLogLevel(flags.logLevel);
    if (!level)
      throw new UsageError(`--log-level: unknown level ${JSON.stringify(flags.logLevel)}`);
    overrides.logLevel = level;
  }
  if (flags.logJson) overrides.logJson = true;
  if (flags.dataDir) overrides.dataDir = flags.dataDir;
  if (flags.kubeconfig) overrides.kubeconfig = flags.kubeconfig;
  const result = await loadAgentConfig({
    files: flags.config ?? [],
    env: process.env,
    flags: overrides,
  });
  printWarnings(result.warnings);
  if (!result.ok) throw new UsageError(`invalid configuration:\n  ${result.errors.join("\n  ")}`);
  return result.config;
}

/** Configuration warnings, one line each, before anything else is logged. */
export function printWarnings(
  warnings: readonly string[],
  out: NodeJS.WritableStream = process.stderr,
) {
  for (const w of warnings) out.write(`WARNING: ${w}\n`);
}

/** The agent's logger as its configuration says: level, JSON, and log_file with rotation. */
export function loggerFor(config: AgentConfig): Logger {
  const f = config.logFile;
  return createLogger({
    level: config.logLevel,
    json: config.logJson,
    ...(f
      ? {
          file: {
            path: f.path,
            rotateBytes: f.rotateBytes,
            rotateDurationMs: durationMs(f.rotateDuration, 24 * 3600_000),
            rotateMaxFiles: f.rotateMaxFiles,
          },
        }
      : {}),
  });
}
