// `caravan node status|drain|eligibility`, as Nomad's node commands. Drain
// and eligibility are fields of the NomadNode's spec (kubectl patch does the
// same); the drainer acts on them.
import { Command, Option } from "commander";
import { durationMs } from "../../common/duration.js";
import type { NomadNode } from "../../crds/objects.js";
import { mergePatch } from "../../kube/apply.js";
import { loadKubeConfig } from "../../kube/client.js";
import type { KubeConfig } from "../../kube/kubeconfig.js";
import { caravanResource, collectionPath } from "../../kube/resources.js";
import { getJson } from "../../kube/rest.js";
import { UsageError } from "../options.js";
import { table } from "./deployment.js";

const nodes = caravanResource("NomadNode");

interface NodeFlags {
  kubeconfig?: string;
}

/** A node by name or unique name prefix (Nomad takes ID prefixes). */
async function findNode(kc: KubeConfig, arg: string): Promise<NomadNode> {
  const list = await getJson<{ items: NomadNode[] }>(kc, collectionPath(nodes));
  const exact = list.items.find((n) => n.metadata.name === arg || n.status?.id === arg);
  if (exact) return exact;
  const matches = list.items.filter(
    (n) => n.metadata.name.startsWith(arg) || n.status?.id?.startsWith(arg),
  );
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length === 0) throw new UsageError(`no node "${arg}"`);
  throw new UsageError(
    `"${arg}" matches ${matches.length} nodes: ${matches.map((n) => n.metadata.name).join(", ")}`,
  );
}

function kube(cmd: Command): Command {
  return cmd.option("--kubeconfig <file>", "cluster to use instead of the default kubeconfig");
}

export function nodeCommand(): Command {
  const node = new Command("node").description("inspect client nodes, drain them, set eligibility");

  kube(node.command("status").description("list nodes, or show one").argument("[node]")).action(
    async (arg: string | undefined, flags: NodeFlags) => {
      const kc = loadKubeConfig(flags.kubeconfig);
      const list = arg
        ? [await findNode(kc, arg)]
        : (await getJson<{ items: NomadNode[] }>(kc, collectionPath(nodes))).items;
      const rows = [["Name", "Pool", "DC", "Drain", "Eligibility", "Status"]];
      for (const n of list)
        rows.push([
          n.metadata.name,
          n.status?.nodePool ?? n.spec.nodePool ?? "default",
          n.status?.datacenter ?? "",
          String(n.spec.drain !== undefined),
          n.status?.schedulingEligibility ?? n.spec.eligibility ?? "eligible",
          n.status?.status ?? "initializing",
        ]);
      process.stdout.write(`${table(rows)}\n`);
      const last = arg ? list[0]?.status?.lastDrain : undefined;
      if (last) process.stdout.write(`\nLast drain: ${last.status} (started ${last.startedAt})\n`);
    },
  );

  kube(
    node
      .command("drain")
      .description("migrate a node's allocations elsewhere (-enable) or cancel a drain (-disable)")
      .argument("<node>")
      .option("--enable", "start draining")
      .option("--disable", "cancel the drain")
      .option("--deadline <duration>", "time allowed to migrate before the rest are stopped", "1h")
      .option("--ignore-system", "leave system job allocations running")
      .option("--force", "stop every allocation now")
      .option("--no-deadline", "no deadline: wait for every migration")
      .addOption(
        new Option("--meta <key=value>", "recorded with the drain; repeatable").argParser(
          (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
        ),
      ),
  ).action(
    async (
      arg: string,
      flags: NodeFlags & {
        enable?: boolean;
        disable?: boolean;
        deadline: string | false;
        ignoreSystem?: boolean;
        force?: boolean;
        meta?: string[];
      },
    ) => {
      if (Boolean(flags.enable) === Boolean(flags.disable))
        throw new UsageError("give exactly one of -enable or -disable");
      const deadline = flags.deadline === false ? "0s" : flags.deadline;
      if (durationMs(deadline, Number.NaN) !== durationMs(deadline, -1))
        throw new UsageError(`-deadline: "${deadline}" is not a duration (e.g. 30m, 1h)`);
      const meta: Record<string, string> = {};
      for (const m of flags.meta ?? []) {
        const at = m.indexOf("=");
        if (at <= 0) throw new UsageError(`-meta "${m}": expected key=value`);
        meta[m.slice(0, at)] = m.slice(at + 1);
      }
      const kc = loadKubeConfig(flags.kubeconfig);
      const n = await findNode(kc, arg);
      const drain = flags.enable
        ? {
            deadline,
            ...(flags.ignoreSystem ? { ignoreSystemJobs: true } : {}),
            ...(flags.force ? { force: true } : {}),
            ...(Object.keys(meta).length > 0 ? { meta } : {}),
          }
        : null;
      await mergePatch(kc, nodes, n, { spec: { drain } });
      process.stdout.write(
        flags.enable
          ? `Node "${n.metadata.name}" drain strategy set\n`
          : `Node "${n.metadata.name}" drain strategy unset\n`,
      );
    },
  );

  kube(
    node
      .command("eligibility")
      .description("allow (-enable) or refuse (-disable) new allocations on a node")
      .argument("<node>")
      .option("--enable", "the node takes new allocations")
      .option("--disable", "the node takes no new allocations"),
  ).action(async (arg: string, flags: NodeFlags & { enable?: boolean; disable?: boolean }) => {
    if (Boolean(flags.enable) === Boolean(flags.disable))
      throw new UsageError("give exactly one of -enable or -disable");
    const kc = loadKubeConfig(flags.kubeconfig);
    const n = await findNode(kc, arg);
    if (flags.enable && n.spec.drain)
      throw new UsageError(`node "${n.metadata.name}" is draining: cancel the drain first`);
    const eligibility = flags.enable ? "eligible" : "ineligible";
    await mergePatch(kc, nodes, n, { spec: { eligibility } });
    process.stdout.write(`Node "${n.metadata.name}" scheduling eligibility set: ${eligibility}\n`);
  });
  return node;
}
