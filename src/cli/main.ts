// The `caravan` command. Each subcommand lives in ./commands; later features
// register theirs here.
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { repoRoot } from "../controlplane/binary.js";
import { normalizeNomadFlags } from "./args.js";
import { controllerCommand } from "./commands/controller.js";
import { devCommand } from "./commands/dev.js";
import { jobCommand } from "./commands/job.js";
import { UsageError } from "./options.js";

export function version(): string {
  const pkg = JSON.parse(readFileSync(`${repoRoot}/package.json`, "utf8")) as { version: string };
  return pkg.version;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command("caravan")
    .description("Nomad's job model, scheduler and task drivers as a Kubernetes operator")
    .version(version(), "-v, --version")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program.addCommand(devCommand());
  program.addCommand(controllerCommand());
  program.addCommand(jobCommand());
  program
    .command("version")
    .description("print the version")
    .action(() => {
      process.stdout.write(`Caravan v${version()}\n`);
    });

  try {
    await program.parseAsync(normalizeNomadFlags(argv), { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof UsageError) {
      process.stderr.write(`Error: ${err.message}\n`);
      return 1;
    }
    // Expected failures carry a message for people; the stack is for debugging.
    const detail = process.env.CARAVAN_DEBUG
      ? ((err as Error).stack ?? err)
      : ((err as Error).message ?? err);
    process.stderr.write(`Error: ${detail}\n`);
    return 1;
  }
}
