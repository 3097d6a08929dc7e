// Go literal syntax inside actions: quoted strings, character constants and
// numbers (strconv's rules: base prefixes, underscores, hex floats).

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  "\\": 92,
};

function pushRune(bytes: number[], cp: number): void {
  for (const b of Buffer.from(String.fromCodePoint(cp), "utf8")) bytes.push(b);
}

/**
 * Decode the body of a Go "..." or '...' literal (without its quotes) into
 * bytes. Throws Error("invalid syntax") like strconv.Unquote.
 */
function decodeEscapes(body: string, quote: string): number[] {
  const bytes: number[] = [];
  for (let i = 0; i < body.length; ) {
    const cp = body.codePointAt(i) as number;
    const ch = String.fromCodePoint(cp);
    if (ch === quote || ch === "\n") throw new Error("invalid syntax");
    if (ch !== "\\") {
      pushRune(bytes, cp);
      i += ch.length;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) throw new Error("invalid syntax");
    i += 2;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      bytes.push(simple);
      continue;
    }
    if (e === quote) {
      bytes.push(quote.charCodeAt(0));
      continue;
    }
    const hexLen = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
    if (hexLen > 0) {
      const hex = body.slice(i, i + hexLen);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== hexLen) throw new Error("invalid syntax");
      i += hexLen;
      const v = Number.parseInt(hex, 16);
      if (e === "x") bytes.push(v);
      else if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) throw new Error("invalid syntax");
      else pushRune(bytes, v);
      continue;
    }
    if (e >= "0" && e <= "7") {
      const oct = body.slice(i - 1, i + 2);
      if (!/^[0-7]{3}$/.test(oct)) throw new Error("invalid syntax");
      const v = Number.parseInt(oct, 8);
      if (v > 255) throw new Error("invalid syntax");
      bytes.push(v);
      i += 2;
      continue;
    }
    throw new Error("invalid syntax");
  }
  return bytes;
}

const decoder = new TextDecoder("utf-8", { fatal: false });

/** strconv.Unquote for "..." and `...` literals. */
export function unquoteString(quoted: string): string {
  if (quoted.startsWith("`")) {
    if (quoted.length < 2 || !quoted.endsWith("`")) throw new Error("invalid syntax");
    // Go drops carriage returns from raw strings.
    return quoted.slice(1, -1).replaceAll("\r", "");
  }
  if (quoted.length < 2 || !quoted.startsWith('"') || !quoted.endsWith('"')) {
    throw new Error("invalid syntax");
  }
  return decoder.decode(Uint8Array.from(decodeEscapes(quoted.slice(1, -1), '"')));
}

/** The code point of a Go character constant such as 'a' or '\n'. */
export function unquoteChar(quoted: string): number {
  const body = quoted.slice(1, -1);
  const cp = body.codePointAt(0);
  if (cp === undefined) throw new Error(`malformed character constant: ${quoted}`);
  if (body[0] !== "\\") {
    if (String.fromCodePoint(cp).length !== body.length) {
      throw new Error(`malformed character constant: ${quoted}`);
    }
    return cp;
  }
  const bytes = decodeEscapes(body, "'");
  const text = decoder.decode(Uint8Array.from(bytes));
  // \x and octal escapes give one byte, which is the rune value itself.
  if (bytes.length === 1) return bytes[0] as number;
  const first = text.codePointAt(0) as number;
  if (String.fromCodePoint(first) !== text)
    throw new Error(`malformed character constant: ${quoted}`);
  return first;
}

/** strconv's rule: an underscore must sit between digits (a base prefix counts as one). */
function underscoreOK(s: string): boolean {
  let saw = "^";
  let i = 0;
  if (s.startsWith("+") || s.startsWith("-")) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === "0" && /[xXbBoO]/.test(s[1] as string)) {
    i = 2;
    saw = "0";
    hex = s[1] === "x" || s[1] === "X";
  }
  for (; i < s.length; i++) {
    const c = s[i] as string;
    if (/[0-9]/.test(c) || (hex && /[a-fA-F]/.test(c))) {
      saw = "0";
      continue;
    }
    if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
      continue;
    }
    if (saw === "_") return false;
    saw = "!";
  }
  return saw !== "_";
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** strconv.ParseInt(text, 0, 64)'s syntax, as a bigint (out of int64's range too), or undefined when not an integer. */
export function parseIntLiteral(text: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(
    text,
  );
  if (!m || !underscoreOK(text)) return undefined;
  let digits = (m[2] as string).replaceAll("_", "");
  if (/^0[0-7]+$/.test(digits)) digits = `0o${digits.slice(1)}`;
  const v = BigInt(digits);
  return m[1] === "-" ? -v : v;
}

export function parseFloatLiteral(text: string): number | undefined {
  if (!underscoreOK(text)) return undefined;
  const s = text.replaceAll("_", "");
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(s);
  if (!hex) return undefined;
  const intPart = hex[2] ?? "";
  const fracPart = hex[3] ?? "";
  if (intPart === "" && fracPart === "") return undefined;
  const mantissa = Number.parseInt(`${intPart}${fracPart}` || "0", 16);
  const v = mantissa * 2 ** (Number(hex[4]) - 4 * fracPart.length);
  return hex[1] === "-" ? -v : v;
}

export interface NumberValue {
  isInt: boolean;
  isFloat: boolean;
  int: number;
  bigInt?: bigint;
  float: number;
}

/** Interpret a number token like Go's parse.newNumber; throws with Go's message. */
export function parseNumber(text: string): NumberValue {
  if (text.endsWith("i"))
    throw new Error(`complex constants are not supported: ${JSON.stringify(text)}`);
  const big = parseIntLiteral(text);
  if (big !== undefined) {
    if (big >= INT64_MIN && big <= INT64_MAX) {
      const safe = big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER);
      const n = Number(big);
      return safe
        ? { isInt: true, isFloat: true, int: n, float: n }
        : { isInt: true, isFloat: true, int: n, bigInt: big, float: n };
    }
    if (big >= 0n && big <= UINT64_MAX) {
      // Fits uint64 only: usable as a float, not as Go's int.
      return { isInt: false, isFloat: true, int: 0, float: Number(big) };
    }
  }
  const f = parseFloatLiteral(text);
  if (f !== undefined && Number.isFinite(f)) {
    if (!/[.eEpP]/.test(text)) throw new Error(`integer overflow: ${JSON.stringify(text)}`);
    const isInt = Number.isInteger(f) && Math.abs(f) <= 2 ** 63;
    return { isInt, isFloat: true, int: isInt ? f : 0, float: f };
  }
  throw new Error(`illegal number syntax: ${JSON.stringify(text)}`);
}
