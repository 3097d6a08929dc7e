// An allocation's Shared.Networks reads as Nomad's scheduler stores it: the
// group's network with the picked dynamic ports and the node's address, so
// `nomad alloc status` prints its "Allocation Addresses" section.
import { describe, expect, it } from "vitest";
import { allocatedNetworks } from "../../../src/api/convert/alloc-network.js";
import { parseJob, toNomadApi } from "../../../src/jobspec/index.js";

function apiJob(source: string): Record<string, unknown> {
  const r = parseJob({ file: "t.nomad.hcl", source, validation: "warn" });
  if (!r.ok) throw new Error(JSON.stringify(r));
  return JSON.parse(JSON.stringify(toNomadApi(r.job).Job));
}

const bridgeJob = `
job "web" {
  group "api" {
    network {
      mode = "bridge"
      port "http" {
        static = 8080
        to     = 80
      }
      port "metrics" {
        to = 9100
      }
    }
    task "t" {
      driver = "raw_exec"
      config { command = "sleep" }
    }
  }
}`;

describe("allocation Shared.Networks", () => {
  it("lists the bridge group's static and picked ports on the node's address", () => {
    const nets = allocatedNetworks(
      {
        ports: [
          { label: "http", value: 8080, to: 80, hostIP: "10.0.0.5" },
          { label: "metrics", value: 23456, to: 9100, hostIP: "10.0.0.5" },
        ],
      },
      apiJob(bridgeJob),
      "api",
      "192.0.2.9",
    );
    expect(nets).toHaveLength(1);
    expect(nets?.[0]).toMatchObject({
      Mode: "bridge",
      IP: "10.0.0.5",
      ReservedPorts: [{ Label: "http", Value: 8080, To: 80, HostNetwork: "default" }],
      DynamicPorts: [{ Label: "metrics", Value: 23456, To: 9100, HostNetwork: "default" }],
    });
  });

  it("is null for a group without a network, as Nomad's nil list", () => {
    const job = apiJob(bridgeJob.replace(/network \{[\s\S]*?\n {4}\}\n/, ""));
    expect(allocatedNetworks({ diskMB: 300 }, job, "api", "10.0.0.5")).toBeNull();
  });

  it("lists every placed port as picked when the job is gone", () => {
    const nets = allocatedNetworks(
      { ports: [{ label: "http", value: 31000 }] },
      null,
      "api",
      "10.0.0.5",
    );
    expect(nets?.[0]).toMatchObject({
      Mode: "host",
      IP: "10.0.0.5",
      ReservedPorts: null,
      DynamicPorts: [{ Label: "http", Value: 31000, To: 0 }],
    });
  });
});
