// Errors as people and editors read them: "file:line:column: message".
import type { Positioned } from "./hcl/ast.js";

export function formatErrors(errors: readonly Positioned[]): string {
  return errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`).join("\n");
}
