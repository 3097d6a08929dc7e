// The part of a CRD's structural schema that decides which fields the API
// server keeps: what the Nomad API needs to drop undeclared fields from a
// Nomad client's job before it writes a NomadJob (src/api/convert/prune.ts).

export interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
}

/** The schema with everything but the pruning keys left out (descriptions, enums, defaults…). */
export function pruningSchema(schema: unknown): SchemaNode {
  const node = schema as Record<string, unknown>;
  const out: SchemaNode = {};
  if (typeof node.type === "string") out.type = node.type;
  if (node["x-kubernetes-preserve-unknown-fields"] === true)
    out["x-kubernetes-preserve-unknown-fields"] = true;
  if (node.properties && typeof node.properties === "object") {
    out.properties = Object.fromEntries(
      Object.entries(node.properties).map(([k, v]) => [k, pruningSchema(v)]),
    );
  }
  if (typeof node.additionalProperties === "boolean")
    out.additionalProperties = node.additionalProperties;
  else if (node.additionalProperties && typeof node.additionalProperties === "object")
    out.additionalProperties = pruningSchema(node.additionalProperties);
  if (node.items && typeof node.items === "object") out.items = pruningSchema(node.items);
  return out;
}
