// Nomad's JobDiff (structs.Job.Diff with contextual = true) between two jobs
// in Nomad's API JSON, as /v1/job/:id/versions?diffs=true answers it for
// `nomad job history -p`. Primitive fields are compared as Go prints them;
// meta and env entries and list items become "Key[k]" fields; blocks become objects
// (shown whole once anything in them changed); named lists (groups, tasks,
// services…) are matched by name, other lists by position. Only what the job
// changed is shown, as in Nomad. Pure.
import { isDeepStrictEqual } from "node:util";

type Json = Record<string, unknown>;
type DiffType = "Added" | "Deleted" | "Edited" | "None";

export interface FieldDiff {
  Type: DiffType;
  Name: string;
  Old: string;
  New: string;
  Annotations: null;
}

export interface ObjectDiff {
  Type: DiffType;
  Name: string;
  Fields: FieldDiff[] | null;
  Objects: ObjectDiff[] | null;
}

// Fields that are not the job's spec (Nomad's filter, and ours that are set per version).
const jobFilter = new Set([
  "ID",
  "Status",
  "StatusDescription",
  "Version",
  "Stable",
  "CreateIndex",
  "ModifyIndex",
  "JobModifyIndex",
  "Update",
  "SubmitTime",
  "NomadTokenID",
  "VaultToken",
  "TaskGroups",
]);

// Maps of strings, shown as "Meta[k]" fields of their parent; other blocks are objects.
const mapFields = new Set(["Meta", "Env"]);

const isObject = (v: unknown): v is Json =>
  v !== null && typeof v === "object" && !Array.isArray(v);
const isPrimitive = (v: unknown) =>
  v === null || ["string", "number", "boolean"].includes(typeof v);
const goString = (v: unknown): string => (v === null || v === undefined ? "" : String(v));

/** The primitive fields of an object, with maps and lists of primitives flattened as Nomad's flatmap does. */
function flatten(o: Json | undefined, filter: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(o ?? {})) {
    if (filter.has(k) || v === undefined) continue;
    if (isPrimitive(v)) out.set(k, goString(v));
    else if (Array.isArray(v) && v.every(isPrimitive))
      v.forEach((x, i) => {
        out.set(`${k}[${i}]`, goString(x));
      });
    else if (mapFields.has(k) && isObject(v))
      for (const [mk, mv] of Object.entries(v)) out.set(`${k}[${mk}]`, goString(mv));
  }
  return out;
}

function fieldDiffs(
  old: Json | undefined,
  next: Json | undefined,
  contextual: boolean,
  filter: ReadonlySet<string> = new Set(),
): FieldDiff[] {
  const a = flatten(old, filter);
  const b = flatten(next, filter);
  const names = [...new Set([...a.keys(), ...b.keys()])].sort();
  const out: FieldDiff[] = [];
  for (const name of names) {
    const o = a.get(name) ?? "";
    const n = b.get(name) ?? "";
    const type: DiffType = o === n ? "None" : o === "" ? "Added" : n === "" ? "Deleted" : "Edited";
    if (type === "None" && !contextual) continue;
    out.push({ Type: type, Name: name, Old: o, New: n, Annotations: null });
  }
  return out;
}

/** Nested blocks (objects, lists of objects) of two objects, each as an object diff. */
function objectDiffs(old: Json | undefined, next: Json | undefined, skip: ReadonlySet<string>) {
  const out: ObjectDiff[] = [];
  const keys = [...new Set([...Object.keys(old ?? {}), ...Object.keys(next ?? {})])].sort();
  for (const k of keys) {
    if (skip.has(k)) continue;
    const o = old?.[k];
    const n = next?.[k];
    const nested = (v: unknown) =>
      (isObject(v) && !mapFields.has(k)) || (Array.isArray(v) && v.some((x) => isObject(x)));
    if (!nested(o) && !nested(n)) continue;
    if (Array.isArray(o) || Array.isArray(n)) {
      const as = (Array.isArray(o) ? o : []) as Json[];
      const bs = (Array.isArray(n) ? n : []) as Json[];
      for (const [x, y] of pairs(as, bs)) {
        const d = objectDiff(singular(k), x, y);
        if (d) out.push(d);
      }
    } else {
      const d = objectDiff(k, isObject(o) ? o : undefined, isObject(n) ? n : undefined);
      if (d) out.push(d);
    }
  }
  return out;
}

/** A block's diff, whole (unchanged fields too) once anything in it changed; undefined otherwise. */
function objectDiff(name: string, old: Json | undefined, next: Json | undefined) {
  if (!old && !next) return undefined;
  const fields = fieldDiffs(old, next, true);
  const objects = objectDiffs(old, next, new Set());
  let type: DiffType;
  if (!old) type = "Added";
  else if (!next) type = "Deleted";
  else if ([...fields, ...objects].some((d) => d.Type !== "None")) type = "Edited";
  else return undefined;
  return {
    Type: type,
    Name: name,
    Fields: fields.length ? fields : null,
    Objects: objects.length ? objects : null,
  } satisfies ObjectDiff;
}

const nameOf = (x: Json) => (typeof x.Name === "string" ? x.Name : undefined);

/** Elements matched by Name when they have one, else by position. */
function pairs(as: Json[], bs: Json[]): [Json | undefined, Json | undefined][] {
  if ([...as, ...bs].every((x) => nameOf(x) !== undefined)) {
    const names = [...new Set([...as, ...bs].map((x) => nameOf(x) ?? ""))].sort();
    return names.map((n) => [as.find((x) => nameOf(x) === n), bs.find((x) => nameOf(x) === n)]);
  }
  return Array.from({ length: Math.max(as.length, bs.length) }, (_, i) => [as[i], bs[i]]);
}

function singular(key: string): string {
  if (key.endsWith("ies")) return `${key.slice(0, -3)}y`;
  if (key.endsWith("s") && !key.endsWith("ss")) return key.slice(0, -1);
  return key;
}

function typeOf(old: unknown, next: unknown): DiffType {
  if (old === undefined) return "Added";
  if (next === undefined) return "Deleted";
  return isDeepStrictEqual(old, next) ? "None" : "Edited";
}

const nameFilter = new Set(["Name"]);
// A task's restart policy is its group's, which Nomad diffs once, on the group.
const taskSkip = new Set(["Name", "RestartPolicy"]);

function taskDiff(old: Json | undefined, next: Json | undefined) {
  const objects = objectDiffs(old, next, taskSkip);
  const fields = fieldDiffs(old, next, false, nameFilter);
  return {
    Type: typeOf(old, next),
    Name: nameOf(next ?? old ?? {}) ?? "",
    Fields: fields.length ? fields : null,
    Objects: objects.length ? objects : null,
    Annotations: null,
  };
}

function groupDiff(old: Json | undefined, next: Json | undefined) {
  const fields = fieldDiffs(old, next, false, nameFilter);
  const objects = objectDiffs(old, next, new Set(["Name", "Tasks"]));
  const tasks = pairs(
    (old?.Tasks as Json[] | undefined) ?? [],
    (next?.Tasks as Json[] | undefined) ?? [],
  ).map(([a, b]) => taskDiff(a, b));
  return {
    Type: typeOf(old, next),
    Name: nameOf(next ?? old ?? {}) ?? "",
    Fields: fields.length ? fields : null,
    Objects: objects.length ? objects : null,
    Tasks: tasks.length ? tasks : null,
    Updates: null,
  };
}

/** Nomad's JobDiff from `old` to `next` (both Nomad API JSON of the same job). */
export function jobDiff(old: Json, next: Json): Json {
  const fields = fieldDiffs(old, next, false, jobFilter);
  const objects = objectDiffs(old, next, jobFilter);
  const groups = pairs(
    (old.TaskGroups as Json[] | undefined) ?? [],
    (next.TaskGroups as Json[] | undefined) ?? [],
  ).map(([a, b]) => groupDiff(a, b));
  const changed = fields.length > 0 || objects.length > 0 || groups.some((g) => g.Type !== "None");
  return {
    Type: changed ? "Edited" : "None",
    ID: next.ID ?? old.ID,
    Fields: fields.length ? fields : null,
    Objects: objects.length ? objects : null,
    TaskGroups: groups.length ? groups : null,
  };
}
