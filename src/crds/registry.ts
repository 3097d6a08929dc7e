// Every Caravan custom resource: its names, scope and the columns `kubectl get`
// shows. The CRD generator and the runtime (informers, clients) both read this
// table, so a kind's names are written down exactly once.

export const group = "caravan.dev";
export const version = "v1alpha1";
export const apiVersion = `${group}/${version}`;
/** `kubectl get nomad` lists every kind in this category. */
export const category = "nomad";

export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  description?: string;
  /** 0 shows in `kubectl get`, 1 only with `-o wide`. */
  priority?: 0 | 1;
}

export interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  scope: "Namespaced" | "Cluster";
  /** Names of the TypeScript types (in src/crds/) the schema is generated from. */
  specType: string;
  statusType: string;
  /** What the kind is, for `kubectl explain`. */
  description: string;
  printerColumns: PrinterColumn[];
}

const age: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };

export const kinds: readonly KindDefinition[] = [
  {
    kind: "NomadNodePool",
    plural: "nomadnodepools",
    singular: "nomadnodepool",
    shortNames: ["nnp", "nodepool"],
    scope: "Cluster",
    specType: "NomadNodePoolSpec",
    statusType: "NomadNodePoolStatus",
    description:
      "A Nomad node pool: a named set of client nodes that jobs select with node_pool, with its own scheduler configuration.",
    printerColumns: [
      {
        name: "Algorithm",
        type: "string",
        jsonPath: ".spec.schedulerConfiguration.schedulerAlgorithm",
      },
      { name: "Description", type: "string", jsonPath: ".spec.description", priority: 1 },
      age,
    ],
  },
];

export function kindDefinition(kind: string): KindDefinition {
  const found = kinds.find((k) => k.kind === kind);
  if (!found) throw new Error(`unknown kind ${kind}`);
  return found;
}
