// Turns the JSON Schema that ts-json-schema-generator emits into a Kubernetes
// structural OpenAPI v3 schema: no $ref, a type on every node, and our JSDoc
// tags mapped onto the x-kubernetes-* extensions the API server understands.

export type JsonSchema = { [key: string]: unknown };

/** JSDoc tags we add to the generator's vocabulary (passed as extraTags). */
export const extraTags = [
  "listMapKeys",
  "listType",
  "preserveUnknownFields",
  "intOrString",
  "validation",
] as const;

// Keywords a structural schema may carry; anything else the generator emits is dropped.
const allowedKeywords = new Set([
  "type",
  "description",
  "properties",
  "required",
  "items",
  "additionalProperties",
  "enum",
  "default",
  "format",
  "pattern",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
  "uniqueItems",
  "multipleOf",
  "nullable",
]);

export class SchemaError extends Error {}

/** Resolve `#/definitions/X` references and convert one schema node, recursively. */
export function toStructural(
  node: JsonSchema,
  definitions: Record<string, JsonSchema>,
  path = "",
  seen: readonly string[] = [],
): JsonSchema {
  const ref = node.$ref;
  if (typeof ref === "string") {
    const name = decodeURIComponent(ref.replace(/^#\/definitions\//, ""));
    if (seen.includes(name))
      throw new SchemaError(`${path}: recursive type ${name} cannot be a CRD schema`);
    const target = definitions[name];
    if (!target) throw new SchemaError(`${path}: unknown type ${name}`);
    // Annotations on the referencing property (its description) win over the type's.
    const { $ref: _ignored, ...local } = node;
    return toStructural({ ...target, ...local }, definitions, path, [...seen, name]);
  }

  // Free-form values (a driver's config) are kept whole and checked elsewhere.
  if (node.preserveUnknownFields !== undefined) {
    const kept: JsonSchema = { type: node.type === "array" ? "array" : "object" };
    if (typeof node.description === "string") kept.description = tidyDescription(node.description);
    if (kept.type === "array") kept.items = { "x-kubernetes-preserve-unknown-fields": true };
    kept["x-kubernetes-preserve-unknown-fields"] = true;
    return kept;
  }

  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (allowedKeywords.has(key)) out[key] = value;
  }
  // JSDoc "@default" values arrive as JSON; keep them as the API server stores them.
  if (typeof node.description === "string") out.description = tidyDescription(node.description);

  // Literal unions ("a" | "b") arrive as enum, a single literal as const.
  if (node.const !== undefined) out.enum = [node.const];

  const props = node.properties as Record<string, JsonSchema> | undefined;
  if (props) {
    const converted: Record<string, JsonSchema> = {};
    for (const [name, child] of Object.entries(props)) {
      converted[name] = toStructural(child, definitions, `${path}.${name}`, seen);
    }
    out.properties = converted;
    out.type = "object";
  }
  const additional = node.additionalProperties;
  if (additional === false || additional === true) delete out.additionalProperties;
  else if (additional && typeof additional === "object") {
    const inner = additional as JsonSchema;
    out.additionalProperties = toStructural(inner, definitions, `${path}[*]`, seen);
    out.type = "object";
  }
  if (node.items && typeof node.items === "object" && !Array.isArray(node.items)) {
    out.items = toStructural(node.items as JsonSchema, definitions, `${path}[]`, seen);
  }

  if (node.anyOf || node.oneOf || node.allOf) {
    if (node.intOrString === undefined) {
      throw new SchemaError(
        `${path}: unions of object types are not structural; use one interface (or @intOrString)`,
      );
    }
  }
  if (Array.isArray(node.type)) {
    throw new SchemaError(`${path}: a field has one type in a structural schema`);
  }

  applyTags(node, out, path);
  orderKeys(out);

  if (
    out.type === undefined &&
    !out["x-kubernetes-preserve-unknown-fields"] &&
    !out["x-kubernetes-int-or-string"]
  ) {
    throw new SchemaError(`${path}: no type; declare one, or tag the field @preserveUnknownFields`);
  }
  return out;
}

function applyTags(node: JsonSchema, out: JsonSchema, path: string): void {
  if (node.listMapKeys !== undefined) {
    if (out.type !== "array") throw new SchemaError(`${path}: @listMapKeys on a non-list`);
    const keys = String(node.listMapKeys)
      .split(/[\s,]+/)
      .filter(Boolean);
    out["x-kubernetes-list-type"] = "map";
    out["x-kubernetes-list-map-keys"] = keys;
    // The API server requires list-map keys to be required (or defaulted) in each item.
    const items = out.items as JsonSchema;
    const required = new Set((items.required as string[] | undefined) ?? []);
    for (const key of keys) {
      if (!required.has(key))
        throw new SchemaError(`${path}: list-map key ${key} must be required`);
    }
  }
  if (node.listType !== undefined) {
    const listType = String(node.listType);
    if (listType !== "set" && listType !== "atomic") {
      throw new SchemaError(`${path}: @listType is set or atomic`);
    }
    out["x-kubernetes-list-type"] = listType;
  }
  if (node.intOrString !== undefined) {
    out["x-kubernetes-int-or-string"] = true;
    delete out.type;
  }
  if (node.validation !== undefined) {
    const rules = Array.isArray(node.validation) ? node.validation : [node.validation];
    out["x-kubernetes-validations"] = rules;
  }
}

// JSDoc text keeps the author's line breaks; explain output reads better without them.
function tidyDescription(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((p) => p.replace(/\s*\n\s*/g, " ").trim())
    .join("\n\n");
}

// `description` then `type` first: the generated YAML reads top-down like `kubectl explain`.
function orderKeys(out: JsonSchema): void {
  const entries = Object.entries(out);
  for (const key of Object.keys(out)) delete out[key];
  const rank = (k: string) => (k === "description" ? 0 : k === "type" ? 1 : 2);
  entries.sort((a, b) => rank(a[0]) - rank(b[0]));
  for (const [k, v] of entries) out[k] = v;
}
