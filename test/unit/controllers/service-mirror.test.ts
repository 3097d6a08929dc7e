// A Nomad service mirrored into Kubernetes: one Service, one EndpointSlice per
// port number, endpoints ready while the checks pass, and registrations a
// slice cannot hold left out with the reason.
import { describe, expect, it } from "vitest";
import {
  mirrorObjects,
  serviceNameProblem,
} from "../../../src/controllers/services/mirror-objects.js";
import type { NomadServiceRegistration } from "../../../src/crds/objects.js";

const reg = (id: string, address: string, port: number, checkStatus?: string) =>
  ({
    metadata: { name: id, namespace: "shop" },
    spec: { id, serviceName: "web", address, port, allocID: `alloc-${id}`, nodeName: "n1" },
    status: checkStatus ? { checkStatus } : {},
  }) as unknown as NomadServiceRegistration;

describe("mirrorObjects", () => {
  it("groups endpoints by port, with readiness from the checks", () => {
    const out = mirrorObjects("shop", "web", [
      reg("b", "10.0.0.2", 8080, "critical"),
      reg("a", "10.0.0.1", 8080, "passing"),
      reg("c", "10.0.0.3", 9090),
      reg("d", "db.example.com", 8080),
      reg("e", "10.0.0.5", 0),
    ]);
    expect(out.service).toMatchObject({
      metadata: { name: "web", namespace: "shop", labels: { "caravan.dev/nomad-service": "web" } },
      spec: { type: "ClusterIP", ports: [{ name: "nomad", port: 8080, protocol: "TCP" }] },
    });
    expect(
      out.slices.map((s) => [
        s.metadata.name,
        (s.ports as { port: number }[])[0]?.port,
        (s.endpoints as { addresses: string[]; conditions: { ready: boolean } }[]).map((e) => [
          e.addresses[0],
          e.conditions.ready,
        ]),
      ]),
    ).toEqual([
      [
        "web-nomad-8080",
        8080,
        [
          ["10.0.0.1", true],
          ["10.0.0.2", false],
        ],
      ],
      ["web-nomad-9090", 9090, [["10.0.0.3", true]]],
    ]);
    expect(out.slices[0]?.metadata).toMatchObject({
      labels: {
        "kubernetes.io/service-name": "web",
        "endpointslice.kubernetes.io/managed-by": "caravan.dev",
      },
    });
    expect(out.skipped).toEqual(['d: address "db.example.com" is not an IP address', "e: no port"]);
  });

  it("says which service names cannot name a Kubernetes Service", () => {
    expect(serviceNameProblem("web-api")).toBeUndefined();
    expect(serviceNameProblem("9web")).toMatch(/must be a DNS-1035 label/);
    expect(serviceNameProblem("Web")).toMatch(/must be a DNS-1035 label/);
  });
});
