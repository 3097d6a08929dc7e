// Generates every CustomResourceDefinition from the TypeScript types in src/crds.
// Used by `npm run generate` (writes charts/caravan/crds) and by the test that
// fails when the checked-in YAML is stale.
import path from "node:path";
import { createGenerator } from "ts-json-schema-generator";
import { stringify } from "yaml";
import { apiVersion, category, group, type KindDefinition, kinds, version } from "../registry.js";
import { pruningSchema } from "./prune-schema.js";
import { extraTags, type JsonSchema, toStructural } from "./structural.js";

export interface GeneratedCrd {
  /** File name under charts/caravan/crds/. */
  fileName: string;
  /** The CRD object. */
  crd: JsonSchema;
  /** The YAML text, exactly as checked in. */
  yaml: string;
}

export function generateCrds(repoRoot: string): GeneratedCrd[] {
  const generator = createGenerator({
    path: path.join(repoRoot, "src/crds/index.ts"),
    tsconfig: path.join(repoRoot, "tsconfig.json"),
    expose: "export",
    topRef: false,
    jsDoc: "extended",
    extraTags: [...extraTags],
    skipTypeCheck: true,
    additionalProperties: false,
  });
  const schemaFor = (typeName: string): JsonSchema => {
    const raw = generator.createSchema(typeName) as JsonSchema;
    const definitions = (raw.definitions ?? {}) as Record<string, JsonSchema>;
    const { definitions: _d, $schema: _s, ...root } = raw;
    return toStructural(root, definitions, typeName);
  };
  return kinds.map((def) => {
    const crd = crdFor(def, schemaFor(def.specType), schemaFor(def.statusType));
    return { fileName: `${group}_${def.plural}.yaml`, crd, yaml: render(crd) };
  });
}

function crdFor(def: KindDefinition, spec: JsonSchema, status: JsonSchema): JsonSchema {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${def.plural}.${group}`,
      labels: { "app.kubernetes.io/part-of": "caravan" },
    },
    spec: {
      group,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: def.shortNames,
        categories: [category],
      },
      scope: def.scope,
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: def.printerColumns,
          schema: {
            openAPIV3Schema: {
              type: "object",
              description: def.description,
              required: ["spec"],
              ...(def.singletonName
                ? {
                    "x-kubernetes-validations": [
                      {
                        rule: `self.metadata.name == '${def.singletonName}'`,
                        message: `there is one ${def.kind}, named ${def.singletonName}`,
                      },
                    ],
                  }
                : {}),
              properties: {
                apiVersion: {
                  type: "string",
                  description: `Always ${apiVersion}.`,
                },
                kind: { type: "string", description: `Always ${def.kind}.` },
                metadata: { type: "object" },
                spec: spec,
                status: status,
              },
            },
          },
        },
      ],
    },
  };
}

function render(crd: JsonSchema): string {
  const header = "# Generated from src/crds by `npm run generate`. Do not edit.\n";
  return header + stringify(crd, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Where the NomadJob spec's pruning schema is generated, relative to the repository. */
export const jobSchemaModule = "src/crds/schema/job-schema.generated.ts";

/**
 * The TypeScript module holding the NomadJob spec's pruning schema, so the API
 * has the schema compiled in rather than reading the chart from disk.
 */
export function jobSchemaModuleText(generated: readonly GeneratedCrd[]): string {
  const job = generated.find((g) => g.fileName === `${group}_nomadjobs.yaml`);
  if (!job) throw new Error("no NomadJob CRD was generated");
  const spec = job.crd.spec as { versions: { schema: { openAPIV3Schema: JsonSchema } }[] };
  const root = spec.versions[0]?.schema.openAPIV3Schema as { properties: { spec: unknown } };
  return [
    "// Generated from src/crds by `npm run generate`. Do not edit.",
    "// The NomadJob spec's schema, reduced to what decides which fields are kept.",
    'import type { SchemaNode } from "./prune-schema.js";',
    "",
    `export const jobSpecSchema: SchemaNode = ${JSON.stringify(pruningSchema(root.properties.spec))};`,
    "",
  ].join("\n");
}
