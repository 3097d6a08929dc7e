// A parse or execution error, positioned like Go's text/template reports it:
// "template: <name>:<line>:<column>: <message>". Columns are 1-based.
export class TemplateError extends Error {
  readonly templateName: string;
  readonly line: number;
  readonly column: number;

  constructor(message: string, templateName: string, line: number, column: number) {
    super(message);
    this.name = "TemplateError";
    this.templateName = templateName;
    this.line = line;
    this.column = column;
  }
}

/** Line and 1-based column of a character offset in a template's text. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** An error positioned at `offset` of the template text, with Go's prefix. */
export function positionedError(
  text: string,
  templateName: string,
  offset: number,
  message: string,
): TemplateError {
  const { line, column } = lineAndColumn(text, offset);
  return new TemplateError(
    `template: ${templateName}:${line}:${column}: ${message}`,
    templateName,
    line,
    column,
  );
}
