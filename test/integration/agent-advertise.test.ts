// advertise { http }: an agent listening on every address records the address
// it is told to advertise on its NomadNode (what the API server forwards
// client requests to), with the port it listens on, and is reachable there.
import { mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { type RunningAgent, startAgent } from "../../src/agent/agent.js";
import { createLogger } from "../../src/common/log.js";
import { loadAgentConfig } from "../../src/config/load.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { eventually, kubectlOk } from "../support/kubectl.js";

const kubeconfig = inject("kubeconfig");
const run = Math.random().toString(36).slice(2, 7);

describe("advertise", () => {
  const agents: RunningAgent[] = [];
  afterAll(async () => {
    for (const a of agents) await a.stop(true);
  });

  it("records the advertised address, not the first external one, as the node's HTTP address", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "caravan-advertise-"));
    const name = `advertise-${run}`;
    // 127.0.0.2 is loopback too, and never what "the first external IPv4" picks;
    // the environment (the chart's host IP) wins over the file.
    writeFileSync(
      path.join(dir, "agent.hcl"),
      `name = "${name}"
       bind_addr = "0.0.0.0"
       ports { http = 0 }
       advertise {
         http = "{{ GetInterfaceIP \\"lo\\" }}"
         rpc  = "127.0.0.2:4647"
       }
       client { enabled = true }`,
    );
    const loaded = await loadAgentConfig({
      files: [path.join(dir, "agent.hcl")],
      env: { CARAVAN_ADVERTISE_HTTP: "127.0.0.2" },
    });
    if (!loaded.ok) throw new Error(loaded.errors.join("\n"));
    const agent = await startAgent(
      loadKubeConfig(kubeconfig),
      loaded.config,
      createLogger({ level: "warn", json: false }),
      "0.1.0",
      path.join(dir, "data"),
    );
    agents.push(agent);
    expect(agent.httpAddr).toMatch(/^127\.0\.0\.2:\d+$/);
    const recorded = await eventually(async () => {
      const node = JSON.parse(
        await kubectlOk(kubeconfig, ["get", `nomadnode/${name}`, "-o", "json"]),
      );
      return node.status?.httpAddr as string | undefined;
    }, "the node's httpAddr");
    expect(recorded).toBe(agent.httpAddr);
    // The agent answers there: an allocation it does not hold is Nomad's 404.
    const status = await new Promise<number | undefined>((resolve, reject) =>
      http
        .get(`http://${recorded}/v1/client/fs/logs/nope?task=t&type=stdout`, (res) => {
          res.resume();
          resolve(res.statusCode);
        })
        .on("error", reject),
    );
    expect(status).toBe(404);
  });
});
