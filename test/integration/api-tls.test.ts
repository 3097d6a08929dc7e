import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type RunningApi, startApi } from "../../src/api/index.js";
import { createLogger } from "../../src/common/log.js";
import { defaultAgentConfig } from "../../src/config/agent-config.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { createControllerMetrics } from "../../src/metrics/registry.js";
import { makeCertificates } from "../support/certificates.js";

const kubeconfig = inject("kubeconfig");
const dir = mkdtempSync(path.join(os.tmpdir(), "caravan-api-tls-"));
const file = (name: string) => path.join(dir, name);

/** A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. */
const makeTestCertificates = () =>
  makeCertificates(dir, [
    { name: "server", forLoopback: true },
    { name: "client", forLoopback: false },
  ]);

function get(
  url: string,
  options: https.RequestOptions = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = (url.startsWith("https") ? https : http).get(url, options, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => {
        body += d.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
  });
}

describe("Nomad HTTP API: TLS and connection limits", () => {
  let api: RunningApi;
  let limited: RunningApi;
  const log = createLogger({ level: "warn", json: false });

  beforeAll(async () => {
    makeTestCertificates();
    const kc = loadKubeConfig(kubeconfig);
    const registry = createControllerMetrics().registry;
    api = await startApi(
      kc,
      {
        ...defaultAgentConfig(),
        ports: { http: 0 },
        tls: {
          http: true,
          caFile: file("ca.pem"),
          certFile: file("server.pem"),
          keyFile: file("server.key"),
          verifyHttpsClient: true,
        },
      },
      log,
      { registry, secretNamespace: "default" },
    );
    limited = await startApi(
      kc,
      { ...defaultAgentConfig(), ports: { http: 0 }, limits: { httpMaxConnsPerClient: 2 } },
      log,
      { registry, secretNamespace: "default" },
    );
  });
  afterAll(async () => {
    await api?.close();
    await limited?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves HTTPS to clients with a certificate from the CA", async () => {
    expect(api.url).toMatch(/^https:/);
    const ca = readFileSync(file("ca.pem"));
    const r = await get(`${api.url}/v1/status/leader`, {
      ca,
      cert: readFileSync(file("client.pem")),
      key: readFileSync(file("client.key")),
    });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatch(/:4647$/);
    await expect(get(`${api.url}/v1/status/leader`, { ca })).rejects.toThrow();
    await expect(get(`${api.url.replace("https:", "http:")}/v1/status/leader`)).rejects.toThrow();
  });

  it("turns away connections over http_max_conns_per_client", async () => {
    const port = new URL(limited.url).port;
    const open = async () => {
      const socket = net.connect(Number(port), "127.0.0.1");
      await new Promise((resolve) => socket.once("connect", resolve));
      return socket;
    };
    const first = await open();
    const second = await open();
    // Both held open: the third from the same address is refused.
    const third = await open();
    const answer = await new Promise<string>((resolve) => {
      let text = "";
      third.on("data", (d: Buffer) => {
        text += d.toString();
      });
      third.on("close", () => resolve(text));
      third.write("GET /v1/status/leader HTTP/1.1\r\nHost: x\r\n\r\n");
    });
    expect(answer).toMatch(/^HTTP\/1\.1 429/);
    first.destroy();
    second.destroy();
    await new Promise((r) => setTimeout(r, 200));
    const after = await get(`${limited.url}/v1/status/leader`, { agent: false });
    expect(after.status).toBe(200);
  });
});
