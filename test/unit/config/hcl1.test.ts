import { describe, expect, it } from "vitest";
import { plain } from "../../../src/config/decode.js";
import { type Hcl1Result, parseHcl1 } from "../../../src/config/hcl1/parser.js";

/** The parsed file as plain data (repeated blocks merged), or the positioned error. */
function data(text: string): unknown {
  const r = parseHcl1(text);
  return r.ok ? plain(r.body) : `${r.pos.line}:${r.pos.column}: ${r.reason}`;
}

function error(text: string): string {
  const r: Hcl1Result = parseHcl1(text);
  if (r.ok) throw new Error(`parsed: ${JSON.stringify(plain(r.body))}`);
  return `${r.pos.line}:${r.pos.column}: ${r.reason}`;
}

describe("HCL1, as Nomad reads agent files", () => {
  it("reads blocks with quoted keys, `key = { }` objects, and labels", () => {
    expect(
      data(`
        meta { "rack" = "rack1", zone = "a" }
        options = {
          "driver.raw_exec.enable" = "1"
          "docker.volumes.enabled" = true
        }
        plugin "docker" { config { gc { image = false } } }
      `),
    ).toEqual({
      meta: { rack: "rack1", zone: "a" },
      options: { "driver.raw_exec.enable": "1", "docker.volumes.enabled": true },
      plugin: { docker: { config: { gc: { image: false } } } },
    });
  });

  it("keeps repeated blocks and keys in order, with positions", () => {
    const r = parseHcl1('host_volume "a" { path = "/a" }\nhost_volume "b" { path = "/b" }\n');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.body.fields.map((f) => [f.key, f.pos.line, f.pos.column])).toEqual([
      ["host_volume", 1, 1],
      ["host_volume", 2, 1],
    ]);
    expect(plain(r.body)).toEqual({ host_volume: { a: { path: "/a" }, b: { path: "/b" } } });
  });

  it("reads numbers, floats, bools, lists with trailing commas, and comments of each kind", () => {
    expect(
      data(`
        # hash
        // slashes
        /* block
           comment */
        a = 10
        b = 0x1F
        c = 017
        d = 1.5e3
        e = -3
        f = true
        g = ["x", "y",]
        h = [1, [2, 3], { k = "v" }]
      `),
    ).toEqual({
      a: 10,
      b: 31,
      c: 15,
      d: 1500,
      e: -3,
      f: true,
      g: ["x", "y"],
      h: [1, [2, 3], { k: "v" }],
    });
  });

  it("reads strings with escapes, interpolations left as written, and heredocs", () => {
    expect(
      data(
        'a = "tab\\there \\"q\\" \\u00e9"\nb = "${env("X")}"\nc = <<EOF\nline 1\n  line 2\nEOF\nd = <<-EOT\n    x\n      y\n    EOT\n',
      ),
    ).toEqual({ a: 'tab\there "q" é', b: '${env("X")}', c: "line 1\n  line 2\n", d: "x\n  y\n" });
  });

  it("reads the JSON form when the file starts with {", () => {
    expect(
      data('{"client": {"enabled": true, "meta": {"a": "b"}}, "ports": [{"http": 1}]}'),
    ).toEqual({
      client: { enabled: true, meta: { a: "b" } },
      ports: [{ http: 1 }],
    });
  });

  it("takes the JSON form's commas as hcl v1 does: trailing, repeated or missing in lists", () => {
    expect(data('{"a": [1, 2,], "b": {"c": 1,},}')).toEqual({ a: [1, 2], b: { c: 1 } });
    expect(data('{"a": [,1,,2 3]}')).toEqual({ a: [1, 2, 3] });
    expect(error('{"a": 1 "b": 2}')).toBe('1:9: expected "," or "}", got STRING');
  });

  it("names the line and column of what it cannot read, in hcl v1's words", () => {
    // hcl v1 passes over the missing value and then misses a closing brace.
    expect(error('datacenter = "dc1"\nserver {\n  enabled = \n}\n')).toBe(
      "5:1: object expected closing RBRACE got: EOF",
    );
    expect(error("server {\n  enabled = true\n")).toBe(
      "3:1: object expected closing RBRACE got: EOF",
    );
    expect(error('a = "unterminated\n')).toBe("1:5: literal not terminated");
    expect(error("a b = 1")).toBe("1:5: nested object expected: LBRACE got: ASSIGN");
    expect(error("a = 1\nb\n")).toBe(
      "3:1: key 'b' expected start of object ('{') or assignment ('=')",
    );
    expect(error("a = [1 2]")).toBe(
      "1:8: error parsing list, expected comma or list end, got: NUMBER",
    );
    expect(error("a = 09")).toBe("1:5: illegal octal number");
    expect(error("a = <<EOF\nno end\n")).toBe("1:5: heredoc not terminated");
    expect(error("/* open")).toBe("1:1: comment not terminated");
    expect(error("a = 1 ; b = 2")).toBe('1:7: illegal char ";"');
  });
});
