// /v1/status, /v1/agent, /v1/regions, /v1/namespaces and /v1/metrics: what
// clients ask to find the cluster (the Go client reads the region and
// datacenter from /v1/agent/self).
import os from "node:os";
import { version } from "../../common/version.js";
import type { Route } from "../../http/context.js";
import { notFound } from "../../http/errors.js";
import { namespaceResource } from "../../kube/resources.js";
import { listObjects } from "../../kube/rest.js";
import type { RouteDeps } from "./deps.js";

interface Namespace {
  metadata: {
    name: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
  };
}

export function agentRoutes(deps: RouteDeps): Route[] {
  const { config } = deps;
  const name = config.name ?? os.hostname();
  const serverAddr = `${config.bindAddr}:4647`;
  const member = {
    Name: `${name}.${config.region}`,
    Addr: config.bindAddr,
    Port: 4648,
    Tags: { region: config.region, dc: config.datacenter, role: "nomad", build: version() },
    Status: "alive",
    ProtocolMin: 1,
    ProtocolMax: 5,
    ProtocolCur: 2,
    DelegateMin: 2,
    DelegateMax: 5,
    DelegateCur: 4,
  };

  async function namespaces() {
    const list = await listObjects<Namespace>(deps.kc, namespaceResource);
    return list
      .filter((n) => !n.metadata.name.startsWith("kube-"))
      .map((n) => ({
        Name: n.metadata.name,
        Description: "",
        Quota: "",
        Meta: null,
        CreateIndex: Number(n.metadata.resourceVersion) || 0,
        ModifyIndex: Number(n.metadata.resourceVersion) || 0,
      }));
  }

  return [
    {
      method: "GET",
      path: "/v1/status/leader",
      acl: "anonymous",
      handle: () => ({ body: serverAddr }),
    },
    {
      method: "GET",
      path: "/v1/status/peers",
      acl: "anonymous",
      handle: () => ({ body: [serverAddr] }),
    },
    {
      method: "GET",
      path: "/v1/regions",
      acl: "anonymous",
      handle: () => ({ body: [config.region] }),
    },
    {
      method: "GET",
      path: "/v1/agent/self",
      acl: "agent:read",
      handle: () => {
        return {
          body: {
            config: {
              Region: config.region,
              Datacenter: config.datacenter,
              NodeName: name,
              Version: { Version: version(), VersionPrerelease: "", VersionMetadata: "" },
              ACL: { Enabled: deps.auth.enabled },
              Server: { Enabled: true },
              Client: { Enabled: config.client.enabled },
            },
            member,
            stats: {},
          },
        };
      },
    },
    {
      method: "GET",
      path: "/v1/agent/health",
      acl: "anonymous",
      // Load balancers and `nomad operator` ask without a token, as with Nomad.
      handle: () => ({
        body: {
          server: { ok: true, message: "ok" },
          ...(config.client.enabled ? { client: { ok: true, message: "ok" } } : {}),
        },
      }),
    },
    {
      method: "GET",
      path: "/v1/agent/members",
      // Nomad's Status.Members asks for node read.
      acl: "node:read",
      handle: () => {
        return {
          body: {
            ServerName: name,
            ServerRegion: config.region,
            ServerDC: config.datacenter,
            Members: [member],
          },
        };
      },
    },
    {
      method: "GET",
      path: "/v1/namespaces",
      acl: "filtered",
      handle: async (ctx) => ({
        body: (await namespaces()).filter((n) => ctx.acl.anyInNamespace(n.Name)),
        index: 1,
      }),
    },
    {
      method: "GET",
      path: "/v1/namespace/:name",
      acl: "ns:any",
      aclNamespace: (ctx) => ctx.params.name ?? "",
      handle: async (ctx) => {
        const want = ctx.params.name ?? "";
        const found = (await namespaces()).find((n) => n.Name === want);
        if (!found) throw notFound("namespace");
        return { body: found, index: found.ModifyIndex };
      },
    },
    {
      method: "GET",
      path: "/v1/metrics",
      // Nomad's metrics endpoint checks no ACL (Prometheus scrapes it without a token).
      acl: "anonymous",
      handle: async (ctx) => {
        const { registry } = deps;
        if (ctx.query.get("format") === "prometheus")
          return {
            text: await registry.metrics(),
            headers: { "Content-Type": registry.contentType },
          };
        const metrics = await registry.getMetricsAsJSON();
        const gauges: unknown[] = [];
        const counters: unknown[] = [];
        const samples: unknown[] = [];
        for (const m of metrics) {
          for (const v of m.values) {
            const entry = { Name: m.name, Labels: v.labels };
            if (String(m.type) === "gauge") gauges.push({ ...entry, Value: v.value });
            else if (String(m.type) === "counter")
              counters.push({
                ...entry,
                Count: v.value,
                Sum: v.value,
                Min: 0,
                Max: 0,
                Mean: 0,
                Rate: 0,
                Stddev: 0,
              });
            else samples.push({ ...entry, Count: v.value, Sum: v.value });
          }
        }
        return {
          body: {
            Timestamp: new Date().toISOString().replace("T", " ").replace("Z", " +0000 UTC"),
            Gauges: gauges,
            Counters: counters,
            Samples: samples,
            Points: [],
          },
        };
      },
    },
  ];
}
