// biome-ignore-all lint/suspicious/noTemplateCurlyInString: HCL job text is full of "${…}" on purpose.
// The jobspec corpus under test/jobspec: every valid file converts to exactly
// the Nomad API JSON checked in beside it (compared field by field), every
// seed job converts, every file of nomad/ converts to the JSON Nomad itself
// printed for it (test/jobspec/from-nomad.ts; nulls and empty values aside),
// every invalid file fails with exactly the errors in its header, and the
// valid files together use every block and attribute of the job specification. @cdktf/hcl2json, HashiCorp's HCL library compiled to
// WebAssembly, must agree with our parser on which files are HCL at all.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as hcl2json } from "@cdktf/hcl2json";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { type BlockSpec, job as jobSchema } from "../../src/jobspec/decode/schema.js";
import type { Body, Expr } from "../../src/jobspec/hcl/ast.js";
import { parseHcl } from "../../src/jobspec/hcl/parser.js";
import { parseJob, toNomadRunOutput, toResource, toYaml } from "../../src/jobspec/index.js";

const root = path.resolve(import.meta.dirname, "../jobspec");
const list = (kind: string) =>
  readdirSync(path.join(root, kind))
    .filter((f) => f.endsWith(".nomad.hcl"))
    .sort();
const read = (kind: string, f: string) => readFileSync(path.join(root, kind, f), "utf8");
const reader = (kind: string) => (p: string) => {
  const full = path.join(root, kind, p);
  return existsSync(full) ? readFileSync(full, "utf8") : undefined;
};

/**
 * The JSON without what Nomad prints for an unset field: null, and the zero
 * values Go prints for fields that are not pointers ("", 0, false, [], {}).
 */
function withoutEmpty(v: unknown): unknown {
  if (Array.isArray(v)) {
    const items = v.map(withoutEmpty);
    return items.every((i) => i === undefined) ? undefined : items;
  }
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v)
      .map(([k, x]) => [k, withoutEmpty(x)] as const)
      .filter(([, x]) => x !== undefined);
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  return v === null || v === "" || v === 0 || v === false ? undefined : v;
}

/** Every difference between two JSON values, as "path: expected X, got Y". */
function differences(actual: unknown, expected: unknown, at = "$"): string[] {
  if (Array.isArray(expected) || Array.isArray(actual)) {
    if (!Array.isArray(expected) || !Array.isArray(actual))
      return [`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
    const out =
      expected.length !== actual.length
        ? [`${at}: expected ${expected.length} items, got ${actual.length}`]
        : [];
    for (let i = 0; i < Math.min(expected.length, actual.length); i++)
      out.push(...differences(actual[i], expected[i], `${at}[${i}]`));
    return out;
  }
  if (
    expected !== null &&
    typeof expected === "object" &&
    actual !== null &&
    typeof actual === "object"
  ) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    return [...keys].flatMap((k) =>
      differences(
        (actual as Record<string, unknown>)[k],
        (expected as Record<string, unknown>)[k],
        `${at}.${k}`,
      ),
    );
  }
  return Object.is(actual, expected)
    ? []
    : [`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

// Our syntax tree in hcl2json's JSON layout: blocks by type (and label) as
// lists of bodies, attributes as their literal values; an expression that
// needs evaluating is a wildcard, since hcl2json prints it as "${…}" text.
const ANY = Symbol("expression");
function literal(e: Expr): unknown {
  switch (e.k) {
    case "lit":
      return e.v;
    case "tmpl":
      return e.parts.every((p) => p.t === "text")
        ? e.parts.map((p) => (p.t === "text" ? p.text : "")).join("")
        : ANY;
    case "tuple":
      return e.items.map(literal);
    case "object": {
      const out: Record<string, unknown> = {};
      for (const { key, value } of e.items) {
        const k = literal(key);
        if (typeof k !== "string") return ANY;
        out[k] = literal(value);
      }
      return out;
    }
    case "un":
      return e.op === "-" && e.e.k === "lit" && typeof e.e.v === "number" ? -e.e.v : ANY;
    default:
      return ANY;
  }
}
function skeleton(body: Body): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of body.attrs) out[a.name] = literal(a.expr);
  for (const b of body.blocks) {
    let slot = out;
    const path = [b.type, ...b.labels];
    for (const key of path.slice(0, -1)) {
      slot[key] ??= {};
      slot = slot[key] as Record<string, unknown>;
    }
    const last = path[path.length - 1] as string;
    slot[last] ??= [];
    (slot[last] as unknown[]).push(skeleton(b.body));
  }
  return out;
}
function skeletonDifferences(theirs: unknown, ours: unknown, at: string): string[] {
  if (ours === ANY) return [];
  // hcl2json keeps "$${" and "%%{" escapes as written; such strings are not compared.
  if (typeof theirs === "string" && /[$%]\{/.test(theirs)) return [];
  if (Array.isArray(ours)) {
    if (!Array.isArray(theirs) || theirs.length !== ours.length) return [`${at}: list differs`];
    return ours.flatMap((o, i) => skeletonDifferences(theirs[i], o, `${at}[${i}]`));
  }
  if (ours !== null && typeof ours === "object") {
    if (theirs === null || typeof theirs !== "object") return [`${at}: not an object for hcl2json`];
    const keys = new Set([...Object.keys(ours), ...Object.keys(theirs)]);
    return [...keys].flatMap((k) =>
      skeletonDifferences(
        (theirs as Record<string, unknown>)[k],
        (ours as Record<string, unknown>)[k],
        `${at}.${k}`,
      ),
    );
  }
  return Object.is(theirs, ours)
    ? []
    : [`${at}: hcl2json ${JSON.stringify(theirs)}, ours ${JSON.stringify(ours)}`];
}

describe.each(["valid", "seeds", "nomad"])("%s corpus", (kind) => {
  const files = list(kind);

  it("is large enough", () => {
    expect(files.length).toBeGreaterThanOrEqual({ valid: 60, seeds: 30, nomad: 2 }[kind] ?? 1);
  });

  it.each(files)("%s converts to its expected Nomad API JSON", (f) => {
    const r = parseJob({
      file: f,
      source: read(kind, f),
      readFile: reader(kind),
      validation: kind === "seeds" ? "warn" : "error",
    });
    if (!r.ok)
      throw new Error(r.errors.map((e) => `${e.line}:${e.column}: ${e.message}`).join("\n"));
    const expected = JSON.parse(read(kind, f.replace(/\.hcl$/, ".json")));
    const ours = toNomadRunOutput(r.parsed, r.namespace);
    if (kind === "nomad")
      expect(differences(withoutEmpty(ours), withoutEmpty(expected))).toEqual([]);
    else expect(differences(ours, expected)).toEqual([]);
    // The resource form survives YAML and names the job.
    const resource = toResource(r.job, r.namespace);
    expect(parseYaml(toYaml(resource), { version: "1.1" })).toEqual(
      JSON.parse(JSON.stringify(resource)),
    );
    expect(resource.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    expect(resource.spec.id).toBe(expected.Job.ID);
  });

  it.each(files)("%s reads the same to HashiCorp's parser", async (f) => {
    // hcl2json's JSON cannot hold a block type written both with and without
    // a label (identity, identity "aws"); that is a limit of its output, not a
    // syntax error, so only its syntax diagnostics count.
    const result = await hcl2json(f, read(kind, f)).catch((err: Error) => err);
    if (result instanceof Error) {
      expect(result.message).toContain("Unable to convert Block to JSON");
      return;
    }
    // Same blocks, labels, attributes and literal values (strings, heredocs,
    // numbers, lists, maps) as our syntax tree holds.
    expect(skeletonDifferences(result, skeleton(parseHcl(read(kind, f))), "$")).toEqual([]);
  });
});

describe("invalid corpus", () => {
  const files = list("invalid");
  it("is large enough", () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  it.each(files)("%s fails with the errors in its header", (f) => {
    const text = read("invalid", f);
    const expected = [...text.matchAll(/^# expect: (\d+):(\d+): (.*)$/gm)].map((m) => ({
      file: f,
      line: Number(m[1]),
      column: Number(m[2]),
      message: m[3],
    }));
    expect(expected.length).toBeGreaterThan(0);
    const r = parseJob({ file: f, source: text });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual(expected);
  });

  it.each(files.filter((f) => f.includes("syntax")))(
    "%s is refused by HashiCorp's parser too",
    async (f) => {
      await expect(hcl2json(f, read("invalid", f))).rejects.toThrow();
    },
  );
});

describe("coverage of the job specification", () => {
  // Walk each valid file alongside the schema, so a block reused in several
  // places (constraint, resources…) counts wherever it is written.
  const key = (s: BlockSpec, attr: string) =>
    `${s.name}(${Object.keys(s.attrs).join(",")}).${attr}`;
  const label = (s: BlockSpec, attr: string) => `${s.name}.${attr}`;
  const wanted = new Map<string, string>();
  const seenSpecs = new Set<string>();
  const walkSpec = (s: BlockSpec) => {
    const id = key(s, "");
    if (seenSpecs.has(id)) return;
    seenSpecs.add(id);
    for (const a of Object.keys(s.attrs))
      if (s.attrs[a]?.kind !== "ignored") wanted.set(key(s, a), label(s, a));
    for (const [b, c] of Object.entries(s.blocks)) {
      wanted.set(key(s, b), label(s, b));
      walkSpec(c.spec());
    }
  };
  walkSpec(jobSchema());
  const used = new Set<string>();
  const walkBody = (b: Body, s: BlockSpec) => {
    for (const a of b.attrs) used.add(key(s, a.name));
    for (const blk of b.blocks) {
      const type = blk.type === "dynamic" ? (blk.labels[0] as string) : blk.type;
      used.add(key(s, type));
      const child = s.blocks[type];
      const body =
        blk.type === "dynamic" ? blk.body.blocks.find((x) => x.type === "content")?.body : blk.body;
      if (child && body) walkBody(body, child.spec());
    }
  };
  for (const kind of ["valid", "nomad"])
    for (const f of list(kind))
      for (const j of parseHcl(read(kind, f)).blocks.filter((x) => x.type === "job"))
        walkBody(j.body, jobSchema());

  it("uses every block and attribute somewhere in the valid and nomad corpora", () => {
    expect([...wanted].filter(([k]) => !used.has(k)).map(([, l]) => l)).toEqual([]);
  });
});
