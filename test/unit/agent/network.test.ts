import { describe, expect, it } from "vitest";
import {
  allocCniArgs,
  networkStatus,
  portMappings,
} from "../../../src/agent/network/allocnetwork.js";
import { cniArgs, pluginInput } from "../../../src/agent/network/cni.js";
import {
  defaultCniSettings,
  nomadBridgeConflist,
  parseConfFile,
} from "../../../src/agent/network/conflist.js";

describe("the nomad bridge and CNI chain inputs", () => {
  const list = nomadBridgeConflist({ ...defaultCniSettings, bridgeSubnet: "10.9.0.0/24" });
  const attachment = {
    containerId: "a1",
    netns: "/var/run/netns/a1",
    ifname: "eth0",
    args: { IgnoreUnknown: "true" },
    runtimeConfig: { portMappings: portMappings([{ label: "http", value: 24801, to: 8080 }]) },
  };

  it("chains loopback, bridge, firewall and portmap as Nomad's list does", () => {
    expect(list.plugins.map((p) => p.type)).toEqual(["loopback", "bridge", "firewall", "portmap"]);
    expect(list.plugins[1]).toMatchObject({
      bridge: "nomad",
      ipam: { ranges: [[{ subnet: "10.9.0.0/24" }]] },
    });
    expect(list.plugins[2]).toMatchObject({ iptablesAdminChainName: "NOMAD-ADMIN" });
  });

  it("gives portmap its mappings as runtimeConfig and every later plugin the result before it", () => {
    const portmap = list.plugins[3];
    if (!portmap) throw new Error("no portmap");
    const input = pluginInput(list, portmap, attachment, { cniVersion: "0.4.0", ips: [] });
    expect(input).toMatchObject({
      name: "nomad",
      cniVersion: "0.4.0",
      snat: true,
      prevResult: { ips: [] },
    });
    expect(input.runtimeConfig).toEqual({
      portMappings: [
        { hostPort: 24801, containerPort: 8080, protocol: "tcp" },
        { hostPort: 24801, containerPort: 8080, protocol: "udp" },
      ],
    });
    expect(input).not.toHaveProperty("capabilities");
    const bridge = list.plugins[1];
    if (!bridge) throw new Error("no bridge");
    expect(pluginInput(list, bridge, attachment, undefined)).not.toHaveProperty("runtimeConfig");
  });

  it("maps an unmapped port to itself and leaves out CNI args holding a semicolon", () => {
    expect(portMappings([{ label: "x", value: 25000, to: -1 }])[0]).toMatchObject({
      containerPort: 25000,
    });
    const args = allocCniArgs({
      allocId: "a",
      mode: "bridge",
      ports: [],
      args: { team: "web" },
      workload: { NOMAD_JOB_ID: "j", NOMAD_GROUP_NAME: "bad;name" },
    });
    expect(cniArgs(args)).toBe("IgnoreUnknown=true;team=web;NOMAD_JOB_ID=j");
  });

  it("reports the sandbox interface's address, as Nomad's network status", () => {
    const status = networkStatus(
      {
        interfaces: [
          { name: "nomad" },
          { name: "veth1" },
          { name: "eth0", sandbox: "/var/run/netns/a1" },
        ],
        ips: [{ version: "4", interface: 2, address: "172.26.64.2/20", gateway: "172.26.64.1" }],
      },
      "eth0",
    );
    expect(status).toEqual({ interfaceName: "eth0", address: "172.26.64.2" });
  });

  it("reads a lone plugin's .conf as a list of one and names what a file lacks", () => {
    const one = parseConfFile(
      "/x/10-mine.conf",
      JSON.stringify({ cniVersion: "1.0.0", name: "mine", type: "bridge", bridge: "br9" }),
    );
    expect(one).toEqual({
      cniVersion: "1.0.0",
      name: "mine",
      plugins: [{ type: "bridge", bridge: "br9" }],
    });
    expect(() => parseConfFile("/x/a.conflist", JSON.stringify({ name: "a" }))).toThrow(
      /no plugins/,
    );
    expect(() => parseConfFile("/x/b.conf", JSON.stringify({ type: "bridge" }))).toThrow(
      /no network name/,
    );
  });
});
