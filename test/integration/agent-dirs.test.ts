// The client's alloc_dir and state_dir: allocation directories go under
// alloc_dir, and the record of running tasks under state_dir, not data_dir.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { readLogs } from "../../src/agent/logs/reader.js";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { allocationsOf } from "../support/allocations.js";
import { createNamespace, eventually } from "../support/kubectl.js";
import { applyJob, shTask, startTestAgent, type TestAgent } from "./agent-harness.js";

const kubeconfig = inject("kubeconfig");
const kc = loadKubeConfig(kubeconfig);
const log = createLogger({ level: "warn", json: false });
const run = Math.random().toString(36).slice(2, 7);
const dc = `dirs-${run}`;

describe("client alloc_dir and state_dir", () => {
  const elsewhere = mkdtempSync(path.join(os.tmpdir(), "caravan-dirs-"));
  const allocDir = path.join(elsewhere, "allocs");
  const stateDir = path.join(elsewhere, "state");
  let ns: string;
  let controllers: Controllers;
  let agent: TestAgent;

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "agentdirs");
    controllers = await startControllers(kc, log, { namespace: ns });
    agent = await startTestAgent(
      kc,
      log,
      { name: `dirs-${run}-node`, datacenter: dc },
      { allocDir, stateDir },
    );
  });
  afterAll(async () => {
    await agent?.stop(true);
    await controllers?.stop();
  });

  it("puts allocation directories under alloc_dir and the task record under state_dir", async () => {
    await applyJob(kubeconfig, ns, "placed", {
      type: "batch",
      datacenters: [dc],
      groups: [{ name: "g", tasks: [shTask("t", "echo here; sleep 2")] }],
    });
    const [alloc] = await eventually(async () => {
      const allocs = await allocationsOf(kubeconfig, ns, "placed");
      return allocs.length === 1 && allocs[0]?.status?.clientStatus === "running"
        ? allocs
        : undefined;
    }, "the allocation to run");
    const name = alloc?.metadata.name as string;
    expect(readdirSync(allocDir)).toEqual([name]);
    expect(existsSync(path.join(agent.dataDir, "alloc"))).toBe(false);
    expect(readFileSync(path.join(stateDir, "state.json"), "utf8")).toContain(name);
    await eventually(async () => {
      const out = readLogs(path.join(allocDir, name, "alloc", "logs"), "t", "stdout");
      return out.data.toString() === "here\n" || undefined;
    }, "the task's output in alloc_dir");
  });
});
