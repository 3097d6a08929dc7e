// advertise, addresses and bind_addr: Nomad's settings for where the agent
// listens and where others reach it, with go-sockaddr templates resolved
// against the host's interfaces.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { advertisedAddr } from "../../src/agent/agent.js";
import { loadAgentConfig } from "../../src/config/load.js";
import type { Interfaces } from "../../src/config/sockaddr.js";

function file(text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "caravan-advertise-"));
  writeFileSync(path.join(dir, "agent.hcl"), text);
  return path.join(dir, "agent.hcl");
}

const v4 = (address: string, internal = false) => ({
  address,
  netmask: "255.255.255.0",
  family: "IPv4" as const,
  mac: "00:00:00:00:00:00",
  internal,
  cidr: `${address}/24`,
});
// A multi-homed host: loopback, a public uplink first, then a private network.
const interfaces: Interfaces = {
  lo: [v4("127.0.0.1", true)],
  eth0: [v4("203.0.113.7")],
  eth1: [v4("10.1.2.3")],
  empty: [],
};

async function load(text: string, env: NodeJS.ProcessEnv = {}) {
  return loadAgentConfig({ files: [file(text)], env, interfaces });
}

describe("advertise and addresses", () => {
  it("reads advertise { http } and addresses { http }, accepting rpc and serf as Nomad's server-only settings", async () => {
    const r = await load(`
      bind_addr = "0.0.0.0"
      addresses {
        http = "10.1.2.3"
        rpc  = "10.1.2.3"
        serf = "10.1.2.3"
      }
      advertise {
        http = "192.0.2.10:4646"
        rpc  = "192.0.2.10:4647"
        serf = "192.0.2.10:4648"
      }`);
    expect(r).toMatchObject({
      ok: true,
      config: {
        bindAddr: "0.0.0.0",
        addresses: { http: "10.1.2.3" },
        advertise: { http: "192.0.2.10:4646" },
      },
    });
  });

  it("resolves GetInterfaceIP, GetPrivateIP and GetPublicIP templates, with a port after one", async () => {
    const r = await load(`
      bind_addr = "{{ GetPrivateIP }}"
      addresses { http = "{{ GetInterfaceIP \\"eth1\\" }}" }
      advertise { http = "{{ GetPublicIP }}:8080" }`);
    expect(r).toMatchObject({
      ok: true,
      config: { bindAddr: "10.1.2.3", addresses: { http: "10.1.2.3" } },
    });
    if (r.ok) expect(r.config.advertise?.http).toBe("203.0.113.7:8080");
    const named = await load(`advertise { http = "{{GetInterfaceIP \\"eth0\\"}}" }`);
    expect(named.ok && named.config.advertise?.http).toBe("203.0.113.7");
    const loopback = await load(`advertise { http = "{{ GetInterfaceIP \\"lo\\" }}" }`);
    expect(loopback.ok && loopback.config.advertise?.http).toBe("127.0.0.1");
  });

  it("refuses templates it cannot resolve, and malformed addresses, naming the setting", async () => {
    const errors = async (text: string) => {
      const r = await load(text);
      return r.ok ? [] : r.errors;
    };
    expect((await errors(`advertise { http = "{{ GetInterfaceIP \\"eth9\\" }}" }`))[0]).toMatch(
      /^advertise\.http: no interface "eth9" in .*GetInterfaceIP "name", GetPrivateIP or GetPublicIP/,
    );
    expect((await errors(`advertise { http = "{{ GetInterfaceIP \\"empty\\" }}" }`))[0]).toMatch(
      /^advertise\.http: interface "empty" has no IPv4 address/,
    );
    expect(
      (await errors(`bind_addr = "{{ GetAllInterfaces | include \\"flags\\" \\"up\\" }}"`))[0],
    ).toMatch(/^bind_addr: unsupported template/);
    expect((await errors(`addresses { http = "x {{ GetPrivateIP }}" }`))[0]).toMatch(
      /^addresses\.http: a template must be the whole value/,
    );
    expect((await errors(`advertise { http = "a:b:c" }`))[0]).toMatch(
      /agent\.hcl:1:20: advertise\.http: expected "host" or "host:port", got "a:b:c"/,
    );
    expect((await errors(`advertise { http = "h:70000" }`))[0]).toMatch(/advertise\.http/);
    expect((await errors(`advertise { grpc = "h" }`))[0]).toMatch(
      /agent\.hcl:1:13: advertise unexpected keys grpc/,
    );
  });

  it("takes CARAVAN_ADVERTISE_HTTP (the chart's host IP) over the file", async () => {
    const r = await load(`advertise { http = "192.0.2.10" }`, {
      CARAVAN_ADVERTISE_HTTP: "198.51.100.4",
    });
    expect(r.ok && r.config.advertise?.http).toBe("198.51.100.4");
    const bad = await load("", { CARAVAN_ADVERTISE_HTTP: "not an address" });
    expect(bad.ok ? [] : bad.errors).toEqual([
      'CARAVAN_ADVERTISE_HTTP: expected "host" or "host:port", got "not an address"',
    ]);
  });

  it("records the advertised host with the listening port unless it names one", () => {
    expect(advertisedAddr(undefined, "10.1.2.3:4646")).toBe("10.1.2.3:4646");
    expect(advertisedAddr("192.0.2.10", "10.1.2.3:34567")).toBe("192.0.2.10:34567");
    expect(advertisedAddr("192.0.2.10:8080", "10.1.2.3:34567")).toBe("192.0.2.10:8080");
    expect(advertisedAddr("[fd00::1]", "10.1.2.3:4646")).toBe("[fd00::1]:4646");
  });
});
