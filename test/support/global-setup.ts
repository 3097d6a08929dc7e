// Starts one real control plane (etcd, kube-apiserver, kube-controller-manager
// with the garbage collector) for the integration tests, installs the CRDs and
// hands the kubeconfig to the tests; tears it all down afterwards.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { createLogger } from "../../src/common/log.js";
import { repoRoot } from "../../src/controlplane/binary.js";
import { type ControlPlane, startControlPlane } from "../../src/controlplane/start.js";

declare module "vitest" {
  export interface ProvidedContext {
    kubeconfig: string;
  }
}

let controlPlane: ControlPlane | undefined;
let dataDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  const log = createLogger({
    level: process.env.CARAVAN_TEST_LOG_LEVEL === "debug" ? "debug" : "info",
    json: false,
  });
  dataDir = mkdtempSync(path.join(os.tmpdir(), "caravan-it-"));
  const started = Date.now();
  controlPlane = await startControlPlane({
    dataDir,
    log,
    crds: [path.join(repoRoot, "charts/caravan/crds")],
  });
  log.info({ seconds: (Date.now() - started) / 1000 }, "test control plane ready");
  project.provide("kubeconfig", controlPlane.kubeconfigPath);
}

export async function teardown(): Promise<void> {
  await controlPlane?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
