// Which service registrations an allocation has and where they point, as
// Nomad's client builds them: IDs, default names, address_mode, canary tags,
// and the errors of a service that cannot be resolved.
import { describe, expect, it } from "vitest";
import { serviceRegistrations } from "../../../src/agent/services/registrations.js";
import type { TaskGroup } from "../../../src/crds/job/index.js";
import type { NomadAllocation, NomadNode } from "../../../src/crds/objects.js";

const alloc = (extra: Record<string, unknown> = {}) =>
  ({
    metadata: { name: "0e273737-420b-49d0-72a8-9f92ed7f15c9", namespace: "default" },
    spec: {
      jobName: "web",
      group: "g",
      nodeName: "node-1",
      resources: {
        shared: {
          ports: [
            { label: "http", value: 23456, to: 8080 },
            { label: "admin", value: 23457, hostIP: "10.1.1.1" },
          ],
        },
      },
    },
    status: { networkStatus: { address: "172.26.64.9" }, ...extra },
  }) as unknown as NomadAllocation;

const node = {
  metadata: { name: "node-1" },
  spec: {},
  status: {
    name: "host-a",
    datacenter: "east",
    attributes: { "unique.network.ip-address": "192.168.1.5" },
  },
} as unknown as NomadNode;

const group = {
  name: "g",
  services: [
    { provider: "nomad", name: "web", port: "http", tags: ["v1"], canaryTags: ["canary"] },
    { provider: "nomad", name: "inside", port: "http", addressMode: "alloc" },
    { provider: "consul", port: "admin" },
    { provider: "nomad", name: "custom", address: "example.com", port: "8443" },
    { provider: "nomad", name: "bad", port: "nope" },
  ],
  tasks: [{ name: "srv", services: [{ provider: "nomad", port: "http" }] }],
} as unknown as TaskGroup;

describe("serviceRegistrations", () => {
  it("resolves group services by address_mode, with Nomad's IDs and default names", () => {
    const out = serviceRegistrations(alloc(), group, { jobID: "web", node });
    const ok = out.flatMap((o) => (o.ok ? [o.registration] : []));
    expect(ok.map((r) => [r.id, r.serviceName, `${r.address}:${r.port}`])).toEqual([
      [
        "_nomad-task-0e273737-420b-49d0-72a8-9f92ed7f15c9-group-g-web-http",
        "web",
        "192.168.1.5:23456",
      ],
      [
        "_nomad-task-0e273737-420b-49d0-72a8-9f92ed7f15c9-group-g-inside-http",
        "inside",
        "172.26.64.9:8080",
      ],
      [
        "_nomad-task-0e273737-420b-49d0-72a8-9f92ed7f15c9-group-g-web-g-admin",
        "web-g",
        "10.1.1.1:23457",
      ],
      [
        "_nomad-task-0e273737-420b-49d0-72a8-9f92ed7f15c9-group-g-custom-8443",
        "custom",
        "example.com:8443",
      ],
    ]);
    expect(ok[0]).toMatchObject({
      nodeID: "node-1",
      nodeName: "host-a",
      datacenter: "east",
      jobID: "web",
      group: "g",
      tags: ["v1"],
    });
    expect(ok[0]?.task).toBeUndefined();
    expect(out.filter((o) => !o.ok)).toEqual([
      { ok: false, service: "bad", error: 'invalid port "nope": port label not found' },
    ]);
  });

  it("names a task's services after the task, with the default job-group-task name", () => {
    const [only] = serviceRegistrations(alloc(), group, { jobID: "web", node }, "srv");
    expect(only).toEqual({
      ok: true,
      registration: expect.objectContaining({
        id: "_nomad-task-0e273737-420b-49d0-72a8-9f92ed7f15c9-srv-web-g-srv-http",
        serviceName: "web-g-srv",
        task: "srv",
        port: 23456,
      }),
    });
  });

  it("gives an unpromoted canary its canary_tags", () => {
    const [web] = serviceRegistrations(alloc({ deploymentStatus: { canary: true } }), group, {
      jobID: "web",
      node,
    });
    expect(web?.ok && web.registration.tags).toEqual(["canary"]);
  });

  it("refuses alloc mode without a network and a custom address in host mode", () => {
    const g = {
      name: "g",
      services: [
        { provider: "nomad", name: "a", port: "http", addressMode: "alloc" },
        { provider: "nomad", name: "h", port: "http", addressMode: "host", address: "x" },
      ],
      tasks: [],
    } as unknown as TaskGroup;
    const out = serviceRegistrations(alloc({ networkStatus: undefined }), g, {
      jobID: "web",
      node,
    });
    expect(out.map((o) => (o.ok ? "ok" : o.error))).toEqual([
      'cannot use address_mode="alloc": no allocation network status reported',
      'cannot use custom advertise address with "host" address mode',
    ]);
  });

  it("interpolates names and tags with the allocation's environment", () => {
    const g = {
      name: "g",
      services: [{ provider: "nomad", name: "${NOMAD_JOB_NAME}-svc", tags: ["${meta.rack}"] }],
      tasks: [],
    } as unknown as TaskGroup;
    const [r] = serviceRegistrations(alloc(), g, {
      jobID: "web",
      node,
      interpolate: (t) => t.replace("${NOMAD_JOB_NAME}", "web").replace("${meta.rack}", "r1"),
    });
    expect(r?.ok && [r.registration.serviceName, r.registration.tags, r.registration.port]).toEqual(
      ["web-svc", ["r1"], 0],
    );
  });
});
