// A node's networks read as Nomad's API shows them: NodeResources.NodeNetworks
// with every fingerprinted interface and mode, NodeResources.Networks with the
// host addresses (Nomad's older list), and HostNetworks from the client config.
import { describe, expect, it } from "vitest";
import { nodeOut } from "../../../src/api/convert/node.js";
import type { NomadNode } from "../../../src/crds/objects.js";

const idx = { create: 1, modify: 2, specModify: 1 };

describe("node networks", () => {
  it("lists the fingerprinted networks, the host addresses and the host networks", () => {
    const node = {
      apiVersion: "caravan.dev/v1alpha1",
      kind: "NomadNode",
      metadata: { name: "n1" },
      spec: {},
      status: {
        resources: {
          networks: [
            {
              mode: "host",
              device: "eth0",
              speed: 1000,
              addresses: [{ family: "ipv4", alias: "default", address: "10.0.0.5" }],
            },
            { mode: "bridge", device: "nomad" },
          ],
        },
        hostNetworks: { public: { cidr: "10.0.0.0/24", reservedPorts: "22" } },
      },
    } as unknown as NomadNode;
    const out = nodeOut(node, idx) as Record<string, Record<string, unknown>>;
    expect(out.NodeResources?.NodeNetworks).toEqual([
      {
        Mode: "host",
        Device: "eth0",
        MacAddress: "",
        Speed: 1000,
        Addresses: [
          { Family: "ipv4", Alias: "default", Address: "10.0.0.5", ReservedPorts: "", Gateway: "" },
        ],
      },
      { Mode: "bridge", Device: "nomad", MacAddress: "", Speed: 0, Addresses: [] },
    ]);
    expect(out.NodeResources?.Networks).toEqual([
      expect.objectContaining({
        Mode: "host",
        Device: "eth0",
        CIDR: "10.0.0.5/32",
        IP: "10.0.0.5",
        MBits: 1000,
      }),
    ]);
    expect(out.HostNetworks).toEqual({
      public: { Name: "public", CIDR: "10.0.0.0/24", Interface: "", ReservedPorts: "22" },
    });
  });

  it("gives Go's nulls to a node that fingerprinted no network", () => {
    const node = {
      apiVersion: "caravan.dev/v1alpha1",
      kind: "NomadNode",
      metadata: { name: "n1" },
      spec: {},
    } as unknown as NomadNode;
    const out = nodeOut(node, idx) as Record<string, Record<string, unknown>>;
    expect(out.NodeResources?.Networks).toBeNull();
    expect(out.NodeResources?.NodeNetworks).toBeNull();
    expect(out.HostNetworks).toBeNull();
  });
});
