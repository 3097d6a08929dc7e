// `caravan config validate FILE|DIR…`, as `nomad config validate`: every file
// (a directory means its *.hcl and *.json files) read as the agent would read
// it. Warnings for settings that are read but do nothing here are printed
// either way; the exit status is 0 when the configuration is valid, and 1 with
// each error as "file:line:col: message" when it is not.
import { existsSync } from "node:fs";
import { Command } from "commander";
import type { AgentConfig } from "../../config/agent-config.js";
import { loadAgentConfig } from "../../config/load.js";
import { printWarnings, UsageError } from "../options.js";

export function configCommand(): Command {
  const config = new Command("config").description("work with agent configuration files");
  config
    .command("validate")
    .description("check agent configuration files as `caravan agent --config` would read them")
    .argument("[paths...]", "configuration files or directories")
    .action(async (paths: string[]) => {
      if (paths.length === 0)
        throw new UsageError("Must specify at least one config file or directory");
      // The environment and flags are not part of what is being checked.
      const result = await loadAgentConfig({ files: paths });
      printWarnings(result.warnings);
      if (!result.ok) {
        for (const e of result.errors) process.stderr.write(`${e}\n`);
        process.stderr.write("Configuration is invalid\n");
        process.exitCode = 1;
        return;
      }
      printWarnings(missingTlsFiles(result.config));
      process.stdout.write("Configuration is valid!\n");
    });
  return config;
}

/** TLS files the agent could not open at start (valid here, as Nomad's validate finds it: a warning). */
function missingTlsFiles(config: AgentConfig): string[] {
  const tls = config.tls;
  if (!tls) return [];
  return [tls.caFile, tls.certFile, tls.keyFile]
    .filter((f): f is string => f !== undefined && !existsSync(f))
    .map((f) => `tls: ${f}: no such file; the agent cannot start HTTPS without it`);
}
