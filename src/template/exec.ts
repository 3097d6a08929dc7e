// Executes a parsed template against data, after Go's text/template exec:
// pipelines with the previous command's value as the last argument, fields
// of maps, variables in scope, if/with/range/template, and Go's messages for
// execution errors ("executing "name" at <node>: …").
import { checkArg, GO_PARAM_TYPE, nilFor } from "./arg-types.js";
import {
  type BranchNode,
  type ChainNode,
  type CommandNode,
  type IdentifierNode,
  type ListNode,
  type NumberNode,
  nodeString,
  type Operand,
  type PipeNode,
  type Statement,
  type TemplateNode,
  type VariableNode,
} from "./ast.js";
import { positionedError, TemplateError } from "./errors.js";
import { formatDefault } from "./fmt.js";
import { type CallContext, type FuncDef, lookupFunction, type ParamType } from "./funcs/index.js";
import type { ParsedTemplate } from "./parser.js";
import { GoFloat, isTrue, kindOf, mapGet, sortedKeys, typeName } from "./values.js";

/** Go allows 100000 nested {{template}} calls; JavaScript's stack allows fewer. */
export const MAX_EXEC_DEPTH = 300;

/**
 * Statements one render may execute. Go has no such limit, but a template
 * calling itself twice per level would otherwise run for ages inside the agent.
 */
export const MAX_EXEC_STEPS = 5_000_000;

/** Marks "no value from a previous pipeline stage" (Go's missingVal). */
const MISSING: unique symbol = Symbol("missing");
type Final = unknown;

class BreakSignal {}
class ContinueSignal {}
const BREAK = new BreakSignal();
const CONTINUE = new ContinueSignal();

interface Variable {
  name: string;
  value: unknown;
  /** Holds a range element: Go's static type is interface {} (it shows in messages). */
  iface?: boolean;
}

type ErrorNode = Operand | CommandNode | Statement;

export interface ExecOptions {
  data: unknown;
  errorOnMissingKey: boolean;
  ctx: CallContext;
}

export class Executor {
  private readonly out: string[] = [];
  private vars: Variable[] = [];
  private treeName: string;
  private depth = 0;
  /** Whether dot is a range element, of Go's static type interface {}. */
  private dotIface = false;
  private steps = 0;

  constructor(
    private readonly tmpl: ParsedTemplate,
    private readonly options: ExecOptions,
  ) {
    this.treeName = tmpl.name;
  }

  /** Run the template; returns the output, throws TemplateError. */
  run(): string {
    const dot = this.options.data;
    this.vars = [{ name: "$", value: dot }];
    try {
      this.walkList(dot, this.tmpl.root);
    } catch (e) {
      // Data nested (or cyclic) beyond what the stack holds, seen at the node being evaluated.
      if (e instanceof RangeError && this.node)
        this.errorf(`value nested too deeply: ${e.message}`);
      throw e;
    }
    return this.out.join("");
  }

  /** The output written so far (for a render abandoned on an error). */
  partialOutput(): string {
    return this.out.join("");
  }

  /** The node Go's error context would name: the last one evaluation reached. */
  private node: ErrorNode | undefined;

  private at(node: ErrorNode): void {
    this.node = node;
  }

  private errorf(message: string): never {
    return this.fail(this.node as ErrorNode, message);
  }

  private fail(node: ErrorNode, message: string): never {
    const base = positionedError(this.tmpl.text, this.tmpl.name, node.pos, "");
    const context = nodeString(node);
    throw new TemplateError(
      `${base.message}executing ${JSON.stringify(this.treeName)} at <${context}>: ${message}`,
      base.templateName,
      base.line,
      base.column,
    );
  }

  private walkList(dot: unknown, list: ListNode): void {
    for (const node of list.nodes) this.walk(dot, node);
  }

  private walk(dot: unknown, node: Statement): void {
    this.at(node);
    this.step();
    switch (node.type) {
      case "text":
        this.out.push(node.text);
        return;
      case "action": {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case "if":
      case "with":
        this.walkIfOrWith(dot, node);
        return;
      case "range":
        this.walkRange(dot, node);
        return;
      case "template":
        this.walkTemplate(dot, node);
        return;
      case "break":
        throw BREAK;
      case "continue":
        throw CONTINUE;
    }
  }

  private printValue(node: Statement, v: unknown): void {
    this.at(node);
    if (v === undefined) {
      this.out.push("<no value>");
      return;
    }
    if (typeof v === "function" || typeof v === "symbol") {
      this.fail(node, `can't print ${nodeString(node)} of type ${typeName(v)}`);
    }
    this.out.push(formatDefault(v));
  }

  private step(): void {
    if (++this.steps > MAX_EXEC_STEPS) {
      this.errorf(`exceeded maximum execution steps (${MAX_EXEC_STEPS})`);
    }
  }

  private walkIfOrWith(dot: unknown, node: BranchNode): void {
    const mark = this.vars.length;
    try {
      const val = this.evalPipeline(dot, node.pipe);
      if (isTrue(val)) {
        if (node.type === "with") this.walkWithDot(val, node.list);
        else this.walkList(dot, node.list);
      } else if (node.elseList) this.walkList(dot, node.elseList);
    } finally {
      this.vars.length = mark;
    }
  }

  /** Walk with a new, concretely typed dot (a pipeline's value). */
  private walkWithDot(dot: unknown, list: ListNode): void {
    const saved = this.dotIface;
    this.dotIface = false;
    try {
      this.walkList(dot, list);
    } finally {
      this.dotIface = saved;
    }
  }

  private walkRange(dot: unknown, node: BranchNode): void {
    this.at(node);
    const mark = this.vars.length;
    try {
      const val = this.evalPipeline(dot, node.pipe);
      const { decl, isAssign } = node.pipe;
      const oneIteration = (index: unknown, elem: unknown, elemIface = true): boolean => {
        this.step();
        if (decl.length > 0) {
          if (isAssign) {
            const one = decl.length === 1;
            this.setVar(decl[0] as VariableNode, one ? elem : index, one && elemIface);
          } else this.setTopVar(1, elem, elemIface);
        }
        if (decl.length > 1) {
          if (isAssign) this.setVar(decl[1] as VariableNode, elem, elemIface);
          else this.setTopVar(2, index, false);
        }
        const inner = this.vars.length;
        const savedIface = this.dotIface;
        this.dotIface = elemIface;
        try {
          this.walkList(elem, node.list);
        } catch (e) {
          if (e === BREAK) return false;
          if (e !== CONTINUE) throw e;
        } finally {
          this.vars.length = inner;
          this.dotIface = savedIface;
        }
        return true;
      };
      let ran = false;
      switch (kindOf(val)) {
        case "slice":
          for (const [i, elem] of (val as unknown[]).entries()) {
            ran = true;
            if (!oneIteration(i, elem ?? null)) break;
          }
          break;
        case "map":
          for (const key of sortedKeys(val as object)) {
            ran = true;
            if (!oneIteration(key, mapGet(val as object, key) ?? null)) break;
          }
          break;
        case "int": {
          if (decl.length > 1) {
            this.errorf(`can't use ${formatDefault(val)} to iterate over more than one variable`);
          }
          const n = Number(val);
          for (let i = 0; i < n; i++) {
            ran = true;
            if (!oneIteration(i, i, false)) break;
          }
          break;
        }
        case "invalid":
        case "nil":
          break;
        default:
          this.errorf(`range can't iterate over ${formatDefault(val)}`);
      }
      if (!ran && node.elseList) this.walkList(dot, node.elseList);
    } finally {
      this.vars.length = mark;
    }
  }

  private walkTemplate(dot: unknown, node: TemplateNode): void {
    this.at(node);
    const tree =
      this.tmpl.defines.get(node.name) ??
      (node.name === this.tmpl.name ? this.tmpl.root : undefined);
    if (!tree) this.fail(node, `template ${JSON.stringify(node.name)} not defined`);
    if (this.depth >= MAX_EXEC_DEPTH)
      this.fail(node, `exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    const newDot = node.pipe ? this.evalPipeline(dot, node.pipe) : undefined;
    const saved = { vars: this.vars, treeName: this.treeName };
    this.vars = [{ name: "$", value: newDot }];
    this.treeName = node.name;
    this.depth++;
    try {
      this.walkWithDot(newDot, tree);
    } finally {
      this.depth--;
      this.vars = saved.vars;
      this.treeName = saved.treeName;
    }
  }

  private setTopVar(n: number, value: unknown, iface: boolean): void {
    const variable = this.vars[this.vars.length - n] as Variable;
    variable.value = value;
    variable.iface = iface;
  }

  private varIface(v: VariableNode): boolean {
    const name = v.ident[0] as string;
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const variable = this.vars[i] as Variable;
      if (variable.name === name) return variable.iface === true;
    }
    return false;
  }

  private setVar(v: VariableNode, value: unknown, iface = false): void {
    const name = v.ident[0] as string;
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const variable = this.vars[i] as Variable;
      if (variable.name === name) {
        variable.value = value;
        variable.iface = iface;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private varValue(v: VariableNode): unknown {
    const name = v.ident[0] as string;
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const variable = this.vars[i] as Variable;
      if (variable.name === name) return variable.value;
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.at(pipe);
    let value: unknown = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // A nil interface{} result is "no value" from here on, as in Go.
      if (value === null) value = undefined;
    }
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v, value);
      else this.vars.push({ name: v.ident[0] as string, value });
    }
    return value;
  }

  private notAFunction(args: Operand[], final: Final): void {
    if (args.length > 1 || final !== MISSING) {
      this.errorf(`can't give argument to non-function ${nodeString(args[0] as Operand)}`);
    }
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0] as Operand;
    switch (first.type) {
      case "field":
        this.at(first);
        return this.evalFieldChain(dot, first.ident, cmd.args, final, this.dotIface);
      case "chain":
        return this.evalChainNode(dot, first, cmd.args, final);
      case "identifier":
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case "pipe":
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case "variable":
        return this.evalVariableNode(first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case "bool":
        return first.value;
      case "dot":
        return dot;
      case "nil":
        this.errorf("nil is not a command");
        break;
      case "number":
        return this.idealConstant(first);
      case "string":
        return first.text;
    }
    return undefined;
  }

  private idealConstant(n: NumberNode): unknown {
    this.at(n);
    const hexInt = /^[+-]?0[xX]/.test(n.text) && !/[pP]/.test(n.text);
    if (n.isFloat && !hexInt && !n.isRune && /[.eEpP]/.test(n.text)) return new GoFloat(n.float);
    if (n.isInt) return n.bigInt ?? n.int;
    this.errorf(`${n.text} overflows int`);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: Operand[], final: Final): unknown {
    if (chain.node.type === "nil")
      this.fail(chain, `indirection through explicit nil in ${nodeString(chain)}`);
    const receiver = this.evalArg(dot, undefined, chain.node);
    return this.evalFieldChain(receiver, chain.field, args, final);
  }

  private evalVariableNode(v: VariableNode, args: Operand[], final: Final): unknown {
    this.at(v);
    const value = this.varValue(v);
    if (v.ident.length === 1) {
      if (args.length > 0) this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(value, v.ident.slice(1), args, final, this.varIface(v));
  }

  private evalFieldChain(
    receiver: unknown,
    ident: string[],
    args: Operand[],
    final: Final,
    receiverIface = false,
  ): unknown {
    let cur = receiver;
    for (let i = 0; i < ident.length - 1; i++) {
      cur = this.evalField(ident[i] as string, [], MISSING, cur, i > 0 || receiverIface);
    }
    return this.evalField(
      ident[ident.length - 1] as string,
      args,
      final,
      cur,
      ident.length > 1 || receiverIface,
    );
  }

  private evalField(
    fieldName: string,
    args: Operand[],
    final: Final,
    receiver: unknown,
    fromMap: boolean,
  ): unknown {
    if (receiver === undefined) {
      if (this.options.errorOnMissingKey)
        this.errorf(`nil data; no entry for key ${JSON.stringify(fieldName)}`);
      return undefined;
    }
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${fieldName}`);
    // A value just read from a map has Go's static type interface {}.
    const type = fromMap ? "interface {}" : typeName(receiver);
    if (kindOf(receiver) === "map") {
      if (args.length > 1 || final !== MISSING)
        this.errorf(`${fieldName} is not a method but has arguments`);
      const v = mapGet(receiver as object, fieldName);
      if (v === undefined && this.options.errorOnMissingKey) {
        this.errorf(`map has no entry for key ${JSON.stringify(fieldName)}`);
      }
      return v;
    }
    this.errorf(`can't evaluate field ${fieldName} in type ${type}`);
  }

  private evalFunction(
    dot: unknown,
    ident: IdentifierNode,
    cmd: CommandNode | IdentifierNode,
    args: Operand[],
    final: Final,
  ): unknown {
    this.at(ident);
    const def = lookupFunction(ident.name);
    if (!def) this.fail(ident, `${JSON.stringify(ident.name)} is not a defined function`);
    return this.evalCall(dot, def, ident, cmd, args.slice(1), final);
  }

  private evalCall(
    dot: unknown,
    def: FuncDef,
    ident: IdentifierNode,
    cmd: CommandNode | IdentifierNode,
    args: Operand[],
    final: Final,
  ): unknown {
    const name = ident.name;
    const numIn = args.length + (final === MISSING ? 0 : 1);
    const numFixed = def.params.length;
    if (def.variadic) {
      if (numIn < numFixed) {
        this.errorf(
          `wrong number of args for ${name}: want at least ${numFixed} got ${args.length}`,
        );
      }
    } else if (numIn !== numFixed) {
      this.errorf(`wrong number of args for ${name}: want ${numFixed} got ${numIn}`);
    }
    if (name === "and" || name === "or") {
      // Short-circuit: stop at the first false (and) or true (or) argument.
      let v: unknown;
      for (const arg of args) {
        v = this.evalArg(dot, "any", arg);
        if (isTrue(v) === (name === "or")) return v;
      }
      return final === MISSING ? v : final;
    }
    const argv: unknown[] = [];
    let i = 0;
    for (; i < numFixed && i < args.length; i++) {
      argv.push(this.evalArg(dot, def.params[i] as ParamType, args[i] as Operand));
    }
    for (; i < args.length; i++)
      argv.push(this.evalArg(dot, def.variadic as ParamType, args[i] as Operand));
    if (final !== MISSING) {
      const t =
        i < numFixed
          ? (def.params[i] as ParamType)
          : (def.variadic ?? (def.params[numFixed - 1] as ParamType));
      argv.push(this.validate(final, t));
    }
    try {
      return def.call(this.options.ctx, argv);
    } catch (e) {
      if (e instanceof TemplateError) throw e;
      const message = e instanceof Error ? e.message : String(e);
      this.at(cmd);
      this.errorf(`error calling ${name}: ${message}`);
    }
  }

  /** Check a value against a parameter type, converting nil the way Go's reflection does. */
  private validate(value: unknown, param: ParamType | undefined): unknown {
    if (param === undefined) return value;
    const check = checkArg(value, param);
    if (!check.ok) this.errorf(check.message);
    return check.value;
  }

  /** Evaluate one argument; undefined param means "keep no-value as is" (a chain's receiver). */
  private evalArg(dot: unknown, param: ParamType | undefined, node: Operand): unknown {
    this.at(node);
    switch (node.type) {
      case "dot":
        return this.validate(dot, param);
      case "nil": {
        if (param === undefined) return null;
        const nil = nilFor(param);
        if (!nil.ok) this.errorf(nil.message);
        return nil.value;
      }
      case "field":
        return this.validate(
          this.evalFieldChain(dot, node.ident, [node], MISSING, this.dotIface),
          param,
        );
      case "variable":
        return this.validate(this.evalVariableNode(node, [], MISSING), param);
      case "pipe":
        return this.validate(this.evalPipeline(dot, node), param);
      case "identifier":
        return this.validate(this.evalFunction(dot, node, node, [node], MISSING), param);
      case "chain":
        return this.validate(this.evalChainNode(dot, node, [], MISSING), param);
    }
    const p = param ?? "any";
    switch (p) {
      case "bool":
        if (node.type === "bool") return node.value;
        this.errorf(`expected bool; found ${nodeString(node)}`);
        break;
      case "int":
        if (node.type === "number" && node.isInt) return node.int;
        this.errorf(`expected integer; found ${nodeString(node)}`);
        break;
      case "float":
        if (node.type === "number" && node.isFloat) return new GoFloat(node.float);
        this.errorf(`expected float; found ${nodeString(node)}`);
        break;
      case "string":
        if (node.type === "string") return node.text;
        this.errorf(`expected string; found ${nodeString(node)}`);
        break;
      case "any":
        if (node.type === "bool") return node.value;
        if (node.type === "string") return node.text;
        return this.idealConstant(node as NumberNode);
      default:
        this.errorf(`can't handle ${nodeString(node)} for arg of type ${GO_PARAM_TYPE[p]}`);
    }
  }
}
