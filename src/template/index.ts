// consul-template compatible Go text/template engine: pure, no I/O.
// parseTemplate once, renderTemplate as often as the data changes.
import { TemplateError } from "./errors.js";
import type { ParseOptions, RenderOptions, RenderResult } from "./types.js";

export { TemplateError } from "./errors.js";
export type {
  ParseOptions,
  RenderOptions,
  RenderResult,
  TemplateDependency,
  TemplateSources,
} from "./types.js";

/** A parsed template: its main body and every `define`d or `block` template. */
export interface Template {
  readonly name: string;
}

/** Parse template text; throws TemplateError naming the line and column. */
export function parseTemplate(text: string, options: ParseOptions = {}): Template {
  void text;
  throw new TemplateError("template engine not built yet", options.name ?? "template", 1, 1);
}

/** Execute a parsed template; throws TemplateError on execution errors. */
export function renderTemplate(template: Template, options: RenderOptions): RenderResult {
  void options;
  throw new TemplateError("template engine not built yet", template.name, 1, 1);
}
