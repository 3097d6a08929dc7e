// /v1/client/fs/logs/:alloc: a task's stdout or stderr, read from the log
// files the node agent writes (<alloc dir>/<alloc>/alloc/logs/<task>.<type>.<n>)
// when the agent runs in this process, as in `caravan dev`. plain=true sends
// the bytes; otherwise Nomad's stream frames ({"Data": base64, "File", "Offset"}).
// follow=true keeps sending what is appended until the client goes away.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { badRequest, type Ctx, HttpError, notFound, type Reply, type Route } from "../http.js";
import { findByName, requireNamespace } from "./common.js";
import type { RouteDeps } from "./deps.js";

const safeName = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const pollMs = 250;

export function logRoutes(deps: RouteDeps): Route[] {
  const { state } = deps;

  async function readLogs(
    dir: string,
    task: string,
    type: string,
  ): Promise<{ data: Buffer; file: string }> {
    const pattern = new RegExp(`^${task.replace(/[.]/g, "\\.")}\\.${type}\\.(\\d+)$`);
    const names = (await readdir(dir).catch(() => [] as string[]))
      .map((f) => ({ f, m: pattern.exec(f) }))
      .filter((x) => x.m)
      .sort((a, b) => Number(a.m?.[1]) - Number(b.m?.[1]));
    const parts = await Promise.all(
      names.map((x) => readFile(path.join(dir, x.f)).catch(() => Buffer.alloc(0))),
    );
    return { data: Buffer.concat(parts), file: names.at(-1)?.f ?? `${task}.${type}.0` };
  }

  async function logs(ctx: Ctx): Promise<Reply> {
    const a = findByName(state.allocations.store, ctx.params.alloc ?? "");
    if (!a) throw notFound("alloc");
    const ns = a.metadata.namespace ?? "default";
    requireNamespace(ctx, ns, "read-logs");
    const task = ctx.query.get("task") ?? "";
    const type = ctx.query.get("type") ?? "stdout";
    if (!task) throw badRequest("must include task name");
    if (type !== "stdout" && type !== "stderr") throw badRequest(`invalid log type: ${type}`);
    if (!safeName.test(task) || task.includes(".."))
      throw badRequest(`invalid task name ${JSON.stringify(task)}`);
    const job = state.jobs.store.get(`${ns}/${a.spec.jobName}`);
    const known =
      a.status?.taskStates?.[task] !== undefined ||
      !!job?.spec.groups.find((g) => g.name === a.spec.group)?.tasks.some((t) => t.name === task);
    if (!known) throw notFound(`task "${task}"`);
    const origin = ctx.query.get("origin") ?? "start";
    if (origin !== "start" && origin !== "end")
      throw badRequest(`origin must be start or end, got ${origin}`);
    const offset = Number(ctx.query.get("offset") ?? 0);
    if (!Number.isInteger(offset) || offset < 0)
      throw badRequest("offset must be a non-negative integer");
    if (!deps.allocDir)
      throw new HttpError(
        501,
        "this server runs no node agent; logs are served where the allocation runs",
      );
    const root = path.resolve(deps.allocDir);
    const dir = path.resolve(root, a.metadata.name, "alloc", "logs");
    if (!dir.startsWith(root + path.sep)) throw badRequest("invalid allocation directory");

    const plain = ctx.query.get("plain") === "true";
    const follow = ctx.query.get("follow") === "true";
    const { data, file } = await readLogs(dir, task, type);
    let start =
      origin === "start" ? Math.min(offset, data.length) : Math.max(0, data.length - offset);
    const res = ctx.res;
    res.writeHead(200, {
      "Content-Type": plain ? "text/plain; charset=utf-8" : "application/json",
      "X-Nomad-KnownLeader": "true",
      "X-Nomad-LastContact": "0",
    });
    const emit = (chunk: Buffer, at: number, name: string) => {
      if (chunk.length === 0) return;
      res.write(
        plain ? chunk : JSON.stringify({ Data: chunk.toString("base64"), File: name, Offset: at }),
      );
    };
    emit(data.subarray(start), start, file);
    start = data.length;
    if (!follow) {
      res.end();
      return { streamed: true };
    }
    let open = true;
    res.once("close", () => {
      open = false;
    });
    while (open) {
      await new Promise((r) => setTimeout(r, pollMs));
      if (!open) break;
      const next = await readLogs(dir, task, type);
      if (next.data.length > start) {
        emit(next.data.subarray(start), start, next.file);
        start = next.data.length;
      }
      const current = findByName(state.allocations.store, a.metadata.name);
      const status = current?.status?.clientStatus;
      // Nothing more will come once the allocation is gone or finished.
      if (!current || status === "complete" || status === "failed" || status === "lost") break;
    }
    res.end();
    return { streamed: true };
  }

  return [{ method: "GET", path: "/v1/client/fs/logs/:alloc", handle: logs }];
}
