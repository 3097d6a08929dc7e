// HCL1 as Nomad reads its agent configuration files (github.com/hashicorp/hcl
// v1): a body is a list of items `key = value` or `key "label"… { body }`,
// separated by newlines or commas; values are strings, heredocs, numbers,
// bools, lists (trailing comma allowed) and objects `{ … }`. A file whose
// first character is `{` is the JSON form. The result is a tree of
// positioned values: an item with several keys nests (`a "b" { }` is
// a = { b = { } }), and repeated keys stay in order for the decoder to merge.
import { Hcl1SyntaxError, heredocValue, Lexer, type Pos, type Token, unquote } from "./lexer.js";

export type { Pos } from "./lexer.js";

export type Hcl1Node =
  | { kind: "string"; value: string; pos: Pos }
  | { kind: "number"; value: number; float: boolean; pos: Pos }
  | { kind: "bool"; value: boolean; pos: Pos }
  | { kind: "null"; pos: Pos }
  | { kind: "list"; items: Hcl1Node[]; pos: Pos }
  | { kind: "object"; fields: Hcl1Field[]; pos: Pos };

export interface Hcl1Field {
  key: string;
  pos: Pos;
  value: Hcl1Node;
}

export type Hcl1Object = Extract<Hcl1Node, { kind: "object" }>;

export type Hcl1Result = { ok: true; body: Hcl1Object } | { ok: false; pos: Pos; reason: string };

export function parseHcl1(text: string): Hcl1Result {
  try {
    const json = /^\s*\{/.test(text);
    const p = new Parser(new Lexer(text, json));
    return { ok: true, body: json ? p.jsonFile() : p.file() };
  } catch (err) {
    if (err instanceof Hcl1SyntaxError) return { ok: false, pos: err.pos, reason: err.reason };
    throw err;
  }
}

class Parser {
  private tok: Token;
  private buffered = false;

  constructor(private readonly lexer: Lexer) {
    this.tok = { type: "eof", text: "", pos: { line: 1, column: 1 } };
  }

  private scan(): Token {
    if (this.buffered) this.buffered = false;
    else this.tok = this.lexer.scan();
    return this.tok;
  }

  private unscan(): void {
    this.buffered = true;
  }

  file(): Hcl1Object {
    const fields = this.objectList(false);
    return { kind: "object", fields, pos: { line: 1, column: 1 } };
  }

  private objectList(inBraces: boolean): Hcl1Field[] {
    const fields: Hcl1Field[] = [];
    for (;;) {
      const t = this.scan();
      this.unscan();
      if (t.type === "eof") {
        if (inBraces) this.fail(t, "object expected closing RBRACE got: EOF");
        return fields;
      }
      if (inBraces && t.type === "rbrace") return fields;
      fields.push(this.objectItem());
      if (this.scan().type !== "comma") this.unscan();
    }
  }

  private objectItem(): Hcl1Field {
    const keys: Token[] = [];
    for (;;) {
      const t = this.scan();
      if (t.type === "ident" || t.type === "string") {
        keys.push(t);
        continue;
      }
      if (t.type === "assign") {
        if (keys.length === 0) this.fail(t, "no object keys found!");
        if (keys.length > 1) this.fail(t, "nested object expected: LBRACE got: ASSIGN");
        return this.field(keys, this.value());
      }
      if (t.type === "lbrace") {
        if (keys.length === 0) this.fail(t, "expected: IDENT | STRING got: LBRACE");
        return this.field(keys, this.object(t));
      }
      if (keys.length > 0)
        this.fail(
          t,
          `key '${keys.map((k) => k.text).join(" ")}' expected start of object ('{') or assignment ('=')`,
        );
      this.fail(t, `expected: IDENT | STRING | ASSIGN | LBRACE got: ${describe(t)}`);
    }
  }

  /** `a "b" "c" { body }` is a = { b = { c = body } }. */
  private field(keys: Token[], value: Hcl1Node): Hcl1Field {
    let inner = value;
    for (let i = keys.length - 1; i >= 1; i--) {
      const k = keys[i] as Token;
      inner = {
        kind: "object",
        pos: k.pos,
        fields: [{ key: keyText(k), pos: k.pos, value: inner }],
      };
    }
    const first = keys[0] as Token;
    return { key: keyText(first), pos: first.pos, value: inner };
  }

  private value(): Hcl1Node {
    const t = this.scan();
    switch (t.type) {
      case "lbrace":
        return this.object(t);
      case "lbrack":
        return this.list(t);
      case "eof":
        return this.fail(t, "expected a value, got: EOF");
      default: {
        const lit = literal(t);
        if (lit) return lit;
        return this.fail(t, `Unknown token: ${describe(t)}`);
      }
    }
  }

  private object(open: Token): Hcl1Object {
    let fields: Hcl1Field[] = [];
    try {
      fields = this.objectList(true);
    } catch (err) {
      // hcl v1 drops an error met at a closing brace (`enabled = }`) and
      // then wants another brace: the error is reported where that is missing.
      if (!(err instanceof Hcl1SyntaxError) || this.tok.type !== "rbrace" || this.buffered)
        throw err;
    }
    const close = this.scan();
    if (close.type !== "rbrace")
      this.fail(close, `object expected closing RBRACE got: ${describe(close)}`);
    return { kind: "object", fields, pos: open.pos };
  }

  private list(open: Token): Hcl1Node {
    const items: Hcl1Node[] = [];
    let needComma = false;
    for (;;) {
      const t = this.scan();
      if (t.type === "rbrack") return { kind: "list", items, pos: open.pos };
      if (t.type === "comma") {
        // hcl v1 lets a comma stand where an item could: [1,,2] is [1, 2].
        needComma = false;
        continue;
      }
      if (needComma)
        this.fail(t, `error parsing list, expected comma or list end, got: ${describe(t)}`);
      if (t.type === "lbrace") items.push(this.object(t));
      else if (t.type === "lbrack") items.push(this.list(t));
      else {
        const lit = literal(t);
        if (!lit) this.fail(t, `unexpected token while parsing list: ${describe(t)}`);
        items.push(lit);
      }
      needComma = true;
    }
  }

  // The JSON form: one object whose members are the file's items.
  jsonFile(): Hcl1Object {
    const open = this.scan();
    const body = this.jsonObject(open);
    const end = this.scan();
    if (end.type !== "eof") this.fail(end, `unexpected ${describe(end)} after the JSON object`);
    return body;
  }

  private jsonValue(): Hcl1Node {
    const t = this.scan();
    if (t.type === "lbrace") return this.jsonObject(t);
    if (t.type === "lbrack") {
      // hcl v1's JSON lists take commas anywhere, or none: [1,,2], [1 2,] are [1, 2].
      const items: Hcl1Node[] = [];
      for (;;) {
        const next = this.scan();
        if (next.type === "rbrack") return { kind: "list", items, pos: t.pos };
        if (next.type === "comma") continue;
        this.unscan();
        items.push(this.jsonValue());
      }
    }
    if (t.type === "null") return { kind: "null", pos: t.pos };
    const lit = t.type === "ident" || t.type === "heredoc" ? undefined : literal(t);
    if (!lit) return this.fail(t, `expected a JSON value, got ${describe(t)}`);
    return lit;
  }

  private jsonObject(open: Token): Hcl1Object {
    if (open.type !== "lbrace") this.fail(open, `expected "{", got ${describe(open)}`);
    const fields: Hcl1Field[] = [];
    if (this.scan().type === "rbrace") return { kind: "object", fields, pos: open.pos };
    this.unscan();
    for (;;) {
      const key = this.scan();
      // hcl v1's JSON allows a comma before the closing brace.
      if (key.type === "rbrace" && fields.length > 0)
        return { kind: "object", fields, pos: open.pos };
      if (key.type !== "string") this.fail(key, `expected a quoted key, got ${describe(key)}`);
      const colon = this.scan();
      if (colon.type !== "colon") this.fail(colon, `expected ":", got ${describe(colon)}`);
      fields.push({ key: keyText(key), pos: key.pos, value: this.jsonValue() });
      const sep = this.scan();
      if (sep.type === "rbrace") return { kind: "object", fields, pos: open.pos };
      if (sep.type !== "comma") this.fail(sep, `expected "," or "}", got ${describe(sep)}`);
    }
  }

  private fail(t: Token, reason: string): never {
    throw new Hcl1SyntaxError(t.pos, reason);
  }
}

function keyText(t: Token): string {
  return t.type === "string" ? unquote(t) : t.text;
}

function literal(t: Token): Hcl1Node | undefined {
  switch (t.type) {
    case "string":
      return { kind: "string", value: unquote(t), pos: t.pos };
    case "heredoc":
      return { kind: "string", value: heredocValue(t), pos: t.pos };
    case "bool":
      return { kind: "bool", value: t.text === "true", pos: t.pos };
    case "number": {
      const neg = t.text.startsWith("-");
      const digits = neg ? t.text.slice(1) : t.text;
      const n = /^0[xX]/.test(digits)
        ? Number.parseInt(digits.slice(2), 16)
        : /^0[0-7]+$/.test(digits)
          ? Number.parseInt(digits.slice(1), 8)
          : Number(digits);
      return { kind: "number", value: neg ? -n : n, float: false, pos: t.pos };
    }
    case "float":
      return { kind: "number", value: Number(t.text), float: true, pos: t.pos };
    default:
      return undefined;
  }
}

function describe(t: Token): string {
  const names: Record<string, string> = {
    ident: "IDENT",
    bool: "BOOL",
    number: "NUMBER",
    float: "FLOAT",
    string: "STRING",
    heredoc: "HEREDOC",
    lbrace: "LBRACE",
    rbrace: "RBRACE",
    lbrack: "LBRACK",
    rbrack: "RBRACK",
    comma: "COMMA",
    assign: "ASSIGN",
    colon: "COLON",
    null: "NULL",
    eof: "EOF",
  };
  return names[t.type] ?? t.type;
}
