// consul-template's string functions. Argument order puts the string last so
// they pipe: {{ .x | trimPrefix "v" }}.
import { kindOf, toNumber } from "../values.js";
import { regexMatch, regexReplaceAll } from "./regexp.js";
import { type FuncMap, fn } from "./types.js";

const GO_SPACE =
  "[\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]";
const LEADING_SPACE = new RegExp(`^${GO_SPACE}+`, "u");
const TRAILING_SPACE = new RegExp(`${GO_SPACE}+$`, "u");

export function trimSpace(s: string): string {
  return s.replace(LEADING_SPACE, "").replace(TRAILING_SPACE, "");
}

/** strings.Split, with Go's rule for an empty separator (one element per character). */
function goSplit(s: string, sep: string): string[] {
  return sep === "" ? Array.from(s) : s.split(sep);
}

/** strings.Trim: drop leading and trailing characters found in cutset. */
function trimCutset(s: string, cutset: string): string {
  const cut = new Set(Array.from(cutset));
  const chars = Array.from(s);
  let start = 0;
  let end = chars.length;
  while (start < end && cut.has(chars[start] as string)) start++;
  while (end > start && cut.has(chars[end - 1] as string)) end--;
  return chars.slice(start, end).join("");
}

/** cases.Title(language.Und, cases.NoLower): capitalise the first letter of each word. */
function toTitle(s: string): string {
  return s.replace(
    /(^|[^\p{L}\p{N}\p{M}'_])(\p{L})/gu,
    (_, pre: string, ch: string) => pre + ch.toUpperCase(),
  );
}

/** consul-template's `in`: an element of a list (same kind), or a substring of a string. */
export function inList(l: unknown, v: unknown): boolean {
  const lk = kindOf(l);
  const vk = kindOf(v);
  if (lk === "slice") {
    return (l as unknown[]).some((e) => {
      const ek = kindOf(e);
      if (ek === "int" || ek === "float") return ek === vk && toNumber(e) === toNumber(v);
      if (ek === "string") return vk === "string" && e === v;
      return false;
    });
  }
  if (lk === "string") return vk === "string" && (l as string).includes(v as string);
  return false;
}

/** containsAll / containsAny / containsNone / containsNotAll. */
function containsSome(retTrue: boolean, invert: boolean) {
  return fn(["list", "any"], (_, [v, l]) => {
    for (const x of v as unknown[]) {
      if (inList(l, x) !== invert) return !retTrue;
    }
    return retTrue;
  });
}

function indent(spaces: number, s: string): string {
  if (spaces < 0) throw new Error("indent value must be a positive integer");
  const pad = " ".repeat(spaces);
  let out = "";
  let lineStart = true;
  for (const c of s) {
    if (lineStart && c !== "\n") out += pad;
    out += c;
    lineStart = c === "\n";
  }
  return out;
}

export const STRING_FUNCS: FuncMap = {
  toUpper: fn(["string"], (_, [s]) => (s as string).toUpperCase()),
  toLower: fn(["string"], (_, [s]) => (s as string).toLowerCase()),
  toTitle: fn(["string"], (_, [s]) => toTitle(s as string)),
  split: fn(["string", "string"], (_, [sep, s]) => {
    const t = trimSpace(s as string);
    return t === "" ? [] : goSplit(t, sep as string);
  }),
  splitToMap: fn(["string", "string", "string"], (_, [sep1, sep2, s]) => {
    const out: Record<string, string> = {};
    const t = trimSpace(s as string);
    if (t === "") return out;
    for (const item of goSplit(t, sep1 as string)) {
      const at = item.indexOf(sep2 as string);
      if (at >= 0) out[item.slice(0, at)] = item.slice(at + (sep2 as string).length);
    }
    return out;
  }),
  join: fn(["string", "stringList"], (_, [sep, list]) => (list as string[]).join(sep as string)),
  replaceAll: fn(["string", "string", "string"], (_, [from, to, s]) =>
    from === ""
      ? Array.from(s as string).reduce((acc, ch) => acc + ch + to, to as string)
      : (s as string).split(from as string).join(to as string),
  ),
  regexReplaceAll: fn(["string", "string", "string"], (_, [re, repl, s]) =>
    regexReplaceAll(re as string, repl as string, s as string),
  ),
  regexMatch: fn(["string", "string"], (_, [re, s]) => regexMatch(re as string, s as string)),
  trimSpace: fn(["string"], (_, [s]) => trimSpace(s as string)),
  trim: fn(["string", "string"], (_, [cutset, s]) => trimCutset(s as string, cutset as string)),
  trimPrefix: fn(["string", "string"], (_, [p, s]) =>
    (s as string).startsWith(p as string) ? (s as string).slice((p as string).length) : s,
  ),
  trimSuffix: fn(["string", "string"], (_, [p, s]) =>
    (p as string) !== "" && (s as string).endsWith(p as string)
      ? (s as string).slice(0, -(p as string).length)
      : s,
  ),
  contains: fn(["any", "any"], (_, [v, l]) => inList(l, v)),
  in: fn(["any", "any"], (_, [l, v]) => inList(l, v)),
  containsAll: containsSome(true, true),
  containsAny: containsSome(false, false),
  containsNone: containsSome(true, false),
  containsNotAll: containsSome(false, true),
  indent: fn(["int", "string"], (_, [n, s]) => indent(n as number, s as string)),
};
