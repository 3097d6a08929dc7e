// Installs Caravan's CRDs (the checked-in YAML under charts/caravan/crds) with
// server-side apply and waits until the API server serves them.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import type { ObjectMeta } from "../crds/meta.js";
import { applyObject } from "./apply.js";
import type { KubeConfig } from "./kubeconfig.js";
import { crdResource } from "./resources.js";
import { getObject } from "./rest.js";

interface CustomResourceDefinition {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  status?: { conditions?: { type: string; status: string }[] };
  [field: string]: unknown;
}

export function readCrdManifests(crdDir: string): CustomResourceDefinition[] {
  return readdirSync(crdDir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => parse(readFileSync(path.join(crdDir, f), "utf8")) as CustomResourceDefinition);
}

export async function installCrds(
  kc: KubeConfig,
  crdDir: string,
  timeoutMs = 60_000,
): Promise<string[]> {
  const crds = readCrdManifests(crdDir);
  for (const crd of crds) await applyObject(kc, crdResource, crd);
  const names = crds.map((c) => c.metadata.name);
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd = await getObject<CustomResourceDefinition>(kc, crdResource, name);
      if (crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True"))
        break;
      if (Date.now() > deadline)
        throw new Error(`CRD ${name} not established after ${timeoutMs / 1000}s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return names;
}
