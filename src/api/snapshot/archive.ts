// The snapshot file, in the archive Nomad's servers stream and its CLI checks:
// a gzipped tar of meta.json (Raft's SnapshotMeta), state.bin and SHA256SUMS
// (the sha256 of the other two, one "<hex>  <name>" line each), so `nomad
// operator snapshot save` writes it and `snapshot inspect` reads it. What
// state.bin holds is Caravan's own (state.ts). Pure: the clock comes in.
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { Header } from "tar";

/** Raft's SnapshotMeta as Nomad writes it into meta.json, plus what Caravan records. */
export interface SnapshotMeta {
  Version: number;
  /** "<term>-<index>-<unix ms>": `snapshot inspect` reads the time from it. */
  ID: string;
  Index: number;
  Term: number;
  Peers: null;
  Configuration: { Servers: [] };
  ConfigurationIndex: number;
  /** state.bin's length. */
  Size: number;
  /** Ignored by Nomad's tools. */
  Caravan: { format: 1; resourceVersion: string; namespace?: string };
}

export type ReadResult =
  | { ok: true; meta: SnapshotMeta; state: Buffer }
  | { ok: false; error: string };

const block = 512;
const files = ["meta.json", "state.bin"] as const;

/** The archive of `state` taken at etcd revision `resourceVersion`, at `nowMs`. */
export function writeArchive(
  state: Buffer,
  resourceVersion: string,
  nowMs: number,
  namespace?: string,
): Buffer {
  const index = Number(resourceVersion) || 0;
  const meta: SnapshotMeta = {
    Version: 1,
    ID: `1-${index}-${nowMs}`,
    Index: index,
    Term: 1,
    Peers: null,
    Configuration: { Servers: [] },
    ConfigurationIndex: 0,
    Size: state.length,
    Caravan: { format: 1, resourceVersion, ...(namespace ? { namespace } : {}) },
  };
  const metaJson = Buffer.from(`${JSON.stringify(meta)}\n`);
  const sums = Buffer.from(
    [
      [files[0], metaJson],
      [files[1], state],
    ]
      .map(([name, data]) => `${sha256(data as Buffer)}  ${name as string}\n`)
      .join(""),
  );
  const mtime = new Date(Math.floor(nowMs / 1000) * 1000);
  const parts: Buffer[] = [];
  for (const [name, data] of [
    ["meta.json", metaJson],
    ["state.bin", state],
    ["SHA256SUMS", sums],
  ] as const) {
    const header = Buffer.alloc(block);
    new Header({ path: name, mode: 0o600, size: data.length, mtime, type: "File" }).encode(
      header,
      0,
    );
    parts.push(header, data, Buffer.alloc(padding(data.length)));
  }
  parts.push(Buffer.alloc(2 * block));
  return gzipSync(Buffer.concat(parts));
}

/** meta.json and state.bin of an archive, checked against its SHA256SUMS as Nomad checks them. */
export function readArchive(archive: Buffer): ReadResult {
  let tar: Buffer;
  try {
    tar = gunzipSync(archive);
  } catch (err) {
    return { ok: false, error: `failed to decompress snapshot: ${(err as Error).message}` };
  }
  const found = new Map<string, Buffer>();
  for (let off = 0; off + block <= tar.length; ) {
    const header = new Header(tar, off);
    if (header.nullBlock) break;
    if (!header.cksumValid || header.path === undefined || header.size === undefined)
      return { ok: false, error: "failed reading snapshot: invalid tar header" };
    const start = off + block;
    const end = start + header.size;
    if (end > tar.length) return { ok: false, error: "failed reading snapshot: unexpected EOF" };
    if (!["meta.json", "state.bin", "SHA256SUMS"].includes(header.path))
      return { ok: false, error: `unexpected file "${header.path}" in snapshot` };
    found.set(header.path, tar.subarray(start, end));
    off = end + padding(header.size);
  }
  const checked = verify(found);
  if (checked) return { ok: false, error: `failed checking integrity of snapshot: ${checked}` };
  let meta: SnapshotMeta;
  try {
    meta = JSON.parse((found.get("meta.json") as Buffer).toString("utf8")) as SnapshotMeta;
  } catch (err) {
    return {
      ok: false,
      error: `failed to decode snapshot metadata: ${(err as Error).message}`,
    };
  }
  if (meta?.Caravan?.format !== 1)
    return {
      ok: false,
      error: "not a Caravan snapshot: Caravan restores only archives its own servers saved",
    };
  return { ok: true, meta, state: found.get("state.bin") as Buffer };
}

/** Why the files do not match SHA256SUMS, or undefined when they do. */
function verify(found: Map<string, Buffer>): string | undefined {
  const listed = new Map<string, string>();
  for (const line of (found.get("SHA256SUMS") ?? Buffer.alloc(0)).toString("utf8").split("\n")) {
    if (!line) continue;
    const m = /^([0-9a-f]{64}) {2}(\S+)$/.exec(line);
    if (!m) return `malformed SHA256SUMS line ${JSON.stringify(line)}`;
    listed.set(m[2] as string, m[1] as string);
  }
  for (const name of files) {
    const data = found.get(name);
    const sum = listed.get(name);
    if (!data || !sum) return `file missing for "${name}"`;
    if (sha256(data) !== sum) return `hash check failed for "${name}"`;
  }
  for (const name of listed.keys())
    if (!files.includes(name as (typeof files)[number])) return `list missing hash for "${name}"`;
  return undefined;
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function padding(size: number): number {
  return (block - (size % block)) % block;
}
