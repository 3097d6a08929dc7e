// Caravan's filter expressions held to go-bexpr, the library Nomad's API uses:
// filter-cases.json lists expressions and objects, filter-expected.json is what
// go-bexpr v0.1.16 answered for each pair (bexpr-reference/main.go made it;
// its header says how to rerun it after adding cases).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseFilter } from "../../../src/http/filter.js";

interface Cases {
  objects: Record<string, unknown>;
  expressions: string[];
}
interface Outcome {
  match?: boolean;
  parseError?: boolean;
  evalError?: string;
  panic?: string;
}

const read = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(name, import.meta.url), "utf8"));
const cases = read("./filter-cases.json") as Cases;
const expected = read("./filter-expected.json") as Record<string, Record<string, Outcome>>;

/** What Caravan answers, in the reference's words: go-bexpr's panics are errors here. */
function outcome(expr: string, obj: unknown): string {
  const f = parseFilter(expr);
  if (!f.ok) return "parse error";
  const r = f.evaluate(obj);
  return r.ok ? String(r.match) : "evaluation error";
}

function want(o: Outcome): string {
  if (o.parseError) return "parse error";
  if (o.evalError !== undefined || o.panic !== undefined) return "evaluation error";
  return String(o.match);
}

/** The operator an expression exercises, to group the cases. */
function operatorOf(expr: string): string {
  const ops = [
    "is not nil",
    "is nil",
    "is not empty",
    "is empty",
    "not contains",
    "contains",
    "not matches",
    "matches",
    "not in",
    " in ",
    "any ",
    "all ",
    "!=",
    "==",
  ];
  return ops.find((op) => expr.includes(op))?.trim() ?? "syntax";
}

describe("filter expressions evaluate as go-bexpr evaluates them", () => {
  const byOperator = new Map<string, string[]>();
  for (const e of cases.expressions) {
    const op = operatorOf(e);
    byOperator.set(op, [...(byOperator.get(op) ?? []), e]);
  }
  for (const [op, exprs] of byOperator) {
    describe(op, () => {
      it.each(exprs)("%s", (expr) => {
        const reference = expected[expr];
        expect(reference, "rerun bexpr-reference after adding a case").toBeDefined();
        const got: Record<string, string> = {};
        const ref: Record<string, string> = {};
        for (const [name, obj] of Object.entries(cases.objects)) {
          got[name] = outcome(expr, obj);
          ref[name] = want((reference as Record<string, Outcome>)[name] as Outcome);
        }
        expect(got).toEqual(ref);
      });
    });
  }

  it("covers every operator of the grammar", () => {
    expect([...byOperator.keys()].sort()).toEqual(
      [
        "!=",
        "==",
        "all",
        "any",
        "contains",
        "in",
        "is empty",
        "is nil",
        "is not empty",
        "is not nil",
        "matches",
        "not contains",
        "not in",
        "not matches",
        "syntax",
      ].sort(),
    );
  });
});

describe("filter errors", () => {
  // go-bexpr's own words for each (printed by go-bexpr v0.1.16).
  it.each([
    [
      "Status ==",
      '1:10 (9): no match found, expected: "-", "0", "\\"", "`", [ \\t\\r\\n], [1-9] or [a-zA-Z]',
    ],
    [
      'Status = "x"',
      '1:8 (7): no match found, expected: "!=", "==", "contains", "in", "is", "matches", "not" or [ \\t\\r\\n]',
    ],
    ['(Status == "x"', '1:15 (14): rule "grouping": Unmatched parentheses'],
    ['Status == "x', '1:13 (12): rule "string": Unterminated string literal'],
    ["Status == 1abc", '1:12 (11): rule "number": Invalid number literal'],
    ["Meta[owner] == x", '1:6 (5): rule "index": Invalid index'],
    ['Meta["owner" == x', '1:14 (13): rule "index": Unclosed index expression'],
    ['"x" in ==', '1:8 (7): rule "match": Invalid selector'],
    ['Status == "a\\"b"', '1:11 (10): rule "string": invalid syntax'],
  ])("refuses %j", (expr, message) => {
    const f = parseFilter(expr);
    expect(f.ok).toBe(false);
    if (!f.ok) expect(f.error).toBe(message);
  });

  it("says why an object cannot be evaluated", () => {
    const f = parseFilter('Missing == "x"');
    expect(f.ok).toBe(true);
    if (f.ok)
      expect(f.evaluate({ ID: "web" })).toEqual({
        ok: false,
        error: 'error finding value in datum: /Missing at part 0: couldn\'t find key "Missing"',
      });
  });

  it("survives deep nesting and long expressions without crashing", () => {
    const nested = parseFilter(`${"(".repeat(500)}Status == running${")".repeat(500)}`);
    expect(nested.ok && nested.evaluate({ Status: "running" })).toEqual({ ok: true, match: true });
    expect(parseFilter("(".repeat(4000)).ok).toBe(false);
    expect(parseFilter(`${"((((x == ".repeat(400)}`).ok).toBe(false);
    expect(parseFilter("x == 1 ".repeat(1000)).ok).toBe(false);
  });
});
