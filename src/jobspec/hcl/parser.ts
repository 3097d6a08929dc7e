// A hand-written HCL2 native-syntax parser. It replaces @cdktf/hcl2json on the
// hot path because that parser drops source positions, returns unevaluated
// expressions as strings, and costs ~12 ms per 100-line file (see README.md).
// It works on characters directly: HCL's lexical modes (templates, heredocs)
// are easier to follow as recursive descent than as a token stream.
import {
  type Attribute,
  type Block,
  type Body,
  type Expr,
  HclError,
  type Pos,
  type TemplatePart,
} from "./ast.js";

const identStart = /[A-Za-z_]/;
const identChar = /[A-Za-z0-9_-]/;

const binaryLevels: string[][] = [
  ["||"],
  ["&&"],
  ["==", "!="],
  ["<=", ">=", "<", ">"],
  ["+", "-"],
  ["*", "/", "%"],
];

export function parseHcl(src: string): Body {
  return new Parser(src).file();
}

/** Parses a lone expression, e.g. the value of `-var name=value` when it is not a plain string. */
export function parseExpression(src: string): Expr {
  const p = new Parser(src);
  p.skipSpace(true);
  const e = p.expr();
  p.skipSpace(true);
  if (!p.eof()) p.fail(`unexpected ${p.describe()} after the expression`);
  return e;
}

class Parser {
  private i = 0;
  private line = 1;
  private col = 1;
  constructor(private readonly s: string) {}

  eof(): boolean {
    return this.i >= this.s.length;
  }
  private pos(): Pos {
    return { line: this.line, column: this.col };
  }
  fail(message: string, at: Pos = this.pos()): never {
    throw new HclError(message, at);
  }
  private peek(n = 0): string {
    return this.s[this.i + n] ?? "";
  }
  private startsWith(t: string): boolean {
    return this.s.startsWith(t, this.i);
  }
  private advance(n = 1): void {
    for (let k = 0; k < n; k++) {
      if (this.s[this.i] === "\n") {
        this.line++;
        this.col = 1;
      } else this.col++;
      this.i++;
    }
  }
  describe(): string {
    if (this.eof()) return "end of file";
    const c = this.peek();
    if (c === "\n") return "newline";
    return `"${c}"`;
  }

  /** Skips spaces and comments; newlines too when `nl` (inside brackets and parentheses). */
  skipSpace(nl: boolean): void {
    for (;;) {
      const c = this.peek();
      if (c === " " || c === "\t" || c === "\r") this.advance();
      else if (c === "\n" && nl) this.advance();
      else if (c === "#" || (c === "/" && this.peek(1) === "/")) {
        while (!this.eof() && this.peek() !== "\n") this.advance();
      } else if (c === "/" && this.peek(1) === "*") {
        const at = this.pos();
        const end = this.s.indexOf("*/", this.i + 2);
        if (end < 0) this.fail("unterminated /* comment", at);
        this.advance(end + 2 - this.i);
      } else return;
    }
  }

  private expect(t: string, what = `"${t}"`): void {
    if (!this.startsWith(t)) this.fail(`expected ${what}, found ${this.describe()}`);
    this.advance(t.length);
  }

  private ident(): string {
    if (!identStart.test(this.peek())) this.fail(`expected a name, found ${this.describe()}`);
    const start = this.i;
    while (identChar.test(this.peek())) this.advance();
    return this.s.slice(start, this.i);
  }

  file(): Body {
    const body = this.body(true);
    if (!this.eof()) this.fail(`unexpected ${this.describe()}`);
    return body;
  }

  /** A body: attributes and blocks, one per line, until "}" or end of file. */
  private body(top: boolean): Body {
    const body: Body = { attrs: [], blocks: [], pos: this.pos() };
    for (;;) {
      this.skipSpace(true);
      if (this.eof()) {
        if (!top) this.fail('unclosed block: expected "}"');
        return body;
      }
      if (this.peek() === "}") {
        if (top) this.fail('unexpected "}"');
        return body;
      }
      const at = this.pos();
      const name = this.ident();
      this.skipSpace(false);
      if (this.peek() === "=" && this.peek(1) !== "=") {
        this.advance();
        this.skipSpace(false);
        const expr = this.expr();
        body.attrs.push({ name, expr, pos: at } satisfies Attribute);
        this.endOfItem(top);
      } else {
        const labels: string[] = [];
        while (this.peek() !== "{") {
          if (this.peek() === '"') {
            const lpos = this.pos();
            const t = this.template('"');
            if (t.parts.some((p) => p.t !== "text"))
              this.fail("a block label cannot contain interpolations", lpos);
            labels.push(t.parts.map((p) => (p.t === "text" ? p.text : "")).join(""));
          } else if (identStart.test(this.peek())) labels.push(this.ident());
          else
            this.fail(
              `expected "=" or a block label or "{" after "${name}", found ${this.describe()}`,
            );
          this.skipSpace(false);
        }
        this.advance();
        this.enter();
        const inner = this.body(false);
        this.nesting--;
        this.advance(); // the "}"
        body.blocks.push({ type: name, labels, pos: at, body: inner } satisfies Block);
        this.endOfItem(top);
      }
    }
  }

  private endOfItem(top: boolean): void {
    this.skipSpace(false);
    const c = this.peek();
    if (c === "\n" || this.eof() || (c === "}" && !top)) return;
    this.fail(`expected a newline after the item, found ${this.describe()}`);
  }

  expr(): Expr {
    const at = this.pos();
    const cond = this.binary(0);
    this.skipInExpr();
    if (this.peek() === "?") {
      this.advance();
      this.skipInExpr();
      const t = this.expr();
      this.skipInExpr();
      this.expect(":", '":" of the conditional');
      this.skipInExpr();
      const e = this.expr();
      return { k: "cond", cond, yes: t, no: e, pos: at };
    }
    return cond;
  }

  // Newlines end an attribute only at depth 0; inside (), [] and {} they are
  // insignificant, which the depth counter tracks.
  private depth = 0;
  private skipInExpr(): void {
    this.skipSpace(this.depth > 0);
  }

  private binary(level: number): Expr {
    if (level >= binaryLevels.length) return this.unary();
    let l = this.binary(level + 1);
    for (;;) {
      this.skipInExpr();
      const op = (binaryLevels[level] as string[]).find(
        (o) => this.startsWith(o) && !(o === "<" && this.peek(1) === "<"),
      );
      // "=" after "<"/">" belongs to the operator; a lone "=" or "=>" is not one.
      if (!op) return l;
      if ((op === "<" || op === ">") && this.peek(1) === "=") return l;
      const at = this.pos();
      this.advance(op.length);
      this.skipInExpr();
      const r = this.binary(level + 1);
      l = { k: "bin", op, l, r, pos: at };
    }
  }

  private unary(): Expr {
    const c = this.peek();
    if (c === "!" || (c === "-" && !/[0-9]/.test(this.peek(1)))) {
      const at = this.pos();
      this.advance();
      this.skipInExpr();
      this.enter();
      const e = this.unary();
      this.nesting--;
      return { k: "un", op: c, e, pos: at };
    }
    return this.postfix(this.primary());
  }

  private postfix(base: Expr): Expr {
    let e = base;
    for (;;) {
      const at = this.pos();
      if (this.peek() === "." && this.peek(1) === "*") {
        this.advance(2);
        return { k: "splat", obj: e, each: this.splatTail(true), pos: at };
      }
      if (this.peek() === "[" && /^\[\s*\*\s*\]/.test(this.s.slice(this.i, this.i + 8))) {
        while (this.peek() !== "]") this.advance();
        this.advance();
        return { k: "splat", obj: e, each: this.splatTail(false), pos: at };
      }
      if (this.peek() === "." && this.peek(1) !== ".") {
        this.advance();
        if (/[0-9]/.test(this.peek())) {
          const start = this.i;
          while (/[0-9]/.test(this.peek())) this.advance();
          e = {
            k: "index",
            obj: e,
            key: { k: "lit", v: Number(this.s.slice(start, this.i)), pos: at },
            pos: at,
          };
        } else e = { k: "attr", obj: e, name: this.ident(), pos: at };
      } else if (this.peek() === "[") {
        this.advance();
        e = { k: "index", obj: e, key: this.bracketKey(), pos: at };
      } else return e;
    }
  }

  /** The key of an index step, `[` already read, up to and with the `]`. */
  private bracketKey(): Expr {
    this.depth++;
    this.skipInExpr();
    const key = this.expr();
    this.skipInExpr();
    this.expect("]");
    this.depth--;
    return key;
  }

  /** The traversal after a splat, applied to each element. A full splat ([*]) also takes index steps. */
  private splatTail(attrOnly: boolean): Expr {
    let e: Expr = { k: "splatItem", pos: this.pos() };
    for (;;) {
      const at = this.pos();
      if (this.peek() === "." && identStart.test(this.peek(1))) {
        this.advance();
        e = { k: "attr", obj: e, name: this.ident(), pos: at };
      } else if (!attrOnly && this.peek() === "[") {
        this.advance();
        e = { k: "index", obj: e, key: this.bracketKey(), pos: at };
      } else return e;
    }
  }

  // Recursion guard: a file nested deeper than any real job would otherwise
  // overflow the stack; it gets a positioned error instead.
  private nesting = 0;
  private enter(): void {
    if (++this.nesting > 256) this.fail("expressions or blocks nested more than 256 deep");
  }

  private primary(): Expr {
    this.enter();
    try {
      return this.primaryInner();
    } finally {
      this.nesting--;
    }
  }

  private primaryInner(): Expr {
    const at = this.pos();
    const c = this.peek();
    if (c === '"') return this.template('"');
    if (c === "<" && this.peek(1) === "<") return this.heredoc();
    if (/[0-9]/.test(c) || (c === "-" && /[0-9]/.test(this.peek(1)))) {
      const m = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.s.slice(this.i, this.i + 64));
      const text = (m as RegExpExecArray)[0];
      this.advance(text.length);
      return { k: "lit", v: Number(text), pos: at };
    }
    if (c === "(") {
      this.advance();
      this.depth++;
      this.skipInExpr();
      const e = this.expr();
      this.skipInExpr();
      this.expect(")");
      this.depth--;
      return { k: "paren", e, pos: at };
    }
    if (c === "[") return this.tupleOrFor(at);
    if (c === "{") return this.objectOrFor(at);
    if (identStart.test(c)) {
      const name = this.ident();
      if (name === "true" || name === "false") return { k: "lit", v: name === "true", pos: at };
      if (name === "null") return { k: "lit", v: null, pos: at };
      // A function call, possibly namespaced (provider::ns::fn is not in Nomad; keep it simple).
      const save = { i: this.i, line: this.line, col: this.col };
      this.skipSpace(false);
      if (this.peek() === "(") return this.call(name, at);
      Object.assign(this, { i: save.i, line: save.line, col: save.col });
      return { k: "var", name, pos: at };
    }
    this.fail(`expected an expression, found ${this.describe()}`);
  }

  private call(name: string, at: Pos): Expr {
    this.advance();
    this.depth++;
    const args: Expr[] = [];
    let expand = false;
    this.skipInExpr();
    while (this.peek() !== ")") {
      args.push(this.expr());
      this.skipInExpr();
      if (this.startsWith("...")) {
        this.advance(3);
        expand = true;
        this.skipInExpr();
      }
      if (this.peek() === ",") {
        this.advance();
        this.skipInExpr();
      } else if (this.peek() !== ")")
        this.fail(`expected "," or ")" in the call of ${name}, found ${this.describe()}`);
    }
    this.advance();
    this.depth--;
    return { k: "call", name, args, expand, pos: at };
  }

  private isForKeyword(): boolean {
    return /^for\s/.test(this.s.slice(this.i, this.i + 4));
  }

  private forHead(inTemplate = false): { keyVar?: string; valVar: string; coll: Expr } {
    this.advance(3);
    this.skipInExpr();
    let valVar = this.ident();
    let keyVar: string | undefined;
    this.skipInExpr();
    if (this.peek() === ",") {
      this.advance();
      this.skipInExpr();
      keyVar = valVar;
      valVar = this.ident();
      this.skipInExpr();
    }
    if (!this.startsWith("in"))
      this.fail(`expected "in" in the for expression, found ${this.describe()}`);
    this.advance(2);
    this.skipInExpr();
    const coll = this.expr();
    this.skipInExpr();
    if (!inTemplate) {
      this.expect(":", '":" in the for expression');
      this.skipInExpr();
    }
    return keyVar === undefined ? { valVar, coll } : { keyVar, valVar, coll };
  }

  private forTail(): Expr | undefined {
    this.skipInExpr();
    if (/^if[\s(]/.test(this.s.slice(this.i, this.i + 3))) {
      this.advance(2);
      this.skipInExpr();
      const cond = this.expr();
      this.skipInExpr();
      return cond;
    }
    return undefined;
  }

  private tupleOrFor(at: Pos): Expr {
    this.advance();
    this.depth++;
    this.skipInExpr();
    if (this.isForKeyword()) {
      const head = this.forHead();
      const valExpr = this.expr();
      const cond = this.forTail();
      this.expect("]");
      this.depth--;
      return {
        k: "for",
        ...head,
        valExpr,
        ...(cond ? { cond } : {}),
        group: false,
        object: false,
        pos: at,
      };
    }
    const items: Expr[] = [];
    while (this.peek() !== "]") {
      items.push(this.expr());
      this.skipInExpr();
      if (this.peek() === ",") {
        this.advance();
        this.skipInExpr();
      } else if (this.peek() !== "]")
        this.fail(`expected "," or "]" in the list, found ${this.describe()}`);
    }
    this.advance();
    this.depth--;
    return { k: "tuple", items, pos: at };
  }

  private objectOrFor(at: Pos): Expr {
    this.advance();
    this.depth++;
    this.skipInExpr();
    if (this.isForKeyword()) {
      const head = this.forHead();
      const keyExpr = this.expr();
      this.skipInExpr();
      this.expect("=>", '"=>" in the object for expression');
      this.skipInExpr();
      const valExpr = this.expr();
      this.skipInExpr();
      let group = false;
      if (this.startsWith("...")) {
        this.advance(3);
        group = true;
      }
      const cond = this.forTail();
      this.expect("}");
      this.depth--;
      return {
        k: "for",
        ...head,
        keyExpr,
        valExpr,
        ...(cond ? { cond } : {}),
        group,
        object: true,
        pos: at,
      };
    }
    const items: { key: Expr; value: Expr }[] = [];
    while (this.peek() !== "}") {
      const kpos = this.pos();
      let key: Expr;
      // A bare name as a key is the literal name, not a variable (HCL's rule).
      if (identStart.test(this.peek())) {
        const save = { i: this.i, line: this.line, col: this.col };
        const name = this.ident();
        this.skipSpace(true);
        if (this.peek() === "=" || this.peek() === ":") key = { k: "lit", v: name, pos: kpos };
        else {
          Object.assign(this, save);
          key = this.expr();
        }
      } else key = this.expr();
      this.skipInExpr();
      if (this.peek() === "=" || this.peek() === ":") this.advance();
      else this.fail(`expected "=" or ":" after the object key, found ${this.describe()}`);
      this.skipInExpr();
      const value = this.expr();
      items.push({ key, value });
      this.skipInExpr();
      if (this.peek() === ",") {
        this.advance();
        this.skipInExpr();
      }
    }
    this.advance();
    this.depth--;
    return { k: "object", items, pos: at };
  }

  private heredoc(): Expr {
    const at = this.pos();
    this.advance(2);
    const indent = this.peek() === "-";
    if (indent) this.advance();
    const marker = this.ident();
    while (this.peek() === " " || this.peek() === "\r") this.advance();
    if (this.peek() !== "\n") this.fail("expected a newline after the heredoc marker");
    this.advance();
    // Find the closing marker: a line holding only the marker (and indentation).
    const bodyStart = this.pos();
    const startIdx = this.i;
    let j = this.i;
    for (;;) {
      if (j >= this.s.length) this.fail(`unterminated heredoc: no line "${marker}" closes it`, at);
      const nl = this.s.indexOf("\n", j);
      const end = nl < 0 ? this.s.length : nl;
      const line = this.s.slice(j, end);
      if (line.trim() === marker) {
        const raw = this.s.slice(startIdx, j);
        this.advance(end - this.i);
        let text = raw;
        if (indent) {
          const ls = raw.split("\n");
          if (ls[ls.length - 1] === "") ls.pop();
          const widths = ls
            .filter((l) => l.trim() !== "")
            .map((l) => (/^[ \t]*/.exec(l) as RegExpExecArray)[0].length);
          const min = widths.length ? Math.min(...widths) : 0;
          text = `${ls.map((l) => l.slice(min)).join("\n")}\n`;
        }
        return this.templateFromText(indent ? text : raw, bodyStart, at);
      }
      j = end + 1;
    }
  }

  /** Parses template syntax from already-extracted heredoc text. */
  private templateFromText(text: string, bodyStart: Pos, at: Pos): Expr {
    const sub = new Parser(`${text}\u0000`);
    sub.line = bodyStart.line;
    sub.col = bodyStart.column;
    const t = sub.templateParts("\u0000", false);
    return { k: "tmpl", parts: t, pos: at };
  }

  /** A quoted template: "text ${expr} %{ if … }…%{ endif }". */
  private template(close: string): Expr & { k: "tmpl" } {
    const at = this.pos();
    this.advance();
    const parts = this.templateParts(close, true);
    return { k: "tmpl", parts, pos: at };
  }

  private templateParts(close: string, quoted: boolean, stopAt?: RegExp): TemplatePart[] {
    const parts: TemplatePart[] = [];
    let text = "";
    const flush = () => {
      if (text) parts.push({ t: "text", text });
      text = "";
    };
    for (;;) {
      if (this.eof())
        this.fail(
          quoted ? "unterminated string: expected a closing quote" : "unterminated template",
        );
      const c = this.peek();
      if (c === close) {
        if (stopAt)
          this.fail("unterminated template directive: expected %{ endif } or %{ endfor }");
        this.advance();
        flush();
        return parts;
      }
      if (quoted && c === "\n")
        this.fail("unterminated string: a quoted string cannot span lines; use a heredoc");
      if (quoted && c === "\\") {
        this.advance();
        const e = this.peek();
        const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\" };
        if (e in map) {
          text += map[e];
          this.advance();
        } else if (e === "u" || e === "U") {
          const len = e === "u" ? 4 : 8;
          const hex = this.s.slice(this.i + 1, this.i + 1 + len);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) this.fail(`invalid \\${e} escape`);
          text += String.fromCodePoint(Number.parseInt(hex, 16));
          this.advance(1 + len);
        } else this.fail(`invalid escape sequence "\\${e}"`);
        continue;
      }
      if ((c === "$" || c === "%") && this.peek(1) === c && this.peek(2) === "{") {
        text += `${c}{`;
        this.advance(3);
        continue;
      }
      if (c === "$" && this.peek(1) === "{") {
        this.advance(2);
        let strip = false;
        if (this.peek() === "~") {
          this.advance();
          strip = true;
        }
        if (strip) text = text.trimEnd();
        flush();
        this.depth++;
        this.skipSpace(true);
        const start = this.i;
        const e = this.expr();
        this.skipSpace(true);
        const src = this.s.slice(start, this.i).trimEnd();
        if (this.peek() === "~") {
          this.advance();
          this.stripNext = true;
        }
        this.expect("}", '"}" closing the interpolation');
        this.depth--;
        parts.push({ t: "interp", e, src });
        continue;
      }
      if (c === "%" && this.peek(1) === "{") {
        const dpos = this.pos();
        const kw = this.directiveKeyword();
        // "%{~" strips the whitespace before the directive.
        if (this.peek(2) === "~") text = text.trimEnd();
        if (stopAt?.test(kw)) {
          flush();
          this.pendingDirective = { kw, pos: dpos };
          return parts;
        }
        if (kw === "if") {
          this.openDirective("if");
          const cond = this.expr();
          this.closeDirective();
          flush();
          this.enter();
          const then = this.templateParts(close, quoted, /^(else|endif)$/);
          this.nesting--;
          let els: TemplatePart[] = [];
          if (this.takeDirective() === "else") {
            this.openDirective("else");
            this.closeDirective();
            els = this.templateParts(close, quoted, /^endif$/);
            this.takeDirective();
          }
          this.openDirective("endif");
          this.closeDirective();
          parts.push({ t: "if", cond, yes: then, no: els });
        } else if (kw === "for") {
          this.openDirective("");
          this.depth++;
          const head = this.forHead(true);
          this.depth--;
          flush();
          this.closeDirective();
          this.enter();
          const body = this.templateParts(close, quoted, /^endfor$/);
          this.nesting--;
          this.takeDirective();
          this.openDirective("endfor");
          this.closeDirective();
          parts.push({ t: "for", ...head, body });
        } else this.fail(`unexpected template directive "${kw}"`, dpos);
        continue;
      }
      // "~}" strips the whitespace after an interpolation or directive.
      if (this.stripNext && /\s/.test(c)) {
        this.advance();
        continue;
      }
      this.stripNext = false;
      text += c;
      this.advance();
    }
  }

  private stripNext = false;

  private pendingDirective: { kw: string; pos: Pos } | undefined;
  private takeDirective(): string {
    const kw = this.pendingDirective?.kw ?? "";
    this.pendingDirective = undefined;
    return kw;
  }
  private directiveKeyword(): string {
    const m = /^%\{~?\s*([a-z]+)/.exec(this.s.slice(this.i, this.i + 40));
    return m ? (m[1] as string) : "";
  }
  private openDirective(kw: string): void {
    this.advance(2);
    if (this.peek() === "~") this.advance();
    this.skipSpace(true);
    this.advance(kw.length);
    this.skipSpace(true);
  }
  private closeDirective(): void {
    this.skipSpace(true);
    if (this.peek() === "~") {
      this.advance();
      this.stripNext = true;
    }
    this.expect("}", '"}" closing the template directive');
  }
}
