// Go's time.Duration as text: ParseDuration and Duration.String(), exactly as
// Go reads and writes them (Nomad's jobspecs, API and agent configuration all
// carry Go durations). Durations are int64 nanoseconds in Go; the parser works
// in BigInt so that overflow is rejected where Go rejects it.

const MAX = (1n << 63n) - 1n;
const LIMIT = 1n << 63n;

const UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  "\u00b5s": 1_000n, // U+00B5 micro sign
  "\u03bcs": 1_000n, // U+03BC Greek letter mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

export type ParsedDuration = { ok: true; nanos: bigint } | { ok: false; error: string };

const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";

/** Go's quoting of the input in its error messages (non-ASCII and control bytes as \x..). */
function quote(s: string): string {
  let out = '"';
  for (const c of s) {
    const code = c.codePointAt(0) as number;
    if (code >= 0x80 || code < 0x20) {
      for (const b of Buffer.from(c, "utf8")) out += `\\x${b.toString(16).padStart(2, "0")}`;
    } else out += c === '"' || c === "\\" ? `\\${c}` : c;
  }
  return `${out}"`;
}

/**
 * Go's time.ParseDuration: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, or "0".
 * The error is Go's own message (`time: invalid duration "10 s"`).
 */
export function parseGoDuration(text: string): ParsedDuration {
  const invalid = (): ParsedDuration => ({
    ok: false,
    error: `time: invalid duration ${quote(text)}`,
  });
  let s = text;
  let neg = false;
  if (s[0] === "-" || s[0] === "+") {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return { ok: true, nanos: 0n };
  if (s === "") return invalid();
  let d = 0n;
  while (s !== "") {
    if (!(s[0] === "." || isDigit(s[0]))) return invalid();
    // Whole part; more digits than an int64 holds is an error.
    let i = 0;
    let v = 0n;
    for (; isDigit(s[i]); i++) {
      if (v > LIMIT / 10n) return invalid();
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > LIMIT) return invalid();
    }
    const pre = i > 0;
    s = s.slice(i);
    // Fraction; digits past int64's precision are read but ignored.
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s[0] === ".") {
      s = s.slice(1);
      let overflow = false;
      let j = 0;
      for (; isDigit(s[j]); j++) {
        if (overflow) continue;
        if (f > MAX / 10n) {
          overflow = true;
          continue;
        }
        const y = f * 10n + BigInt(s.charCodeAt(j) - 48);
        if (y > LIMIT) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) return invalid();
    let k = 0;
    while (k < s.length && !(s[k] === "." || isDigit(s[k]))) k++;
    if (k === 0) return { ok: false, error: `time: missing unit in duration ${quote(text)}` };
    const u = s.slice(0, k);
    s = s.slice(k);
    const unit = UNITS[u];
    if (unit === undefined) {
      return { ok: false, error: `time: unknown unit ${quote(u)} in duration ${quote(text)}` };
    }
    if (v > LIMIT / unit) return invalid();
    v *= unit;
    if (f > 0n) {
      // Go computes the fraction in float64 and truncates, as here.
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > LIMIT) return invalid();
    }
    d += v;
    if (d > LIMIT) return invalid();
  }
  if (neg) return { ok: true, nanos: -d };
  if (d > MAX) return invalid();
  return { ok: true, nanos: d };
}

/** Milliseconds of a Go duration (fractional below a millisecond); undefined when malformed. */
export function goDurationMs(text: string): number | undefined {
  const p = parseGoDuration(text);
  return p.ok ? Number(p.nanos) / 1e6 : undefined;
}

/** Milliseconds of a Go duration; `fallback` when absent, empty or malformed. */
export function durationMs(text: string | undefined, fallback: number): number {
  if (text === undefined || text === "") return fallback;
  return goDurationMs(text) ?? fallback;
}

/** Digits of `v / 10^prec`'s fraction without trailing zeros ("" when none), and the integer part. */
function fraction(v: bigint, prec: number): [string, bigint] {
  const p = 10n ** BigInt(prec);
  const frac = (v % p).toString().padStart(prec, "0").replace(/0+$/, "");
  return [frac ? `.${frac}` : "", v / p];
}

/** Go's Duration.String() of a number of nanoseconds: "1h0m0s", "1m30s", "1.5s", "250ms", "1.5µs". */
export function formatGoDuration(nanos: number | bigint): string {
  let u = typeof nanos === "bigint" ? nanos : BigInt(Math.round(nanos));
  const sign = u < 0n ? "-" : "";
  if (u < 0n) u = -u;
  if (u === 0n) return "0s";
  if (u < 1_000_000_000n) {
    const [unit, prec] = u < 1_000n ? ["ns", 0] : u < 1_000_000n ? ["\u00b5s", 3] : ["ms", 6];
    const [frac, whole] = fraction(u, prec as number);
    return `${sign}${whole}${frac}${unit}`;
  }
  const [frac, secs] = fraction(u, 9);
  let out = `${secs % 60n}${frac}s`;
  const mins = secs / 60n;
  if (mins > 0n) {
    out = `${mins % 60n}m${out}`;
    const hours = mins / 60n;
    if (hours > 0n) out = `${hours}h${out}`;
  }
  return sign + out;
}

/** Go's Duration.String() of a number of milliseconds. */
export function formatGoDurationMs(ms: number): string {
  return formatGoDuration(BigInt(Math.round(ms * 1e6)));
}

/**
 * A Go duration string with its zero hours/minutes/seconds left out ("1h", "1h30s",
 * "90ms"): the shortest form Go reads back as the same duration.
 */
export function compactGoDuration(nanos: number | bigint): string {
  const full = formatGoDuration(nanos);
  const m = /^(-?)(?:(\d+)h)?(?:(\d+)m)?([\d.]+s)$/.exec(full);
  if (!m || full.endsWith("ms") || full.endsWith("ns") || full.endsWith("\u00b5s")) return full;
  const [, sign, h, min, sec] = m;
  const parts = [h && h !== "0" ? `${h}h` : "", min && min !== "0" ? `${min}m` : ""];
  if (sec !== "0s" || parts.join("") === "") parts.push(sec as string);
  return `${sign}${parts.join("")}`;
}
