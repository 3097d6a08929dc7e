// consul-template compatible Go text/template engine: pure, no I/O.
// parseTemplate once, renderTemplate as often as the data changes.
import { positionedError, TemplateError } from "./errors.js";
import { Executor } from "./exec.js";
import { lookupFunction } from "./funcs/index.js";
import { type ParsedTemplate, parse } from "./parser.js";
import type { ParseOptions, RenderOptions, RenderResult, TemplateDependency } from "./types.js";

export { TemplateError } from "./errors.js";
export type {
  KubernetesEndpoint,
  ParseOptions,
  RenderOptions,
  RenderResult,
  ServiceInstance,
  TemplateDependency,
  TemplateSources,
} from "./types.js";

/** A parsed template: its main body and every `define`d or `block` template. */
export type Template = ParsedTemplate;

/** Parse template text; throws TemplateError naming the line and column. */
export function parseTemplate(text: string, options: ParseOptions = {}): Template {
  const name = options.name ?? "template";
  return parse(text, {
    name,
    leftDelim: options.leftDelim || "{{",
    rightDelim: options.rightDelim || "}}",
    hasFunction: (fn) => lookupFunction(fn) !== undefined,
  });
}

/**
 * Execute a parsed template; throws TemplateError on execution errors.
 * When `missing` is not empty the output is provisional: fetch the missing
 * dependencies and render again. An execution error while data is missing is
 * not thrown (it may come from the missing data); the render again decides.
 */
export function renderTemplate(template: Template, options: RenderOptions): RenderResult {
  const dependencies = new Map<string, TemplateDependency>();
  const missing = new Map<string, TemplateDependency>();
  const executor = new Executor(template, {
    data: options.data,
    errorOnMissingKey: options.errorOnMissingKey ?? false,
    ctx: {
      env: options.env ?? {},
      sources: options.sources ?? {},
      use(dep, isMissing) {
        const id = `${dep.kind}\u0000${dep.name}`;
        if (!dependencies.has(id)) dependencies.set(id, dep);
        if (isMissing && !missing.has(id)) missing.set(id, dep);
      },
    },
  });
  const result = (output: string): RenderResult => ({
    output,
    dependencies: [...dependencies.values()],
    missing: [...missing.values()],
  });
  try {
    return result(executor.run());
  } catch (thrown) {
    const e =
      thrown instanceof RangeError
        ? positionedError(template.text, template.name, 0, `stack overflow: ${thrown.message}`)
        : thrown;
    if (e instanceof TemplateError && missing.size > 0) return result(executor.partialOutput());
    throw e;
  }
}
