// Nomad-native service discovery, end to end on the real control plane:
// controllers and a node agent in this process, a client job whose template
// ranges over `nomadService "bench"`, then a job of N raw_exec allocations
// registering the service (mirrored as a Kubernetes Service). For each
// allocation: milliseconds from its task starting (its startedAt) to its
// registration being in the API (an informer sees it), to the client's
// template listing it, and to the EndpointSlice holding it as ready.
// Medians and p90s; one JSON line.
//
//   npm run bench:services [-- --allocs 100]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { AgentClient } from "../src/agent/client.js";
import { agentFieldManager, NodeRegistration } from "../src/agent/registration.js";
import { createLogger } from "../src/common/log.js";
import { startControllers } from "../src/controllers/run.js";
import { repoRoot } from "../src/controlplane/binary.js";
import { startControlPlane } from "../src/controlplane/start.js";
import type { NomadAllocation, NomadServiceRegistration } from "../src/crds/objects.js";
import { rawExecDriver } from "../src/drivers/raw_exec/index.js";
import { applyObject } from "../src/kube/apply.js";
import { loadKubeConfig } from "../src/kube/client.js";
import { Informer } from "../src/kube/informer.js";
import { caravanResource, endpointSliceResource } from "../src/kube/resources.js";

const { values } = parseArgs({ options: { allocs: { type: "string", default: "100" } } });
const count = Number(values.allocs);
const ns = "default";

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};

const tmp = mkdtempSync(path.join(os.tmpdir(), "caravan-bench-services-"));
const log = createLogger({ level: "error", json: false });
const cluster = await startControlPlane({
  dataDir: path.join(tmp, "cluster"),
  log,
  crds: [path.join(repoRoot, "charts/caravan/crds")],
});
const kc = loadKubeConfig(cluster.kubeconfigPath);
const controllers = await startControllers(kc, log, { namespace: ns });
const dataDir = path.join(tmp, "agent");
const drivers = [
  rawExecDriver({ options: { "driver.raw_exec.enable": "1" }, pluginConfig: {}, dataDir, log }),
];
const registration = new NodeRegistration(
  kc,
  log,
  {
    name: "bench",
    datacenter: "dc1",
    nodePool: "default",
    meta: {},
    dataDir,
    reserved: {},
    version: "0.1.0",
  },
  async () =>
    Object.fromEntries(
      await Promise.all(drivers.map(async (d) => [d.name, await d.fingerprint()])),
    ),
);
await registration.start();
const agent = new AgentClient({
  kc,
  log,
  nodeName: "bench",
  dataDir,
  region: "global",
  drivers: new Map(drivers.map((d) => [d.name, d])),
  fieldManager: agentFieldManager,
  logCollector: "direct",
});
agent.start();

const started = new Map<string, number>();
const registered = new Map<string, number>();
const rendered = new Map<string, number>();
const sliced = new Map<string, number>();
const allocations = new Informer<NomadAllocation>(kc, caravanResource("NomadAllocation"), log, {
  namespace: ns,
});
const onAlloc = (a: NomadAllocation) => {
  const at = a.status?.taskStates?.srv?.startedAt;
  if (a.spec.jobName === "bench" && at && !started.has(a.metadata.name))
    started.set(a.metadata.name, Date.parse(at));
};
allocations.addHandlers({ onAdd: onAlloc, onUpdate: (_o, a) => onAlloc(a), onDelete: () => {} });
const registrations = new Informer<NomadServiceRegistration>(
  kc,
  caravanResource("NomadServiceRegistration"),
  log,
  { namespace: ns },
);
registrations.addHandlers({
  onAdd: (r) => {
    if (!registered.has(r.spec.allocID)) registered.set(r.spec.allocID, Date.now());
  },
  onUpdate: () => {},
  onDelete: () => {},
});
type Slice = {
  metadata: { name: string; namespace?: string };
  endpoints?: { conditions?: { ready?: boolean }; targetRef?: { name?: string } }[];
};
const slices = new Informer<Slice & { metadata: { name: string } }>(
  kc,
  endpointSliceResource,
  log,
  { namespace: ns, labelSelector: "kubernetes.io/service-name=bench" },
);
const onSlice = (s: Slice) => {
  for (const e of s.endpoints ?? [])
    if (e.conditions?.ready && e.targetRef?.name && !sliced.has(e.targetRef.name))
      sliced.set(e.targetRef.name, Date.now());
};
slices.addHandlers({ onAdd: onSlice, onUpdate: (_o, s) => onSlice(s), onDelete: () => {} });
for (const i of [allocations, registrations, slices]) i.start();

const job = (name: string, spec: Record<string, unknown>) =>
  applyObject(kc, caravanResource("NomadJob"), { metadata: { name, namespace: ns }, spec });
const sleeper = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  driver: "raw_exec",
  config: { command: "/bin/sleep", args: ["3600"] },
  resources: { cpu: 10, memory: 10 },
  ...extra,
});

const until = async (what: string, ok: () => boolean, ms = 300_000) => {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

try {
  await job("client", {
    type: "service",
    datacenters: ["dc1"],
    groups: [
      {
        name: "client",
        tasks: [
          sleeper("render", {
            templates: [
              {
                data: '{{ range nomadService "bench" }}{{ .AllocID }}\n{{ end }}',
                destination: "local/upstreams.txt",
                changeMode: "noop",
              },
            ],
          }),
        ],
      },
    ],
  });
  let file = "";
  await until("the client to render", () => {
    const alloc = allocations.store.list().find((a) => a.spec.jobName === "client");
    if (!alloc) return false;
    file = path.join(dataDir, "alloc", alloc.metadata.name, "render", "local", "upstreams.txt");
    try {
      readFileSync(file);
      return true;
    } catch {
      return false;
    }
  });
  // The template file, read often: when each allocation first appears in it.
  const poll = setInterval(() => {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      return;
    }
    for (const id of text.split("\n")) if (id && !rendered.has(id)) rendered.set(id, Date.now());
  }, 5);

  const t0 = Date.now();
  await job("bench", {
    type: "service",
    datacenters: ["dc1"],
    meta: { caravan_kubernetes_service: "true" },
    groups: [
      {
        name: "bench",
        count,
        networks: [{ ports: [{ label: "http" }] }],
        services: [{ name: "bench", provider: "nomad", port: "http" }],
        tasks: [sleeper("srv")],
      },
    ],
  });
  await until(
    `${count} allocations registered, rendered and in the EndpointSlice`,
    () => rendered.size >= count && sliced.size >= count && started.size >= count,
  );
  clearInterval(poll);
  const deltas = (seen: Map<string, number>) =>
    [...started].flatMap(([id, at]) => (seen.has(id) ? [(seen.get(id) as number) - at] : []));
  const reg = deltas(registered);
  const tmpl = deltas(rendered);
  const slice = deltas(sliced);
  console.log(
    JSON.stringify({
      bench: "services",
      allocations: count,
      cpus: os.cpus().length,
      secondsToAllRunning: (Math.max(...started.values()) - t0) / 1000,
      medianMsToRegistration: quantile(reg, 0.5),
      p90MsToRegistration: quantile(reg, 0.9),
      medianMsToTemplate: quantile(tmpl, 0.5),
      p90MsToTemplate: quantile(tmpl, 0.9),
      medianMsToEndpointSlice: quantile(slice, 0.5),
      p90MsToEndpointSlice: quantile(slice, 0.9),
    }),
  );
} finally {
  for (const i of [allocations, registrations, slices]) i.stop();
  registration.stop();
  await agent.stop(true);
  await controllers.stop();
  await cluster.stop();
  rmSync(tmp, { recursive: true, force: true });
}
