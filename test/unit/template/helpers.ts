// Parse and render in one call, for tests.
import {
  parseTemplate,
  type RenderOptions,
  type RenderResult,
  renderTemplate,
} from "../../../src/template/index.js";

export function render(text: string, options: RenderOptions = {}, name = "t"): RenderResult {
  return renderTemplate(parseTemplate(text, { name }), options);
}

export function output(text: string, options: RenderOptions = {}): string {
  return render(text, options).output;
}

/** The TemplateError message a render throws. */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected an error");
}
