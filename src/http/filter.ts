// Nomad's `filter` query parameter: go-bexpr boolean expressions over the
// JSON the endpoint returns (`Status == "running" and Meta.team contains "x"`).
// Pure: parse once per request, then evaluate against each object.

export type FilterResult =
  | { ok: true; match: (obj: unknown) => boolean }
  | { ok: false; error: string };

type Node =
  | { k: "and" | "or"; l: Node; r: Node }
  | { k: "not"; e: Node }
  | { k: "cmp"; op: string; negate: boolean; selector: string[]; value: Literal | undefined };

type Literal = { raw: string; quoted: boolean };

interface Token {
  t: "word" | "str" | "op" | "(" | ")" | "[" | "]" | "." | "eof";
  v: string;
  at: number;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (c === '"' || c === "`") {
      let v = "";
      i++;
      while (i < src.length && src.charAt(i) !== c) {
        if (c === '"' && src.charAt(i) === "\\" && i + 1 < src.length) {
          const n = src.charAt(i + 1);
          v += n === "n" ? "\n" : n === "t" ? "\t" : n;
          i += 2;
        } else v += src.charAt(i++);
      }
      if (i >= src.length) throw new Error(`unterminated string starting at column ${at + 1}`);
      i++;
      out.push({ t: "str", v, at });
    } else if (src.startsWith("==", i) || src.startsWith("!=", i)) {
      out.push({ t: "op", v: src.slice(i, i + 2), at });
      i += 2;
    } else if ("()[].".includes(c)) {
      out.push({ t: c as Token["t"], v: c, at });
      i++;
    } else if (/[A-Za-z0-9_\-+/:@]/.test(c)) {
      let v = "";
      while (i < src.length && /[A-Za-z0-9_\-+/:@]/.test(src.charAt(i))) v += src.charAt(i++);
      // A number such as 1.5 keeps its dot.
      if (/^[0-9]+$/.test(v) && src.charAt(i) === "." && /[0-9]/.test(src.charAt(i + 1))) {
        v += src.charAt(i++);
        while (i < src.length && /[0-9]/.test(src.charAt(i))) v += src.charAt(i++);
      }
      out.push({ t: "word", v, at });
    } else throw new Error(`unexpected character ${JSON.stringify(c)} at column ${at + 1}`);
  }
  out.push({ t: "eof", v: "", at: src.length });
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }
  private next(): Token {
    return this.tokens[this.i++] as Token;
  }
  private isWord(v: string): boolean {
    const t = this.peek();
    return t.t === "word" && t.v === v;
  }
  private fail(what: string): never {
    const t = this.peek();
    throw new Error(
      `expected ${what} at column ${t.at + 1}, found ${t.t === "eof" ? "the end" : JSON.stringify(t.v)}`,
    );
  }

  parse(): Node {
    const e = this.or();
    if (this.peek().t !== "eof") this.fail('"and", "or" or the end');
    return e;
  }
  private or(): Node {
    let l = this.and();
    while (this.isWord("or")) {
      this.next();
      l = { k: "or", l, r: this.and() };
    }
    return l;
  }
  private and(): Node {
    let l = this.not();
    while (this.isWord("and")) {
      this.next();
      l = { k: "and", l, r: this.not() };
    }
    return l;
  }
  private not(): Node {
    if (this.isWord("not")) {
      this.next();
      return { k: "not", e: this.not() };
    }
    if (this.peek().t === "(") {
      this.next();
      const e = this.or();
      if (this.next().t !== ")") {
        this.i--;
        this.fail('")"');
      }
      return e;
    }
    return this.match();
  }
  private match(): Node {
    const start = this.i;
    // `<value> [not] in <selector>`
    const first = this.peek();
    if (first.t === "str" || first.t === "word") {
      const value = this.value();
      let negate = false;
      if (this.isWord("not") && this.tokens[this.i + 1]?.v === "in") {
        this.next();
        negate = true;
      }
      if (this.isWord("in")) {
        this.next();
        return { k: "cmp", op: "in", negate, selector: this.selector(), value };
      }
      this.i = start;
    }
    const selector = this.selector();
    const t = this.peek();
    if (t.t === "op") {
      this.next();
      return { k: "cmp", op: t.v, negate: false, selector, value: this.value() };
    }
    if (this.isWord("is")) {
      this.next();
      let negate = false;
      if (this.isWord("not")) {
        this.next();
        negate = true;
      }
      if (!this.isWord("empty")) this.fail('"empty"');
      this.next();
      return { k: "cmp", op: "empty", negate, selector, value: undefined };
    }
    let negate = false;
    if (this.isWord("not")) {
      this.next();
      negate = true;
    }
    if (this.isWord("contains") || this.isWord("matches")) {
      const op = this.next().v;
      return { k: "cmp", op, negate, selector, value: this.value() };
    }
    return this.fail('"==", "!=", "contains", "matches", "in" or "is empty"');
  }
  private value(): Literal {
    const t = this.next();
    if (t.t === "str") return { raw: t.v, quoted: true };
    if (t.t === "word") return { raw: t.v, quoted: false };
    this.i--;
    return this.fail("a value");
  }
  private selector(): string[] {
    const out: string[] = [];
    const t = this.next();
    if (t.t !== "word" || /^[0-9]/.test(t.v)) {
      this.i--;
      this.fail("a selector such as Status or Meta.owner");
    }
    // A leading "/" selects as a JSON pointer: /Meta/owner.
    if (t.v.startsWith("/")) return t.v.split("/").slice(1);
    out.push(t.v);
    for (;;) {
      const n = this.peek();
      if (n.t === ".") {
        this.next();
        const part = this.next();
        if (part.t !== "word" && part.t !== "str") {
          this.i--;
          this.fail("a field name after '.'");
        }
        out.push(part.v);
      } else if (n.t === "[") {
        this.next();
        const key = this.next();
        if (key.t !== "str" && key.t !== "word") this.fail("a key inside [ ]");
        if (this.next().t !== "]") {
          this.i--;
          this.fail('"]"');
        }
        out.push(key.v);
      } else return out;
    }
  }
}

function select(obj: unknown, path: readonly string[]): { found: boolean; value: unknown } {
  let cur: unknown = obj;
  for (const part of path) {
    if (cur === null || typeof cur !== "object") return { found: false, value: undefined };
    if (Array.isArray(cur)) {
      const n = Number(part);
      if (!Number.isInteger(n)) return { found: false, value: undefined };
      cur = cur[n];
    } else {
      if (!Object.hasOwn(cur, part)) return { found: false, value: undefined };
      cur = (cur as Record<string, unknown>)[part];
    }
  }
  return { found: true, value: cur };
}

function equals(have: unknown, want: Literal): boolean {
  if (typeof have === "number") return Number(want.raw) === have;
  if (typeof have === "boolean") return want.raw === String(have);
  if (have === null || have === undefined) return false;
  if (typeof have === "object") return false;
  return String(have) === want.raw;
}

function evaluate(n: Node, obj: unknown, regexes: Map<string, RegExp>): boolean {
  switch (n.k) {
    case "and":
      return evaluate(n.l, obj, regexes) && evaluate(n.r, obj, regexes);
    case "or":
      return evaluate(n.l, obj, regexes) || evaluate(n.r, obj, regexes);
    case "not":
      return !evaluate(n.e, obj, regexes);
  }
  const { found, value } = select(obj, n.selector);
  let result: boolean;
  switch (n.op) {
    case "==":
      result = found && equals(value, n.value as Literal);
      break;
    case "!=":
      return !(found && equals(value, n.value as Literal));
    case "empty":
      result =
        !found ||
        value === null ||
        value === "" ||
        (Array.isArray(value) && value.length === 0) ||
        (typeof value === "object" && value !== null && Object.keys(value).length === 0);
      break;
    case "in":
    case "contains": {
      const want = n.value as Literal;
      if (Array.isArray(value)) result = value.some((x) => equals(x, want));
      else if (typeof value === "string") result = value.includes(want.raw);
      else if (value && typeof value === "object") result = Object.hasOwn(value, want.raw);
      else result = false;
      break;
    }
    default: {
      const re = regexes.get((n.value as Literal).raw) as RegExp;
      result = typeof value === "string" && re.test(value);
    }
  }
  return n.negate ? !result : result;
}

function collectRegexes(n: Node, out: Map<string, RegExp>): void {
  if (n.k === "and" || n.k === "or") {
    collectRegexes(n.l, out);
    collectRegexes(n.r, out);
  } else if (n.k === "not") collectRegexes(n.e, out);
  else if (n.k === "cmp" && n.op === "matches" && n.value) {
    try {
      out.set(n.value.raw, new RegExp(n.value.raw));
    } catch (err) {
      throw new Error(
        `invalid regular expression ${JSON.stringify(n.value.raw)}: ${(err as Error).message}`,
      );
    }
  }
}

/** Parses a filter expression; the error says where it went wrong, as Nomad's 400 does. */
export function parseFilter(src: string): FilterResult {
  if (src.length > 4096)
    return { ok: false, error: "filter expression is longer than 4096 characters" };
  try {
    const tree = new Parser(tokenize(src)).parse();
    const regexes = new Map<string, RegExp>();
    collectRegexes(tree, regexes);
    return { ok: true, match: (obj) => evaluate(tree, obj, regexes) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}
