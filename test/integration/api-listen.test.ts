// Where the Nomad API listens: addresses { http } takes it off bind_addr, as in Nomad.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type RunningApi, startApi } from "../../src/api/index.js";
import { createLogger } from "../../src/common/log.js";
import { defaultAgentConfig } from "../../src/config/agent-config.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { createControllerMetrics } from "../../src/metrics/registry.js";

const kubeconfig = inject("kubeconfig");

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, host);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

describe("the API's listen address", () => {
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi(
      loadKubeConfig(kubeconfig),
      {
        ...defaultAgentConfig(),
        bindAddr: "127.0.0.1",
        addresses: { http: "127.0.0.2" },
        ports: { http: 0 },
      },
      createLogger({ level: "warn", json: false }),
      { registry: createControllerMetrics().registry, secretNamespace: "default" },
    );
  });
  afterAll(async () => {
    await api?.close();
  });

  it("listens on addresses.http rather than bind_addr", async () => {
    const url = new URL(api.url);
    expect(url.hostname).toBe("127.0.0.2");
    const leader = await fetch(`${api.url}/v1/status/leader`);
    expect(leader.status).toBe(200);
    expect(await connects("127.0.0.1", Number(url.port))).toBe(false);
  });
});
