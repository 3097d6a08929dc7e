// Nomad's cron expressions (hashicorp/cronexpr) on top of croner: five fields
// are minute to day of week; six add a year at the end (not seconds at the
// front, as croner would read them); seven are second, minute, hour, day of
// month, month, day of week, year; fields past the seventh are ignored.
// croner has no year field, so the year is a filter here: runs in years the
// field excludes are skipped by jumping to the next year it allows. "W"
// (nearest weekday) is not supported: croner refuses it, and so does this. Pure.
import { Cron } from "croner";

export interface NomadCron {
  /** The first run strictly after `after` (ms), or undefined when there is none. */
  next(after: number): number | undefined;
}

/** cronexpr's range of years. */
const minYear = 1970;
const maxYear = 2099;

export function parseCron(expr: string, timeZone: string): NomadCron {
  const text = expr.trim();
  if (text.startsWith("@")) return fromCroner(croner(text, timeZone), undefined, timeZone);
  // "?" is cronexpr's "any"; croner would read it as the current time's value.
  const fields = text
    .split(/\s+/)
    .slice(0, 7)
    .map((f) => (f === "?" ? "*" : f));
  if (fields.length < 5) throw new Error("missing field(s)");
  const year = fields.length === 5 ? undefined : fields.pop();
  // Day of week "5L" (the month's last Friday) is "5#L" to croner.
  const dow = fields.length - 1;
  fields[dow] = (fields[dow] ?? "").replace(/^([0-7])L$/i, "$1#L");
  const years = year === undefined ? undefined : yearList(year);
  return fromCroner(croner(fields.join(" "), timeZone), years, timeZone);
}

function croner(text: string, timeZone: string): Cron {
  return new Cron(text, { timezone: timeZone, paused: true, legacyMode: true });
}

function fromCroner(cron: Cron, years: readonly number[] | undefined, timeZone: string): NomadCron {
  return {
    next(after) {
      let from = after;
      // Each round either returns or jumps to a later year the field allows.
      for (let round = 0; round <= maxYear - minYear + 1; round++) {
        const run = cron.nextRun(new Date(from))?.getTime();
        if (run === undefined) return undefined;
        if (!years) return run;
        const y = yearIn(run, timeZone);
        if (years.includes(y)) return run;
        const nextYear = years.find((v) => v > y);
        if (nextYear === undefined) return undefined;
        from = Math.max(run, startOfYear(nextYear, timeZone) - 1);
      }
      return undefined;
    },
  };
}

/** The years a year field allows, ascending: "*", "2030", "2030-2035", "*\/2", "2030/5", lists of those. */
export function yearList(field: string): number[] {
  const out = new Set<number>();
  for (const part of field.split(",")) {
    const m = /^(\*|\?|(\d{4})(?:-(\d{4}))?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new Error(`syntax error in year field: '${part}'`);
    const step = m[4] ? Number(m[4]) : 1;
    const from = m[2] ? Number(m[2]) : minYear;
    const to = m[3] ? Number(m[3]) : m[2] && !m[4] ? from : maxYear;
    if (step < 1 || from < minYear || to > maxYear || from > to)
      throw new Error(`year field out of range (${minYear}-${maxYear}): '${part}'`);
    for (let y = from; y <= to; y += step) out.add(y);
  }
  return [...out].sort((a, b) => a - b);
}

function yearIn(ms: number, timeZone: string): number {
  return Number(new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric" }).format(ms));
}

/** Midnight of 1 January of `year` in the time zone, as an instant (ms). */
function startOfYear(year: number, timeZone: string): number {
  const utc = Date.UTC(year, 0, 1);
  // The zone's offset at that moment: its wall clock read back as if it were UTC.
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    })
      .formatToParts(utc)
      .map((p) => [p.type, Number(p.value)]),
  );
  const wall = Date.UTC(
    parts.year ?? year,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return utc - (wall - utc);
}
