// Values Nomad requires in a block ("Missing required argument"), reported at
// the block that lacks them with the line to add.
import type { NomadJobSpec } from "../../crds/job/index.js";
import type { Pos } from "../hcl/ast.js";
import { type DecodeContext, type Obj, originOf } from "./body.js";

/** block name → required HCL attributes, checked on every object decoded from such a block. */
const required: [path: string, attrs: string[]][] = [
  ["groups.tasks", ["driver"]],
  ["groups.tasks.templates", ["destination"]],
  ["groups.tasks.artifacts", ["source"]],
  ["groups.tasks.volumeMounts", ["volume", "destination"]],
  ["groups.tasks.dispatchPayload", ["file"]],
  ["groups.tasks.lifecycle", ["hook"]],
  ["groups.tasks.csiPlugin", ["id", "type"]],
  ["groups.tasks.actions", ["command"]],
  ["groups.tasks.scaling", ["max"]],
  ["groups.tasks.schedule", ["cron"]],
  ["groups.tasks.schedule.cron", ["start", "end"]],
  ["groups.tasks.templates.changeScript", ["command"]],
  ["groups.tasks.services.checks", ["type"]],
  ["groups.services.checks", ["type"]],
  ["groups.services.connect.sidecarService.proxy.upstreams", ["destinationName"]],
  [
    "groups.services.connect.sidecarService.proxy.expose.paths",
    ["path", "protocol", "localPathPort", "listenerPort"],
  ],
  ["groups.services.connect.gateway.ingress.listeners", ["port"]],
  ["groups.services.connect.gateway.ingress.listeners.services", ["name"]],
  ["groups.services.connect.gateway.terminating.services", ["name"]],
  ["groups.volumes", ["type", "source"]],
  ["groups.scaling", ["max"]],
  ["groups.spreads", ["attribute"]],
  ["groups.affinities", ["attribute"]],
  ["groups.tasks.affinities", ["attribute"]],
  ["groups.tasks.resources.devices.affinities", ["attribute"]],
  ["spreads", ["attribute"]],
  ["affinities", ["attribute"]],
  ["ui.links", ["label", "url"]],
  ["groups.tasks.identities", ["name"]],
];

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
): { pos: Pos; message: string }[] {
  const errors: { pos: Pos; message: string }[] = [];
  if (!spec.groups?.length)
    errors.push({
      pos: originOf(ctx, spec) as Pos,
      message: `job "${spec.id}" has no group: add group "<name>" { task "<name>" { … } }`,
    });
  for (const g of spec.groups ?? [])
    if (!g.tasks?.length)
      errors.push({
        pos: originOf(ctx, g) as Pos,
        message: `group "${g.name}" has no task: add task "<name>" { driver = … }`,
      });
  for (const [path, attrs] of required) {
    const objs: Obj[] = [];
    collect(spec, path.split("."), objs);
    const block = snake(path.split(".").pop() as string);
    for (const o of objs)
      for (const a of attrs)
        if (o[a] === undefined)
          errors.push({
            pos: originOf(ctx, o) ?? (originOf(ctx, spec) as Pos),
            message: `missing required argument "${snake(a)}" in this ${block} block: add ${snake(a)} = …`,
          });
  }
  return errors;
}
