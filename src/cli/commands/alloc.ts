// `caravan alloc logs [-f] [-stderr] [-tail] [-n N] ALLOC [TASK]`: a task's
// output, as `nomad alloc logs` prints it. The allocation is found through
// the API (by name, name prefix or ID prefix); its logs are read from the
// agent's data dir on this host.
import { existsSync } from "node:fs";
import path from "node:path";
import { Command } from "commander";
import type { LogStream } from "../../agent/logs/files.js";
import { lastLines, readLogs, readSince } from "../../agent/logs/reader.js";
import type { NomadAllocation } from "../../crds/objects.js";
import { loadKubeConfig } from "../../kube/client.js";
import { caravanResource, collectionPath } from "../../kube/resources.js";
import { requestJson } from "../../kube/rest.js";
import { UsageError } from "../options.js";

interface LogsFlags {
  follow?: boolean;
  stderr?: boolean;
  tail?: boolean;
  n?: string;
  namespace: string;
  dataDir: string;
  kubeconfig?: string;
}

export function allocCommand(): Command {
  const alloc = new Command("alloc").description("inspect allocations");
  alloc
    .command("logs")
    .description("print a task's stdout (or stderr) from its rotated log files")
    .argument("<alloc>", "allocation name, name prefix or ID prefix")
    .argument("[task]", "task name; optional when the group has one task")
    .option("-f, --follow", "keep printing as the task writes")
    .option("--stderr", "print stderr instead of stdout")
    .option("--tail", "print only the end of the logs (10 lines unless -n says)")
    .option("-n <lines>", "with -tail, how many lines")
    .option("--namespace <ns>", "the allocation's namespace", "default")
    .option("--data-dir <dir>", "the agent's data dir on this host", "/var/lib/caravan")
    .option("--kubeconfig <file>", "cluster to use instead of the default kubeconfig")
    .action(async (allocArg: string, taskArg: string | undefined, flags: LogsFlags) => {
      await logs(allocArg, taskArg, flags);
    });
  return alloc;
}

async function logs(allocArg: string, taskArg: string | undefined, flags: LogsFlags) {
  const lines = flags.n === undefined ? 10 : Number(flags.n);
  if (!Number.isInteger(lines) || lines < 0)
    throw new UsageError(`-n: expected a number of lines, got ${JSON.stringify(flags.n)}`);
  const kc = loadKubeConfig(flags.kubeconfig);
  const list = await requestJson<{ items: NomadAllocation[] }>(kc, {
    method: "GET",
    path: collectionPath(caravanResource("NomadAllocation"), flags.namespace),
  });
  const alloc = pickAllocation(list.items, allocArg);
  const tasks = Object.keys(alloc.status?.taskStates ?? {});
  let task = taskArg;
  if (!task) {
    if (tasks.length !== 1)
      throw new UsageError(
        `allocation ${alloc.metadata.name} has ${tasks.length} tasks (${tasks.join(", ")}): name one`,
      );
    task = tasks[0] as string;
  } else if (tasks.length && !tasks.includes(task)) {
    throw new UsageError(
      `task "${task}" is not in allocation ${alloc.metadata.name}: ${tasks.join(", ")}`,
    );
  }
  const logDir = findLogDir(flags.dataDir, alloc.metadata.name);
  const stream: LogStream = flags.stderr ? "stderr" : "stdout";
  const all = readLogs(logDir, task, stream);
  const tail = flags.tail || flags.n !== undefined;
  process.stdout.write(tail ? lastLines(all.data, lines) : all.data);
  if (!flags.follow) return;
  let pos = all.end;
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const next = readSince(logDir, task, stream, pos);
    if (next.data.length) process.stdout.write(next.data);
    pos = next.end;
  }
}

function pickAllocation(items: NomadAllocation[], arg: string): NomadAllocation {
  const exact = items.find((a) => a.metadata.name === arg || a.metadata.uid === arg);
  if (exact) return exact;
  const matches = items.filter(
    (a) => a.metadata.name.startsWith(arg) || (a.metadata.uid ?? "").startsWith(arg),
  );
  if (matches.length === 1) return matches[0] as NomadAllocation;
  if (matches.length === 0) throw new UsageError(`no allocation matches "${arg}"`);
  throw new UsageError(
    `prefix "${arg}" matches ${matches.length} allocations: ${matches
      .map((a) => a.metadata.name)
      .sort()
      .join(", ")}`,
  );
}

/** The allocation's log dir under an agent data dir, or a dev data dir (whose agent keeps client/). */
function findLogDir(dataDir: string, allocName: string): string {
  for (const base of [dataDir, path.join(dataDir, "client")]) {
    const dir = path.join(base, "alloc", allocName, "alloc", "logs");
    if (existsSync(dir)) return dir;
  }
  throw new UsageError(
    `no logs of ${allocName} under ${dataDir}: is its agent on this host? (set -data-dir to the agent's data dir)`,
  );
}
