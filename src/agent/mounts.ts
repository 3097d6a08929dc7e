// The host's mounted filesystems (/proc/mounts), as Nomad's client reads them
// for its storage fingerprint and host disk stats.
import { readFileSync } from "node:fs";
import path from "node:path";

export interface Mount {
  device: string;
  mountpoint: string;
  fstype: string;
}

/** /proc/mounts lines: device, mount point (octal escapes such as \040 decoded), type. */
export function parseMounts(text: string): Mount[] {
  const decodeOctal = (s: string) =>
    s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
  const mounts: Mount[] = [];
  for (const line of text.split("\n")) {
    const [device, mountpoint, fstype] = line.split(" ");
    if (device && mountpoint && fstype)
      mounts.push({ device, mountpoint: decodeOctal(mountpoint), fstype });
  }
  return mounts;
}

/** The mount holding `dir`: the longest mount point that contains it (the last mounted wins). */
export function mountOf(mounts: readonly Mount[], dir: string): Mount | undefined {
  const target = path.resolve(dir);
  let best: Mount | undefined;
  for (const m of mounts) {
    const inside =
      target === m.mountpoint ||
      m.mountpoint === "/" ||
      target.startsWith(m.mountpoint.endsWith("/") ? m.mountpoint : `${m.mountpoint}/`);
    if (inside && (!best || m.mountpoint.length >= best.mountpoint.length)) best = m;
  }
  return best;
}

export function readMounts(): Mount[] {
  try {
    return parseMounts(readFileSync("/proc/mounts", "utf8"));
  } catch {
    return [];
  }
}
