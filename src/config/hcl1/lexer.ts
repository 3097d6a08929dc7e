// The tokens of HCL1, the configuration language Nomad reads its agent files
// in (github.com/hashicorp/hcl v1): identifiers (letters, digits, `_`, `-`,
// `.`), numbers (decimal, 0x hex, 0 octal, floats with exponents), strings in
// double quotes whose `${…}` parts may hold quotes, heredocs (`<<EOF`,
// `<<-EOF`), `#`, `//` and `/* */` comments, and `{ } [ ] , =` (`:` too, for
// the JSON form). Positions are 1-based lines and columns.

export interface Pos {
  line: number;
  column: number;
}

export type TokenType =
  | "ident"
  | "bool"
  | "number"
  | "float"
  | "string"
  | "heredoc"
  | "lbrace"
  | "rbrace"
  | "lbrack"
  | "rbrack"
  | "comma"
  | "assign"
  | "colon"
  | "null"
  | "eof";

export interface Token {
  type: TokenType;
  /** The token as written (quotes and heredoc anchors included). */
  text: string;
  pos: Pos;
}

export class Hcl1SyntaxError extends Error {
  constructor(
    readonly pos: Pos,
    readonly reason: string,
  ) {
    super(`${pos.line}:${pos.column}: ${reason}`);
  }
}

const isLetter = (c: string) => /[A-Za-z_]/.test(c) || (c > "\x7f" && /\p{L}/u.test(c));
const isDigit = (c: string) => /[0-9]/.test(c) || (c > "\x7f" && /\p{Nd}/u.test(c));
const isDecimal = (c: string) => c >= "0" && c <= "9";

export class Lexer {
  private i = 0;
  private line = 1;
  private column = 1;
  private readonly src: string;

  /** `json` also reads `:` and `null`, for the JSON form of a file. */
  constructor(
    src: string,
    private readonly json = false,
  ) {
    this.src = src.replace(/\r\n/g, "\n");
  }

  private peek(offset = 0): string {
    return this.src[this.i + offset] ?? "";
  }

  private next(): string {
    const c = this.src[this.i] ?? "";
    if (c === "") return c;
    this.i++;
    if (c === "\n") {
      this.line++;
      this.column = 1;
    } else this.column++;
    return c;
  }

  private here(): Pos {
    return { line: this.line, column: this.column };
  }

  private fail(reason: string, pos = this.here()): never {
    throw new Hcl1SyntaxError(pos, reason);
  }

  /** The next token that is not a comment. */
  scan(): Token {
    for (;;) {
      const t = this.scanAny();
      if (t !== undefined) return t;
    }
  }

  /** A token, or undefined for a comment. */
  private scanAny(): Token | undefined {
    while (/[ \t\n\r]/.test(this.peek()) && this.peek() !== "") this.next();
    const start = this.i;
    const pos = this.here();
    const c = this.peek();
    const token = (type: TokenType): Token => ({ type, text: this.src.slice(start, this.i), pos });
    if (c === "") return { type: "eof", text: "", pos };
    if (isLetter(c)) {
      this.next();
      while (isLetter(this.peek()) || isDigit(this.peek()) || /[-.]/.test(this.peek())) this.next();
      const text = this.src.slice(start, this.i);
      if (text === "true" || text === "false") return token("bool");
      if (this.json && text === "null") return token("null");
      return token("ident");
    }
    if (isDecimal(c) || (c === "-" && isDecimal(this.peek(1)))) {
      if (c === "-") this.next();
      return token(this.scanNumber());
    }
    switch (c) {
      case '"':
        this.scanString();
        return token("string");
      case "#":
      case "/":
        this.scanComment();
        return undefined;
      case "<":
        this.scanHeredoc();
        return token("heredoc");
      case "[":
        this.next();
        return token("lbrack");
      case "]":
        this.next();
        return token("rbrack");
      case "{":
        this.next();
        return token("lbrace");
      case "}":
        this.next();
        return token("rbrace");
      case ",":
        this.next();
        return token("comma");
      case "=":
        this.next();
        return token("assign");
      case ":":
        if (this.json) {
          this.next();
          return token("colon");
        }
    }
    return this.fail(`illegal char ${JSON.stringify(c)}`);
  }

  private scanNumber(): "number" | "float" {
    const digits = (test: (c: string) => boolean) => {
      let n = 0;
      while (test(this.peek())) {
        this.next();
        n++;
      }
      return n;
    };
    if (this.peek() === "0" && /[xX]/.test(this.peek(1))) {
      this.next();
      this.next();
      if (digits((c) => /[0-9a-fA-F]/.test(c)) === 0) this.fail("illegal hexadecimal number");
      return "number";
    }
    const startPos = this.here();
    const leadingZero = this.peek() === "0";
    const intText = this.src.slice(this.i, this.i + digits(isDecimal));
    let float = false;
    if (this.peek() === "." && isDecimal(this.peek(1))) {
      this.next();
      digits(isDecimal);
      float = true;
    }
    if (/[eE]/.test(this.peek())) {
      this.next();
      if (/[-+]/.test(this.peek())) this.next();
      digits(isDecimal);
      float = true;
    }
    if (!float && leadingZero && /[89]/.test(intText)) this.fail("illegal octal number", startPos);
    return float ? "float" : "number";
  }

  private scanString(): void {
    const open = this.here();
    this.next();
    let braces = 0;
    for (;;) {
      const c = this.peek();
      if (c === "" || (c === "\n" && braces === 0)) this.fail("literal not terminated", open);
      this.next();
      if (c === '"' && braces === 0) return;
      if (braces === 0 && c === "$" && this.peek() === "{") {
        braces++;
        this.next();
      } else if (braces > 0 && c === "{") braces++;
      else if (braces > 0 && c === "}") braces--;
      else if (c === "\\") this.next();
    }
  }

  private scanComment(): void {
    const at = this.here();
    const c = this.next();
    if (c === "/" && this.peek() === "*") {
      this.next();
      for (;;) {
        const d = this.next();
        if (d === "") this.fail("comment not terminated", at);
        if (d === "*" && this.peek() === "/") {
          this.next();
          return;
        }
      }
    }
    if (c === "/" && this.peek() !== "/") this.fail("expected '/' for comment", at);
    while (this.peek() !== "\n" && this.peek() !== "") this.next();
  }

  private scanHeredoc(): void {
    const at = this.here();
    this.next();
    if (this.peek() !== "<") this.fail("heredoc expected second '<', didn't see it", at);
    this.next();
    const anchorStart = this.i;
    if (this.peek() === "-") this.next();
    while (isLetter(this.peek()) || isDigit(this.peek())) this.next();
    const anchor = this.src.slice(anchorStart, this.i);
    if (this.peek() === "") this.fail("heredoc not terminated", at);
    if (this.peek() !== "\n") this.fail("invalid characters in heredoc anchor", at);
    if (anchor === "" || anchor === "-") this.fail("zero-length heredoc anchor", at);
    this.next();
    const name = anchor.replace(/^-/, "");
    for (;;) {
      const lineStart = this.i;
      while (this.peek() !== "\n" && this.peek() !== "") this.next();
      const line = this.src.slice(lineStart, this.i);
      if (this.peek() === "") this.fail("heredoc not terminated", at);
      this.next();
      if (line.trim() === name && line.trimStart() === name) return;
    }
  }
}

/** The value of a double-quoted string token: escapes decoded outside `${…}`, kept inside. */
export function unquote(token: Token): string {
  const s = token.text.slice(1, -1);
  let out = "";
  let braces = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (braces === 0 && c === "$" && s[i + 1] === "{") {
      braces++;
      out += "${";
      i++;
      continue;
    }
    if (braces > 0) {
      if (c === "{") braces++;
      if (c === "}") braces--;
      out += c;
      continue;
    }
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = s[++i] ?? "";
    const simple: Record<string, string> = {
      a: "\x07",
      b: "\b",
      f: "\f",
      n: "\n",
      r: "\r",
      t: "\t",
      v: "\v",
      "\\": "\\",
      '"': '"',
    };
    const hex = (n: number) => {
      const digits = s.slice(i + 1, i + 1 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(digits))
        throw new Hcl1SyntaxError(token.pos, "illegal char escape");
      i += n;
      return String.fromCodePoint(Number.parseInt(digits, 16));
    };
    if (e in simple) out += simple[e];
    else if (e === "x") out += hex(2);
    else if (e === "u") out += hex(4);
    else if (e === "U") out += hex(8);
    else if (/[0-7]/.test(e)) {
      const digits = s.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(digits)) throw new Hcl1SyntaxError(token.pos, "illegal char escape");
      i += 2;
      out += String.fromCharCode(Number.parseInt(digits, 8));
    } else throw new Hcl1SyntaxError(token.pos, "illegal char escape");
  }
  return out;
}

/** The text of a heredoc token; `<<-` strips the closing line's indentation from every line. */
export function heredocValue(token: Token): string {
  const lines = token.text.split("\n");
  const anchor = (lines[0] as string).slice(2);
  // lines: anchor line, body…, closing line, "" (after its newline).
  const body = lines.slice(1, -2);
  const closing = lines[lines.length - 2] as string;
  if (!anchor.startsWith("-")) return body.map((l) => `${l}\n`).join("");
  const prefix = closing.slice(0, closing.length - closing.trimStart().length);
  if (!body.every((l) => l.startsWith(prefix))) return body.map((l) => `${l}\n`).join("");
  return body.map((l) => `${l.slice(prefix.length)}\n`).join("");
}
