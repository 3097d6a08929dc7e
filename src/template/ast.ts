// The parse tree, after Go's text/template/parse nodes. `pos` is the character
// offset of the node in the template text, for error positions.

export interface TextNode {
  type: "text";
  pos: number;
  text: string;
}
export interface FieldNode {
  type: "field";
  pos: number;
  /** `.A.B` → ["A", "B"] */
  ident: string[];
}
export interface VariableNode {
  type: "variable";
  pos: number;
  /** `$x.A` → ["$x", "A"] */
  ident: string[];
}
export interface ChainNode {
  type: "chain";
  pos: number;
  node: Operand;
  /** `(f).A.B` → ["A", "B"] */
  field: string[];
}
export interface IdentifierNode {
  type: "identifier";
  pos: number;
  name: string;
}
export interface DotNode {
  type: "dot";
  pos: number;
}
export interface NilNode {
  type: "nil";
  pos: number;
}
export interface BoolNode {
  type: "bool";
  pos: number;
  value: boolean;
}
export interface NumberNode {
  type: "number";
  pos: number;
  text: string;
  isInt: boolean;
  isFloat: boolean;
  int: number;
  /** The exact value when it is beyond JavaScript's safe integers. */
  bigInt?: bigint;
  float: number;
  /** The text was a character constant ('a'). */
  isRune: boolean;
}
export interface StringNode {
  type: "string";
  pos: number;
  /** As written, with quotes. */
  quoted: string;
  text: string;
}
export interface PipeNode {
  type: "pipe";
  pos: number;
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
export interface CommandNode {
  type: "command";
  pos: number;
  args: Operand[];
}

export type Operand =
  | FieldNode
  | VariableNode
  | ChainNode
  | IdentifierNode
  | DotNode
  | NilNode
  | BoolNode
  | NumberNode
  | StringNode
  | PipeNode;

export interface ListNode {
  type: "list";
  pos: number;
  nodes: Statement[];
}
export interface ActionNode {
  type: "action";
  pos: number;
  pipe: PipeNode;
}
export interface BranchNode {
  type: "if" | "with" | "range";
  pos: number;
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | undefined;
}
export interface TemplateNode {
  type: "template";
  pos: number;
  name: string;
  pipe: PipeNode | undefined;
}
export interface LoopControlNode {
  type: "break" | "continue";
  pos: number;
}

export type Statement = TextNode | ActionNode | BranchNode | TemplateNode | LoopControlNode;

/** The source form of a node, as Go's Node.String() prints it in error context. */
export function nodeString(node: Operand | CommandNode | Statement | ListNode): string {
  switch (node.type) {
    case "text":
      return JSON.stringify(node.text);
    case "field":
      return `.${node.ident.join(".")}`;
    case "variable":
      return node.ident.join(".");
    case "chain": {
      const inner =
        node.node.type === "pipe" ? `(${nodeString(node.node)})` : nodeString(node.node);
      return `${inner}.${node.field.join(".")}`;
    }
    case "identifier":
      return node.name;
    case "dot":
      return ".";
    case "nil":
      return "nil";
    case "bool":
      return node.value ? "true" : "false";
    case "number":
      return node.text;
    case "string":
      return node.quoted;
    case "command":
      return node.args
        .map((a) => (a.type === "pipe" ? `(${nodeString(a)})` : nodeString(a)))
        .join(" ");
    case "pipe": {
      const cmds = node.cmds.map(nodeString).join(" | ");
      if (node.decl.length === 0) return cmds;
      return `${node.decl.map(nodeString).join(", ")} ${node.isAssign ? "=" : ":="} ${cmds}`;
    }
    case "list":
      return node.nodes.map(nodeString).join("");
    case "action":
      return `{{${nodeString(node.pipe)}}}`;
    case "if":
    case "with":
    case "range": {
      const elsePart = node.elseList ? `{{else}}${nodeString(node.elseList)}` : "";
      return `{{${node.type} ${nodeString(node.pipe)}}}${nodeString(node.list)}${elsePart}{{end}}`;
    }
    case "template":
      return node.pipe
        ? `{{template ${JSON.stringify(node.name)} ${nodeString(node.pipe)}}}`
        : `{{template ${JSON.stringify(node.name)}}}`;
    case "break":
    case "continue":
      return `{{${node.type}}}`;
  }
}
