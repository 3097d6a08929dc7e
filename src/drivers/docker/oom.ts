// Whether the kernel killed a container for its memory limit, for engines that
// do not say so (Podman 4 on cgroup v1 leaves State.OOMKilled false). The
// kernel's OOM report names the memory cgroup it acted in, and container
// engines name that cgroup after the container ID (libpod-<id>, docker-<id>,
// /docker/<id>), so the ID in an "oom-kill:" record identifies the container.
import { closeSync, constants, openSync, readSync } from "node:fs";

/** Searches kernel log records (as /dev/kmsg gives them) for an OOM kill in the container's cgroup. Pure. */
export function oomKillRecorded(records: readonly string[], containerId: string): boolean {
  return records.some(
    (r) => r.includes("oom-kill:") && r.includes(`oom_memcg=`) && r.includes(containerId),
  );
}

/** The kernel log's records, read from /dev/kmsg; empty when it cannot be read (not root). */
export function kernelLogRecords(): string[] {
  let fd: number;
  try {
    fd = openSync("/dev/kmsg", constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return [];
  }
  const records: string[] = [];
  const buf = Buffer.alloc(16 * 1024);
  try {
    // One record per read; EAGAIN once the buffer is drained.
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        // EPIPE: a record was overwritten while reading; go on with the next.
        if ((err as NodeJS.ErrnoException).code === "EPIPE") continue;
        break;
      }
      if (n <= 0) break;
      records.push(buf.toString("utf8", 0, n));
    }
  } finally {
    closeSync(fd);
  }
  return records;
}
