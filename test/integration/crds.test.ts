// The custom resources on a real kube-apiserver, driven with kubectl as a user
// would: every CRD served, every example applied and read back, bad objects
// refused with the field path, `kubectl get nomad` and `kubectl explain`.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { parse, stringify } from "yaml";
import { kinds } from "../../src/crds/registry.js";
import { createNamespace, eventually, kubectl, kubectlOk } from "../support/kubectl.js";

const kubeconfig = inject("kubeconfig");
const root = path.resolve(import.meta.dirname, "../..");
const examplesDir = path.join(root, "examples");
type Obj = Record<string, unknown>;

/** Every field the user wrote must come back with the same value (the server may add defaults). */
function expectSubset(actual: unknown, expected: unknown, at = "spec"): void {
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), `${at} is a list`).toBe(true);
    const list = actual as unknown[];
    expect(list.length, `${at} length`).toBe(expected.length);
    for (const [i, item] of expected.entries()) expectSubset(list[i], item, `${at}[${i}]`);
  } else if (expected !== null && typeof expected === "object") {
    expect(actual, at).toBeTypeOf("object");
    for (const [k, v] of Object.entries(expected))
      expectSubset((actual as Obj)[k], v, `${at}.${k}`);
  } else {
    expect(actual, at).toEqual(expected);
  }
}

describe("custom resources on a real API server", () => {
  let ns: string;
  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "crds");
  });

  it("serves every kind, in the nomad category", async () => {
    const out = await kubectlOk(kubeconfig, [
      "api-resources",
      "--api-group=caravan.dev",
      "-o",
      "name",
    ]);
    const served = out.trim().split("\n").sort();
    expect(served).toEqual(kinds.map((k) => `${k.plural}.caravan.dev`).sort());
    const categories = await kubectlOk(kubeconfig, [
      "api-resources",
      "--categories=nomad",
      "-o",
      "name",
    ]);
    expect(categories.trim().split("\n").sort()).toEqual(served);
  });

  it("stores each CRD's schema exactly as generated", async () => {
    for (const file of readdirSync(path.join(root, "charts/caravan/crds"))) {
      const local = parse(
        readFileSync(path.join(root, "charts/caravan/crds", file), "utf8"),
      ) as Obj;
      const name = (local.metadata as Obj).name as string;
      const stored = JSON.parse(
        await kubectlOk(kubeconfig, ["get", "crd", name, "-o", "json"]),
      ) as Obj;
      const version = (o: Obj) => ((o.spec as Obj).versions as Obj[])[0] as Obj;
      expect(version(stored).schema, file).toEqual(version(local).schema);
      expect(version(stored).additionalPrinterColumns, file).toEqual(
        version(local).additionalPrinterColumns,
      );
    }
  });

  const examples = readdirSync(examplesDir).filter((f) => f.endsWith(".yaml"));
  it("has examples to apply", () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  it.each(examples)("applies examples/%s with kubectl and reads it back", async (file) => {
    const filePath = path.join(examplesDir, file);
    const applied = await kubectl(kubeconfig, ["apply", "-n", ns, "-f", filePath]);
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    const local = parse(readFileSync(filePath, "utf8")) as Obj;
    const back = parse(
      await kubectlOk(kubeconfig, ["get", "-n", ns, "-f", filePath, "-o", "yaml"]),
    ) as Obj;
    expect(back.kind).toBe(local.kind);
    expectSubset(back.spec, local.spec);
  });

  it("lists what was applied with `kubectl get nomad`", async () => {
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadNodePool",
        metadata: { name: "gpu" },
        spec: {
          description: "nodes with GPUs",
          schedulerConfiguration: { schedulerAlgorithm: "spread" },
        },
      }),
    );
    const out = await kubectlOk(kubeconfig, ["get", "nomad", "-A"]);
    expect(out).toContain("nomadnodepool.caravan.dev/gpu");
    for (const file of examples) {
      const example = parse(readFileSync(path.join(examplesDir, file), "utf8")) as Obj;
      const kind = (example.kind as string).toLowerCase();
      expect(out).toContain(`${kind}.caravan.dev/${(example.metadata as Obj).name}`);
    }
  });

  it("shows a job's type, status, counts and age in `kubectl get nomadjobs`", async () => {
    const out = await kubectlOk(kubeconfig, ["get", "nomadjobs", "-n", ns]);
    expect(out.split("\n")[0]).toMatch(/^NAME\s+TYPE\s+STATUS\s+DESIRED\s+RUNNING\s+AGE/);
    const short = await kubectlOk(kubeconfig, ["get", "njob", "-n", ns, "-o", "name"]);
    const jobs = examples.filter((f) =>
      readFileSync(path.join(examplesDir, f), "utf8").includes("kind: NomadJob"),
    );
    expect(short.trim().split("\n")).toHaveLength(jobs.length);
  });

  it("explains NomadJob fields with their descriptions", async () => {
    const out = await kubectlOk(kubeconfig, ["explain", "nomadjob.spec"]);
    expect(out).toMatch(/KIND:\s+NomadJob/);
    expect(out).toMatch(/groups\s+<\[\]Object> -required-/);
    expect(out).toMatch(/type\s+<string>/);
    const groups = await kubectlOk(kubeconfig, ["explain", "nomadjob.spec.groups.count"]);
    expect(groups).toMatch(/FIELD:\s+count <integer>/);
    expect(groups).toMatch(/DESCRIPTION:\n\s+\S/);
  });

  it("refuses an invalid NomadJob, naming each bad field, and stores nothing", async () => {
    const bad = {
      apiVersion: "caravan.dev/v1alpha1",
      kind: "NomadJob",
      metadata: { name: "bad", namespace: ns },
      spec: {
        type: "webapp",
        update: { minHealthyTime: "ten seconds" },
        groups: [
          {
            name: "web",
            count: -1,
            tasks: [{ name: "t", driver: "docker", config: { image: "x" } }],
          },
        ],
      },
    };
    const result = await kubectl(kubeconfig, ["apply", "-f", "-"], stringify(bad));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('spec.type: Unsupported value: "webapp"');
    expect(result.stderr).toMatch(
      /spec\.groups\[0\]\.count: Invalid value: -1: .*greater than or equal to 0/,
    );
    expect(result.stderr).toMatch(
      /spec\.update\.minHealthyTime: Invalid value: "ten seconds": .*should match/,
    );
    const get = await kubectl(kubeconfig, ["get", "nomadjob", "bad", "-n", ns]);
    expect(get.stderr).toContain("NotFound");
  });

  it("deletes an allocation when its job is deleted (ownerReference garbage collection)", async () => {
    const job = {
      apiVersion: "caravan.dev/v1alpha1",
      kind: "NomadJob",
      metadata: { name: "owner", namespace: ns },
      spec: {
        type: "batch",
        groups: [
          { name: "g", tasks: [{ name: "t", driver: "raw_exec", config: { command: "true" } }] },
        ],
      },
    };
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], stringify(job));
    const uid = (
      await kubectlOk(kubeconfig, [
        "get",
        "nomadjob",
        "owner",
        "-n",
        ns,
        "-o",
        "jsonpath={.metadata.uid}",
      ])
    ).trim();
    const alloc = {
      apiVersion: "caravan.dev/v1alpha1",
      kind: "NomadAllocation",
      metadata: {
        name: "owner-g-0",
        namespace: ns,
        labels: { "caravan.dev/job": "owner", "caravan.dev/group": "g", "caravan.dev/node": "n1" },
        ownerReferences: [
          { apiVersion: "caravan.dev/v1alpha1", kind: "NomadJob", name: "owner", uid },
        ],
      },
      spec: {
        jobName: "owner",
        jobVersion: 0,
        group: "g",
        nodeName: "n1",
        desiredStatus: "run",
        name: "owner.g[0]",
        index: 0,
        evalName: "owner-eval",
        resources: { tasks: { t: { cpu: 100, memoryMB: 64 } } },
      },
    };
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], stringify(alloc));
    const table = (await kubectlOk(kubeconfig, ["get", "nalloc", "-n", ns])).split("\n");
    expect(table[0]).toMatch(/^NAME\s+JOB\s+GROUP\s+NODE\s+DESIRED\s+STATUS\s+AGE/);
    expect(table[1]).toMatch(/^owner-g-0\s+owner\s+g\s+n1\s+run\s/);
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "owner", "-n", ns]);
    await eventually(
      async () => {
        const r = await kubectl(kubeconfig, ["get", "nomadallocation", "owner-g-0", "-n", ns]);
        return r.stderr.includes("NotFound") ? true : undefined;
      },
      "the garbage collector to delete the allocation",
      60_000,
    );
  });
});
