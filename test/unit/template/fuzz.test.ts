// Property tests: random templates built from the language's own pieces,
// with random data, never fail with anything but a TemplateError (no
// TypeError, no stack overflow, no hang), and text without delimiters is
// copied through unchanged.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseTemplate, renderTemplate, TemplateError } from "../../../src/template/index.js";

const pieces = [
  "{{",
  "}}",
  "{{-",
  "-}}",
  "{{ ",
  " }}",
  "{{- ",
  " -}}",
  "/*",
  "*/",
  "{{/* c */}}",
  " ",
  "\n",
  "\t",
  "text",
  "é",
  "日本",
  ".",
  ".A",
  ".B.C",
  ".A.B.C.D",
  "$",
  "$x",
  "$y",
  ":=",
  "=",
  ",",
  "|",
  "(",
  ")",
  "((",
  "))",
  "if",
  "else",
  "else if",
  "end",
  "range",
  "with",
  "define",
  "template",
  "block",
  "break",
  "continue",
  '"t"',
  '"s"',
  "`raw`",
  "'c'",
  "'\\n'",
  "nil",
  "true",
  "false",
  "0",
  "1",
  "-1",
  "3.5",
  "1e400",
  "0x1F",
  "1_000",
  "9223372036854775808",
  "1+2i",
  "08",
  "eq",
  "ne",
  "lt",
  "le",
  "gt",
  "ge",
  "and",
  "or",
  "not",
  "len",
  "index",
  "slice",
  "print",
  "printf",
  "println",
  '"%d"',
  '"%v %s"',
  '"%5.2f"',
  '"%"',
  "html",
  "js",
  "urlquery",
  "call",
  "key",
  "ls",
  "secret",
  "service",
  "services",
  "nomadVar",
  "env",
  "keyOrDefault",
  "toJSON",
  "parseJSON",
  "split",
  "join",
  "regexMatch",
  '"("',
  "indent",
  "loop",
  "add",
  "divide",
  "modulo",
  "base64Decode",
  "explode",
  "byTag",
  "toTitle",
  "parseInt",
  "parseFloat",
  "mustEnv",
  '{{define "t"}}',
  '{{template "t" .}}',
  "{{end}}",
  "{{range .L}}",
  "{{else}}",
  "{{if .A}}",
  "{{with .M}}",
];

const template = fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((a) => a.join(""));

const goValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string({ maxLength: 8 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom("A", "B", "C", "L", "M", "x"), tie("value"), { maxKeys: 4 }),
  ),
})).value;

const sources = {
  key: (p: string) => (p.length % 2 ? p : undefined),
  ls: (p: string) => (p ? [{ key: p, value: "v" }] : undefined),
  secret: (p: string) => (p.length % 2 ? { Data: { password: p } } : undefined),
  service: (n: string) => [{ Name: n, Address: "10.0.0.1", Port: 80, Tags: ["a"] }],
  nomadVar: () => undefined,
};

function renderOrTemplateError(text: string, data: unknown, errorOnMissingKey: boolean): void {
  try {
    const t = parseTemplate(text, { name: "fuzz" });
    const r = renderTemplate(t, { data, sources, env: { A: "1" }, errorOnMissingKey });
    expect(typeof r.output).toBe("string");
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    expect(e.message).toMatch(/^template: fuzz:\d+:\d+: /);
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.column).toBeGreaterThanOrEqual(1);
  }
}

const functionNames = [
  "eq",
  "ne",
  "lt",
  "ge",
  "and",
  "or",
  "not",
  "len",
  "index",
  "slice",
  "print",
  "printf",
  "html",
  "js",
  "urlquery",
  "toJSON",
  "toUpper",
  "split",
  "join",
  "add",
  "divide",
  "modulo",
  "parseJSON",
  "indent",
  "contains",
  "in",
  "key",
  "secret",
  "service",
  "keyOrDefault",
  "toYAML",
  "base64Encode",
  "loop",
];

/** Well-formed templates: actions, pipelines and control structures that parse, mostly. */
const wellFormed: fc.Arbitrary<string> = fc.letrec<{
  expr: string;
  pipeline: string;
  body: string;
}>((tie) => ({
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(
      ".",
      ".A",
      ".B.C",
      ".L",
      ".M",
      "$",
      "$.A",
      "1",
      "-2",
      "3.5",
      '"s"',
      '"%v"',
      "true",
      "nil",
    ),
    tie("pipeline").map((p) => `(${p})`),
  ),
  pipeline: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    tie("expr"),
    fc
      .tuple(fc.constantFrom(...functionNames), fc.array(tie("expr"), { maxLength: 3 }))
      .map(([f, args]) => [f, ...args].join(" ")),
    fc
      .tuple(
        tie("expr"),
        fc.constantFrom(...functionNames),
        fc.array(tie("expr"), { maxLength: 2 }),
      )
      .map(([e, f, args]) => `${e} | ${[f, ...args].join(" ")}`),
  ),
  body: fc
    .array(
      fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.constantFrom("text ", "\n", " "),
        tie("pipeline").map((p) => `{{ ${p} }}`),
        fc
          .tuple(tie("pipeline"), tie("body"), tie("body"))
          .map(([p, a, b]) => `{{ if ${p} }}${a}{{ else }}${b}{{ end }}`),
        fc.tuple(tie("pipeline"), tie("body")).map(([p, a]) => `{{- with ${p} -}}${a}{{ end }}`),
        fc
          .tuple(tie("pipeline"), tie("body"))
          .map(([p, a]) => `{{ range $i, $v := ${p} }}${a}{{ $v }}{{ end }}`),
      ),
      { maxLength: 4 },
    )
    .map((parts) => parts.join("")),
})).body;

describe("random templates", () => {
  it("end in output or a positioned TemplateError", () => {
    fc.assert(
      fc.property(template, goValue, fc.boolean(), (text, data, strict) => {
        renderOrTemplateError(text, data, strict);
      }),
      { numRuns: 3000 },
    );
  });

  it("well-formed ones too, with their execution paths", () => {
    fc.assert(
      fc.property(wellFormed, goValue, fc.boolean(), (text, data, strict) => {
        renderOrTemplateError(text, data, strict);
      }),
      { numRuns: 1500 },
    );
  });

  it("random characters do too", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), goValue, (text, data) => {
        renderOrTemplateError(`{{${text}}}`, data, false);
        renderOrTemplateError(text, data, false);
      }),
      { numRuns: 2000 },
    );
  });

  it("text without delimiters comes out unchanged", () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes("{{")),
        (text) => {
          expect(renderTemplate(parseTemplate(text), {}).output).toBe(text);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("printf never throws, whatever the format and arguments", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        fc.array(goValue, { maxLength: 3 }),
        (format, args) => {
          const t = parseTemplate("{{ printf .F .A0 .A1 .A2 }}");
          const data = { F: format, A0: args[0], A1: args[1], A2: args[2] };
          expect(typeof renderTemplate(t, { data }).output).toBe("string");
        },
      ),
      { numRuns: 1500 },
    );
  });
});
