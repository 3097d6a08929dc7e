// Property test: mutate the corpus's job files (deletions, insertions of
// HCL's significant characters and of random bytes, duplicated, deleted,
// swapped and truncated lines, swapped tokens, values changed to another
// type) and require the parser to end every time in a job (which converts to
// Nomad's JSON and to a NomadJob) or in errors that point inside the file —
// never an exception, an "internal error" or a hang. FUZZ_RUNS raises the
// number of mutated files for a long local run, FUZZ_SEED changes them.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseJob, toNomadRunOutput, toResource } from "../../src/jobspec/index.js";

// Valid files, and invalid ones too: mutations of a broken file must fail as cleanly.
// FUZZ_FILES names a file listing more job files, one a line, for a local run
// over files that are not in the repository (Nomad's own, say).
const extra = process.env.FUZZ_FILES
  ? readFileSync(process.env.FUZZ_FILES, "utf8").split("\n").filter(Boolean)
  : [];
const corpus = [
  ...["valid", "nomad", "seeds", "invalid"].flatMap((kind) => {
    const dir = path.resolve(import.meta.dirname, "../jobspec", kind);
    return readdirSync(dir)
      .filter((f) => f.endsWith(".nomad.hcl"))
      .map((f) => readFileSync(path.join(dir, f), "utf8"));
  }),
  ...extra.map((f) => readFileSync(f, "utf8")),
];

const tokens = [
  "[".repeat(300),
  "{".repeat(300),
  "{",
  "}",
  '"',
  "=",
  "${",
  "%{",
  "}\n",
  "\n",
  "<<EOT\n",
  "<<-EOT\n",
  "EOT\n",
  "[",
  "]",
  "(",
  ")",
  ",",
  "#",
  "/*",
  "*/",
  "\\",
  "...",
  "?",
  ":",
  "=>",
  "for ",
  " in ",
  "var.",
  "local.",
  "~",
  "$",
  "%",
  "0",
  "-1",
  "1e309",
  "null",
  "true",
  "\u00e9",
  "\t",
  "\r\n",
  "*",
];

// Values of every type HCL has, to put where another type was written.
const values = [
  '"text"',
  '""',
  "42",
  "-1.5",
  "0",
  "true",
  "null",
  "[]",
  '[1, "a", true]',
  "{}",
  '{ a = 1, "b" = [2] }',
  '"${var.missing}"',
  '"${node.unique.name}"',
  '"10s"',
  "1e400",
];
// An attribute's value: a quoted string, a number, a bool, null or a one-line list.
const attributeValue = /(=\s*)("(?:[^"\\\n]|\\.)*"|-?[0-9][0-9.e]*|true|false|null|\[[^\]\n]*\])/g;

type Mutation = (src: string) => string;
const at = (n: number, length: number) => n % (length + 1);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 20 })).map(
    ([at, len]): Mutation =>
      (s) => {
        const i = at % (s.length + 1);
        return s.slice(0, i) + s.slice(i + len);
      },
  ),
  fc.tuple(fc.nat(), fc.constantFrom(...tokens)).map(
    ([at, t]): Mutation =>
      (s) => {
        const i = at % (s.length + 1);
        return s.slice(0, i) + t + s.slice(i);
      },
  ),
  fc.nat().map(
    (at): Mutation =>
      (s) => {
        const lines = s.split("\n");
        const i = at % lines.length;
        lines.splice(i, 0, lines[i] as string);
        return lines.join("\n");
      },
  ),
  fc.tuple(fc.nat(), fc.nat()).map(
    ([a, b]): Mutation =>
      (s) => {
        const lines = s.split("\n");
        const i = a % lines.length;
        const j = b % lines.length;
        [lines[i], lines[j]] = [lines[j] as string, lines[i] as string];
        return lines.join("\n");
      },
  ),
  fc.nat().map(
    (at): Mutation =>
      (s) =>
        s.slice(0, at % (s.length + 1)),
  ),
  // Random bytes, read as Latin-1: control characters, NUL, bytes above 0x7f.
  fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(
    ([n, bytes]): Mutation =>
      (s) => {
        const i = at(n, s.length);
        return s.slice(0, i) + Buffer.from(bytes).toString("latin1") + s.slice(i);
      },
  ),
  // Any Unicode text, surrogate pairs and all.
  fc.tuple(fc.nat(), fc.string({ unit: "grapheme", maxLength: 6 })).map(
    ([n, text]): Mutation =>
      (s) => {
        const i = at(n, s.length);
        return s.slice(0, i) + text + s.slice(i);
      },
  ),
  // A line deleted.
  fc.nat().map(
    (n): Mutation =>
      (s) => {
        const lines = s.split("\n");
        lines.splice(n % lines.length, 1);
        return lines.join("\n");
      },
  ),
  // Two tokens (words, strings, punctuation) swapped.
  fc.tuple(fc.nat(), fc.nat()).map(
    ([a, b]): Mutation =>
      (s) => {
        const tokens = [...s.matchAll(/"[^"\n]*"|[A-Za-z_][\w-]*|[0-9.]+|[^\s\w]/g)];
        if (tokens.length < 2) return s;
        const [x, y] = [tokens[a % tokens.length], tokens[b % tokens.length]].sort(
          (p, q) => (p?.index ?? 0) - (q?.index ?? 0),
        ) as [RegExpExecArray, RegExpExecArray];
        if (x.index === y.index) return s;
        const xEnd = x.index + x[0].length;
        if (xEnd > y.index) return s;
        return (
          s.slice(0, x.index) +
          y[0] +
          s.slice(xEnd, y.index) +
          x[0] +
          s.slice(y.index + y[0].length)
        );
      },
  ),
  // An attribute's value replaced by a value of another type.
  fc.tuple(fc.nat(), fc.constantFrom(...values)).map(
    ([n, value]): Mutation =>
      (s) => {
        const found = [...s.matchAll(attributeValue)];
        const m = found[n % Math.max(found.length, 1)];
        if (!m) return s;
        const start = m.index + (m[1] as string).length;
        return s.slice(0, start) + value + s.slice(start + (m[2] as string).length);
      },
  ),
);

describe("jobspec under mutation", () => {
  it(
    "always ends in a job or positioned errors inside the file",
    () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...corpus),
          fc.array(mutation, { minLength: 1, maxLength: 4 }),
          (src, muts) => {
            const text = muts.reduce((s, m) => m(s), src);
            const started = performance.now();
            const r = parseJob({ file: "fuzz.nomad.hcl", source: text, readFile: () => "x" });
            expect(performance.now() - started).toBeLessThan(2000);
            if (r.ok) {
              expect(typeof r.job.id).toBe("string");
              expect(r.job.groups.length).toBeGreaterThan(0);
              // What the CLI prints and applies for it.
              expect(toNomadRunOutput(r.parsed, r.namespace).Job.ID).toBe(r.parsed.id);
              expect(toResource(r.job, r.namespace).metadata.name).toMatch(
                /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
              );
              for (const w of r.warnings ?? []) expect(w.line).toBeGreaterThanOrEqual(1);
              return;
            }
            const lines = text.split("\n").length;
            expect(r.errors.length).toBeGreaterThan(0);
            for (const e of r.errors) {
              expect(e.message).not.toMatch(/^internal error/);
              expect(e.line).toBeGreaterThanOrEqual(1);
              expect(e.line).toBeLessThanOrEqual(lines + 1);
              expect(e.column).toBeGreaterThanOrEqual(1);
            }
          },
        ),
        {
          numRuns: Number(process.env.FUZZ_RUNS ?? 10_000),
          seed: Number(process.env.FUZZ_SEED ?? 20260101),
        },
      );
      // ~5 s on an idle core; more when the machine is busy.
    },
    Number(process.env.FUZZ_TIMEOUT_MS ?? 120_000),
  );
});
