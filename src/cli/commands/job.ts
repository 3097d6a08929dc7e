// `caravan job convert` and `caravan job validate`: Nomad job files (HCL2) to
// NomadJob resources or Nomad's API JSON, and Nomad's validation, as `nomad
// job run -output` and `nomad job validate` do. This file does the I/O; the
// conversion itself is the pure src/jobspec.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Command, Option } from "commander";
import { driverConfigErrors } from "../../drivers/validate.js";
import {
  formatErrors,
  type JobspecResult,
  parseJob,
  toNomadRunOutput,
  toResource,
  toYaml,
} from "../../jobspec/index.js";
import { UsageError } from "../options.js";
import { addDispatchCommand } from "./job-dispatch.js";
import { addLifecycleCommands } from "./job-lifecycle.js";

interface JobFlags {
  var?: string[];
  varFile?: string[];
  output?: "yaml" | "json" | "nomad-json";
}

const repeat = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

function readInput(file: string): { name: string; text: string; dir: string } {
  if (file === "-") return { name: "<stdin>", text: readFileSync(0, "utf8"), dir: process.cwd() };
  if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
  if (statSync(file).isDirectory())
    throw new UsageError(`${file} is a directory; give a .nomad.hcl or .nomad file`);
  return { name: file, text: readFileSync(file, "utf8"), dir: path.dirname(path.resolve(file)) };
}

/** Parses the file with its variables; the file reader resolves file() paths against the job file's folder. */
export function loadJob(
  file: string,
  flags: JobFlags,
  validation: "error" | "warn",
): { result: JobspecResult; name: string } {
  const input = readInput(file);
  const varFiles = (flags.varFile ?? []).map((f) => {
    if (!existsSync(f)) throw new UsageError(`-var-file ${f}: no such file`);
    return { file: f, content: readFileSync(f, "utf8") };
  });
  const result = parseJob({
    file: input.name,
    source: input.text,
    vars: flags.var ?? [],
    varFiles,
    env: process.env,
    validation,
    listFiles: (d) => {
      try {
        return readdirSync(path.resolve(input.dir, d), { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) =>
            path.relative(path.resolve(input.dir, d), path.join(e.parentPath ?? e.path, e.name)),
          );
      } catch {
        return undefined;
      }
    },
    readFile: (p) => {
      const full = path.resolve(input.dir, p);
      try {
        return readFileSync(full, "utf8");
      } catch {
        return undefined;
      }
    },
  });
  return { result, name: input.name };
}

function addVarFlags(cmd: Command): Command {
  return cmd
    .addOption(new Option("--var <name=value>", "set a variable; repeatable").argParser(repeat))
    .addOption(
      new Option(
        "--var-file <file>",
        "read variables from an HCL or JSON file; repeatable",
      ).argParser(repeat),
    );
}

export function jobCommand(): Command {
  const job = new Command("job").description("work with Nomad job files");
  job.addCommand(
    addVarFlags(
      new Command("convert")
        .description("convert a Nomad job file (HCL2) to a NomadJob resource or Nomad's API JSON")
        .argument("<file>", "job file (.nomad.hcl or .nomad), or - for standard input")
        .addOption(
          new Option(
            "-o, --output <format>",
            "yaml or json (NomadJob resource, defaults filled), or nomad-json (Nomad's API JSON as `nomad job run -output` prints it)",
          )
            .choices(["yaml", "json", "nomad-json"])
            .default("yaml"),
        ),
    ).action((file: string, flags: JobFlags) => {
      // Like `nomad job run -output`, conversion only parses: Nomad's validation
      // rules are reported as warnings, and `caravan job validate` enforces them.
      const { result } = loadJob(file, flags, "warn");
      if (!result.ok) {
        process.stderr.write(`${formatErrors(result.errors)}\n`);
        process.exitCode = 1;
        return;
      }
      if (result.warnings)
        process.stderr.write(`${formatErrors(result.warnings).replace(/^/gm, "warning: ")}\n`);
      if (flags.output === "nomad-json")
        process.stdout.write(
          `${JSON.stringify(toNomadRunOutput(result.parsed, result.namespace), null, 4)}\n`,
        );
      else {
        const resource = toResource(result.job, result.namespace);
        process.stdout.write(
          flags.output === "json" ? `${JSON.stringify(resource, null, 2)}\n` : toYaml(resource),
        );
      }
    }),
  );
  job.addCommand(
    addVarFlags(
      new Command("validate")
        .description(
          "check a Nomad job file against Nomad's job specification and validation rules",
        )
        .argument("<file>", "job file (.nomad.hcl or .nomad), or - for standard input"),
    ).action((file: string, flags: JobFlags) => {
      const { result, name } = loadJob(file, flags, "error");
      if (!result.ok) {
        process.stderr.write(`${formatErrors(result.errors)}\n`);
        process.exitCode = 1;
        return;
      }
      const j = result.job;
      const driverErrors = driverConfigErrors(j);
      if (driverErrors.length) {
        process.stderr.write(`${driverErrors.map((e) => `${name}: ${e}`).join("\n")}\n`);
        process.exitCode = 1;
        return;
      }
      if (result.warnings)
        process.stderr.write(`${formatErrors(result.warnings).replace(/^/gm, "warning: ")}\n`);
      const tasks = j.groups.reduce((n, g) => n + g.tasks.length, 0);
      process.stdout.write(
        `${name}: job "${j.id}" is valid (${j.type}, ${j.groups.length} group${j.groups.length === 1 ? "" : "s"}, ${tasks} task${tasks === 1 ? "" : "s"})\n`,
      );
    }),
  );
  addLifecycleCommands(
    job,
    (file, flags) => {
      const { result } = loadJob(file, flags as JobFlags, "error");
      if (!result.ok) throw new UsageError(formatErrors(result.errors));
      return { spec: result.job, ...(result.namespace ? { namespace: result.namespace } : {}) };
    },
    addVarFlags,
  );
  addDispatchCommand(job);
  return job;
}
