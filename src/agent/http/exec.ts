// GET /v1/client/allocation/:alloc/exec on the node agent: `nomad alloc exec`.
// The request is checked as Nomad's client checks it (alloc-exec in the
// allocation's namespace; the command a JSON array, tty a boolean: 400
// before the switch), then the connection becomes a websocket and what Nomad
// reports after its switch comes as a close frame with the reason: 1008 for
// the caller's mistakes (no task, no command, a task that does not run), 1011
// for refusals and failures (alloc-node-exec for a task without isolation,
// a command that cannot start). The command runs in the task's context
// through its driver (exec-session.ts relays the stream).
import { type WebSocket, WebSocketServer } from "ws";
import type { Logger } from "../../common/log.js";
import type { TaskHandle } from "../../drivers/driver.js";
import type { Ctx, Reply, Route } from "../../http/context.js";
import { badRequest } from "../../http/errors.js";
import { closeCode, closeReason, handshakeProblem } from "../../http/websocket.js";
import { allocFor } from "./common.js";
import { parseCommand, parseTty } from "./exec-frames.js";
import { relayExec } from "./exec-session.js";
import type { AllocSource, ClientAlloc } from "./source.js";

/** Larger input messages end the session (1009); Nomad's CLI sends stdin 2 KiB at a time. */
const maxMessageBytes = 1024 * 1024;

interface ExecRequest {
  task: string;
  command: string[];
  tty: boolean;
}

/** What Nomad's client refuses once the websocket is open: the close code and reason. */
type Refusal = { code: number; reason: string };

/** Why the session cannot run, or how to start its command. */
function check(
  found: ClientAlloc,
  ctx: Ctx,
  r: ExecRequest,
): Refusal | { start: NonNullable<TaskHandle["execStreaming"]> } {
  const ns = found.alloc.metadata.namespace ?? "default";
  if (!r.task) return { code: closeCode.policyViolation, reason: "must provide task name" };
  if (r.command.length === 0)
    return { code: closeCode.policyViolation, reason: "command is not present" };
  if (!found.tasks.includes(r.task))
    return { code: closeCode.policyViolation, reason: `unknown task name "${r.task}"` };
  const tr = found.runner?.task(r.task);
  const handle = found.runner?.isStopping ? undefined : tr?.current;
  if (!handle)
    return { code: closeCode.policyViolation, reason: `task "${r.task}" is not running.` };
  if (!handle.execStreaming)
    return { code: closeCode.internalError, reason: "task driver does not support exec" };
  // Without isolation the command runs on the host: Nomad asks for alloc-node-exec too.
  if ((handle.fsIsolation ?? "none") === "none" && !ctx.acl.allowNamespace(ns, "alloc-node-exec"))
    return { code: closeCode.internalError, reason: "Permission denied" };
  return { start: handle.execStreaming.bind(handle) };
}

export function execRoutes(source: AllocSource, log: Logger): Route[] {
  // Handshakes come from the upgrade handler (src/http/listen.ts), one by one.
  const server = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes });

  async function exec(ctx: Ctx): Promise<Reply> {
    const found = allocFor(source, ctx, "alloc-exec");
    const command = parseCommand(ctx.query.get("command"));
    if (!command.ok) throw badRequest(command.error);
    const tty = parseTty(ctx.query.get("tty"));
    if (tty === undefined)
      throw badRequest(
        `tty value is not a boolean: strconv.ParseBool: parsing ${JSON.stringify(ctx.query.get("tty"))}: invalid syntax`,
      );
    const problem = handshakeProblem(ctx.req);
    const socket = ctx.res.socket;
    if (problem || !socket) throw badRequest(problem ?? "websocket: no connection to switch");
    ctx.res.detachSocket(socket);
    // What came after the handshake is already back on the socket (acceptUpgrades).
    // A connection gone before the switch ends the request with nothing more to say.
    const ws = await new Promise<WebSocket | undefined>((resolve) => {
      socket.once("close", () => resolve(undefined));
      server.handleUpgrade(ctx.req, socket, Buffer.alloc(0), (ws) => {
        // A frame the protocol forbids (unmasked, reserved bits, bad UTF-8, over
        // the limit): ws has sent the close frame naming it; nothing more to do.
        ws.on("error", (err) => log.debug({ err }, "task exec session refused a frame"));
        resolve(ws);
      });
    });
    if (!ws) return { streamed: true };

    const r: ExecRequest = { task: ctx.query.get("task") ?? "", command: command.command, tty };
    log.info(
      {
        alloc: found.alloc.metadata.name,
        task: r.task,
        command: r.command,
        tty,
        token: ctx.token?.accessorID,
      },
      "task exec session starting",
    );
    const checked = check(found, ctx, r);
    if ("code" in checked) {
      ws.close(checked.code, closeReason(checked.reason));
      return { streamed: true };
    }
    void relayExec(ws, () => checked.start(r.command, { tty }), tty).then(
      (code) =>
        log.info(
          { alloc: found.alloc.metadata.name, task: r.task, code },
          "task exec session ended",
        ),
      (err: unknown) =>
        log.warn({ err, alloc: found.alloc.metadata.name }, "task exec session failed"),
    );
    return { streamed: true };
  }

  return [
    {
      method: "GET",
      path: "/v1/client/allocation/:alloc/exec",
      acl: "ns:alloc-exec",
      handle: exec,
    },
  ];
}
