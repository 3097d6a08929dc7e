// Values Nomad requires in a block ("Missing required argument"), reported at
// the block that lacks them with the line to add.
import type { NomadJobSpec } from "../../crds/job/index.js";
import type { Pos } from "../hcl/ast.js";
import { type DecodeContext, type Obj, originOf } from "./body.js";

/**
 * block name → required HCL attributes, checked on every object decoded from
 * such a block. Those Nomad's parser leaves optional and only its validation
 * requires (a task's driver, a template's destination) are listed in
 * `validationOnly`: `nomad job run -output` still prints a job without them.
 */
const required: [path: string, block: string, attrs: string[]][] = [
  ["groups.tasks", "task", ["driver"]],
  ["groups.tasks.templates", "template", ["destination"]],
  ["groups.tasks.artifacts", "artifact", ["source"]],
  ["groups.tasks.volumeMounts", "volume_mount", ["volume", "destination"]],
  ["groups.tasks.dispatchPayload", "dispatch_payload", ["file"]],
  ["groups.tasks.lifecycle", "lifecycle", ["hook"]],
  ["groups.tasks.csiPlugin", "csi_plugin", ["id", "type"]],
  ["groups.tasks.actions", "action", ["command"]],
  ["groups.tasks.scaling", "scaling", ["max"]],
  ["groups.tasks.schedule", "schedule", ["cron"]],
  ["groups.tasks.schedule.cron", "cron", ["start", "end"]],
  ["groups.tasks.templates.changeScript", "change_script", ["command"]],
  ["groups.tasks.services.checks", "check", ["type"]],
  ["groups.services.checks", "check", ["type"]],
  ["groups.services.connect.sidecarService.proxy.upstreams", "upstreams", ["destinationName"]],
  [
    "groups.services.connect.sidecarService.proxy.expose.paths",
    "path",
    ["path", "protocol", "localPathPort", "listenerPort"],
  ],
  ["groups.services.connect.gateway.ingress.listeners", "listener", ["port"]],
  ["groups.services.connect.gateway.ingress.listeners.services", "service", ["name"]],
  ["groups.services.connect.gateway.terminating.services", "service", ["name"]],
  ["groups.volumes", "volume", ["type", "source"]],
  ["groups.scaling", "scaling", ["max"]],
  ["groups.spreads", "spread", ["attribute"]],
  ["groups.affinities", "affinity", ["attribute"]],
  ["groups.tasks.affinities", "affinity", ["attribute"]],
  ["groups.tasks.resources.devices.affinities", "affinity", ["attribute"]],
  ["spreads", "spread", ["attribute"]],
  ["affinities", "affinity", ["attribute"]],
  ["ui.links", "link", ["label", "url"]],
  ["groups.tasks.identities", "identity", ["name"]],
];

const validationOnly = new Set(["task.driver", "template.destination"]);

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function collect(node: unknown, path: string[], out: Obj[]): void {
  if (node === undefined || node === null) return;
  if (Array.isArray(node)) {
    for (const n of node) collect(n, path, out);
    return;
  }
  if (!path.length) {
    out.push(node as Obj);
    return;
  }
  collect((node as Obj)[path[0] as string], path.slice(1), out);
}

export function requiredFields(
  spec: NomadJobSpec,
  ctx: DecodeContext,
): { pos: Pos; message: string; validationOnly?: true }[] {
  const errors: { pos: Pos; message: string; validationOnly?: true }[] = [];
  if (!spec.groups?.length)
    errors.push({
      pos: originOf(ctx, spec) as Pos,
      message: `job "${spec.id}" has no group: add group "<name>" { task "<name>" { … } }`,
      // jobspec2 still prints such a job; Nomad's validation refuses it.
      validationOnly: true,
    });
  // A gateway group needs no task: Nomad adds the Envoy task itself.
  for (const g of spec.groups ?? [])
    if (!g.tasks?.length && !g.services?.some((s) => s.connect?.gateway))
      errors.push({
        pos: originOf(ctx, g) as Pos,
        message: `group "${g.name}" has no task: add task "<name>" { driver = … }`,
      });
  for (const [path, block, attrs] of required) {
    const objs: Obj[] = [];
    collect(spec, path.split("."), objs);
    for (const o of objs)
      for (const a of attrs)
        if (o[a] === undefined)
          errors.push({
            pos: originOf(ctx, o) ?? (originOf(ctx, spec) as Pos),
            message: `missing required argument "${snake(a)}" in this ${block} block: add ${snake(a)} = …`,
            ...(validationOnly.has(`${block}.${a}`) ? { validationOnly: true as const } : {}),
          });
  }
  return errors;
}
