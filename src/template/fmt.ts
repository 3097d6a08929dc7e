// Go's fmt as templates use it: Sprint, Sprintln and Sprintf with the verbs,
// flags, widths and precisions seen in practice, and Go's %!verb(type=value)
// marks for mismatches instead of exceptions.
import { formatFloat } from "./float-format.js";
import { kindOf, mapGet, sortedKeys, toNumber, typeName } from "./values.js";

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  prec: number | undefined;
}

const plainSpec = (): Spec => ({
  minus: false,
  plus: false,
  sharp: false,
  space: false,
  zero: false,
  width: undefined,
  prec: undefined,
});

function runeLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Pad to the width with spaces (or zeros after any sign, for numbers). */
function pad(s: string, spec: Spec, zeroOK = false): string {
  const width = spec.width ?? 0;
  const n = runeLength(s);
  if (n >= width) return s;
  const fill = width - n;
  if (spec.minus) return s + " ".repeat(fill);
  if (spec.zero && zeroOK) {
    const sign = /^[+\- ]/.test(s) ? (s[0] as string) : "";
    return sign + "0".repeat(fill) + s.slice(sign.length);
  }
  return " ".repeat(fill) + s;
}

/** strconv.Quote: Go string syntax, printable Unicode kept as is. */
export function quoteString(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    out += escapeRune(ch, cp, '"', asciiOnly);
  }
  return `${out}"`;
}

function escapeRune(ch: string, cp: number, quote: string, asciiOnly: boolean): string {
  if (ch === quote || ch === "\\") return `\\${ch}`;
  if (cp === 0xfffd && ch === "\ufffd") return ch;
  const printable = asciiOnly
    ? cp >= 0x20 && cp < 0x7f
    : !/[\p{C}\p{Zl}\p{Zp}]/u.test(ch) || ch === " ";
  if (printable && !(cp >= 0x80 && /\p{Zs}/u.test(ch))) return ch;
  switch (cp) {
    case 7:
      return "\\a";
    case 8:
      return "\\b";
    case 12:
      return "\\f";
    case 10:
      return "\\n";
    case 13:
      return "\\r";
    case 9:
      return "\\t";
    case 11:
      return "\\v";
  }
  if (cp < 0x20 || cp === 0x7f) return `\\x${cp.toString(16).padStart(2, "0")}`;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, "0")}`;
  return `\\U${cp.toString(16).padStart(8, "0")}`;
}

function quoteRuneLiteral(cp: number): string {
  const ch = String.fromCodePoint(cp);
  return `'${escapeRune(ch, cp, "'", false)}'`;
}

function badVerb(verb: string, v: unknown): string {
  if (v === null || v === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${formatValue(v, "v", plainSpec(), 0)})`;
}

/** A code point as text; Go prints invalid ones as U+FFFD. */
function runeText(n: bigint): string {
  const cp = Number(n);
  if (n < 0n || n > 0x10ffffn || (cp >= 0xd800 && cp < 0xe000)) return "\ufffd";
  return String.fromCodePoint(cp);
}

function fmtInteger(v: number | bigint, verb: string, spec: Spec): string {
  const big = BigInt(v);
  const neg = big < 0n;
  const abs = neg ? -big : big;
  let digits: string;
  let prefix = "";
  switch (verb) {
    case "d":
    case "v":
      digits = abs.toString(10);
      break;
    case "b":
      digits = abs.toString(2);
      if (spec.sharp) prefix = "0b";
      break;
    case "o":
    case "O":
      digits = abs.toString(8);
      if (verb === "O") prefix = "0o";
      else if (spec.sharp) prefix = "0";
      break;
    case "x":
      digits = abs.toString(16);
      if (spec.sharp) prefix = "0x";
      break;
    case "X":
      digits = abs.toString(16).toUpperCase();
      if (spec.sharp) prefix = "0X";
      break;
    case "c":
      return pad(runeText(big), spec);
    case "q":
      return pad(quoteRuneLiteral(runeText(big).codePointAt(0) as number), spec);
    case "U": {
      const unsigned = neg ? 2n ** 64n + big : big;
      const hex = `U+${unsigned.toString(16).toUpperCase().padStart(4, "0")}`;
      return pad(spec.sharp ? `${hex} '${runeText(big)}'` : hex, spec);
    }
    default:
      return badVerb(verb, v);
  }
  if (spec.prec !== undefined) {
    if (spec.prec === 0 && abs === 0n) digits = "";
    digits = digits.padStart(spec.prec, "0");
  } else if (spec.zero && !spec.minus && spec.width !== undefined) {
    const sign = neg || spec.plus || spec.space ? 1 : 0;
    // Go pads the digits to the width and puts any 0x prefix in front of them.
    digits = digits.padStart(spec.width - sign, "0");
  }
  const sign = neg ? "-" : spec.plus ? "+" : spec.space ? " " : "";
  return pad(sign + prefix + digits, { ...spec, zero: false });
}

function fmtFloat(x: number, verb: string, spec: Spec, original: unknown): string {
  if (Number.isNaN(x)) return pad(spec.plus ? "+NaN" : spec.space ? " NaN" : "NaN", spec);
  if (!Number.isFinite(x))
    return pad(x > 0 ? (spec.space && !spec.plus ? " Inf" : "+Inf") : "-Inf", spec);
  let body: string;
  const neg = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  switch (verb) {
    case "v":
      body = formatFloat(abs, "g", spec.prec ?? -1);
      break;
    case "e":
    case "E":
    case "g":
    case "G":
      body = formatFloat(abs, verb, spec.prec ?? (verb === "e" || verb === "E" ? 6 : -1));
      break;
    case "f":
    case "F":
      body = formatFloat(abs, "f", spec.prec ?? 6);
      break;
    default:
      return badVerb(verb, original);
  }
  if (spec.sharp && !body.includes(".") && !/[eE]/.test(body)) body += ".";
  const sign = neg ? "-" : spec.plus ? "+" : spec.space ? " " : "";
  return pad(sign + body, spec, true);
}

function fmtString(s: string, verb: string, spec: Spec): string {
  switch (verb) {
    case "v":
    case "s": {
      const text = spec.prec !== undefined ? Array.from(s).slice(0, spec.prec).join("") : s;
      return pad(text, spec, true);
    }
    case "q": {
      const text = spec.prec !== undefined ? Array.from(s).slice(0, spec.prec).join("") : s;
      if (spec.sharp && !/[`\p{C}]/u.test(text)) return pad(`\`${text}\``, spec);
      return pad(quoteString(text, spec.plus), spec);
    }
    case "x":
    case "X": {
      let bytes = [...Buffer.from(s, "utf8")];
      if (spec.prec !== undefined) bytes = bytes.slice(0, spec.prec);
      const hex = bytes.map((b) => {
        const h = b.toString(16).padStart(2, "0");
        return verb === "X" ? h.toUpperCase() : h;
      });
      const prefix = spec.sharp ? (verb === "X" ? "0X" : "0x") : "";
      const text = spec.space ? hex.map((h) => prefix + h).join(" ") : prefix + hex.join("");
      return pad(text, spec);
    }
    default:
      return badVerb(verb, s);
  }
}

/** One value under one verb: Go's printArg / printValue. */
function formatValue(v: unknown, verb: string, spec: Spec, depth: number): string {
  if (verb === "T") return pad(typeName(v), spec);
  if (verb === "v" && spec.sharp) return goSyntax(v, depth);
  switch (kindOf(v)) {
    case "invalid":
    case "nil":
      return depth > 0 || verb === "v" ? pad("<nil>", spec) : badVerb(verb, v);
    case "bool":
      return verb === "v" || verb === "t" ? pad(String(v), spec) : badVerb(verb, v);
    case "int":
      return fmtInteger(v as number | bigint, verb, spec);
    case "float":
      return fmtFloat(toNumber(v), verb, spec, v);
    case "string":
      return fmtString(v as string, verb, spec);
    case "slice": {
      const items = (v as unknown[]).map((e) => formatValue(e, verb, spec, depth + 1));
      return `[${items.join(" ")}]`;
    }
    case "map": {
      const m = v as object;
      const items = sortedKeys(m).map(
        (k) =>
          `${formatValue(k, verb, spec, depth + 1)}:${formatValue(mapGet(m, k), verb, spec, depth + 1)}`,
      );
      return `map[${items.join(" ")}]`;
    }
    default:
      return verb === "v" ? pad(String(v), spec) : badVerb(verb, v);
  }
}

/** %#v: the value in Go syntax. */
function goSyntax(v: unknown, depth: number): string {
  switch (kindOf(v)) {
    case "invalid":
    case "nil":
      return depth > 0 ? "interface {}(nil)" : "<nil>";
    case "string":
      return quoteString(v as string);
    case "float": {
      const s = formatValue(v, "v", plainSpec(), 0);
      return /^-?\d+$/.test(s) ? `${s}` : s;
    }
    case "slice":
      return `[]interface {}{${(v as unknown[]).map((e) => goSyntax(e, depth + 1)).join(", ")}}`;
    case "map": {
      const m = v as object;
      const items = sortedKeys(m).map(
        (k) => `${goSyntax(k, depth + 1)}:${goSyntax(mapGet(m, k), depth + 1)}`,
      );
      return `map[string]interface {}{${items.join(", ")}}`;
    }
    default:
      return formatValue(v, "v", plainSpec(), depth);
  }
}

/** fmt.Sprint: spaces between operands when neither is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = "";
  let prevString = false;
  args.forEach((a, i) => {
    const isString = typeof a === "string";
    if (i > 0 && !isString && !prevString) out += " ";
    out += formatValue(a, "v", plainSpec(), 0);
    prevString = isString;
  });
  return out;
}

/** fmt.Sprintln: spaces between all operands, a newline at the end. */
export function sprintln(args: readonly unknown[]): string {
  return `${args.map((a) => formatValue(a, "v", plainSpec(), 0)).join(" ")}\n`;
}

/** The %v form of one value (what an action prints). */
export function formatDefault(v: unknown): string {
  return formatValue(v, "v", plainSpec(), 0);
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = "";
  let argNum = 0;
  let reordered = false;
  let i = 0;
  const n = format.length;

  /** An explicit argument index [n]; sets argNum, reports success. */
  const argIndex = (): boolean => {
    if (format[i] !== "[") return true;
    reordered = true;
    const close = format.indexOf("]", i);
    const idx = close > i ? Number(format.slice(i + 1, close)) : Number.NaN;
    if (!Number.isInteger(idx) || idx < 1 || idx > args.length) {
      i = close > i ? close + 1 : n;
      return false;
    }
    argNum = idx - 1;
    i = close + 1;
    return true;
  };
  const readNumber = (): number | undefined => {
    const start = i;
    while (i < n && (format[i] as string) >= "0" && (format[i] as string) <= "9") i++;
    return i > start ? Number(format.slice(start, i)) : undefined;
  };
  const intArg = (): number | undefined => {
    const a = args[argNum];
    if (argNum >= args.length || kindOf(a) !== "int") {
      argNum++;
      return undefined;
    }
    argNum++;
    return Number(a);
  };

  while (i < n) {
    const pct = format.indexOf("%", i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec = plainSpec();
    flags: for (; i < n; i++) {
      switch (format[i]) {
        case "#":
          spec.sharp = true;
          break;
        case "0":
          spec.zero = true;
          break;
        case "+":
          spec.plus = true;
          break;
        case "-":
          spec.minus = true;
          break;
        case " ":
          spec.space = true;
          break;
        default:
          break flags;
      }
    }
    let goodArgNum = argIndex();
    if (format[i] === "*") {
      i++;
      const w = intArg();
      if (w === undefined) out += "%!(BADWIDTH)";
      else if (w < 0) {
        spec.minus = true;
        spec.width = -w;
      } else spec.width = w;
    } else {
      spec.width = readNumber();
    }
    if (format[i] === ".") {
      i++;
      goodArgNum = goodArgNum && argIndex();
      if (format[i] === "*") {
        i++;
        const p = intArg();
        if (p === undefined || p < 0) out += "%!(BADPREC)";
        else spec.prec = p;
      } else {
        spec.prec = readNumber() ?? 0;
      }
    }
    goodArgNum = goodArgNum && argIndex();
    if (i >= n) {
      out += "%!(NOVERB)";
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) as number);
    i += verb.length;
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (!goodArgNum) {
      out += `%!${verb}(BADINDEX)`;
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatValue(args[argNum], verb, spec, 0);
    argNum++;
  }
  if (!reordered && argNum < args.length) {
    const extra = args
      .slice(argNum)
      .map((a) => (a === null || a === undefined ? "<nil>" : `${typeName(a)}=${formatDefault(a)}`));
    out += `%!(EXTRA ${extra.join(", ")})`;
  }
  return out;
}
