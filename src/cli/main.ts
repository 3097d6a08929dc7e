// The `caravan` command. Each subcommand lives in ./commands; later features
// register theirs here.
import { Command, CommanderError } from "commander";
import { version } from "../common/version.js";
import { normalizeNomadFlags } from "./args.js";
import { agentCommand } from "./commands/agent.js";
import { allocCommand } from "./commands/alloc.js";
import { configCommand } from "./commands/config.js";
import { controllerCommand } from "./commands/controller.js";
import { deploymentCommand } from "./commands/deployment.js";
import { devCommand } from "./commands/dev.js";
import { jobCommand } from "./commands/job.js";
import { nodeCommand } from "./commands/node.js";
import { systemCommand } from "./commands/system.js";
import { UsageError } from "./options.js";

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command("caravan")
    .description("Nomad's job model, scheduler and task drivers as a Kubernetes operator")
    .version(version(), "-v, --version")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program.addCommand(devCommand());
  program.addCommand(controllerCommand());
  program.addCommand(configCommand());
  program.addCommand(agentCommand());
  program.addCommand(jobCommand());
  program.addCommand(allocCommand());
  program.addCommand(deploymentCommand());
  program.addCommand(nodeCommand());
  program.addCommand(systemCommand());
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
