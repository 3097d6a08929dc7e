// Group networks on this host, with the real CNI plugins (Debian's
// containernetworking-plugins): a bridge group's exec task serves HTTP inside
// its allocation's namespace on `to = 8080` and is reached from the host at
// its static and its dynamic port through portmap; a cni/<name> group runs on
// a network from the agent's cni_config_dir; an unknown network blocks
// placement; a failing plugin fails the allocation. Whatever happens, no
// namespace, veth or iptables rule of the allocation is left, also when the
// allocation stopped while no agent ran and a new agent process finds it.
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type CniSettings, defaultCniSettings } from "../../src/agent/network/conflist.js";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { dockerDriver } from "../../src/drivers/docker/index.js";
import type { DriverFactory } from "../../src/drivers/driver.js";
import { execDriver } from "../../src/drivers/exec/index.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { allocationsOf, type Obj, runningOf } from "../support/allocations.js";
import { buildBusyboxImage } from "../support/images.js";
import { createNamespace, eventually, kubectlOk } from "../support/kubectl.js";
import { type PodmanService, startPodman } from "../support/podman.js";
import {
  applyJob,
  environOf,
  eventTypes,
  marker,
  processesWith,
  startTestAgent,
  type TestAgent,
} from "./agent-harness.js";

const kubeconfig = inject("kubeconfig");
const kc = loadKubeConfig(kubeconfig);
const log = createLogger({ level: "warn", json: false });
const run = Math.random().toString(36).slice(2, 7);
const dc = `net-${run}`;
const nodeName = `net-${run}-node`;
const dataDir = mkdtempSync(path.join(os.tmpdir(), "caravan-net-"));
const confDir = mkdtempSync(path.join(os.tmpdir(), "caravan-cni-conf-"));
// A bridge and subnets of this file's own, so tests running beside it never share them.
const bridge = `cvb-${run}`;
const cniBridge = `cvc-${run}`;
const cni: CniSettings = {
  ...defaultCniSettings,
  cniConfigDir: confDir,
  bridgeName: bridge,
  bridgeSubnet: "172.31.248.0/24",
};

writeFileSync(
  path.join(confDir, "10-testnet.conflist"),
  JSON.stringify({
    cniVersion: "1.0.0",
    name: "testnet",
    plugins: [
      { type: "loopback" },
      {
        type: "bridge",
        bridge: cniBridge,
        isGateway: true,
        ipMasq: true,
        ipam: {
          type: "host-local",
          ranges: [[{ subnet: "172.31.249.0/24" }]],
          routes: [{ dst: "0.0.0.0/0" }],
        },
      },
      { type: "portmap", capabilities: { portMappings: true } },
    ],
  }),
);
writeFileSync(
  path.join(confDir, "20-broken.conflist"),
  JSON.stringify({
    cniVersion: "1.0.0",
    name: "broken",
    plugins: [{ type: "loopback" }, { type: "no-such-plugin" }],
  }),
);

/** What is left on the host of an allocation's network: its namespace, veths on the bridge, iptables rules. */
function leftovers(allocName: string, address: string | undefined, bridgeName: string): string[] {
  const left: string[] = [];
  if (existsSync(`/var/run/netns/${allocName}`)) left.push(`namespace /var/run/netns/${allocName}`);
  const veths = execFileSync("ip", ["-o", "link", "show", "master", bridgeName], {
    stdio: ["ignore", "pipe", "ignore"],
  })
    .toString()
    .trim();
  if (veths) left.push(`veths on ${bridgeName}: ${veths}`);
  for (const rule of execFileSync("iptables-save").toString().split("\n"))
    if (rule.includes(allocName) || (address && rule.includes(`${address}/32`)))
      left.push(`iptables: ${rule}`);
  return left;
}

/** The busybox httpd a task runs (not the shells around it). */
function httpd(m: string): number[] {
  return processesWith(`/local/w${m}`).filter((pid) =>
    readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith("busybox\0httpd"),
  );
}

function bridgeExists(name: string): boolean {
  return existsSync(`/sys/class/net/${name}`);
}

/** An exec task serving `text` with busybox httpd on 8080 inside the group's namespace. */
function httpdTask(m: string, text: string) {
  return {
    name: "web",
    driver: "exec",
    config: {
      command: "/bin/sh",
      args: [
        "-c",
        `mkdir -p /local/w${m} && echo ${text} > /local/w${m}/index.html && exec busybox httpd -f -p 8080 -h /local/w${m}`,
      ],
    },
    resources: { cpu: 50, memory: 32 },
  };
}

function group(mode: string, m: string, text: string, staticPort?: number) {
  return {
    name: "g",
    networks: [
      {
        mode,
        ports: [
          { label: "http", ...(staticPort ? { static: staticPort } : {}), to: 8080 },
          { label: "dyn", to: 8080 },
        ],
      },
    ],
    tasks: [httpdTask(m, text)],
  };
}

async function get(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  return (await res.text()).trim();
}

async function runningAlloc(ns: string, job: string): Promise<Obj> {
  return eventually(async () => {
    const [a] = await runningOf(kubeconfig, ns, job);
    return a?.status?.clientStatus === "running" ? a : undefined;
  }, `${job} running`);
}

function portOf(alloc: Obj, label: string): number {
  return (alloc.spec.resources.shared.ports as { label: string; value: number }[]).find(
    (p) => p.label === label,
  )?.value as number;
}

function nodeAddress(): string {
  const out = execFileSync("kubectl", [
    "--kubeconfig",
    kubeconfig,
    "get",
    "nomadnode",
    nodeName,
    "-o",
    "jsonpath={.status.attributes.unique\\.network\\.ip-address}",
  ]).toString();
  return out || "127.0.0.1";
}

describe("group networks: bridge and CNI namespaces", () => {
  let ns: string;
  let controllers: Controllers;
  let agent: TestAgent;
  let podman: PodmanService;
  let image: string;
  // Docker's API from Podman, as the docker driver's tests use it.
  const docker: DriverFactory = (ctx) =>
    dockerDriver({ ...ctx, pluginConfig: { endpoint: podman.endpoint } });
  const drivers = [execDriver, docker];
  const hostNetworks = { loopback: { cidr: "127.0.0.0/8" } };

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "net");
    podman = await startPodman();
    image = await buildBusyboxImage(podman, `localhost/net-busybox:${run}`, `docker-${run}\n`);
    controllers = await startControllers(kc, log, { namespace: ns });
    agent = await startTestAgent(kc, log, {
      name: nodeName,
      datacenter: dc,
      drivers,
      cni,
      dataDir,
      hostNetworks,
    });
  });
  afterAll(async () => {
    await agent?.stop(true);
    await controllers?.stop();
    await podman?.stop();
    for (const b of [bridge, cniBridge])
      if (bridgeExists(b)) execFileSync("ip", ["link", "delete", b]);
    execFileSync("sh", [
      "-c",
      `iptables -D NOMAD-ADMIN -o ${bridge} -d ${cni.bridgeSubnet} -j ACCEPT 2>/dev/null || true`,
    ]);
  });

  it("offers bridge and each cni_config_dir network as modes", async () => {
    const node = await eventually(async () => {
      const out = await kubectlOk(kubeconfig, ["get", "nomadnode", nodeName, "-o", "json"]);
      const n = JSON.parse(out) as Obj;
      return n.status?.resources?.networks ? n : undefined;
    }, "the node's networks");
    const modes = (node.status.resources.networks as { mode: string }[]).map((n) => n.mode);
    expect(modes).toEqual(expect.arrayContaining(["host", "bridge", "cni/testnet", "cni/broken"]));
    expect(node.status.attributes["nomad.bridge.hairpin_mode"]).toBe("false");
    // Debian's plugins say no version of their own: the protocol version they print stands in, as in Nomad.
    expect(node.status.attributes["plugins.cni.version.bridge"]).toMatch(/^v?\d+\.\d+\.\d+/);
  });

  it("serves an exec task on to = 8080 at its static and dynamic host ports, with Nomad's variables, and leaves nothing behind", async () => {
    const m = marker();
    await applyJob(kubeconfig, ns, "web", {
      datacenters: [dc],
      groups: [group("bridge", m, `hello-${m}`, 24802)],
    });
    const alloc = await runningAlloc(ns, "web");
    const name = alloc.metadata.name as string;
    const address = alloc.status.networkStatus?.address as string;
    expect(alloc.status.networkStatus).toMatchObject({ interfaceName: "eth0" });
    expect(address).toMatch(/^172\.31\.248\.\d+$/);
    const dyn = portOf(alloc, "dyn");
    const ip = nodeAddress();
    expect(
      await eventually(
        async () => get("http://127.0.0.1:24802/").catch(() => undefined),
        "the static port",
      ),
    ).toBe(`hello-${m}`);
    expect(await get(`http://${ip}:${dyn}/`)).toBe(`hello-${m}`);

    const [pid] = httpd(m);
    expect(pid).toBeDefined();
    // The task runs in the allocation's namespace, not the host's.
    expect(readlinkSync(`/proc/${pid}/ns/net`)).toBe(
      `net:[${statSync(`/var/run/netns/${name}`).ino}]`,
    );
    expect(environOf(pid as number)).toMatchObject({
      NOMAD_PORT_http: "8080",
      NOMAD_ALLOC_PORT_http: "8080",
      NOMAD_HOST_PORT_http: "24802",
      NOMAD_PORT_dyn: "8080",
      NOMAD_HOST_PORT_dyn: String(dyn),
      NOMAD_IP_dyn: ip,
      NOMAD_ADDR_dyn: `${ip}:${dyn}`,
      NOMAD_ALLOC_IP_http: address,
      NOMAD_ALLOC_ADDR_http: `${address}:8080`,
      NOMAD_ALLOC_INTERFACE_http: "eth0",
    });

    await kubectlOk(kubeconfig, ["delete", "nomadjob", "web", "-n", ns, "--timeout=60s"]);
    await eventually(
      async () => (leftovers(name, address, bridge).length === 0 ? true : undefined),
      "the allocation's network gone",
    );
    expect(leftovers(name, address, bridge)).toEqual([]);
    await expect(get("http://127.0.0.1:24802/")).rejects.toThrow();
  });

  it("tears down the namespace of an allocation stopped while no agent ran, when the agent starts again", async () => {
    const m = marker();
    await applyJob(kubeconfig, ns, "again", {
      datacenters: [dc],
      groups: [group("bridge", m, `again-${m}`, 24803)],
    });
    const alloc = await runningAlloc(ns, "again");
    const name = alloc.metadata.name as string;
    const address = alloc.status.networkStatus?.address as string;
    expect(
      await eventually(
        async () => get("http://127.0.0.1:24803/").catch(() => undefined),
        "the static port",
      ),
    ).toBe(`again-${m}`);

    // The agent goes away leaving its task running (as after a SIGKILL); the job is stopped meanwhile.
    await agent.stop(false);
    await kubectlOk(kubeconfig, [
      "patch",
      "nomadjob",
      "again",
      "-n",
      ns,
      "--type=merge",
      "-p",
      '{"spec":{"stop":true}}',
    ]);
    await eventually(async () => {
      const [a] = await allocationsOf(kubeconfig, ns, "again");
      return a?.spec.desiredStatus === "stop" ? true : undefined;
    }, "the allocation told to stop");
    expect(existsSync(`/var/run/netns/${name}`)).toBe(true);

    agent = await startTestAgent(kc, log, {
      name: nodeName,
      datacenter: dc,
      drivers,
      cni,
      dataDir,
      hostNetworks,
    });
    await eventually(
      async () =>
        leftovers(name, address, bridge).length === 0 && httpd(m).length === 0 ? true : undefined,
      "the task stopped and the allocation's network gone",
    );
  });

  it("runs a docker task in the group's namespace, reached through the mapped port", async () => {
    await applyJob(kubeconfig, ns, "boxed", {
      datacenters: [dc],
      groups: [
        {
          name: "g",
          networks: [{ mode: "bridge", ports: [{ label: "http", static: 24806, to: 8080 }] }],
          tasks: [
            {
              name: "web",
              driver: "docker",
              config: { image },
              resources: { cpu: 50, memory: 32 },
            },
          ],
        },
      ],
    });
    const alloc = await runningAlloc(ns, "boxed");
    const name = alloc.metadata.name as string;
    const address = alloc.status.networkStatus?.address as string;
    expect(
      await eventually(
        async () => get("http://127.0.0.1:24806/").catch(() => undefined),
        "the container's port",
      ),
    ).toBe(`docker-${run}`);
    const inspect = JSON.parse(
      await podman.podman(["inspect", "--type", "container", `web-${name}`]),
    );
    expect(inspect[0]?.HostConfig?.NetworkMode).toBe(`ns:/var/run/netns/${name}`);
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "boxed", "-n", ns, "--timeout=60s"]);
    await eventually(
      async () => (leftovers(name, address, bridge).length === 0 ? true : undefined),
      "the allocation's network gone",
    );
  });

  it("maps a port of a host_network on that network's address only", async () => {
    const m = marker();
    const g = group("bridge", m, `lo-${m}`);
    await applyJob(kubeconfig, ns, "local", {
      datacenters: [dc],
      groups: [
        {
          ...g,
          networks: [
            {
              mode: "bridge",
              ports: [{ label: "http", static: 24807, to: 8080, hostNetwork: "loopback" }],
            },
          ],
        },
      ],
    });
    const alloc = await runningAlloc(ns, "local");
    expect(alloc.spec.resources.shared.ports).toEqual([
      { label: "http", value: 24807, to: 8080, hostIP: "127.0.0.1" },
    ]);
    expect(
      await eventually(
        async () => get("http://127.0.0.1:24807/").catch(() => undefined),
        "the port on loopback",
      ),
    ).toBe(`lo-${m}`);
    const ip = nodeAddress();
    if (ip !== "127.0.0.1") await expect(get(`http://${ip}:24807/`)).rejects.toThrow();
    const [pid] = httpd(m);
    expect(environOf(pid as number)).toMatchObject({
      NOMAD_IP_http: "127.0.0.1",
      NOMAD_ADDR_http: "127.0.0.1:24807",
    });
    const name = alloc.metadata.name as string;
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "local", "-n", ns, "--timeout=60s"]);
    await eventually(
      async () =>
        leftovers(name, alloc.status.networkStatus?.address, bridge).length === 0
          ? true
          : undefined,
      "the allocation's network gone",
    );
  });

  it("runs a cni/<name> group on the network its config file defines", async () => {
    const m = marker();
    await applyJob(kubeconfig, ns, "custom", {
      datacenters: [dc],
      groups: [group("cni/testnet", m, `cni-${m}`, 24804)],
    });
    const alloc = await runningAlloc(ns, "custom");
    const name = alloc.metadata.name as string;
    const address = alloc.status.networkStatus?.address as string;
    expect(address).toMatch(/^172\.31\.249\.\d+$/);
    expect(
      await eventually(
        async () => get(`http://${nodeAddress()}:24804/`).catch(() => undefined),
        "the mapped port",
      ),
    ).toBe(`cni-${m}`);
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "custom", "-n", ns, "--timeout=60s"]);
    await eventually(
      async () => (leftovers(name, address, cniBridge).length === 0 ? true : undefined),
      "the allocation's network gone",
    );
  });

  it("fails the allocation with a Setup Failure naming the plugin when a CNI plugin cannot run, leaving nothing", async () => {
    const m = marker();
    await applyJob(kubeconfig, ns, "broken", {
      datacenters: [dc],
      groups: [group("cni/broken", m, "x")],
    });
    const alloc = await eventually(async () => {
      const [a] = await allocationsOf(kubeconfig, ns, "broken");
      return a?.status?.clientStatus === "failed" ? a : undefined;
    }, "the allocation failed");
    expect(eventTypes(alloc, "web")).toContain("Setup Failure");
    const event = (
      alloc.status.taskStates.web.events as { type: string; displayMessage: string }[]
    ).find((e) => e.type === "Setup Failure");
    expect(event?.displayMessage).toContain('pre-run hook "network" failed');
    expect(event?.displayMessage).toContain('"no-such-plugin"');
    expect(alloc.status.taskStates.web).toMatchObject({ state: "dead", failed: true });
    expect(existsSync(`/var/run/netns/${alloc.metadata.name}`)).toBe(false);
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "broken", "-n", ns, "--timeout=60s"]);
  });

  it("does not place a group on a CNI network no node offers, and says which", async () => {
    await applyJob(kubeconfig, ns, "nope", {
      datacenters: [dc],
      groups: [{ ...group("cni/nope", marker(), "x"), name: "g" }],
    });
    const evaluation = await eventually(async () => {
      const out = await kubectlOk(kubeconfig, ["get", "nomadevaluations", "-n", ns, "-o", "json"]);
      const evals = (JSON.parse(out).items as Obj[]).filter(
        (e) => e.spec?.jobName === "nope" && e.status?.failedTGAllocs?.g,
      );
      return evals[0];
    }, "the placement failure");
    expect(evaluation.status.failedTGAllocs.g.constraintFiltered).toMatchObject({
      "missing network": 1,
    });
    expect(await allocationsOf(kubeconfig, ns, "nope")).toEqual([]);
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "nope", "-n", ns, "--timeout=60s"]);
  });
});
