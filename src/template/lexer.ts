// Splits template text into tokens the way Go's text/template lexer does:
// text between delimiters, and inside actions words, strings, numbers,
// fields, variables and punctuation. Pulled one token at a time so that an
// error after a parse error is never reported first.

export type TokenKind =
  | "text"
  | "leftDelim"
  | "rightDelim"
  | "space"
  | "identifier"
  | "keyword"
  | "field"
  | "variable"
  | "string"
  | "rawString"
  | "char"
  | "number"
  | "bool"
  | "nil"
  | "dot"
  | "pipe"
  | "leftParen"
  | "rightParen"
  | "declare"
  | "assign"
  | "punct"
  | "eof";

export interface Token {
  kind: TokenKind;
  val: string;
  pos: number;
}

export const KEYWORDS = new Set([
  "block",
  "break",
  "continue",
  "define",
  "else",
  "end",
  "if",
  "range",
  "template",
  "with",
]);

/** Thrown by the lexer; the parser turns it into a positioned TemplateError. */
export class LexError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
  }
}

const isSpace = (c: string | undefined): boolean =>
  c === " " || c === "\t" || c === "\r" || c === "\n";
const isAlphaNumeric = (c: string | undefined): boolean =>
  c !== undefined && (c === "_" || /^[\p{L}\p{Nd}]$/u.test(c));

/** Go's %#U: U+0041 'A'. */
export function quoteRune(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  const hex = cp.toString(16).toUpperCase().padStart(4, "0");
  return /\p{C}/u.test(c) ? `U+${hex}` : `U+${hex} '${c}'`;
}

export class Lexer {
  private pos = 0;
  private start = 0;
  private insideAction = false;
  private parenDepth = 0;
  /** Where the current action's left delimiter is, for "unclosed action". */
  private actionStart = 0;
  private pending: Token[] = [];
  private done = false;

  constructor(
    private readonly input: string,
    private readonly leftDelim: string,
    private readonly rightDelim: string,
  ) {}

  next(): Token {
    while (this.pending.length === 0) {
      if (this.done) return { kind: "eof", val: "", pos: this.input.length };
      if (this.insideAction) this.lexInsideAction();
      else this.lexText();
    }
    return this.pending.shift() as Token;
  }

  private emit(kind: TokenKind, val = this.input.slice(this.start, this.pos)): void {
    this.pending.push({ kind, val, pos: this.start });
    this.start = this.pos;
  }

  private peekChar(offset = 0): string | undefined {
    const c = this.input[this.pos + offset];
    return c;
  }

  /** The character at pos, whole (surrogate pairs as one). */
  private charAt(pos: number): string | undefined {
    const cp = this.input.codePointAt(pos);
    return cp === undefined ? undefined : String.fromCodePoint(cp);
  }

  private hasLeftTrimMarker(at: number): boolean {
    return this.input[at] === "-" && isSpace(this.input[at + 1]);
  }

  /** Whether a right delimiter (optionally " -" trimmed) starts at pos. */
  private atRightDelim(): { delim: boolean; trim: boolean } {
    if (
      isSpace(this.input[this.pos]) &&
      this.input[this.pos + 1] === "-" &&
      this.input.startsWith(this.rightDelim, this.pos + 2)
    ) {
      return { delim: true, trim: true };
    }
    return { delim: this.input.startsWith(this.rightDelim, this.pos), trim: false };
  }

  private lexText(): void {
    const idx = this.input.indexOf(this.leftDelim, this.pos);
    if (idx < 0) {
      this.pos = this.input.length;
      if (this.pos > this.start) this.emit("text");
      this.done = true;
      return;
    }
    let end = idx;
    const trim = this.hasLeftTrimMarker(idx + this.leftDelim.length);
    if (trim) {
      while (end > this.start && isSpace(this.input[end - 1])) end--;
    }
    if (end > this.start) {
      this.pending.push({ kind: "text", val: this.input.slice(this.start, end), pos: this.start });
    }
    this.pos = idx;
    this.start = idx;
    this.lexLeftDelim(trim);
  }

  private lexLeftDelim(trim: boolean): void {
    this.pos += this.leftDelim.length;
    const afterMarker = this.pos + (trim ? 2 : 0);
    if (this.input.startsWith("/*", afterMarker)) {
      this.pos = afterMarker;
      this.lexComment();
      return;
    }
    this.actionStart = this.start;
    this.emit("leftDelim");
    this.pos = afterMarker;
    this.start = this.pos;
    this.insideAction = true;
    this.parenDepth = 0;
  }

  private lexComment(): void {
    const end = this.input.indexOf("*/", this.pos + 2);
    if (end < 0) throw new LexError("unclosed comment", this.start);
    this.pos = end + 2;
    const { delim, trim } = this.atRightDelim();
    if (!delim) throw new LexError("comment ends before closing delimiter", this.start);
    this.pos += (trim ? 2 : 0) + this.rightDelim.length;
    if (trim) this.skipSpaceAfterTrim();
    this.start = this.pos;
  }

  private skipSpaceAfterTrim(): void {
    while (isSpace(this.input[this.pos])) this.pos++;
  }

  private lexRightDelim(trim: boolean): void {
    if (trim) {
      this.pos += 2;
      this.start = this.pos;
    }
    this.pos += this.rightDelim.length;
    this.emit("rightDelim");
    if (trim) {
      this.skipSpaceAfterTrim();
      this.start = this.pos;
    }
    this.insideAction = false;
  }

  private lexInsideAction(): void {
    const { delim, trim } = this.atRightDelim();
    if (delim) {
      if (this.parenDepth === 0) {
        this.lexRightDelim(trim);
        return;
      }
      throw new LexError("unclosed left paren", this.pos);
    }
    const c = this.charAt(this.pos);
    if (c === undefined) throw new LexError("unclosed action", this.actionStart);
    if (isSpace(c)) {
      this.lexSpace();
      return;
    }
    this.pos += c.length;
    switch (c) {
      case "=":
        this.emit("assign");
        return;
      case ":":
        if (this.peekChar() !== "=") throw new LexError("expected :=", this.start);
        this.pos++;
        this.emit("declare");
        return;
      case "|":
        this.emit("pipe");
        return;
      case '"':
        this.lexEscaped('"', "quoted string", "string");
        return;
      case "`":
        this.lexRawQuote();
        return;
      case "$":
        this.lexFieldOrVariable("variable");
        return;
      case "'":
        this.lexEscaped("'", "character constant", "char");
        return;
      case ".": {
        const n = this.peekChar();
        if (n !== undefined && n >= "0" && n <= "9") {
          this.pos--;
          this.lexNumber();
          return;
        }
        this.lexFieldOrVariable("field");
        return;
      }
      case "(":
        this.parenDepth++;
        this.emit("leftParen");
        return;
      case ")":
        this.parenDepth--;
        if (this.parenDepth < 0) throw new LexError("unexpected right paren", this.start);
        this.emit("rightParen");
        return;
    }
    if (c === "+" || c === "-" || (c >= "0" && c <= "9")) {
      this.pos--;
      this.lexNumber();
      return;
    }
    if (isAlphaNumeric(c)) {
      this.lexIdentifier();
      return;
    }
    const cp = c.codePointAt(0) ?? 0;
    if (cp >= 0x20 && cp < 0x7f) {
      this.emit("punct");
      return;
    }
    throw new LexError(`unrecognized character in action: ${quoteRune(c)}`, this.start);
  }

  private lexSpace(): void {
    let n = 0;
    while (isSpace(this.input[this.pos])) {
      this.pos++;
      n++;
    }
    // A trim-marked right delimiter begins with a space: leave it for lexRightDelim.
    if (this.input[this.pos] === "-" && this.input.startsWith(this.rightDelim, this.pos + 1)) {
      this.pos--;
      if (n === 1) {
        this.start = this.pos;
        return;
      }
    }
    this.emit("space");
  }

  private atTerminator(): boolean {
    const c = this.input[this.pos];
    if (c === undefined || isSpace(c)) return true;
    if (c === "." || c === "," || c === "|" || c === ":" || c === ")" || c === "(") return true;
    return this.input.startsWith(this.rightDelim, this.pos);
  }

  private lexIdentifier(): void {
    for (;;) {
      const c = this.charAt(this.pos);
      if (!isAlphaNumeric(c)) break;
      this.pos += (c as string).length;
    }
    if (!this.atTerminator()) {
      throw new LexError(`bad character ${quoteRune(this.charAt(this.pos) ?? "")}`, this.pos);
    }
    const word = this.input.slice(this.start, this.pos);
    if (KEYWORDS.has(word)) this.emit("keyword");
    else if (word === "true" || word === "false") this.emit("bool");
    else if (word === "nil") this.emit("nil");
    else this.emit("identifier");
  }

  private lexFieldOrVariable(kind: "field" | "variable"): void {
    if (this.atTerminator()) {
      this.emit(kind === "variable" ? "variable" : "dot");
      return;
    }
    for (;;) {
      const c = this.charAt(this.pos);
      if (!isAlphaNumeric(c)) break;
      this.pos += (c as string).length;
    }
    if (!this.atTerminator()) {
      throw new LexError(`bad character ${quoteRune(this.charAt(this.pos) ?? "")}`, this.pos);
    }
    this.emit(kind);
  }

  /** A "quoted string" or a 'c'haracter constant, its opening quote already read. */
  private lexEscaped(quote: '"' | "'", what: string, kind: "string" | "char"): void {
    for (;;) {
      const c = this.input[this.pos++];
      if (c === "\\") {
        const n = this.input[this.pos];
        if (n !== undefined && n !== "\n") {
          this.pos++;
          continue;
        }
        throw new LexError(`unterminated ${what}`, this.start);
      }
      if (c === undefined || c === "\n") throw new LexError(`unterminated ${what}`, this.start);
      if (c === quote) break;
    }
    this.emit(kind);
  }

  private lexRawQuote(): void {
    const end = this.input.indexOf("`", this.pos);
    if (end < 0) throw new LexError("unterminated raw quoted string", this.start);
    this.pos = end + 1;
    this.emit("rawString");
  }

  private accept(valid: string): boolean {
    const c = this.input[this.pos];
    if (c !== undefined && valid.includes(c)) {
      this.pos++;
      return true;
    }
    return false;
  }

  private acceptRun(valid: string): void {
    while (this.accept(valid)) {}
  }

  private lexNumber(): void {
    this.scanNumber();
    const sign = this.input[this.pos];
    if (sign === "+" || sign === "-") {
      // Go reads 1+2i as one complex constant; anything else glued on is bad syntax.
      this.scanNumber();
      if (this.input[this.pos - 1] !== "i") {
        throw new LexError(
          `bad number syntax: ${JSON.stringify(this.input.slice(this.start, this.pos))}`,
          this.start,
        );
      }
    }
    this.emit("number");
  }

  private scanNumber(): void {
    this.accept("+-");
    let digits = "0123456789_";
    if (this.accept("0")) {
      if (this.accept("xX")) digits = "0123456789abcdefABCDEF_";
      else if (this.accept("oO")) digits = "01234567_";
      else if (this.accept("bB")) digits = "01_";
    }
    this.acceptRun(digits);
    if (this.accept(".")) this.acceptRun(digits);
    if (digits.length === 11 && this.accept("eE")) {
      this.accept("+-");
      this.acceptRun("0123456789_");
    }
    if (digits.length === 23 && this.accept("pP")) {
      this.accept("+-");
      this.acceptRun("0123456789_");
    }
    this.accept("i");
    if (isAlphaNumeric(this.charAt(this.pos))) {
      this.pos += (this.charAt(this.pos) as string).length;
      throw new LexError(
        `bad number syntax: ${JSON.stringify(this.input.slice(this.start, this.pos))}`,
        this.start,
      );
    }
  }
}
