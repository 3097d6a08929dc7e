// Drops fields the CRD schema does not declare. Nomad's clients send every
// field of their structs (Go's zero values, fields of newer Nomad versions or
// of Enterprise); server-side apply refuses undeclared fields, so the API keeps
// what the NomadJob schema knows and reports the rest as a warning.

import type { SchemaNode } from "../../crds/schema/prune-schema.js";

export function prune(value: unknown, schema: SchemaNode, at: string, dropped: string[]): unknown {
  if (schema["x-kubernetes-preserve-unknown-fields"] && !schema.properties) return value;
  if (Array.isArray(value)) {
    const items = schema.items;
    return items ? value.map((v, i) => prune(v, items, `${at}[${i}]`, dropped)) : value;
  }
  if (value === null || typeof value !== "object") return value;
  if (!schema.properties && schema.additionalProperties === undefined) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const declared = schema.properties?.[k];
    const extra = schema.additionalProperties;
    if (declared) out[k] = prune(v, declared, `${at}.${k}`, dropped);
    else if (extra && typeof extra === "object") out[k] = prune(v, extra, `${at}.${k}`, dropped);
    else if (extra === true || schema["x-kubernetes-preserve-unknown-fields"]) out[k] = v;
    else dropped.push(`${at}.${k}`);
  }
  return out;
}
