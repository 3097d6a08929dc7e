// The syntax tree of an HCL2 native-syntax file: bodies of attributes and
// blocks, and expressions. Every node keeps where it starts so errors can
// name file:line:column.

export interface Pos {
  /** 1-based line. */
  line: number;
  /** 1-based column, in characters. */
  column: number;
}

export type Expr =
  | { k: "lit"; v: unknown; pos: Pos }
  | { k: "tmpl"; parts: TemplatePart[]; pos: Pos }
  | { k: "var"; name: string; pos: Pos }
  | { k: "attr"; obj: Expr; name: string; pos: Pos }
  | { k: "index"; obj: Expr; key: Expr; pos: Pos }
  | { k: "splat"; obj: Expr; each: Expr; pos: Pos }
  | { k: "splatItem"; pos: Pos }
  | { k: "call"; name: string; args: Expr[]; expand: boolean; pos: Pos }
  | { k: "tuple"; items: Expr[]; pos: Pos }
  | { k: "object"; items: { key: Expr; value: Expr }[]; pos: Pos }
  | { k: "cond"; cond: Expr; yes: Expr; no: Expr; pos: Pos }
  | { k: "bin"; op: string; l: Expr; r: Expr; pos: Pos }
  | { k: "un"; op: string; e: Expr; pos: Pos }
  | {
      k: "for";
      keyVar?: string;
      valVar: string;
      coll: Expr;
      keyExpr?: Expr;
      valExpr: Expr;
      cond?: Expr;
      group: boolean;
      object: boolean;
      pos: Pos;
    }
  | { k: "paren"; e: Expr; pos: Pos };

/** A piece of a template: literal text, an interpolation or a directive. */
export type TemplatePart =
  | { t: "text"; text: string }
  /** `${…}`; src is the exact source, kept for runtime interpolations Nomad leaves alone. */
  | { t: "interp"; e: Expr; src: string }
  | { t: "if"; cond: Expr; yes: TemplatePart[]; no: TemplatePart[] }
  | { t: "for"; keyVar?: string; valVar: string; coll: Expr; body: TemplatePart[] };

export interface Attribute {
  name: string;
  expr: Expr;
  pos: Pos;
}

export interface Block {
  type: string;
  labels: string[];
  pos: Pos;
  body: Body;
}

export interface Body {
  attrs: Attribute[];
  blocks: Block[];
  pos: Pos;
}

/** A mistake at a place in a file. */
export interface Positioned {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** Thrown inside the parser and evaluator; turned into a Positioned result at the API boundary. */
export class HclError extends Error {
  constructor(
    message: string,
    readonly pos: Pos,
  ) {
    super(message);
  }
}
