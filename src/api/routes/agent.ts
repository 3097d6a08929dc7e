// /v1/status, /v1/agent, /v1/regions and /v1/metrics: what
// clients ask to find the cluster (the Go client reads the region and
// datacenter from /v1/agent/self).
import os from "node:os";
import { formatGoDurationMs } from "../../common/duration.js";
import { version } from "../../common/version.js";
import { agentName } from "../../config/agent-config.js";
import { nodeLeaseNamespace } from "../../crds/names.js";
import type { Route } from "../../http/context.js";
import { leaseResource } from "../../kube/resources.js";
import { ApiError, getObject } from "../../kube/rest.js";
import { byNode } from "../state.js";
import type { RouteDeps } from "./deps.js";

export function agentRoutes(deps: RouteDeps): Route[] {
  const { config } = deps;
  const name = agentName(config);
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
      handle: async () => {
        const stats: Record<string, Record<string, string>> = {
          runtime: runtimeStats(),
          nomad: { server: "true", leader_addr: serverAddr, known_regions: "1" },
        };
        // `nomad node status -self` reads the client's node ID here: only an agent that
        // runs a client (`caravan dev`) has one, as Nomad's.
        if (config.client.enabled) stats.client = await clientStats(deps, name, serverAddr);
        return {
          body: {
            config: {
              Region: config.region,
              Datacenter: config.datacenter,
              NodeName: name,
              Version: { Version: version(), VersionPrerelease: "", VersionMetadata: "" },
              ACL: { Enabled: deps.auth.enabled },
              Server: { Enabled: true },
              Client: {
                Enabled: config.client.enabled,
                ...(config.client.enabled
                  ? {
                      NodeClass: config.client.nodeClass ?? "",
                      NodePool: config.client.nodePool ?? "default",
                      Meta: config.client.meta,
                      Options: config.client.options,
                    }
                  : {}),
              },
            },
            member,
            stats,
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

/** Nomad's runtime stats, of this process (Node.js standing in for Go's runtime). */
function runtimeStats(): Record<string, string> {
  const arch: Record<string, string> = { x64: "amd64", ia32: "386", arm64: "arm64", arm: "arm" };
  return {
    arch: arch[process.arch] ?? process.arch,
    cpu_count: String(os.availableParallelism()),
    "kernel.name": os.platform(),
    version: `node ${process.version}`,
  };
}

interface NodeLease {
  spec?: { leaseDurationSeconds?: number; renewTime?: string };
}

/** Nomad's client stats: the local node, its allocations, and its heartbeat (its Lease). */
async function clientStats(
  deps: RouteDeps,
  nodeName: string,
  serverAddr: string,
): Promise<Record<string, string>> {
  const lease = await getObject<NodeLease>(
    deps.kc,
    leaseResource,
    nodeName,
    nodeLeaseNamespace,
  ).catch((err: unknown) => {
    if (err instanceof ApiError && err.statusCode === 404) return undefined;
    throw err;
  });
  const renewed = lease?.spec?.renewTime ? Date.parse(lease.spec.renewTime) : Number.NaN;
  const now = deps.now?.() ?? Date.now();
  return {
    node_id: nodeName,
    known_servers: serverAddr,
    num_allocations: String(deps.state.allocations.store.byIndex(byNode, nodeName).length),
    heartbeat_ttl: formatGoDurationMs((lease?.spec?.leaseDurationSeconds ?? 0) * 1000),
    last_heartbeat: Number.isNaN(renewed) ? "0s" : formatGoDurationMs(Math.max(0, now - renewed)),
  };
}
