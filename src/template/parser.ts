// Builds the parse tree from tokens, after Go's text/template/parse: actions,
// pipelines, control structures, variables in scope, and the templates that
// `define` and `block` add. Errors carry Go's messages with line and column.
import type {
  BranchNode,
  CommandNode,
  ListNode,
  NumberNode,
  Operand,
  PipeNode,
  Statement,
  TemplateNode,
  VariableNode,
} from "./ast.js";
import { nodeString } from "./ast.js";
import { positionedError, type TemplateError } from "./errors.js";
import { LexError, Lexer, type Token, type TokenKind } from "./lexer.js";
import { parseNumber, unquoteChar, unquoteString } from "./literals.js";

export interface ParsedTemplate {
  readonly name: string;
  readonly text: string;
  readonly root: ListNode;
  /** Templates added by `define` and `block`, by name. */
  readonly defines: ReadonlyMap<string, ListNode>;
}

export interface ParserConfig {
  name: string;
  leftDelim: string;
  rightDelim: string;
  hasFunction(name: string): boolean;
}

/** Deeper nesting than this is refused rather than overflowing the stack. */
const MAX_DEPTH = 400;

/** What ends an item list: {{end}} or {{else}} (with where it was). */
interface ListEnd {
  type: "end" | "else";
  pos: number;
}

class ParseFailure extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

function tokenString(t: Token): string {
  if (t.kind === "eof") return "EOF";
  // Go counts dot and nil among its keywords when printing tokens.
  if (t.kind === "keyword" || t.kind === "dot" || t.kind === "nil") return `<${t.val}>`;
  const chars = Array.from(t.val);
  if (chars.length > 10) return `${goQuote(chars.slice(0, 10).join(""))}...`;
  return goQuote(t.val);
}

/** Go's %q for plain text in messages. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

class Parser {
  private readonly lexer: Lexer;
  private readonly lookahead: Token[] = [];
  private vars: string[] = ["$"];
  private rangeDepth = 0;
  private depth = 0;
  readonly defines = new Map<string, ListNode>();

  constructor(
    private readonly text: string,
    private readonly config: ParserConfig,
  ) {
    this.lexer = new Lexer(text, config.leftDelim, config.rightDelim);
  }

  fail(offset: number, message: string): never {
    throw new ParseFailure(offset, message);
  }

  private next(): Token {
    return this.lookahead.pop() ?? this.pull();
  }

  private pull(): Token {
    try {
      return this.lexer.next();
    } catch (e) {
      if (e instanceof LexError) this.fail(e.pos, e.message);
      throw e;
    }
  }

  private backup(t: Token): void {
    this.lookahead.push(t);
  }

  private peek(): Token {
    const t = this.next();
    this.backup(t);
    return t;
  }

  private nextNonSpace(): Token {
    for (;;) {
      const t = this.next();
      if (t.kind !== "space") return t;
    }
  }

  private peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.backup(t);
    return t;
  }

  private unexpected(t: Token, context: string): never {
    this.fail(t.pos, `unexpected ${tokenString(t)} in ${context}`);
  }

  private expect(kind: TokenKind, context: string): Token {
    const t = this.nextNonSpace();
    if (t.kind !== kind) this.unexpected(t, context);
    return t;
  }

  private enter(pos: number): void {
    if (++this.depth > MAX_DEPTH) this.fail(pos, "max expression depth exceeded");
  }

  parse(): ListNode {
    const root: ListNode = { type: "list", pos: 0, nodes: [] };
    while (this.peek().kind !== "eof") {
      const t = this.peek();
      if (t.kind === "leftDelim") {
        const delim = this.next();
        const word = this.nextNonSpace();
        if (word.kind === "keyword" && word.val === "define") {
          this.parseDefinition();
          continue;
        }
        this.backup(word);
        this.backup(delim);
      }
      const n = this.textOrAction();
      if ("type" in n && (n.type === "end" || n.type === "else")) {
        this.fail(n.pos, `unexpected {{${n.type}}}`);
      }
      root.nodes.push(n as Statement);
    }
    return root;
  }

  private addDefinition(name: string, pos: number, body: ListNode): void {
    const existing = this.defines.get(name);
    if (existing && !isEmptyList(existing) && !isEmptyList(body)) {
      this.fail(pos, `template: multiple definition of template ${goQuote(name)}`);
    }
    if (!existing || isEmptyList(existing)) this.defines.set(name, body);
  }

  /** {{define "name"}} body {{end}}, with its own variable scope. */
  private parseDefinition(): void {
    const context = "define clause";
    const t = this.nextNonSpace();
    if (t.kind !== "string" && t.kind !== "rawString") this.unexpected(t, context);
    const name = this.unquote(t);
    this.expect("rightDelim", context);
    const saved = { vars: this.vars, rangeDepth: this.rangeDepth };
    this.vars = ["$"];
    this.rangeDepth = 0;
    const [body, end] = this.itemList();
    if (end.type !== "end") this.fail(end.pos, `unexpected {{${end.type}}} in ${context}`);
    this.vars = saved.vars;
    this.rangeDepth = saved.rangeDepth;
    this.addDefinition(name, t.pos, body);
  }

  private itemList(): [ListNode, ListEnd] {
    const list: ListNode = { type: "list", pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().kind !== "eof") {
      const n = this.textOrAction();
      if (n.type === "end" || n.type === "else") return [list, n as ListEnd];
      list.nodes.push(n as Statement);
    }
    this.fail(this.text.length, "unexpected EOF");
  }

  private textOrAction(): Statement | ListEnd {
    const t = this.nextNonSpace();
    if (t.kind === "text") return { type: "text", pos: t.pos, text: t.val };
    if (t.kind === "leftDelim") return this.action();
    this.unexpected(t, "input");
  }

  private action(): Statement | ListEnd {
    const t = this.nextNonSpace();
    if (t.kind === "keyword") {
      switch (t.val) {
        case "block":
          return this.blockControl();
        case "break":
        case "continue":
          return this.loopControl(t);
        case "else":
          return this.elseControl(t.pos);
        case "end":
          this.expect("rightDelim", "end");
          return { type: "end", pos: t.pos };
        case "if":
        case "range":
        case "with":
          return this.branchControl(t.val, t.pos);
        case "template":
          return this.templateControl();
      }
    }
    this.backup(t);
    const pos = this.peek().pos;
    return { type: "action", pos, pipe: this.pipeline("command", "rightDelim") };
  }

  private loopControl(t: Token): Statement {
    const kind = t.val as "break" | "continue";
    if (this.rangeDepth === 0) this.fail(t.pos, `{{${kind}}} outside {{range}}`);
    this.expect("rightDelim", `{{${kind}}}`);
    return { type: kind, pos: t.pos };
  }

  private elseControl(pos: number): ListEnd {
    const peek = this.peekNonSpace();
    // "{{else if ...}}" and "{{else with ...}}" are read as {{else}}{{if ...}}.
    if (peek.kind === "keyword" && (peek.val === "if" || peek.val === "with")) {
      return { type: "else", pos: peek.pos };
    }
    this.expect("rightDelim", "else");
    return { type: "else", pos };
  }

  private branchControl(kind: "if" | "range" | "with", pos: number): BranchNode {
    this.enter(pos);
    const mark = this.vars.length;
    const pipe = this.pipeline(kind, "rightDelim");
    if (kind === "range") this.rangeDepth++;
    const [list, next] = this.itemList();
    if (kind === "range") this.rangeDepth--;
    let elseList: ListNode | undefined;
    if (next.type === "else") {
      const peek = this.peek();
      if (peek.kind === "keyword" && peek.val === kind && kind !== "range") {
        // else if / else with: the nested node consumes the single {{end}}.
        this.next();
        elseList = { type: "list", pos: next.pos, nodes: [this.branchControl(kind, peek.pos)] };
      } else {
        const [elseBody, end] = this.itemList();
        if (end.type !== "end") this.fail(end.pos, `expected end; found {{${end.type}}}`);
        elseList = elseBody;
      }
    }
    this.vars.length = mark;
    this.depth--;
    return { type: kind, pos, pipe, list, elseList };
  }

  private templateName(t: Token, context: string): string {
    if (t.kind !== "string" && t.kind !== "rawString") this.unexpected(t, context);
    return this.unquote(t);
  }

  private templateControl(): TemplateNode {
    const context = "template clause";
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    let pipe: PipeNode | undefined;
    const after = this.nextNonSpace();
    if (after.kind !== "rightDelim") {
      this.backup(after);
      pipe = this.pipeline(context, "rightDelim");
    }
    return { type: "template", pos: t.pos, name, pipe };
  }

  /** {{block "name" pipeline}} default {{end}}: define it, then execute it. */
  private blockControl(): TemplateNode {
    const context = "block clause";
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    const pipe = this.pipeline(context, "rightDelim");
    const saved = { vars: this.vars, rangeDepth: this.rangeDepth };
    this.vars = ["$"];
    this.rangeDepth = 0;
    this.enter(t.pos);
    const [body, end] = this.itemList();
    this.depth--;
    if (end.type !== "end") this.fail(end.pos, `unexpected {{${end.type}}} in ${context}`);
    this.vars = saved.vars;
    this.rangeDepth = saved.rangeDepth;
    this.addDefinition(name, t.pos, body);
    return { type: "template", pos: t.pos, name, pipe };
  }

  private pipeline(context: string, end: "rightDelim" | "rightParen"): PipeNode {
    const pipe: PipeNode = {
      type: "pipe",
      pos: this.peekNonSpace().pos,
      isAssign: false,
      decl: [],
      cmds: [],
    };
    this.declarations(pipe, context);
    for (;;) {
      const t = this.nextNonSpace();
      if (t.kind === end) {
        this.checkPipeline(pipe, context, t.pos);
        return pipe;
      }
      switch (t.kind) {
        case "bool":
        case "char":
        case "dot":
        case "field":
        case "identifier":
        case "number":
        case "nil":
        case "rawString":
        case "string":
        case "variable":
        case "leftParen":
          this.backup(t);
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  /** `$x :=`, `$x =`, and in range `$i, $v :=`. */
  private declarations(pipe: PipeNode, context: string): void {
    for (;;) {
      const v = this.peekNonSpace();
      if (v.kind !== "variable") return;
      this.next();
      const afterVar = this.peek();
      const next = this.peekNonSpace();
      const variable: VariableNode = { type: "variable", pos: v.pos, ident: v.val.split(".") };
      if (next.kind === "assign" || next.kind === "declare") {
        pipe.isAssign = next.kind === "assign";
        this.nextNonSpace();
        pipe.decl.push(variable);
        this.vars.push(v.val);
        return;
      }
      if (next.kind === "punct" && next.val === ",") {
        this.nextNonSpace();
        pipe.decl.push(variable);
        this.vars.push(v.val);
        if (context === "range" && pipe.decl.length < 2) {
          const k = this.peekNonSpace().kind;
          if (k === "variable" || k === "rightDelim" || k === "rightParen") continue;
          this.fail(next.pos, "range can only initialize variables");
        }
        this.fail(next.pos, `too many declarations in ${context}`);
      }
      // Not a declaration: put the variable (and the space after it) back.
      if (afterVar.kind === "space") {
        this.lookahead.length = 0;
        this.backup(next);
        this.backup(afterVar);
      }
      this.backup(v);
      return;
    }
  }

  private checkPipeline(pipe: PipeNode, context: string, pos: number): void {
    if (pipe.cmds.length === 0) this.fail(pos, `missing value for ${context}`);
    pipe.cmds.slice(1).forEach((cmd, i) => {
      const first = cmd.args[0];
      if (first && ["bool", "dot", "nil", "number", "string"].includes(first.type)) {
        this.fail(first.pos, `non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: "command", pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const t = this.next();
      if (t.kind === "space") continue;
      if (t.kind === "rightDelim" || t.kind === "rightParen") this.backup(t);
      else if (t.kind !== "pipe") this.unexpected(t, "operand");
      break;
    }
    if (cmd.args.length === 0) this.fail(cmd.pos, "empty command");
    return cmd;
  }

  private operand(): Operand | undefined {
    const node = this.term();
    if (!node) return undefined;
    if (this.peek().kind !== "field") return node;
    const fields: string[] = [];
    while (this.peek().kind === "field") fields.push(this.next().val.slice(1));
    switch (node.type) {
      case "field":
      case "variable":
        return { ...node, ident: [...node.ident, ...fields] };
      case "bool":
      case "string":
      case "number":
      case "nil":
      case "dot":
        this.fail(node.pos, `unexpected . after term ${goQuote(nodeString(node))}`);
        break;
    }
    return { type: "chain", pos: node.pos, node, field: fields };
  }

  private term(): Operand | undefined {
    const t = this.nextNonSpace();
    switch (t.kind) {
      case "identifier":
        if (!this.config.hasFunction(t.val))
          this.fail(t.pos, `function ${goQuote(t.val)} not defined`);
        return { type: "identifier", pos: t.pos, name: t.val };
      case "dot":
        return { type: "dot", pos: t.pos };
      case "nil":
        return { type: "nil", pos: t.pos };
      case "variable": {
        const ident = t.val.split(".");
        if (!this.vars.includes(ident[0] as string)) {
          this.fail(t.pos, `undefined variable ${goQuote(ident[0] as string)}`);
        }
        return { type: "variable", pos: t.pos, ident };
      }
      case "field":
        return { type: "field", pos: t.pos, ident: [t.val.slice(1)] };
      case "bool":
        return { type: "bool", pos: t.pos, value: t.val === "true" };
      case "number":
      case "char":
        return this.number(t);
      case "leftParen": {
        this.enter(t.pos);
        const pipe = this.pipeline("parenthesized pipeline", "rightParen");
        this.depth--;
        return pipe;
      }
      case "string":
      case "rawString":
        return { type: "string", pos: t.pos, quoted: t.val, text: this.unquote(t) };
    }
    this.backup(t);
    return undefined;
  }

  private number(t: Token): NumberNode {
    try {
      if (t.kind === "char") {
        const cp = unquoteChar(t.val);
        return {
          type: "number",
          pos: t.pos,
          text: t.val,
          isInt: true,
          isFloat: true,
          int: cp,
          float: cp,
          isRune: true,
        };
      }
      return { type: "number", pos: t.pos, text: t.val, isRune: false, ...parseNumber(t.val) };
    } catch (e) {
      this.fail(t.pos, (e as Error).message);
    }
  }

  private unquote(t: Token): string {
    try {
      return unquoteString(t.val);
    } catch (e) {
      this.fail(t.pos, (e as Error).message);
    }
  }
}

function isEmptyList(list: ListNode): boolean {
  return list.nodes.every((n) => n.type === "text" && n.text.trim() === "");
}

/** Parse template text into its trees; throws a positioned TemplateError. */
export function parse(text: string, config: ParserConfig): ParsedTemplate {
  const parser = new Parser(text, config);
  try {
    const root = parser.parse();
    if (parser.defines.has(config.name) && !isEmptyList(root)) {
      const existing = parser.defines.get(config.name) as ListNode;
      if (!isEmptyList(existing)) {
        throw new ParseFailure(
          0,
          `template: multiple definition of template ${goQuote(config.name)}`,
        );
      }
    }
    return { name: config.name, text, root, defines: parser.defines };
  } catch (e) {
    if (e instanceof ParseFailure) throw positionedError(text, config.name, e.offset, e.message);
    throw e;
  }
}

export type { TemplateError };
