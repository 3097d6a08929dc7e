import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { prune } from "../../../src/api/convert/prune.js";
import { jobSpecSchema } from "../../../src/crds/schema/job-schema.generated.js";
import { pruningSchema, type SchemaNode } from "../../../src/crds/schema/prune-schema.js";

const crd = parse(
  readFileSync(
    path.resolve(import.meta.dirname, "../../../charts/caravan/crds/caravan.dev_nomadjobs.yaml"),
    "utf8",
  ),
) as { spec: { versions: { schema: { openAPIV3Schema: SchemaNode } }[] } };
const spec = crd.spec.versions[0]?.schema.openAPIV3Schema.properties?.spec as SchemaNode;

describe("pruning to the NomadJob schema", () => {
  it("drops fields the schema does not declare and keeps free-form driver config", () => {
    const dropped: string[] = [];
    const out = prune(
      {
        id: "web",
        consulToken: "",
        groups: [
          {
            name: "g",
            scaling: { min: 1, max: 3, namespace: "default" },
            tasks: [
              { name: "t", driver: "docker", config: { image: "x", anything: { deep: [1] } } },
            ],
          },
        ],
      },
      spec,
      "spec",
      dropped,
    );
    expect(dropped).toEqual(["spec.consulToken", "spec.groups[0].scaling.namespace"]);
    expect(out).toEqual({
      id: "web",
      groups: [
        {
          name: "g",
          scaling: { min: 1, max: 3 },
          tasks: [{ name: "t", driver: "docker", config: { image: "x", anything: { deep: [1] } } }],
        },
      ],
    });
  });

  it("keeps and drops the same fields with the compiled-in schema as with the chart's CRD", () => {
    expect(jobSpecSchema).toEqual(pruningSchema(spec));
    const job = { id: "web", bogus: 1, groups: [{ name: "g", count: 2, extra: true }] };
    const fromChart: string[] = [];
    const compiled: string[] = [];
    expect(prune(job, jobSpecSchema, "spec", compiled)).toEqual(
      prune(job, spec, "spec", fromChart),
    );
    expect(compiled).toEqual(["spec.bogus", "spec.groups[0].extra"]);
    expect(compiled).toEqual(fromChart);
  });
});
