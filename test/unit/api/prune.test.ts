import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { prune, type SchemaNode } from "../../../src/api/convert/prune.js";

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
});
