// state.bin: the objects of a snapshot, framed as Nomad frames its FSM
// snapshot so `nomad operator snapshot inspect` can count them: a MessagePack
// header (an empty map), then per object one byte naming Nomad's table
// (contents.ts) and one MessagePack value. Caravan's value is a string holding
// the Kubernetes object's JSON, exactly as the API server sent it.
import type { ApiObject } from "../../crds/meta.js";

export interface SnapshotRecord {
  /** Nomad's snapshot type (its state table), for `snapshot inspect`. */
  type: number;
  object: ApiObject;
}

export type DecodeResult = { ok: true; records: SnapshotRecord[] } | { ok: false; error: string };

const emptyMap = 0x80;

export function encodeState(records: readonly SnapshotRecord[]): Buffer {
  const parts: Buffer[] = [Buffer.from([emptyMap])];
  for (const r of records) {
    const json = Buffer.from(JSON.stringify(r.object), "utf8");
    parts.push(Buffer.from([r.type]), stringHeader(json.length), json);
  }
  return Buffer.concat(parts);
}

export function decodeState(state: Buffer): DecodeResult {
  if (state[0] !== emptyMap) return { ok: false, error: "snapshot state: unexpected header" };
  const records: SnapshotRecord[] = [];
  for (let off = 1; off < state.length; ) {
    const type = state[off] as number;
    const head = readStringHeader(state, off + 1);
    if (!head)
      return { ok: false, error: `snapshot state: record ${records.length + 1} is not Caravan's` };
    const end = head.start + head.length;
    if (end > state.length) return { ok: false, error: "snapshot state: unexpected end" };
    let object: ApiObject;
    try {
      object = JSON.parse(state.subarray(head.start, end).toString("utf8")) as ApiObject;
    } catch (err) {
      return {
        ok: false,
        error: `snapshot state: record ${records.length + 1}: ${(err as Error).message}`,
      };
    }
    if (!object?.kind || !object.apiVersion || !object.metadata?.name)
      return {
        ok: false,
        error: `snapshot state: record ${records.length + 1} has no apiVersion, kind or metadata.name`,
      };
    records.push({ type, object });
    off = end;
  }
  return { ok: true, records };
}

/** MessagePack's str 8/16/32 header for a string of `length` bytes. */
function stringHeader(length: number): Buffer {
  if (length < 0x100) return Buffer.from([0xd9, length]);
  if (length < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = 0xda;
    b.writeUInt16BE(length, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = 0xdb;
  b.writeUInt32BE(length, 1);
  return b;
}

function readStringHeader(buf: Buffer, off: number): { start: number; length: number } | undefined {
  const tag = buf[off];
  if (tag === 0xd9 && off + 2 <= buf.length)
    return { start: off + 2, length: buf[off + 1] as number };
  if (tag === 0xda && off + 3 <= buf.length)
    return { start: off + 3, length: buf.readUInt16BE(off + 1) };
  if (tag === 0xdb && off + 5 <= buf.length)
    return { start: off + 5, length: buf.readUInt32BE(off + 1) };
  return undefined;
}
