// What a user sees when a template is wrong: Go's messages, with the template
// name, line and (1-based) column; custom delimiters; error_on_missing_key.
import { describe, expect, it } from "vitest";
import { MAX_EXEC_DEPTH, MAX_EXEC_STEPS } from "../../../src/template/exec.js";
import { parseTemplate, renderTemplate, TemplateError } from "../../../src/template/index.js";
import { errorOf, output, render } from "./helpers.js";

function parseError(text: string, name = "web.conf"): TemplateError {
  try {
    parseTemplate(text, { name });
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
  throw new Error("expected a parse error");
}

describe("parse errors", () => {
  it("name the template, line and column", () => {
    const e = parseError('port = 80\nhost = "{{ env "HOST" }}"\nlevel = {{ nope "x" }}\n');
    expect(e.message).toBe('template: web.conf:3:12: function "nope" not defined');
    expect(e).toMatchObject({ templateName: "web.conf", line: 3, column: 12 });
  });

  it("point at the offending token", () => {
    expect(parseError("ok\n  {{ .A | }} {{ .B \n").message).toBe(
      "template: web.conf:2:14: unclosed action",
    );
    expect(parseError("{{ if .X }}\n{{ else }}\n{{ else }}{{ end }}").message).toBe(
      "template: web.conf:3:4: expected end; found {{else}}",
    );
    expect(parseError("a\n{{ range .L }}\n{{ end }}\n{{ end }}").message).toBe(
      "template: web.conf:4:4: unexpected {{end}}",
    );
    expect(parseError("{{ $x := 1 }}\n\n {{ $y }}").message).toBe(
      'template: web.conf:3:5: undefined variable "$y"',
    );
    expect(parseError("{{ 1+2i }}").message).toBe(
      'template: web.conf:1:4: complex constants are not supported: "1+2i"',
    );
  });

  it("default to the name 'template'", () => {
    expect(errorOf(() => parseTemplate("{{ .X "))).toBe("template: template:1:1: unclosed action");
  });

  it("refuse absurd nesting instead of overflowing the stack", () => {
    expect(parseError(`{{${"(".repeat(5000)}1${")".repeat(5000)}}}`).message).toMatch(
      /^template: web\.conf:1:\d+: max expression depth exceeded$/,
    );
    expect(parseError("{{if 1}}".repeat(3000)).message).toMatch(/max expression depth exceeded$/);
  });
});

describe("execution errors", () => {
  it("name the template being executed and the node, like Go", () => {
    const data = { A: null, list: ["a"] };
    expect(errorOf(() => render("line 1\n  {{ .A.B }}", { data }, "app.env"))).toBe(
      'template: app.env:2:6: executing "app.env" at <.A.B>: nil pointer evaluating interface {}.B',
    );
    expect(
      errorOf(() =>
        render('{{ define "inner" }}\n{{ index . 5 }}{{ end }}{{ template "inner" .list }}', {
          data,
        }),
      ),
    ).toBe(
      'template: t:2:4: executing "inner" at <index . 5>: error calling index: index out of range: 5',
    );
  });

  it("stop runaway recursion", () => {
    expect(
      errorOf(() => output('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" 1 }}')),
    ).toBe(
      `template: t:1:29: executing "r" at <{{template "r" .}}>: exceeded maximum template depth (${MAX_EXEC_DEPTH})`,
    );
  });

  it("stop templates that would run for ages", () => {
    const started = Date.now();
    // 2^40 calls: each level calls the next twice, for 40 levels.
    const doubling =
      '{{ define "d" }}{{ if . }}{{ template "d" slice . 1 }}{{ template "d" slice . 1 }}{{ end }}{{ end }}{{ template "d" .L }}';
    const data = { L: Array.from({ length: 40 }, (_, i) => i) };
    expect(errorOf(() => output(doubling, { data }))).toMatch(
      new RegExp(
        `executing "d" at <.*>: exceeded maximum execution steps \\(${MAX_EXEC_STEPS}\\)$`,
      ),
    );
    expect(errorOf(() => output("{{ range 1000000000 }}{{ end }}"))).toMatch(
      /exceeded maximum execution steps/,
    );
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);
});

describe("missing map keys", () => {
  const data = { job: { name: "web" } };
  it('print "<no value>" by default, as Go does', () => {
    expect(output("{{ .job.name }}/{{ .job.region }}/{{ .nope.deeper }}", { data })).toBe(
      "web/<no value>/<no value>",
    );
  });

  it("fail with errorOnMissingKey (Nomad's error_on_missing_key)", () => {
    expect(
      errorOf(() =>
        output("{{ .job.name }}\n{{ .job.region }}", { data, errorOnMissingKey: true }),
      ),
    ).toBe('template: t:2:4: executing "t" at <.job.region>: map has no entry for key "region"');
    expect(
      output('{{ .job.name }} {{ index .job "region" }}', { data, errorOnMissingKey: true }),
    ).toBe("web <no value>");
    expect(errorOf(() => output("{{ .x }}", { errorOnMissingKey: true }))).toBe(
      'template: t:1:4: executing "t" at <.x>: nil data; no entry for key "x"',
    );
  });
});

describe("custom delimiters (Nomad's left_delimiter / right_delimiter)", () => {
  const data = { name: "web", tags: ["a", "b"] };
  it("only the chosen delimiters start actions", () => {
    const t = parseTemplate(
      "{{ not an action }} [[ .name ]] [[- range .tags ]] [[.]][[ end -]] !",
      {
        leftDelim: "[[",
        rightDelim: "]]",
      },
    );
    expect(renderTemplate(t, { data }).output).toBe("{{ not an action }} web a b!");
  });

  it("work with comments, trim markers and one-character delimiters", () => {
    const t = parseTemplate('<%/* c */%><% .name -%>  \n  <%- printf "%d" 5 %>', {
      leftDelim: "<%",
      rightDelim: "%>",
    });
    expect(renderTemplate(t, { data }).output).toBe("web5");
    const single = parseTemplate("#name=[.name]# ok", { leftDelim: "[", rightDelim: "]" });
    expect(renderTemplate(single, { data }).output).toBe("#name=web# ok");
  });

  it("report errors in the same positions", () => {
    expect(
      errorOf(() =>
        parseTemplate("a\nb [[ nope ]]", { name: "x.conf", leftDelim: "[[", rightDelim: "]]" }),
      ),
    ).toBe('template: x.conf:2:6: function "nope" not defined');
  });

  it("empty delimiters mean the defaults", () => {
    expect(
      renderTemplate(parseTemplate("{{ .name }}", { leftDelim: "", rightDelim: "" }), { data })
        .output,
    ).toBe("web");
  });
});

describe("values from JavaScript", () => {
  it("cyclic data ends in a TemplateError at the node that printed it", () => {
    const data: Record<string, unknown> = { a: 1 };
    data.self = data;
    expect(output("{{ .self.self.a }}", { data })).toBe("1");
    expect(errorOf(() => output("x\n {{ . }}", { data }))).toMatch(
      /^template: t:2:5: executing "t" at <\{\{\.\}\}>: value nested too deeply: /,
    );
    expect(errorOf(() => output("{{ toJSON . }}", { data }))).toContain(
      "error calling toJSON: json: unsupported value: encountered a cycle",
    );
  });

  it("integral numbers are Go ints, others float64; bigint is an int; Map is a map", () => {
    const data = {
      i: 3,
      f: 2.5,
      big: 2n ** 70n,
      m: new Map([
        ["b", 1],
        ["a", 2],
      ]),
    };
    expect(
      output('{{ printf "%d %v %d" .i .f .big }} {{ .m }} {{ index .m "a" }} {{ len .m }}', {
        data,
      }),
    ).toBe("3 2.5 1180591620717411303424 map[a:2 b:1] 2 2");
  });

  it("functions in data can be called with call", () => {
    expect(output('{{ call .greet "x" }}', { data: { greet: (s: string) => `hi ${s}` } })).toBe(
      "hi x",
    );
  });
});
