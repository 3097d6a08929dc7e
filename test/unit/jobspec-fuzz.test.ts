// Property test: mutate valid job files (deletions, insertions of HCL's
// significant characters, duplicated, swapped and truncated lines) and require
// the parser to end every time in a job or in errors that point inside the
// file — never an exception, an "internal error" or a hang.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseJob } from "../../src/jobspec/index.js";

// Valid files, and invalid ones too: mutations of a broken file must fail as cleanly.
const corpus = ["valid", "nomad", "invalid"].flatMap((kind) => {
  const dir = path.resolve(import.meta.dirname, "../jobspec", kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".nomad.hcl"))
    .map((f) => readFileSync(path.join(dir, f), "utf8"));
});

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

type Mutation = (src: string) => string;
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
);

describe("jobspec under mutation", () => {
  it("always ends in a job or positioned errors inside the file", () => {
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
      { numRuns: 10_000, seed: Number(process.env.FUZZ_SEED ?? 20260101) },
    );
    // ~5 s on an idle core; more when the machine is busy.
  }, 120_000);
});
