// The jobspec pipeline: HCL text → syntax tree → variables and locals → the
// decoded job → Nomad's defaults → Nomad's validation. Pure: file contents,
// variable values, environment and a file reader come in as parameters.
import type { NomadJobSpec } from "../crds/job/index.js";
import { canonicalize, normalizeParsed } from "./canonicalize.js";
import type { DecodeContext } from "./decode/body.js";
import { decodeJob } from "./decode/job.js";
import { requiredFields } from "./decode/required.js";
import { evaluate, RuntimeReference, type Scope } from "./expressions/eval.js";
import { convert } from "./expressions/types.js";
import { type FunctionEnv, functions } from "./functions/index.js";
import { type Block, type Body, HclError, type Pos, type Positioned } from "./hcl/ast.js";
import { parseHcl } from "./hcl/parser.js";
import { validate } from "./validate.js";
import {
  declareVariable,
  rawValue,
  readVarFile,
  type VarInput,
  type VariableDecl,
} from "./variables.js";

export interface JobspecInput extends FunctionEnv {
  /** The file name errors point at ("-" or "<stdin>" for standard input). */
  file: string;
  source: string;
  /** -var values, "name=value", in command-line order. */
  vars?: readonly string[];
  /** -var-file contents, in command-line order. */
  varFiles?: readonly { file: string; content: string }[];
  /** The environment, for NOMAD_VAR_<name>. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * What Nomad's validation rules do: "error" (the default, `nomad job
   * validate`) fails the result; "warn" (`nomad job run -output`, which only
   * parses) returns them as warnings beside the job.
   */
  validation?: "error" | "warn";
}

export type JobspecResult =
  | {
      ok: true;
      /** The canonical job: every default Nomad's server fills in (what the cluster stores). */
      job: NomadJobSpec;
      /** The job as Nomad's jobspec2 parser returns it, before server defaults (`nomad job run -output`). */
      parsed: NomadJobSpec;
      namespace?: string;
      warnings?: Positioned[];
    }
  | { ok: false; errors: Positioned[] };

class Failed extends Error {
  constructor(readonly errors: Positioned[]) {
    super("jobspec failed");
  }
}

const at = (file: string, pos: Pos, message: string): Positioned => ({
  file,
  line: pos.line,
  column: pos.column,
  message,
});

function topLevel(
  body: Body,
  file: string,
): { job: Block; variables: Block[]; locals: Block[]; variablesAttrs: Block[] } {
  const errors: Positioned[] = [];
  for (const a of body.attrs)
    errors.push(
      at(
        file,
        a.pos,
        `unexpected argument "${a.name}" at the top level; a job file holds job, variable and locals blocks`,
      ),
    );
  const jobs = body.blocks.filter((b) => b.type === "job");
  for (const b of body.blocks)
    if (!["job", "variable", "locals", "variables"].includes(b.type))
      errors.push(
        at(
          file,
          b.pos,
          `unsupported block "${b.type}" at the top level; a job file holds job, variable and locals blocks`,
        ),
      );
  if (!jobs.length && !errors.length)
    errors.push(
      at(file, { line: 1, column: 1 }, 'no job block: a job file needs job "<id>" { … }'),
    );
  for (const extra of jobs.slice(1))
    errors.push(at(file, extra.pos, "only one job block is allowed per file"));
  const job = jobs[0];
  if (job && job.labels.length !== 1)
    errors.push(at(file, job.pos, 'a job block needs one label, its ID: job "<id>" { … }'));
  if (errors.length) throw new Failed(errors);
  return {
    job: job as Block,
    variables: body.blocks.filter((b) => b.type === "variable"),
    locals: body.blocks.filter((b) => b.type === "locals"),
    variablesAttrs: body.blocks.filter((b) => b.type === "variables"),
  };
}

/** An expected failure (a syntax or evaluation error) as a positioned error; anything else is a bug. */
function positioned(file: string, err: unknown): Positioned | undefined {
  if (err instanceof HclError) return at(file, err.pos, err.message);
  if (err instanceof RuntimeReference)
    return at(
      file,
      err.pos,
      `unknown variable "${err.root}"; declare it with a variable block, or write runtime values inside a string, e.g. "\${${err.root}…}"`,
    );
  return undefined;
}

function wrap<T>(file: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    const e = positioned(file, err);
    if (e) throw new Failed([e]);
    throw err;
  }
}

function resolveVariables(
  input: JobspecInput,
  decls: Map<string, VariableDecl>,
  base: Scope,
): Record<string, unknown> {
  const errors: Positioned[] = [];
  const inputs: VarInput[] = [];
  // Nomad's precedence, lowest first: environment, -var-file files in order, -var flags in order.
  for (const [k, v] of Object.entries(input.env ?? {}))
    if (k.startsWith("NOMAD_VAR_") && v !== undefined && decls.has(k.slice(10)))
      inputs.push({
        name: k.slice(10),
        value: v,
        raw: true,
        file: `environment variable ${k}`,
        pos: { line: 1, column: 1 },
      });
  for (const vf of input.varFiles ?? []) {
    try {
      for (const i of readVarFile(vf.file, vf.content, base)) {
        if (!decls.has(i.name))
          errors.push(
            at(
              vf.file,
              i.pos,
              `variable "${i.name}" is not declared in ${input.file}; add variable "${i.name}" {} or remove it`,
            ),
          );
        else inputs.push(i);
      }
    } catch (err) {
      if (!(err instanceof HclError)) throw err;
      errors.push(at(vf.file, err.pos, err.message));
    }
  }
  for (const v of input.vars ?? []) {
    const eq = v.indexOf("=");
    if (eq <= 0) {
      errors.push(at("-var", { line: 1, column: 1 }, `-var "${v}" must be name=value`));
      continue;
    }
    const name = v.slice(0, eq);
    if (!decls.has(name)) {
      errors.push(
        at(
          "-var",
          { line: 1, column: 1 },
          `variable "${name}" is not declared in ${input.file}; add variable "${name}" {}`,
        ),
      );
      continue;
    }
    inputs.push({
      name,
      value: v.slice(eq + 1),
      raw: true,
      file: "-var",
      pos: { line: 1, column: 1 },
    });
  }
  const values: Record<string, unknown> = {};
  for (const d of decls.values()) if (d.hasDefault) values[d.name] = d.default;
  for (const i of inputs) {
    const d = decls.get(i.name) as VariableDecl;
    const raw = i.raw ? rawValue(i.value as string, d.type, base) : i.value;
    const c = convert(raw, d.type);
    if (!c.ok) errors.push(at(i.file, i.pos, `invalid value for variable "${i.name}": ${c.why}`));
    else values[i.name] = c.v;
  }
  const given = new Set(inputs.map((i) => i.name));
  for (const d of decls.values())
    if (!Object.hasOwn(values, d.name) && !given.has(d.name))
      errors.push(
        at(
          input.file,
          d.pos,
          `variable "${d.name}" has no value: give it a default, or set it with -var ${d.name}=…, a -var-file, or NOMAD_VAR_${d.name}`,
        ),
      );
  if (errors.length) throw new Failed(errors);
  return values;
}

function checkValidations(file: string, decls: Map<string, VariableDecl>, scope: Scope): void {
  const errors: Positioned[] = [];
  for (const d of decls.values())
    for (const v of d.validations) {
      try {
        const ok = evaluate(v.condition, scope);
        if (typeof ok !== "boolean")
          throw new HclError("a validation condition must be true or false", v.condition.pos);
        if (!ok)
          errors.push(
            at(
              file,
              v.pos,
              `invalid value for variable "${d.name}": ${String(evaluate(v.errorMessage, scope))}`,
            ),
          );
      } catch (err) {
        // An unknown root (a typo such as "ar.env") included.
        const e = positioned(file, err);
        if (!e) throw err;
        errors.push(e);
      }
    }
  if (errors.length) throw new Failed(errors);
}

/** Locals evaluate on first use, in any order, so they can refer to each other; a cycle is an error. */
function lazyLocals(file: string, blocks: Block[], scopeOf: () => Scope): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  const state = new Map<string, "busy" | "done">();
  const values = new Map<string, unknown>();
  for (const b of blocks) {
    if (b.labels.length) throw new Failed([at(file, b.pos, "a locals block takes no label")]);
    if (b.body.blocks[0])
      throw new Failed([
        at(file, b.body.blocks[0].pos, "a locals block holds only name = value lines"),
      ]);
    for (const a of b.body.attrs) {
      if (Object.hasOwn(obj, a.name))
        throw new Failed([at(file, a.pos, `local "${a.name}" is defined twice`)]);
      Object.defineProperty(obj, a.name, {
        enumerable: true,
        get() {
          if (state.get(a.name) === "busy")
            throw new HclError(`local "${a.name}" refers to itself through other locals`, a.pos);
          if (state.get(a.name) !== "done") {
            state.set(a.name, "busy");
            values.set(a.name, evaluate(a.expr, scopeOf()));
            state.set(a.name, "done");
          }
          return values.get(a.name);
        },
      });
    }
  }
  return obj;
}

export function parseJob(input: JobspecInput): JobspecResult {
  const file = input.file;
  try {
    const body = wrap(file, () => parseHcl(input.source));
    const top = topLevel(body, file);
    const fns = functions();
    const env: FunctionEnv = {
      ...(input.readFile ? { readFile: input.readFile } : {}),
      ...(input.listFiles ? { listFiles: input.listFiles } : {}),
      ...(input.uuid ? { uuid: input.uuid } : {}),
      ...(input.home ? { home: input.home } : {}),
    };
    const constants: Scope = { vars: new Map(), functions: fns, env };
    const decls = new Map<string, VariableDecl>();
    for (const b of top.variables) {
      const d = wrap(file, () => declareVariable(b, constants));
      if (decls.has(d.name))
        throw new Failed([at(file, b.pos, `variable "${d.name}" is declared twice`)]);
      decls.set(d.name, d);
    }
    // `variables { name = default }`: the short form, defaults of any type.
    for (const b of top.variablesAttrs)
      for (const a of b.body.attrs) {
        const v = wrap(file, () => evaluate(a.expr, constants));
        decls.set(a.name, {
          name: a.name,
          type: { t: "any" },
          default: v,
          hasDefault: true,
          validations: [],
          pos: a.pos,
        });
      }
    const values = resolveVariables(input, decls, constants);
    const varScope: Scope = { vars: new Map([["var", values]]), functions: fns, env };
    checkValidations(file, decls, varScope);
    let scope: Scope = varScope;
    const locals = lazyLocals(file, top.locals, () => scope);
    scope = {
      vars: new Map<string, unknown>([
        ["var", values],
        ["local", locals],
      ]),
      functions: fns,
      env,
    };
    const ctx: DecodeContext = { errors: [], warnings: [], origins: new WeakMap() };
    const decoded = wrap(file, () => decodeJob(top.job, scope, ctx));
    if (ctx.errors.length)
      return { ok: false, errors: ctx.errors.map((e) => at(file, e.pos, e.message)) };
    const missing = requiredFields(decoded.spec, ctx);
    // Like jobspec2, conversion goes on without what only validation requires
    // (validate reports those again, as warnings).
    if (missing.some((e) => !e.validationOnly || input.validation !== "warn"))
      return { ok: false, errors: missing.map((e) => at(file, e.pos, e.message)) };
    const job = canonicalize(decoded.spec);
    const problems = validate(job, decoded.spec, ctx).map((e) => at(file, e.pos, e.message));
    if (problems.length && input.validation !== "warn") return { ok: false, errors: problems };
    const warnings = [...(ctx.warnings ?? []).map((w) => at(file, w.pos, w.message)), ...problems];
    return {
      ok: true,
      job,
      parsed: normalizeParsed(decoded.spec),
      ...(decoded.namespace ? { namespace: decoded.namespace } : {}),
      ...(warnings.length ? { warnings } : {}),
    };
  } catch (err) {
    if (err instanceof Failed) return { ok: false, errors: err.errors };
    // Anything else is a bug in the parser; report it against the file rather than crash the caller.
    return {
      ok: false,
      errors: [at(file, { line: 1, column: 1 }, `internal error: ${(err as Error).message}`)],
    };
  }
}
