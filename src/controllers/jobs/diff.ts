// Field-level differences between two job specs, for `job plan` and
// `job history -p`: named lists (groups, tasks, services…) are matched by
// name, other lists compared whole. Pure.

export interface FieldDiff {
  /** "+" added, "-" removed, "+/-" changed. */
  kind: "+" | "-" | "+/-";
  /** Where, as groups["web"].tasks["server"].config.image. */
  path: string;
  old?: unknown;
  new?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);
const named = (v: unknown): v is { name: string }[] =>
  Array.isArray(v) && v.length > 0 && v.every((x) => isObject(x) && typeof x.name === "string");

export function diffSpecs(before: unknown, after: unknown, path = ""): FieldDiff[] {
  if (before === undefined && after === undefined) return [];
  if (before === undefined) return [{ kind: "+", path, new: after }];
  if (after === undefined) return [{ kind: "-", path, old: before }];
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffSpecs(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if ((named(before) || named(after)) && Array.isArray(before) && Array.isArray(after)) {
    const byName = (l: unknown[]) => new Map((l as { name: string }[]).map((x) => [x.name, x]));
    const b = byName(before);
    const a = byName(after);
    const names = [...new Set([...b.keys(), ...a.keys()])];
    return names.flatMap((n) => diffSpecs(b.get(n), a.get(n), `${path}[${JSON.stringify(n)}]`));
  }
  return JSON.stringify(before) === JSON.stringify(after)
    ? []
    : [{ kind: "+/-", path, old: before, new: after }];
}

const show = (v: unknown) => JSON.stringify(v);

export function formatDiff(diffs: readonly FieldDiff[], indent = "  "): string {
  return diffs
    .map((d) =>
      d.kind === "+/-"
        ? `${indent}+/- ${d.path}: ${show(d.old)} => ${show(d.new)}`
        : `${indent}${d.kind} ${d.path}: ${show(d.kind === "+" ? d.new : d.old)}`,
    )
    .join("\n");
}
