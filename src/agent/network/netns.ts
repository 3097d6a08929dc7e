// Named network namespaces, as `ip netns` keeps them: a bind mount of the
// namespace at /var/run/netns/<name>, which holds it alive with no process in
// it, so tasks started and stopped at different times all join the same one.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);

export const netnsDir = "/var/run/netns";

export function netnsPath(name: string): string {
  return `${netnsDir}/${name}`;
}

/** Creates the namespace unless it exists (an agent restarted finds its own). */
export async function createNetns(name: string): Promise<{ path: string; created: boolean }> {
  const path = netnsPath(name);
  if (existsSync(path)) return { path, created: false };
  try {
    await run("ip", ["netns", "add", name]);
  } catch (err) {
    throw new Error(`failed to create network namespace ${name}: ${stderrOf(err)}`);
  }
  return { path, created: true };
}

/** Removes the namespace (and with it every interface left inside); nothing when it is gone. */
export async function deleteNetns(name: string): Promise<void> {
  if (!existsSync(netnsPath(name))) return;
  try {
    await run("ip", ["netns", "delete", name]);
  } catch (err) {
    throw new Error(`failed to remove network namespace ${name}: ${stderrOf(err)}`);
  }
}

/** The addresses (CIDR form) of an interface inside the namespace; none when either is gone. */
export async function interfaceAddresses(name: string, ifname: string): Promise<string[]> {
  if (!existsSync(netnsPath(name))) return [];
  try {
    const { stdout } = await run("ip", ["-j", "-n", name, "addr", "show", "dev", ifname]);
    const links = JSON.parse(stdout) as {
      addr_info?: { local: string; prefixlen: number; scope?: string }[];
    }[];
    return links
      .flatMap((l) => l.addr_info ?? [])
      .filter((a) => a.scope !== "link")
      .map((a) => `${a.local}/${a.prefixlen}`);
  } catch {
    return [];
  }
}

export function stderrOf(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  return (e.stderr?.trim() || e.message || String(err)).split("\n")[0] ?? "";
}
