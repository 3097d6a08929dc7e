import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { kinds } from "../../src/crds/registry.js";
import {
  generateCrds,
  jobSchemaModule,
  jobSchemaModuleText,
} from "../../src/crds/schema/generate.js";
import { SchemaError, toStructural } from "../../src/crds/schema/structural.js";

const root = path.resolve(import.meta.dirname, "../..");
const crdDir = path.join(root, "charts/caravan/crds");

describe("generated CRDs", () => {
  const generated = generateCrds(root);

  it("match the checked-in YAML (run `npm run generate` after changing src/crds)", () => {
    const checkedIn = readdirSync(crdDir)
      .filter((f) => f.endsWith(".yaml"))
      .sort();
    expect(checkedIn).toEqual(generated.map((g) => g.fileName).sort());
    for (const { fileName, yaml } of generated) {
      const onDisk = readFileSync(path.join(crdDir, fileName), "utf8");
      expect(onDisk, `${fileName} is stale: run npm run generate`).toBe(yaml);
    }
  });

  it("match the checked-in NomadJob pruning schema module the API compiles in", () => {
    const onDisk = readFileSync(path.join(root, jobSchemaModule), "utf8");
    expect(onDisk, `${jobSchemaModule} is stale: run npm run generate`).toBe(
      jobSchemaModuleText(generated),
    );
  });

  it("define every kind in the registry, in the nomad category", () => {
    expect(generated.map((g) => (g.crd.spec as { names: { kind: string } }).names.kind)).toEqual(
      kinds.map((k) => k.kind),
    );
    for (const { crd } of generated) {
      const names = (crd.spec as { names: { categories: string[] } }).names;
      expect(names.categories).toContain("nomad");
    }
  });
});

describe("structural schema conversion", () => {
  const definitions = {
    Port: {
      type: "object",
      properties: { label: { type: "string" }, static: { type: "number" } },
      required: ["label"],
      additionalProperties: false,
    },
  };

  it("inlines references and maps list-map tags", () => {
    const out = toStructural(
      { type: "array", items: { $ref: "#/definitions/Port" }, listMapKeys: "label" },
      definitions,
    );
    expect(out["x-kubernetes-list-type"]).toBe("map");
    expect(out["x-kubernetes-list-map-keys"]).toEqual(["label"]);
    expect((out.items as Record<string, unknown>).properties).toHaveProperty("static");
    expect(out.items).not.toHaveProperty("additionalProperties");
  });

  it("rejects a list-map whose key is optional", () => {
    expect(() =>
      toStructural(
        { type: "array", items: { $ref: "#/definitions/Port" }, listMapKeys: "static" },
        definitions,
      ),
    ).toThrow(SchemaError);
  });

  it("rejects untyped fields unless tagged free-form", () => {
    expect(() => toStructural({ type: "object", properties: { x: {} } }, {})).toThrow(/x: no type/);
    const free = toStructural(
      { type: "object", additionalProperties: {}, preserveUnknownFields: true },
      {},
    );
    expect(free).toEqual({ type: "object", "x-kubernetes-preserve-unknown-fields": true });
  });
});

describe("stale check", () => {
  it("notices a type changed without regenerating", async () => {
    const { cpSync, mkdtempSync, rmSync, writeFileSync } = await import("node:fs");
    const os = await import("node:os");
    const copy = mkdtempSync(path.join(os.tmpdir(), "caravan-crds-"));
    try {
      cpSync(path.join(root, "src/crds"), path.join(copy, "src/crds"), { recursive: true });
      cpSync(path.join(root, "tsconfig.json"), path.join(copy, "tsconfig.json"));
      const file = path.join(copy, "src/crds/nodepool.ts");
      const source = readFileSync(file, "utf8");
      writeFileSync(
        file,
        source.replace(
          "description?: string;",
          "description?: string;\n  /** Added without regenerating. */\n  owner?: string;",
        ),
      );
      const changed = generateCrds(copy).find((g) => g.fileName.includes("nomadnodepools"));
      const onDisk = readFileSync(path.join(crdDir, "caravan.dev_nomadnodepools.yaml"), "utf8");
      expect(changed?.yaml).toContain("Added without regenerating.");
      expect(changed?.yaml).not.toBe(onDisk);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
