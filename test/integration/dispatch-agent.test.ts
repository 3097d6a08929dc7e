// A dispatch end to end with the real node agent running a raw_exec task:
// the dispatched child runs on the agent, its task reads the payload from its
// dispatch_payload file and the dispatch meta from its environment
// (NOMAD_META_<key>).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { stringify } from "yaml";
import { main } from "../../src/cli/main.js";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { createNamespace, eventually, kubectlOk } from "../support/kubectl.js";
import { startTestAgent, type TestAgent } from "./agent-harness.js";

const kubeconfig = inject("kubeconfig");
const kc = loadKubeConfig(kubeconfig);
const log = createLogger({ level: "warn", json: false });
const run = Math.random().toString(36).slice(2, 7);
const dc = `dispatch-agent-${run}`;
const nodeName = `dispatch-agent-${run}-node`;

describe("dispatch with the node agent", () => {
  let ns: string;
  let controllers: Controllers;
  let agent: TestAgent;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "caravan-dispatch-agent-"));
  const out = path.join(dataDir, "seen.txt");

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "dispatch-agent");
    controllers = await startControllers(kc, log, { namespace: ns });
    agent = await startTestAgent(kc, log, { name: nodeName, datacenter: dc });
  });
  afterAll(async () => {
    await agent?.stop();
    await controllers?.stop();
  });

  it("runs the dispatched child on the agent with its payload file and meta", async () => {
    const payloadFile = path.join(mkdtempSync(path.join(os.tmpdir(), "caravan-payload-")), "p");
    writeFileSync(payloadFile, "order 42");
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadJob",
        metadata: { name: "greet", namespace: ns },
        spec: {
          type: "batch",
          datacenters: [dc],
          parameterized: { payload: "optional", metaRequired: ["customer"] },
          groups: [
            {
              name: "greet",
              tasks: [
                {
                  name: "greet",
                  driver: "raw_exec",
                  config: {
                    command: "/bin/sh",
                    args: [
                      "-c",
                      `echo "customer=$NOMAD_META_customer payload=$(cat "$NOMAD_TASK_DIR/input.txt")" > ${out}`,
                    ],
                  },
                  dispatchPayload: { file: "input.txt" },
                  resources: { cpu: 100, memory: 32 },
                },
              ],
            },
          ],
        },
      }),
    );
    let printed = "";
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((s) => {
      printed += String(s);
      return true;
    });
    const code = await main([
      ...["job", "dispatch", "-meta", "customer=acme", "-namespace", ns, "greet", payloadFile],
      ...["-kubeconfig", kubeconfig],
    ]).finally(() => spy.mockRestore());
    expect(code).toBe(0);
    expect(printed).toMatch(/Dispatched Job ID = greet\/dispatch-/);
    await eventually(async () => (existsSync(out) ? true : undefined), "the task to run", 60_000);
    expect(readFileSync(out, "utf8")).toBe("customer=acme payload=order 42\n");
  }, 120_000);
});
