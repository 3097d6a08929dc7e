// Checks a cron expression the way Nomad's cron library (cronexpr) reads it:
// 5 fields (minute…day-of-week), 6 (with seconds first) or 7 (with year), or
// a predefined @name. Returns why it is wrong, or undefined when it is fine.

const months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const predefined = new Set([
  "@yearly",
  "@annually",
  "@monthly",
  "@weekly",
  "@daily",
  "@midnight",
  "@hourly",
]);

interface FieldRule {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** Extra tokens the field accepts: L and W (day of month), L and # (day of week), ?. */
  extra?: RegExp;
}

const seconds: FieldRule = { name: "second", min: 0, max: 59 };
const rules: FieldRule[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31, extra: /^(\?|L|LW|[0-9]{1,2}W)$/ },
  { name: "month", min: 1, max: 12, names: months },
  { name: "day of week", min: 0, max: 7, names: days, extra: /^(\?|[0-7]L|[0-7]#[1-5]|L)$/i },
];
const year: FieldRule = { name: "year", min: 1970, max: 2099 };

function value(s: string, r: FieldRule): number | undefined {
  if (/^[0-9]+$/.test(s)) return Number(s);
  const i = r.names?.indexOf(s.toLowerCase()) ?? -1;
  return i >= 0 ? i + (r.names === months ? 1 : 0) : undefined;
}

function checkField(f: string, r: FieldRule): string | undefined {
  for (const part of f.split(",")) {
    if (r.extra?.test(part)) continue;
    const [range, step] = part.split("/");
    if (step !== undefined && !/^[1-9][0-9]*$/.test(step))
      return `invalid step "${step}" in the ${r.name} field`;
    if (range === "*") continue;
    const bounds = (range ?? "").split("-");
    if (bounds.length > 2) return `invalid range "${range}" in the ${r.name} field`;
    const vals = bounds.map((b) => value(b, r));
    for (const [i, v] of vals.entries()) {
      if (v === undefined) return `invalid value "${bounds[i]}" in the ${r.name} field`;
      if (v < r.min || v > r.max) return `${r.name} ${v} is out of range ${r.min}-${r.max}`;
    }
    if (vals.length === 2 && (vals[0] as number) > (vals[1] as number))
      return `range "${range}" in the ${r.name} field goes backwards`;
  }
  return undefined;
}

export function cronError(expr: string): string | undefined {
  const e = expr.trim();
  if (predefined.has(e)) return undefined;
  const fields = e.split(/\s+/);
  let set: FieldRule[];
  if (fields.length === 5) set = rules;
  else if (fields.length === 6) set = [seconds, ...rules];
  else if (fields.length === 7) set = [seconds, ...rules, year];
  else return `a cron expression has 5 to 7 fields, this one has ${fields.length}`;
  for (const [i, f] of fields.entries()) {
    const why = checkField(f, set[i] as FieldRule);
    if (why) return why;
  }
  return undefined;
}
