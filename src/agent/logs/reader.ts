// Reads a task's rotated logs back as one stream, oldest file first: the
// whole of it, its last lines, or following it as files grow and rotate.
// Used by `caravan alloc logs`.
import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import path from "node:path";
import { existingIndexes, type LogStream, logFileName } from "./files.js";

export interface LogPosition {
  index: number;
  offset: number;
}

/** Everything the stream's files hold, and where it ends (to follow from there). */
export function readLogs(
  logDir: string,
  task: string,
  stream: LogStream,
): { data: Buffer; end: LogPosition } {
  const indexes = existingIndexes(logDir, task, stream);
  const parts = indexes.map((i) => readFileSync(path.join(logDir, logFileName(task, stream, i))));
  const last = indexes.at(-1);
  return {
    data: Buffer.concat(parts),
    end: { index: last ?? 0, offset: parts.at(-1)?.length ?? 0 },
  };
}

/** The last `n` lines of `data` (a final newline does not start a line). Pure. */
export function lastLines(data: Buffer, n: number): Buffer {
  if (n <= 0) return Buffer.alloc(0);
  let end = data.length;
  if (end > 0 && data[end - 1] === 0x0a) end -= 1;
  let seen = 0;
  for (let i = end - 1; i >= 0; i--) {
    if (data[i] === 0x0a && ++seen === n) return data.subarray(i + 1);
  }
  return data;
}

/**
 * What was written after `from`, moving on to newer files as the log rotates
 * (and past files already purged). Returns the new data and where it ends.
 */
export function readSince(
  logDir: string,
  task: string,
  stream: LogStream,
  from: LogPosition,
): { data: Buffer; end: LogPosition } {
  const chunks: Buffer[] = [];
  let pos = from;
  const indexes = existingIndexes(logDir, task, stream);
  for (;;) {
    if (!indexes.includes(pos.index)) {
      const next = indexes.find((i) => i > pos.index);
      if (next === undefined) break;
      pos = { index: next, offset: 0 };
    }
    const file = path.join(logDir, logFileName(task, stream, pos.index));
    const chunk = readFrom(file, pos.offset);
    chunks.push(chunk);
    pos = { index: pos.index, offset: pos.offset + chunk.length };
    const next = indexes.find((i) => i > pos.index);
    if (next === undefined) break;
    pos = { index: next, offset: 0 };
  }
  return { data: Buffer.concat(chunks), end: pos };
}

function readFrom(file: string, offset: number): Buffer {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const size = statSync(file).size;
    if (size <= offset) return Buffer.alloc(0);
    const buf = Buffer.alloc(size - offset);
    const n = readSync(fd, buf, 0, buf.length, offset);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
