// Nomad's go-sockaddr templates in address settings (bind_addr, addresses,
// advertise), such as `{{ GetInterfaceIP "eth0" }}`: the few forms agents
// use, resolved against the host's interfaces. Anything else is refused with
// the setting named, rather than used as a host name that cannot resolve.
import type { NetworkInterfaceInfo } from "node:os";

export type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

export function isTemplate(value: string): boolean {
  return value.includes("{{");
}

const forms = 'GetInterfaceIP "name", GetPrivateIP or GetPublicIP';

/** The address a template stands for, or an error naming the setting. */
export function resolveAddrTemplate(
  setting: string,
  value: string,
  interfaces: Interfaces,
): { ok: true; value: string } | { ok: false; error: string } {
  // A port may follow the template in advertise settings: {{ GetPrivateIP }}:4646.
  const m = /^\s*\{\{\s*(.*?)\s*\}\}\s*(:\d+)?$/s.exec(value);
  const expr = m?.[1] ?? "";
  const port = m?.[2] ?? "";
  const fail = (why: string) => ({
    ok: false as const,
    error: `${setting}: ${why} in ${JSON.stringify(value)}; the templates supported are ${forms}`,
  });
  if (!m) return fail("a template must be the whole value");
  // A named interface may be loopback; the private and public forms never are.
  const ipv4 = (name?: string) =>
    Object.entries(interfaces)
      .filter(([n]) => name === undefined || n === name)
      .flatMap(([, addrs]) => addrs ?? [])
      .filter((a) => a.family === "IPv4" && (name !== undefined || !a.internal))
      .map((a) => a.address);
  const named = /^GetInterfaceIP\s+"([^"]+)"$/.exec(expr);
  if (named) {
    const name = named[1] as string;
    if (!interfaces[name]) return fail(`no interface "${name}"`);
    const ip = ipv4(name)[0];
    return ip ? { ok: true, value: ip + port } : fail(`interface "${name}" has no IPv4 address`);
  }
  if (expr === "GetPrivateIP" || expr === "GetPublicIP") {
    const want = expr === "GetPrivateIP";
    const ip = ipv4().find((a) => isPrivate(a) === want && !a.startsWith("169.254."));
    return ip
      ? { ok: true, value: ip + port }
      : fail(`no ${want ? "private" : "public"} IPv4 address on this host`);
  }
  return fail("unsupported template");
}

/** RFC 1918 and RFC 6598 (shared address space) IPv4 addresses, as go-sockaddr counts private. */
function isPrivate(ip: string): boolean {
  const [a = 0, b = 0] = ip.split(".").map(Number);
  return (
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127)
  );
}

/** host[:port] (IPv6 hosts in brackets) as Nomad's advertise settings take it. */
export function parseHostPort(value: string): { host: string; port?: number } | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (bracketed)
    return {
      host: bracketed[1] as string,
      ...(bracketed[2] ? { port: Number(bracketed[2]) } : {}),
    };
  const m = /^([^:\s]+)(?::(\d+))?$/.exec(value);
  if (!m) return undefined;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return { host: m[1] as string, ...(port !== undefined ? { port } : {}) };
}
