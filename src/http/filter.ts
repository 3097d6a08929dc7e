// Nomad's `filter` query parameter: go-bexpr boolean expressions over the
// JSON the endpoint returns (`Status == "running" and Meta.team contains "x"`).
// Pure: parse once per request, then evaluate against each object; the
// grammar is in filter-grammar.ts, the operators' rules in filter-evaluate.ts.
// test/unit/http/filter.test.ts holds both to go-bexpr's own answers. One known
// difference: `matches` runs Go's regular expressions on JavaScript's engine
// (compileGoRegexp), which refuses Go's inline flag groups such as (?i:…) — an
// evaluation error where Nomad would match; a leading (?i) works.

import { type Evaluation, evaluateFilter } from "./filter-evaluate.js";
import { parseFilterExpression } from "./filter-grammar.js";

export type { Evaluation } from "./filter-evaluate.js";

export type FilterResult =
  | { ok: true; evaluate: (obj: unknown) => Evaluation }
  | { ok: false; error: string };

/** Longer expressions are refused before parsing. */
const maxLength = 4096;

/** Parses a filter expression; the error says where it went wrong, as Nomad's 400 does. */
export function parseFilter(src: string): FilterResult {
  if (src.length > maxLength)
    return { ok: false, error: `filter expression is longer than ${maxLength} characters` };
  const parsed = parseFilterExpression(src);
  if (!parsed.ok) return parsed;
  const regexes = new Map<string, RegExp>();
  return { ok: true, evaluate: (obj) => evaluateFilter(parsed.expr, obj, regexes) };
}
