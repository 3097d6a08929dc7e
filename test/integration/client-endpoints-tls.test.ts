import { mkdtempSync, readFileSync } from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type RunningAgent, startAgent } from "../../src/agent/agent.js";
import { type RunningApi, startApi } from "../../src/api/index.js";
import { createLogger } from "../../src/common/log.js";
import { type AgentConfig, defaultAgentConfig } from "../../src/config/agent-config.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { createControllerMetrics } from "../../src/metrics/registry.js";
import { runningOf } from "../support/allocations.js";
import { makeCertificates } from "../support/certificates.js";
import { createNamespace, eventually } from "../support/kubectl.js";
import { dial, execUrl } from "../support/websocket.js";
import { applyJob, shTask } from "./agent-harness.js";

const kubeconfig = inject("kubeconfig");
const kc = loadKubeConfig(kubeconfig);
const log = createLogger({ level: "warn", json: false });
const run = Math.random().toString(36).slice(2, 7);
const dc = `client-tls-${run}`;
const dir = mkdtempSync(path.join(os.tmpdir(), "caravan-client-tls-"));
const file = (name: string) => path.join(dir, name);

/** A CA and one certificate for 127.0.0.1 that the API and the agent both use, as servers and clients. */
const makeTestCertificates = () => makeCertificates(dir, [{ name: "node", forLoopback: true }]);

function get(
  url: string,
  options: https.RequestOptions = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, options, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => {
          body += d.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}

describe("client endpoints over HTTPS", () => {
  let controllers: Controllers;
  let api: RunningApi;
  let agent: RunningAgent;
  let ns: string;
  let config: AgentConfig;

  beforeAll(async () => {
    makeTestCertificates();
    ns = await createNamespace(kubeconfig, "client-tls");
    const base = defaultAgentConfig();
    config = {
      ...base,
      ports: { http: 0 },
      tls: {
        http: true,
        verifyHttpsClient: true,
        caFile: file("ca.pem"),
        certFile: file("node.pem"),
        keyFile: file("node.key"),
      },
    };
    controllers = await startControllers(kc, log, { namespace: ns });
    api = await startApi(kc, config, log, {
      registry: createControllerMetrics().registry,
      secretNamespace: ns,
      namespace: ns,
    });
    agent = await startAgent(
      kc,
      {
        ...config,
        name: `client-tls-${run}-node`,
        datacenter: dc,
        client: {
          ...base.client,
          enabled: true,
          options: { "driver.raw_exec.enable": "1", "driver.allowlist": "raw_exec" },
        },
      },
      log,
      "0.1.0",
      mkdtempSync(path.join(os.tmpdir(), "caravan-client-tls-data-")),
    );
  });
  afterAll(async () => {
    await agent?.stop(true);
    await api?.close();
    await controllers?.stop();
  });

  it("forwards logs and exec to an HTTPS agent that asks for a client certificate", async () => {
    const tls = {
      ca: readFileSync(file("ca.pem")),
      cert: readFileSync(file("node.pem")),
      key: readFileSync(file("node.key")),
    };
    await applyJob(kubeconfig, ns, "tls", {
      datacenters: [dc],
      groups: [{ name: "g", tasks: [shTask("t", "echo over tls; sleep 600")] }],
    });
    const [a] = await eventually(async () => {
      const r = await runningOf(kubeconfig, ns, "tls");
      return r.length === 1 ? r : undefined;
    }, "the allocation to run");
    const logs = `/v1/client/fs/logs/${a?.metadata.name}?task=t&type=stdout&plain=true`;
    const viaServer = await eventually(async () => {
      const r = await get(`${api.url}${logs}`, tls);
      return r.body.includes("over tls") ? r : undefined;
    }, "the log through the server");
    expect(viaServer.status).toBe(200);
    // The node says its agent speaks TLS; without a client certificate the agent refuses the handshake.
    const node = await get(`${api.url}/v1/node/${agent.nodeName}`, tls);
    expect(JSON.parse(node.body)).toMatchObject({ HTTPAddr: agent.httpAddr, TLSEnabled: true });
    await expect(get(`https://${agent.httpAddr}${logs}`, { ca: tls.ca })).rejects.toThrow();
    expect((await get(`https://${agent.httpAddr}${logs}`, tls)).body).toContain("over tls");

    // nomad alloc exec's websocket goes through the server to the HTTPS agent too.
    const dialed = await dial(
      execUrl(api.url, a?.metadata.name, "t", ["/bin/sh", "-c", "echo exec over tls; exit 2"]),
      {},
      tls,
    );
    if (!dialed.ok) throw new Error(`exec answered ${dialed.status}: ${dialed.body}`);
    const out = await dialed.outcome;
    expect([out.stdout, out.exitCode, out.closeCode]).toEqual(["exec over tls\n", 2, 1000]);
  });
});
