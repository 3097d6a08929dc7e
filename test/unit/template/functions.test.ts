// consul-template's functions, with the semantics of its template/funcs.go:
// arguments ordered for pipes, Go's strconv and encoding/json behaviour.
import { describe, expect, it } from "vitest";
import { errorOf, output } from "./helpers.js";

describe("string functions", () => {
  it("split trims the input, returns an empty list for blank input, and pipes into join", () => {
    expect(output('{{ split "," "a,b,c" }}')).toBe("[a b c]");
    expect(output('{{ split "," " a,b \\n" | len }}')).toBe("2");
    expect(output('{{ split "," "   " | len }}')).toBe("0");
    expect(output('{{ "a,b,c" | split "," | join "-" }}')).toBe("a-b-c");
    expect(output('{{ split "" "héllo" }}')).toBe("[h é l l o]");
  });

  it("join takes a list of strings from data too, and refuses other elements like Go's []string", () => {
    expect(output('{{ join ", " .tags }}', { data: { tags: ["web", "api"] } })).toBe("web, api");
    expect(output('{{ .tags | join ";" }}', { data: { tags: [] } })).toBe("");
    expect(errorOf(() => output('{{ join "," .ports }}', { data: { ports: [80, 443] } }))).toBe(
      'template: t:1:13: executing "t" at <.ports>: wrong type for value; expected []string; got []interface {}',
    );
  });

  it("replaceAll, regexReplaceAll with Go's $1 ${1} $name expansion, regexMatch", () => {
    expect(output('{{ "a-b-c" | replaceAll "-" "_" }}')).toBe("a_b_c");
    expect(output('{{ "abc" | replaceAll "" "." }}')).toBe(".a.b.c.");
    expect(output('{{ "v1.2.3" | regexReplaceAll "^v([0-9]+)\\\\.([0-9]+).*" "$2.$1" }}')).toBe(
      "2.1",
    );
    expect(
      output('{{ "key=value" | regexReplaceAll "(?P<k>\\\\w+)=(?P<v>\\\\w+)" "${v}:${k}$$" }}'),
    ).toBe("value:key$");
    // Go reads "$1x" as the group named "1x", which does not exist.
    expect(output('{{ "ab" | regexReplaceAll "(a)" "$1x" }}')).toBe("b");
    expect(output('{{ "ab" | regexReplaceAll "(a)" "${1}x" }}')).toBe("axb");
    expect(
      output('{{ regexMatch "^[a-z]+-\\\\d+$" "web-12" }} {{ "Web" | regexMatch "(?i)^web$" }}'),
    ).toBe("true true");
    expect(output('{{ regexMatch "\\\\Aa\\\\z" "a" }} {{ regexMatch "[[:digit:]]+" "x1" }}')).toBe(
      "true true",
    );
    expect(
      output(
        '{{ regexMatch "^\\\\pL+$" "héllo" }} {{ regexMatch "\\\\p{Greek}" "αβ" }} {{ regexMatch "^\\\\PL$" "1" }}',
      ),
    ).toBe("true true true");
    expect(
      output('{{ "a.b-c" | regexReplaceAll "[\\\\.\\\\-]" "_" }} {{ regexMatch "a/b" "a/b" }}'),
    ).toBe("a_b_c true");
    expect(errorOf(() => output('{{ regexMatch "(" "x" }}'))).toMatch(
      /^template: t:1:4: executing "t" at <regexMatch "\(" "x">: error calling regexMatch: error parsing regexp: /,
    );
  });

  it("trim functions take the string last", () => {
    expect(output('[{{ "  x \\t\\n" | trimSpace }}]')).toBe("[x]");
    expect(
      output(
        '{{ "xxhixx" | trim "x" }} {{ "v1.2" | trimPrefix "v" }} {{ "app.conf" | trimSuffix ".conf" }}',
      ),
    ).toBe("hi 1.2 app");
    expect(output('{{ "v1" | trimPrefix "x" }}')).toBe("v1");
  });

  it("case functions", () => {
    expect(
      output(
        '{{ "Hello" | toUpper }} {{ "Hello" | toLower }} {{ "hello wide-world foo_bar" | toTitle }}',
      ),
    ).toBe("HELLO hello Hello Wide-World Foo_bar");
    // cases.NoLower: the rest of each word is kept as is.
    expect(output('{{ "hELLO" | toTitle }}')).toBe("HELLO");
  });

  it("contains / in look into lists (same kind only) and strings", () => {
    const data = { tags: ["web", "prod"], ports: [80, 443] };
    expect(
      output(
        '{{ .tags | contains "prod" }} {{ in .tags "dev" }} {{ in .ports 443 }} {{ in .ports "443" }}',
        { data },
      ),
    ).toBe("true false true false");
    expect(output('{{ "hello" | contains "ell" }} {{ in "hello" "z" }}')).toBe("true false");
    expect(
      output(
        "{{ .tags | containsAll .want }} {{ .tags | containsAny .want }} {{ .tags | containsNone .want }} {{ .tags | containsNotAll .want }}",
        { data: { ...data, want: ["web", "dev"] } },
      ),
    ).toBe("false true false true");
  });

  it("indent pads every line that has content, including the first", () => {
    expect(output('{{ "a\\nb\\n\\nc" | indent 2 }}')).toBe("  a\n  b\n\n  c");
    expect(errorOf(() => output('{{ "a" | indent -1 }}'))).toContain(
      "error calling indent: indent value must be a positive integer",
    );
    expect(errorOf(() => output('{{ indent "2" "a" }}'))).toContain('expected integer; found "2"');
  });

  it("splitToMap", () => {
    expect(output('{{ splitToMap "," "=" "a=1,b=2,junk" }}')).toBe("map[a:1 b:2]");
  });
});

describe("parsing and encoding functions", () => {
  it("parseBool, parseInt, parseUint, parseFloat follow strconv, with empty input as zero", () => {
    expect(
      output('{{ parseBool "true" }} {{ parseBool "0" }} {{ parseBool "" }} {{ parseBool "T" }}'),
    ).toBe("true false false true");
    expect(
      output(
        '{{ parseInt "-42" }} {{ parseInt "" }} {{ add 1 (parseInt "41") }} {{ parseUint "7" }}',
      ),
    ).toBe("-42 0 42 7");
    expect(
      output('{{ parseFloat "1.5" }} {{ parseFloat "1e6" }} {{ parseFloat "2" | printf "%.1f" }}'),
    ).toBe("1.5 1e+06 2.0");
    expect(errorOf(() => output('{{ parseInt "4x" }}'))).toContain(
      'error calling parseInt: parseInt: strconv.ParseInt: parsing "4x": invalid syntax',
    );
    expect(errorOf(() => output('{{ parseInt "99999999999999999999" }}'))).toContain(
      "value out of range",
    );
    expect(errorOf(() => output('{{ parseBool "yes" }}'))).toContain(
      'parseBool: strconv.ParseBool: parsing "yes": invalid syntax',
    );
  });

  it("parseJSON gives maps and float64 numbers, as encoding/json into interface{} does", () => {
    const j = '{"port": 8080, "big": 1000000, "tags": ["a", "b"], "nested": {"ok": true}}';
    const data = { j };
    expect(
      output(
        "{{ with parseJSON .j }}{{ .port }} {{ .big }} {{ .tags }} {{ .nested.ok }}{{ end }}",
        { data },
      ),
    ).toBe("8080 1e+06 [a b] true");
    expect(output('{{ (parseJSON .j).big | printf "%.0f" }}', { data })).toBe("1000000");
    // float64 and int do not compare in Go: a classic consul-template surprise.
    expect(errorOf(() => output("{{ eq (parseJSON .j).port 8080 }}", { data }))).toContain(
      "incompatible types for comparison: float64 and int",
    );
    expect(output('{{ parseJSON "" | len }}')).toBe("0");
    expect(errorOf(() => output('{{ parseJSON "{" }}'))).toContain("error calling parseJSON:");
  });

  it("parseJSON and parseYAML keep a __proto__ key as a key, as Go's maps do", () => {
    const data = { j: '{"__proto__": {"a": 1}, "b": 2}', y: "__proto__: {a: 1}\nb: 2\n" };
    expect(
      output(
        '{{ with parseJSON .j }}{{ len . }} {{ index . "__proto__" }}{{ end }} ' +
          '{{ with parseYAML .y }}{{ len . }} {{ index . "__proto__" }}{{ end }}',
        { data },
      ),
    ).toBe("2 map[a:1] 2 map[a:1]");
  });

  it("toJSON sorts keys and escapes HTML characters; the unescaped and pretty forms", () => {
    const data = { v: { z: 1, a: "<b>&", l: [1.5, null, true], e: {} } };
    expect(output("{{ toJSON .v }}", { data })).toBe(
      '{"a":"\\u003cb\\u003e\\u0026","e":{},"l":[1.5,null,true],"z":1}',
    );
    expect(output("{{ toUnescapedJSON .v }}", { data })).toBe(
      '{"a":"<b>&","e":{},"l":[1.5,null,true],"z":1}',
    );
    expect(output("{{ toJSONPretty .v }}", { data })).toBe(
      '{\n  "a": "\\u003cb\\u003e\\u0026",\n  "e": {},\n  "l": [\n    1.5,\n    null,\n    true\n  ],\n  "z": 1\n}',
    );
    expect(output('{{ "x" | toJSON }} {{ toJSON .missing }}', { data: {} })).toBe('"x" null');
  });

  it("parseYAML and toYAML (yaml.v2 layout: sorted keys, sequences flush with their key)", () => {
    const y = "name: web\nport: 8080\nratio: 0.5\ntags: [a, b]\nnested: {on: true}\n";
    expect(
      output(
        "{{ with parseYAML .y }}{{ .name }} {{ .port }} {{ .ratio }} {{ .tags }} {{ .nested.on }}{{ end }}",
        { data: { y } },
      ),
    ).toBe("web 8080 0.5 [a b] true");
    expect(
      output("{{ toYAML .v }}", { data: { v: { b: [1, "x"], a: "true", c: {}, d: null } } }),
    ).toBe('a: "true"\nb:\n- 1\n- x\nc: {}\nd: null');
    expect(output('{{ parseYAML "" | len }}')).toBe("0");
    expect(errorOf(() => output('{{ parseYAML "a: [" }}'))).toContain("error calling parseYAML:");
  });

  it("base64 in both alphabets, strict decoding", () => {
    expect(output('{{ "héllo?>" | base64Encode }} {{ "héllo?>" | base64URLEncode }}')).toBe(
      "aMOpbGxvPz4= aMOpbGxvPz4=",
    );
    expect(output('{{ "??>>" | base64Encode }} {{ "??>>" | base64URLEncode }}')).toBe(
      "Pz8+Pg== Pz8-Pg==",
    );
    expect(output('{{ "aGk=" | base64Decode }} {{ "Pz8-Pg==" | base64URLDecode }}')).toBe(
      "hi ??>>",
    );
    expect(errorOf(() => output('{{ "a*b" | base64Decode }}'))).toContain(
      "error calling base64Decode: base64Decode: illegal base64 data at input byte 1",
    );
  });

  it("hashes", () => {
    expect(output('{{ "hello" | sha256Hex }}')).toBe(
      "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
    );
    expect(output('{{ "hello" | md5sum }}')).toBe("5d41402abc4b2a76b9719d911017c592");
    expect(output('{{ hmacSHA256Hex "message" "key" }}')).toBe(
      "6e9ef29b75fffc5b7abae527d58fdadb2fe42e7219011976917343065f58ed4a",
    );
  });
});

describe("math functions take the left operand last, so they pipe", () => {
  it("int arithmetic stays int, a float makes float64", () => {
    expect(
      output(
        "{{ add 1 2 }} {{ 10 | subtract 2 }} {{ subtract 2 10 }} {{ multiply 3 4 }} {{ divide 2 10 }} {{ modulo 3 10 }}",
      ),
    ).toBe("3 8 8 12 5 1");
    expect(
      output(
        "{{ divide 2 7 }} {{ divide 2.0 7 }} {{ add 0.5 1 }} {{ divide 3 -7 }} {{ modulo 3 -7 }}",
      ),
    ).toBe("3 3.5 1.5 -2 -1");
    expect(output("{{ minimum 3 5 }} {{ maximum 3 5 }} {{ maximum 2.5 1 }}")).toBe("3 5 2.5");
    expect(output("{{ .port | add 1 }}", { data: { port: 8080 } })).toBe("8081");
  });

  it("bad operands name the function", () => {
    expect(errorOf(() => output("{{ divide 0 1 }}"))).toContain(
      "error calling divide: runtime error: integer divide by zero",
    );
    expect(errorOf(() => output("{{ modulo 1.5 3 }}"))).toContain(
      "error calling modulo: modulo: unknown type for",
    );
    expect(errorOf(() => output('{{ add "a" 1 }}'))).toContain(
      'error calling add: add: unknown type for "a" (string)',
    );
  });

  it("loop counts like consul-template's: one bound from 0, two bounds half-open, strings parsed", () => {
    expect(
      output("{{ range loop 3 }}{{ . }}{{ end }}|{{ range $i := loop 2 5 }}{{ $i }}{{ end }}"),
    ).toBe("012|234");
    expect(output('{{ range loop "2" }}{{ . }}{{ end }}{{ range loop 5 1 }}x{{ end }}')).toBe("01");
    expect(errorOf(() => output("{{ loop 1.5 }}"))).toContain("loop: bad argument type: float64");
    expect(errorOf(() => output("{{ loop }}"))).toContain(
      "loop: wrong number of arguments, expected 1 or 2, but got 0",
    );
  });
});

describe("environment", () => {
  const env = { NOMAD_PORT_http: "23456", EMPTY: "" };
  it("env reads the task environment; missing names are empty", () => {
    expect(output('{{ env "NOMAD_PORT_http" }}|{{ env "NOPE" }}|', { env })).toBe("23456||");
  });
  it("envOrDefault uses the default only when the name is absent; mustEnv fails on empty", () => {
    expect(output('{{ envOrDefault "NOPE" "d" }}|{{ envOrDefault "EMPTY" "d" }}|', { env })).toBe(
      "d||",
    );
    expect(errorOf(() => output('{{ mustEnv "EMPTY" }}', { env }))).toContain(
      "error calling mustEnv: required environment variable EMPTY is empty",
    );
  });
});
