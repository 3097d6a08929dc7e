// POST /v1/client/allocation/:alloc/restart and /signal on the node agent:
// `nomad alloc restart` and `nomad alloc signal` act on the running tasks
// through their task runners. A restart emits "Restart Signaled" and costs no
// restart attempt, as in Nomad; with no task named, every running task is
// restarted (or signalled), and with AllTasks every task, prestart tasks first.
import os from "node:os";
import type { Ctx, Reply, Route } from "../../http/context.js";
import { badRequest, HttpError } from "../../http/errors.js";
import type { TaskRunner } from "../taskrunner.js";
import { allocFor } from "./common.js";
import type { AllocSource, ClientAlloc } from "./source.js";

/** The body's string field, or "" when absent; anything but a string is refused. */
function field(ctx: Ctx, name: string): string {
  const body = ctx.body ?? {};
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw badRequest("Request body must be a JSON object");
  const v = (body as Record<string, unknown>)[name];
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") throw badRequest(`${name} must be a string`);
  return v;
}

/** SIGUSR1, sigusr1 and USR1 alike; undefined for a name the host does not know. */
export function parseSignal(name: string): NodeJS.Signals | undefined {
  const upper = name.toUpperCase();
  const full = upper.startsWith("SIG") ? upper : `SIG${upper}`;
  return Object.hasOwn(os.constants.signals, full) ? (full as NodeJS.Signals) : undefined;
}

/** The runners a request acts on: the named task's, or every running task's. */
function targets(found: ClientAlloc, task: string): TaskRunner[] {
  const runner = found.runner;
  if (task) {
    if (!found.tasks.includes(task)) throw new HttpError(404, `task "${task}" not found`);
    const tr = runner?.task(task);
    // Nomad's client answers ErrTaskNotRunning, a 500, e.g. while the task waits out its restart delay.
    if (!tr?.current || runner?.isStopping) throw new HttpError(500, "Task not running");
    return [tr];
  }
  if (!runner || runner.isStopping)
    throw badRequest(`allocation "${found.alloc.metadata.name}" is not running`);
  return runner
    .taskNames()
    .map((n) => runner.task(n))
    .filter((tr): tr is TaskRunner => !!tr?.current);
}

export function lifecycleRoutes(source: AllocSource): Route[] {
  function restart(ctx: Ctx): Reply {
    const found = allocFor(source, ctx, "alloc-lifecycle");
    const task = field(ctx, "TaskName");
    const all = (ctx.body as { AllTasks?: unknown } | undefined)?.AllTasks;
    if (all !== undefined && all !== null && typeof all !== "boolean")
      throw badRequest("AllTasks must be true or false");
    if (task && all === true) throw badRequest("Task name cannot be set when restarting all tasks");
    // AllTasks: dead tasks too, prestart tasks first (Nomad's RestartAll).
    if (all === true) {
      if (!found.runner?.restartAll())
        throw badRequest(`allocation "${found.alloc.metadata.name}" is not running`);
      return { body: {} };
    }
    for (const tr of targets(found, task)) tr.restart();
    return { body: {} };
  }

  function signal(ctx: Ctx): Reply {
    const found = allocFor(source, ctx, "alloc-lifecycle");
    const task = field(ctx, "Task");
    const asked = field(ctx, "Signal") || "SIGKILL";
    const sig = parseSignal(asked);
    if (!sig) throw badRequest(`Unsupported signal: ${JSON.stringify(asked)}`);
    for (const tr of targets(found, task)) tr.signal(sig);
    return { body: {} };
  }

  return [
    // Both are checked in the allocation's namespace by allocFor.
    {
      method: "POST",
      path: "/v1/client/allocation/:alloc/restart",
      acl: "ns:alloc-lifecycle",
      handle: restart,
    },
    {
      method: "POST",
      path: "/v1/client/allocation/:alloc/signal",
      acl: "ns:alloc-lifecycle",
      handle: signal,
    },
  ];
}
