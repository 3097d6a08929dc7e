// The converted corpus on a real kube-apiserver: the NomadJob YAML that
// `caravan job convert` prints for every valid, seed and nomad-corpus job is accepted by
// `kubectl apply` against the generated CRD schema, and reads back with every
// field intact (nothing pruned as unknown, nothing refused).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { parseJob, toYaml as stringify, toResource } from "../../src/jobspec/index.js";
import { createNamespace, kubectl } from "../support/kubectl.js";

const kubeconfig = inject("kubeconfig");
const root = path.resolve(import.meta.dirname, "../jobspec");
type Obj = Record<string, unknown>;

/** Paths where the stored object lacks or changes what was sent (the API server may only add). */
function missing(actual: unknown, expected: unknown, at: string): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return [`${at}: list changed`];
    return expected.flatMap((e, i) => missing(actual[i], e, `${at}[${i}]`));
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object") return [`${at}: object missing`];
    return Object.entries(expected).flatMap(([k, v]) =>
      missing((actual as Obj)[k], v, `${at}.${k}`),
    );
  }
  return actual === expected
    ? []
    : [`${at}: sent ${JSON.stringify(expected)}, stored ${JSON.stringify(actual)}`];
}

describe.each(["valid", "seeds", "nomad"])("converted %s corpus on a real API server", (kind) => {
  let ns: string;
  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, `jobspec-${kind}`);
  });
  const dir = path.join(root, kind);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".nomad.hcl"))
    .sort();

  const readFile = (p: string) => {
    const full = path.join(dir, p);
    return existsSync(full) ? readFileSync(full, "utf8") : undefined;
  };
  const converted = files.map((f) => {
    const source = readFileSync(path.join(dir, f), "utf8");
    const r = parseJob({ file: f, source, readFile, validation: "warn" });
    if (!r.ok) throw new Error(`${f}: ${JSON.stringify(r.errors)}`);
    // One namespace per corpus; the job's own Nomad namespace is shown by the
    // unit tests, and several seed fragments share the ID "fragment".
    const resource = toResource(r.job);
    resource.metadata.name = `${resource.metadata.name}-${f.split("-")[0]}`;
    return [f, resource, r.warnings ?? []] as const;
  });
  it.each(converted)("kubectl apply accepts %s and stores every field", async (_f, resource) => {
    const args = ["apply", "-n", ns, "-f", "-", "-o", "json"];
    const applied = await kubectl(kubeconfig, args, stringify(resource));
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    const stored = JSON.parse(applied.stdout) as Obj;
    const sent = JSON.parse(JSON.stringify(resource.spec));
    expect(missing(stored.spec, sent, "spec")).toEqual([]);
  });
});

// The seeds' originals that Nomad's validation refuses (test/jobspec/invalid/*-seed-*) still
// convert with warnings, as `nomad job run -output` prints them. Where the problem is one the
// CRD schema itself encodes (a field a task service does not have, a check's required timeout),
// the API server refuses the NomadJob, naming the field; cross-references such as a service's
// port label are Nomad's validation only, and the API server stores them.
describe("seed originals Nomad refuses, on a real API server", () => {
  let ns: string;
  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "jobspec-refused");
  });
  const dir = path.join(root, "invalid");
  const structural = /Connect services must be in the group|needs a timeout/;
  const flawed = readdirSync(dir)
    .filter((f) => f.includes("-seed-") && f.endsWith(".nomad.hcl"))
    .sort()
    .flatMap((f) => {
      const source = readFileSync(path.join(dir, f), "utf8");
      const r = parseJob({ file: f, source, validation: "warn" });
      if (!r.ok || !(r.warnings ?? []).some((w) => structural.test(w.message))) return [];
      const resource = toResource(r.job);
      resource.metadata.name = `${resource.metadata.name}-${f.split("-")[0]}`;
      return [[f, resource] as const];
    });

  it("has seed originals the schema itself refuses", () => {
    expect(flawed.length).toBeGreaterThan(0);
  });

  it.each(flawed)(
    "kubectl apply refuses %s, which Nomad's validation refuses",
    async (_f, resource) => {
      const applied = await kubectl(
        kubeconfig,
        ["apply", "-n", ns, "-f", "-"],
        stringify(resource),
      );
      expect(applied.code).not.toBe(0);
      expect(applied.stderr).toMatch(/spec\.groups\[\d+\]|validation rules/);
    },
  );
});
