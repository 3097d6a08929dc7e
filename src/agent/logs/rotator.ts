// Writes one stream of a task's output into numbered files, starting the next
// file when the current one reaches maxFileSize and deleting the oldest beyond
// maxFiles, as Nomad's log rotator does. Continues the newest existing file,
// so a restarted log monitor appends where the last one stopped.
import { closeSync, fstatSync, openSync, rmSync, writeSync } from "node:fs";
import path from "node:path";
import { existingIndexes, type LogStream, logFileName } from "./files.js";

export interface RotationPolicy {
  maxFiles: number;
  maxFileSizeBytes: number;
}

export class FileRotator {
  private index: number;
  private fd: number;
  private size: number;

  constructor(
    private readonly dir: string,
    private readonly task: string,
    private readonly stream: LogStream,
    private readonly policy: RotationPolicy,
  ) {
    this.index = existingIndexes(dir, task, stream).at(-1) ?? 0;
    this.fd = openSync(this.file(this.index), "a");
    this.size = fstatSync(this.fd).size;
    this.purge();
  }

  write(chunk: Buffer): void {
    let rest = chunk;
    while (rest.length > 0) {
      const room = this.policy.maxFileSizeBytes - this.size;
      if (room <= 0) {
        this.rotate();
        continue;
      }
      const part = rest.subarray(0, room);
      writeSync(this.fd, part);
      this.size += part.length;
      rest = rest.subarray(part.length);
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  private file(index: number): string {
    return path.join(this.dir, logFileName(this.task, this.stream, index));
  }

  private rotate(): void {
    closeSync(this.fd);
    this.index += 1;
    this.fd = openSync(this.file(this.index), "a");
    this.size = 0;
    this.purge();
  }

  private purge(): void {
    const indexes = existingIndexes(this.dir, this.task, this.stream);
    for (const i of indexes.slice(0, Math.max(0, indexes.length - this.policy.maxFiles)))
      rmSync(this.file(i), { force: true });
  }
}
