// The engine against Go itself: go-oracle.json holds templates with the
// output or error that Go's text/template produced for them (regenerate with
// `go run main.go` in go-oracle/). Error messages must match Go's word for
// word after the position; positions differ on purpose (Go prints no column
// for parse errors and a 0-based byte offset for execution errors; we print a
// 1-based column), so only the line is compared.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseTemplate, renderTemplate, TemplateError } from "../../../src/template/index.js";

interface OracleCase {
  template: string;
  data?: unknown;
  noData?: boolean;
  missingKey?: string;
  leftDelim?: string;
  rightDelim?: string;
  output?: string;
  error?: string;
}

const file = JSON.parse(readFileSync(path.join(import.meta.dirname, "go-oracle.json"), "utf8")) as {
  defaultData: unknown;
  cases: OracleCase[];
};

/** "template: t:3:14: msg" → { line: 3, rest: "msg" } */
function splitPosition(message: string): { line: number; rest: string } {
  const m = /^template: t:(\d+)(?::\d+)?: ([\s\S]*)$/.exec(message);
  if (!m) throw new Error(`unpositioned error: ${message}`);
  return { line: Number(m[1]), rest: m[2] as string };
}

function run(c: OracleCase): { output: string } | { error: string } {
  try {
    const t = parseTemplate(c.template, {
      name: "t",
      leftDelim: c.leftDelim,
      rightDelim: c.rightDelim,
    });
    const data = c.noData ? undefined : (c.data ?? file.defaultData);
    const r = renderTemplate(t, { data, errorOnMissingKey: c.missingKey === "error" });
    return { output: r.output };
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    return { error: e.message };
  }
}

describe("templates render as Go's text/template renders them", () => {
  it.each(file.cases.map((c, i) => [i, JSON.stringify(c.template).slice(0, 60), c] as const))(
    "case %i: %s",
    (_, __, c) => {
      const got = run(c);
      if (c.error === undefined) {
        expect(got).toEqual({ output: c.output });
        return;
      }
      expect(got).toHaveProperty("error");
      const want = splitPosition(c.error);
      const have = splitPosition((got as { error: string }).error);
      expect(have.rest).toBe(want.rest);
      expect(have.line).toBe(want.line);
    },
  );
});
