// GET /v1/client/fs/{ls,stat,cat,readat}/:alloc on the node agent: `nomad
// alloc fs` on an allocation's directory. Paths are relative to the
// allocation directory, and every path, symlinks resolved, must stay inside it.
import { open, readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { Ctx, Reply, Route } from "../../http/context.js";
import { badRequest, HttpError } from "../../http/errors.js";
import { allocFor } from "./common.js";
import type { AllocSource } from "./source.js";

const maxRead = 16 * 1024 * 1024;

function fileInfo(name: string, s: Awaited<ReturnType<typeof stat>>) {
  return {
    Name: name,
    IsDir: s.isDirectory(),
    Size: Number(s.size),
    FileMode: `${s.isDirectory() ? "d" : "-"}${(Number(s.mode) & 0o777).toString(8)}`,
    ModTime: new Date(Number(s.mtimeMs)).toISOString(),
  };
}

export function fsRoutes(source: AllocSource): Route[] {
  /** The real path of ?path= inside the allocation's directory, or an error. */
  async function resolve(ctx: Ctx): Promise<string> {
    const a = allocFor(source, ctx, "read-fs").alloc;
    const asked = ctx.query.get("path") ?? "/";
    if (asked.includes("\0")) throw badRequest("invalid path");
    let root: string;
    try {
      root = await realpath(path.join(source.root, a.metadata.name));
    } catch {
      throw new HttpError(404, "allocation directory not found");
    }
    let full: string;
    try {
      full = await realpath(path.join(root, asked));
    } catch {
      throw new HttpError(404, `file "${asked}" not found`);
    }
    if (full !== root && !full.startsWith(root + path.sep))
      throw new HttpError(403, "Permission denied: path is outside the allocation directory");
    return full;
  }

  async function read(full: string, offset: number, limit: number): Promise<Buffer> {
    const handle = await open(full, "r");
    try {
      const size = Number((await handle.stat()).size);
      const length = Math.max(0, Math.min(limit, size - offset, maxRead));
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  const raw = (ctx: Ctx, data: Buffer): Reply => {
    ctx.res.writeHead(200, {
      "Content-Type": "application/octet-stream",
      "X-Nomad-KnownLeader": "true",
    });
    ctx.res.end(data);
    return { streamed: true };
  };

  const number = (ctx: Ctx, name: string, fallback: number): number => {
    const v = ctx.query.get(name);
    if (v === null || v === "") return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw badRequest(`${name} must be a non-negative integer`);
    return n;
  };

  return [
    {
      method: "GET",
      path: "/v1/client/fs/ls/:alloc",
      acl: "ns:read-fs", // checked in the allocation's namespace by resolve()
      handle: async (ctx) => {
        const dir = await resolve(ctx);
        const entries = await readdir(dir).catch(() => {
          throw badRequest("path is not a directory");
        });
        const out = [];
        for (const name of entries.sort()) {
          const s = await stat(path.join(dir, name)).catch(() => undefined);
          if (s) out.push(fileInfo(name, s));
        }
        return { body: out };
      },
    },
    {
      method: "GET",
      path: "/v1/client/fs/stat/:alloc",
      acl: "ns:read-fs", // checked in the allocation's namespace by resolve()
      handle: async (ctx) => {
        const full = await resolve(ctx);
        return { body: fileInfo(path.basename(full), await stat(full)) };
      },
    },
    {
      method: "GET",
      path: "/v1/client/fs/cat/:alloc",
      acl: "ns:read-fs", // checked in the allocation's namespace by resolve()
      handle: async (ctx) => {
        const full = await resolve(ctx);
        if ((await stat(full)).isDirectory()) throw badRequest("path is a directory");
        return raw(ctx, await read(full, 0, maxRead));
      },
    },
    {
      method: "GET",
      path: "/v1/client/fs/readat/:alloc",
      acl: "ns:read-fs", // checked in the allocation's namespace by resolve()
      handle: async (ctx) => {
        const full = await resolve(ctx);
        if ((await stat(full)).isDirectory()) throw badRequest("path is a directory");
        return raw(ctx, await read(full, number(ctx, "offset", 0), number(ctx, "limit", maxRead)));
      },
    },
  ];
}
