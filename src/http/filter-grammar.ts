// The grammar of Nomad's `filter` expressions, go-bexpr's (grammar/grammar.peg):
// a parsing expression grammar, so every rule below tries its alternatives in
// order and backtracks, and the same text parses (or fails) as it does in Nomad.
// Where go-bexpr records an error (an unterminated string, an invalid number or
// index, unmatched parentheses), the whole parse fails, so those throw at once.
// Pure.

import { unquoteString } from "../template/literals.js";

/** A path into the object: `Meta.owner`, `Meta["a.b"]`, `TaskGroups.0`, or a JSON pointer `"/Meta/owner"`. */
export interface Selector {
  type: "bexpr" | "pointer";
  path: string[];
}

export type MatchOperator =
  | "=="
  | "!="
  | "in"
  | "not in"
  | "is empty"
  | "is not empty"
  | "matches"
  | "not matches"
  | "is nil"
  | "is not nil";

/** `any Sel as v`, `as i, v`, `as i, _`, `as _, v`. */
export interface NameBinding {
  mode: "default" | "index" | "value" | "index and value";
  default?: string;
  index?: string;
  value?: string;
}

export type FilterExpr =
  | { k: "and" | "or"; left: FilterExpr; right: FilterExpr }
  | { k: "not"; operand: FilterExpr }
  | { k: "match"; op: MatchOperator; selector: Selector; value?: string }
  | {
      k: "collection";
      op: "any" | "all";
      selector: Selector;
      binding: NameBinding;
      inner: FilterExpr;
    };

export type GrammarResult = { ok: true; expr: FilterExpr } | { ok: false; error: string };

/** A parse that matched: what it built and where it stopped. */
type Hit<T> = { v: T; at: number } | undefined;

class Refused extends Error {}

const identifierPattern = /[a-zA-Z][a-zA-Z0-9_/]*/y;
const numberPattern = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?/y;

const selectorString = (s: Selector): string => s.path.join(s.type === "bexpr" ? "." : "/");

class Parser {
  private farthest = 0;
  private expected = new Set<string>();
  private readonly orMemo = new Map<number, Hit<FilterExpr>>();

  constructor(private readonly src: string) {}

  parse(): FilterExpr {
    let p = this.ws0(0);
    if (this.lit("(", p)) {
      const e = this.or(this.ws0(p + 1));
      if (e) {
        p = this.ws0(e.at);
        if (this.lit(")", p) && this.eof(this.ws0(p + 1))) return e.v;
      }
    }
    const e = this.or(this.ws0(0));
    if (e && this.eof(this.ws0(e.at))) return e.v;
    throw this.noMatch();
  }

  // ---- expressions

  private or(at: number): Hit<FilterExpr> {
    if (this.orMemo.has(at)) return this.orMemo.get(at);
    let out: Hit<FilterExpr>;
    const left = this.and(at);
    if (left) {
      out = left;
      const right = this.keyword("or", left.at);
      const r = right === undefined ? undefined : this.or(right);
      if (r) out = { v: { k: "or", left: left.v, right: r.v }, at: r.at };
    } else out = this.collection(at);
    this.orMemo.set(at, out);
    return out;
  }

  private and(at: number): Hit<FilterExpr> {
    const left = this.not(at);
    if (!left) return undefined;
    const right = this.keyword("and", left.at);
    const r = right === undefined ? undefined : this.and(right);
    return r ? { v: { k: "and", left: left.v, right: r.v }, at: r.at } : left;
  }

  private not(at: number): Hit<FilterExpr> {
    if (this.lit("not", at)) {
      const w = this.ws1(at + 3);
      const e = w === undefined ? undefined : this.not(w);
      if (e) {
        // `not not X` is X, as go-bexpr folds it.
        if (e.v.k === "not") return { v: e.v.operand, at: e.at };
        return { v: { k: "not", operand: e.v }, at: e.at };
      }
    }
    return this.parenthesized(at);
  }

  private parenthesized(at: number): Hit<FilterExpr> {
    if (this.lit("(", at)) {
      const e = this.or(this.ws0(at + 1));
      if (e) {
        const close = this.ws0(e.at);
        if (this.lit(")", close)) return { v: e.v, at: close + 1 };
      }
    }
    const m = this.match(at);
    if (m) return m;
    if (this.lit("(", at)) {
      const e = this.or(this.ws0(at + 1));
      const close = e ? this.ws0(e.at) : 0;
      if (e && !this.lit(")", close)) this.refuse(close, "grouping", "Unmatched parentheses");
    }
    return undefined;
  }

  private collection(at: number): Hit<FilterExpr> {
    const op = this.lit("any", at) ? "any" : this.lit("all", at) ? "all" : undefined;
    if (!op) return undefined;
    let p = this.ws1(at + 3);
    const selector = p === undefined ? undefined : this.selector(p);
    if (!selector) return undefined;
    p = this.keyword("as", selector.at);
    const binding = p === undefined ? undefined : this.binding(p);
    if (!binding) return undefined;
    p = this.ws0(binding.at);
    if (!this.lit("{", p)) return undefined;
    const inner = this.or(this.ws0(p + 1));
    if (!inner) return undefined;
    p = this.ws0(inner.at);
    if (!this.lit("}", p)) return undefined;
    return {
      v: { k: "collection", op, selector: selector.v, binding: binding.v, inner: inner.v },
      at: p + 1,
    };
  }

  private binding(at: number): Hit<NameBinding> {
    const first = this.identifier(at);
    if (first) {
      const comma = this.ws0(first.at);
      if (this.lit(",", comma)) {
        const p = this.ws0(comma + 1);
        const second = this.identifier(p);
        if (second)
          return {
            v: { mode: "index and value", index: first.v, value: second.v },
            at: second.at,
          };
        if (this.lit("_", p)) return { v: { mode: "index", index: first.v }, at: p + 1 };
      }
    }
    if (this.lit("_", at)) {
      const comma = this.ws0(at + 1);
      if (this.lit(",", comma)) {
        const second = this.identifier(this.ws0(comma + 1));
        if (second) return { v: { mode: "value", value: second.v }, at: second.at };
      }
    }
    return first ? { v: { mode: "default", default: first.v }, at: first.at } : undefined;
  }

  private match(at: number): Hit<FilterExpr> {
    const selector = this.selector(at);
    if (selector) {
      const op = this.operatorWithValue(selector.at);
      const value = op ? this.value(op.at) : undefined;
      if (op && value)
        return {
          v: { k: "match", op: op.v, selector: selector.v, value: value.v },
          at: value.at,
        };
      const alone = this.operatorAlone(selector.at);
      if (alone) return { v: { k: "match", op: alone.v, selector: selector.v }, at: alone.at };
    }
    const value = this.value(at);
    if (value) {
      const op =
        this.words<MatchOperator>(value.at, ["in"], "in") ??
        this.words<MatchOperator>(value.at, ["not", "in"], "not in");
      if (op) {
        const s = this.selector(op.at);
        if (!s) this.refuse(op.at, "match", "Invalid selector");
        return { v: { k: "match", op: op.v, selector: s.v, value: value.v }, at: s.at };
      }
    }
    return undefined;
  }

  private operatorWithValue(at: number): Hit<MatchOperator> {
    for (const op of ["==", "!="] as const) {
      const p = this.ws0(at);
      if (this.lit(op, p)) return { v: op, at: this.ws0(p + 2) };
    }
    return (
      this.words(at, ["contains"], "in", true) ??
      this.words(at, ["not", "contains"], "not in", true) ??
      this.words(at, ["matches"], "matches", true) ??
      this.words(at, ["not", "matches"], "not matches", true)
    );
  }

  private operatorAlone(at: number): Hit<MatchOperator> {
    return (
      this.words(at, ["is", "empty"], "is empty", false) ??
      this.words(at, ["is", "not", "empty"], "is not empty", false) ??
      this.words(at, ["is", "nil"], "is nil", false) ??
      this.words(at, ["is", "not", "nil"], "is not nil", false)
    );
  }

  /** Whitespace, then each word with whitespace between (and after, when `trailing`). */
  private words<T>(at: number, words: string[], v: T, trailing = true): Hit<T> {
    let p: number | undefined = at;
    for (const w of words) {
      p = this.ws1(p);
      if (p === undefined || !this.lit(w, p)) return undefined;
      p += w.length;
    }
    if (trailing) p = this.ws1(p);
    return p === undefined ? undefined : { v, at: p };
  }

  /** Whitespace, the word, whitespace: where the next operand starts. */
  private keyword(word: string, at: number): number | undefined {
    const w = this.ws1(at);
    if (w === undefined || !this.lit(word, w)) return undefined;
    return this.ws1(w + word.length);
  }

  // ---- selectors and values

  private selector(at: number): Hit<Selector> {
    const first = this.identifier(at);
    if (first) {
      const path = [first.v];
      let p = first.at;
      for (;;) {
        const part = this.selectorPart(p);
        if (!part) break;
        path.push(part.v);
        p = part.at;
      }
      return { v: { type: "bexpr", path }, at: p };
    }
    if (!this.lit('"', at)) return undefined;
    const segments: string[] = [];
    let p = at + 1;
    for (;;) {
      if (this.src[p] !== "/") break;
      let end = p + 1;
      while (end < this.src.length && /[\p{L}\p{N}\-_.~:|]/u.test(this.src[end] as string)) end++;
      if (end === p + 1) break;
      segments.push(this.src.slice(p + 1, end));
      p = end;
    }
    if (!this.lit('"', p)) {
      this.expect(p, JSON.stringify('"'));
      return undefined;
    }
    // As pointerstructure parses "/a/b": ~1 is "/", ~0 is "~".
    const path =
      segments.length === 0
        ? [""]
        : segments.map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
    return { v: { type: "pointer", path }, at: p + 1 };
  }

  private selectorPart(at: number): Hit<string> {
    if (this.lit(".", at)) {
      const id = this.identifier(at + 1);
      if (id) return id;
    }
    if (this.lit("[", at)) {
      const p = this.ws0(at + 1);
      const key = this.string(p);
      if (!key) this.refuse(p, "index", "Invalid index");
      const close = this.ws0(key.at);
      if (!this.lit("]", close)) this.refuse(close, "index", "Unclosed index expression");
      return { v: key.v, at: close + 1 };
    }
    if (this.lit(".", at)) {
      let end = at + 1;
      while (/[0-9]/.test(this.src[end] ?? "")) end++;
      if (end > at + 1) return { v: this.src.slice(at + 1, end), at: end };
      this.expect(at + 1, "[0-9]");
    }
    return undefined;
  }

  private identifier(at: number): Hit<string> {
    const m = this.sticky(identifierPattern, at);
    if (!m) {
      this.expect(at, "[a-zA-Z]");
      return undefined;
    }
    return { v: m[0], at: at + m[0].length };
  }

  /** A value: an unquoted selector (its text), a number, or a quoted string. */
  private value(at: number): Hit<string> {
    const s = this.selector(at);
    if (s) return { v: selectorString(s.v), at: s.at };
    const n = this.sticky(numberPattern, at);
    if (n) {
      const end = at + n[0].length;
      if (end === this.src.length || /[ \t\r\n)]/.test(this.src[end] as string))
        return { v: n[0], at: end };
      this.refuse(end, "number", "Invalid number literal");
    }
    this.expect(at, '"-"');
    this.expect(at, '"0"');
    this.expect(at, "[1-9]");
    return this.string(at);
  }

  private string(at: number): Hit<string> {
    const q = this.src[at];
    if (q !== '"' && q !== "`") {
      this.expect(at, JSON.stringify('"'));
      this.expect(at, '"`"');
      return undefined;
    }
    const end = this.src.indexOf(q, at + 1);
    if (end < 0) this.refuse(this.src.length, "string", "Unterminated string literal");
    const text = this.src.slice(at, end + 1);
    try {
      return { v: unquoteString(text), at: end + 1 };
    } catch {
      return this.refuse(at, "string", "invalid syntax");
    }
  }

  // ---- characters

  private sticky(pattern: RegExp, at: number): RegExpExecArray | null {
    pattern.lastIndex = at;
    return pattern.exec(this.src);
  }

  private lit(s: string, at: number): boolean {
    if (this.src.startsWith(s, at)) return true;
    this.expect(at, JSON.stringify(s));
    return false;
  }

  private eof(at: number): boolean {
    if (at >= this.src.length) return true;
    this.expect(at, "EOF");
    return false;
  }

  /** `_`: one or more of space, tab, CR, LF. */
  private ws1(at: number): number | undefined {
    const end = this.ws0(at);
    if (end > at) return end;
    this.expect(at, "[ \\t\\r\\n]");
    return undefined;
  }

  private ws0(at: number): number {
    let p = at;
    while (p < this.src.length && " \t\r\n".includes(this.src[p] as string)) p++;
    this.expect(p, "[ \\t\\r\\n]");
    return p;
  }

  // ---- errors, placed as go-bexpr's parser places them: line:column (offset)

  private expect(at: number, what: string): void {
    if (at < this.farthest) return;
    if (at > this.farthest) {
      this.farthest = at;
      this.expected.clear();
    }
    this.expected.add(what);
  }

  private where(at: number): string {
    const before = this.src.slice(0, at);
    const line = before.split("\n").length;
    const col = [...before.slice(before.lastIndexOf("\n") + 1)].length + 1;
    return `${line}:${col} (${Buffer.byteLength(before)})`;
  }

  private refuse(at: number, rule: string, message: string): never {
    throw new Refused(`${this.where(at)}: rule ${JSON.stringify(rule)}: ${message}`);
  }

  private noMatch(): Refused {
    const list = [...this.expected].filter((e) => e !== "EOF").sort();
    if (this.expected.has("EOF")) list.push("EOF");
    const said =
      list.length <= 1 ? list.join("") : `${list.slice(0, -1).join(", ")} or ${list.at(-1)}`;
    return new Refused(`${this.where(this.farthest)}: no match found, expected: ${said}`);
  }
}

/** Parses a filter expression as go-bexpr does; the error says where it went wrong. */
export function parseFilterExpression(src: string): GrammarResult {
  try {
    return { ok: true, expr: new Parser(src).parse() };
  } catch (err) {
    if (err instanceof Refused) return { ok: false, error: err.message };
    // A stack overflow on absurd nesting.
    if (err instanceof RangeError) return { ok: false, error: "expression is nested too deeply" };
    throw err;
  }
}
