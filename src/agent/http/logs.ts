// GET /v1/client/fs/logs/:alloc on the node agent: a task's stdout or stderr,
// read from the files the log monitor rotates (<alloc dir>/alloc/logs/<task>.<type>.<n>).
// plain=true sends the bytes; otherwise Nomad's stream frames ({"Data": base64,
// "File", "Offset"}). follow=true keeps sending what is appended, across
// rotations, until the client goes away or the allocation finishes.
import { open, readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { Ctx, Reply, Route } from "../../http/context.js";
import { badRequest, HttpError } from "../../http/errors.js";
import { queryBool } from "../../http/query.js";
import { allocFor } from "./common.js";
import { type AllocSource, finished } from "./source.js";

const safeName = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const pollMs = 250;

export function logRoutes(source: AllocSource): Route[] {
  /** The task's log files of one type, oldest first, as (index, name). */
  async function logFiles(dir: string, task: string, type: string) {
    const pattern = new RegExp(`^${task.replace(/[.]/g, "\\.")}\\.${type}\\.(\\d+)$`);
    return (await readdir(dir).catch(() => [] as string[]))
      .map((f) => ({ f, n: Number(pattern.exec(f)?.[1] ?? -1) }))
      .filter((x) => x.n >= 0)
      .sort((a, b) => a.n - b.n);
  }

  async function readLogs(
    dir: string,
    task: string,
    type: string,
  ): Promise<{ data: Buffer; file: string; index: number; lastLength: number }> {
    const names = await logFiles(dir, task, type);
    const parts = await Promise.all(
      names.map((x) => readFile(path.join(dir, x.f)).catch(() => Buffer.alloc(0))),
    );
    const last = names.at(-1);
    return {
      data: Buffer.concat(parts),
      file: last?.f ?? `${task}.${type}.0`,
      index: last?.n ?? 0,
      lastLength: parts.at(-1)?.length ?? 0,
    };
  }

  /** Bytes from a position (file index, offset) on; positions survive rotation deleting old files. */
  async function readFrom(
    dir: string,
    task: string,
    type: string,
    from: { index: number; offset: number },
  ): Promise<{
    chunks: { data: Buffer; file: string; offset: number }[];
    to: { index: number; offset: number };
  }> {
    const chunks: { data: Buffer; file: string; offset: number }[] = [];
    let to = from;
    for (const x of await logFiles(dir, task, type)) {
      if (x.n < from.index) continue;
      const start = x.n === from.index ? from.offset : 0;
      const size = (await stat(path.join(dir, x.f)).catch(() => undefined))?.size ?? 0;
      if (size > start) {
        const handle = await open(path.join(dir, x.f), "r");
        try {
          const data = Buffer.alloc(size - start);
          const { bytesRead } = await handle.read(data, 0, data.length, start);
          chunks.push({ data: data.subarray(0, bytesRead), file: x.f, offset: start });
          to = { index: x.n, offset: start + bytesRead };
        } finally {
          await handle.close();
        }
      } else to = { index: x.n, offset: Math.max(start, size) };
    }
    return { chunks, to };
  }

  async function logs(ctx: Ctx): Promise<Reply> {
    const found = allocFor(source, ctx, "read-logs");
    const a = found.alloc;
    const task = ctx.query.get("task") ?? "";
    const type = ctx.query.get("type") ?? "stdout";
    if (!task) throw badRequest("must include task name");
    if (type !== "stdout" && type !== "stderr") throw badRequest(`invalid log type: ${type}`);
    if (!safeName.test(task) || task.includes(".."))
      throw badRequest(`invalid task name ${JSON.stringify(task)}`);
    if (!found.tasks.includes(task)) throw new HttpError(404, `task "${task}" not found`);
    const origin = ctx.query.get("origin") ?? "start";
    if (origin !== "start" && origin !== "end")
      throw badRequest(`origin must be start or end, got ${origin}`);
    const offset = Number(ctx.query.get("offset") ?? 0);
    if (!Number.isInteger(offset) || offset < 0)
      throw badRequest("offset must be a non-negative integer");
    const root = path.resolve(source.root);
    const dir = path.resolve(root, a.metadata.name, "alloc", "logs");
    if (!dir.startsWith(root + path.sep)) throw badRequest("invalid allocation directory");

    const plain = queryBool(ctx.query, "plain") ?? false;
    const follow = queryBool(ctx.query, "follow") ?? false;
    const { data, file, index, lastLength } = await readLogs(dir, task, type);
    const start =
      origin === "start" ? Math.min(offset, data.length) : Math.max(0, data.length - offset);
    const res = ctx.res;
    res.writeHead(200, {
      "Content-Type": plain ? "text/plain; charset=utf-8" : "application/json",
      "X-Nomad-KnownLeader": "true",
      "X-Nomad-LastContact": "0",
    });
    // A follower learns at once that the stream is open, before any output.
    res.flushHeaders();
    const emit = (chunk: Buffer, at: number, name: string) => {
      if (chunk.length === 0) return;
      res.write(
        plain ? chunk : JSON.stringify({ Data: chunk.toString("base64"), File: name, Offset: at }),
      );
    };
    emit(data.subarray(start), start, file);
    if (!follow) {
      res.end();
      return { streamed: true };
    }
    let listening = true;
    res.once("close", () => {
      listening = false;
    });
    // Follow from the end of what was read: the last file's length then.
    let position = { index, offset: lastLength };
    while (listening) {
      await new Promise((r) => setTimeout(r, pollMs));
      if (!listening) break;
      const next = await readFrom(dir, task, type, position);
      for (const c of next.chunks) emit(c.data, c.offset, c.file);
      position = next.to;
      // Nothing more will come once the allocation is gone or finished.
      if (finished(source.find(a.metadata.name))) break;
    }
    res.end();
    return { streamed: true };
  }

  return [
    {
      method: "GET",
      path: "/v1/client/fs/logs/:alloc",
      // Checked in the handler, in the allocation's namespace (allocFor).
      acl: "ns:read-logs",
      handle: logs,
    },
  ];
}
