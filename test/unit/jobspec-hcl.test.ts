// biome-ignore-all lint/suspicious/noTemplateCurlyInString: HCL job text is full of "${…}" on purpose.
// The HCL2 parser and expression evaluator on their own: syntax a Nomad job
// file uses, values it evaluates to, and where syntax errors point.
import { constants, generateKeyPairSync, publicEncrypt } from "node:crypto";
import bcryptjs from "bcryptjs";
import { describe, expect, it } from "vitest";
import { evaluate, type Scope } from "../../src/jobspec/expressions/eval.js";
import { functions } from "../../src/jobspec/functions/index.js";
import { HclError } from "../../src/jobspec/hcl/ast.js";
import { parseExpression, parseHcl } from "../../src/jobspec/hcl/parser.js";

const scope: Scope = {
  vars: new Map<string, unknown>([
    [
      "var",
      {
        n: 3,
        list: ["a", "b", ""],
        m: { x: 1, y: 2 },
        objs: [
          { name: "p", port: 1 },
          { name: "q", port: 2 },
        ],
      },
    ],
  ]),
  functions: functions(),
  env: {
    uuid: () => "00000000-0000-4000-8000-000000000000",
    home: "/home/me",
    listFiles: (d) =>
      d === "conf" ? ["a.hcl", "b.json", "sub/c.hcl", "sub/deep/d.hcl"] : undefined,
  },
};
const ev = (src: string) => evaluate(parseExpression(src), scope);

function syntaxError(src: string): { line: number; column: number; message: string } {
  try {
    parseHcl(src);
  } catch (err) {
    if (err instanceof HclError) return { ...err.pos, message: err.message };
    throw err;
  }
  throw new Error("expected a syntax error");
}

describe("HCL2 bodies", () => {
  it("reads attributes, labelled and nested blocks, with positions", () => {
    const body = parseHcl('job "web" {\n  group "g" {\n    count = 2\n  }\n}\n');
    const job = body.blocks[0];
    expect(job?.type).toBe("job");
    expect(job?.labels).toEqual(["web"]);
    const group = job?.body.blocks[0];
    expect(group?.labels).toEqual(["g"]);
    expect(group?.body.attrs[0]?.name).toBe("count");
    expect(group?.body.attrs[0]?.pos).toEqual({ line: 3, column: 5 });
  });

  it("skips #, // and /* */ comments", () => {
    const body = parseHcl("# a\n// b\n/* c\n d */ x = 1 # e\ny = 2 // f\n");
    expect(body.attrs.map((a) => a.name)).toEqual(["x", "y"]);
  });

  it("reads heredocs, indented heredocs and one-line blocks", () => {
    const body = parseHcl(
      "a = <<EOT\nline1\n  line2\nEOT\nb = <<-EOT\n    x\n      y\n    EOT\nc { d = 1 }\n",
    );
    expect(evaluate(body.attrs[0]?.expr as never, scope)).toBe("line1\n  line2\n");
    expect(evaluate(body.attrs[1]?.expr as never, scope)).toBe("x\n  y\n");
    expect(body.blocks[0]?.body.attrs[0]?.name).toBe("d");
  });

  it.each([
    ['job "x" {\n  a = \n}\n', 2, 7, "expected an expression"],
    ['job "x" {\n  a = "unterminated\n}\n', 2, 20, "unterminated string"],
    ['job "x" {\n  a = 1\n', 3, 1, "unclosed block"],
    ["a = [1, 2\nb = 3\n", 2, 1, 'expected "," or "]"'],
    ["a = <<EOT\nno end\n", 1, 5, "unterminated heredoc"],
    ['a = "${1 + }"\n', 1, 12, "expected an expression"],
    ["a = 1 b = 2\n", 1, 7, "expected a newline"],
    ['a = "\\q"\n', 1, 7, "invalid escape"],
  ])("points at syntax errors: %j", (src, line, column, message) => {
    const e = syntaxError(src);
    expect(e.message).toContain(message);
    expect({ line: e.line, column: e.column }).toEqual({ line, column });
  });
});

describe("HCL2 expressions", () => {
  it.each([
    ["1 + 2 * 3", 7],
    ["(1 + 2) * 3", 9],
    ["10 % 4 - -1", 3],
    ['var.n > 2 ? "big" : "small"', "big"],
    ["!true || 1 == 1 && 2 != 3", true],
    ['"${var.n}x"', "3x"],
    ['"${var.n}"', 3],
    ['[for s in var.list : upper(s) if s != ""]', ["A", "B"]],
    ["{for k, v in var.m : k => v * 10}", { x: 10, y: 20 }],
    ['{for o in var.objs : "all" => o.name...}', { all: ["p", "q"] }],
    ["var.objs[*].name", ["p", "q"]],
    ["var.objs.*.port", [1, 2]],
    ["var.objs[1].name", "q"],
    ['var.m["y"]', 2],
    ['"a%{ if var.n > 1 }b%{ else }c%{ endif }d"', "abd"],
    ['"%{ for s in var.list }[${s}]%{ endfor }"', "[a][b][]"],
    ['"$${literal}"', "${literal}"],
    ['"a ${~ var.n ~} b"', "a3b"],
    ["<<EOT\n%{~ for s in var.list ~}\n[${s}]\n%{~ endfor ~}\nend\nEOT", "[a][b][]end\n"],
    ['"\\u00e9\\t"', "é\t"],
    ['{ a = 1, "b" : 2 }', { a: 1, b: 2 }],
    ["try(var.nope, 5)", 5],
    ["can(var.m.z)", false],
    ["max(var.list...)", Number.NaN],
  ])("%s", (src, value) => {
    if (Number.isNaN(value)) expect(() => ev(src)).toThrow();
    else expect(ev(src)).toEqual(value);
  });

  it("keeps runtime interpolations literal", () => {
    expect(ev('"${node.unique.name}-${var.n}"')).toBe("${node.unique.name}-3");
    expect(ev('"${attr.kernel.name}"')).toBe("${attr.kernel.name}");
    expect(ev('"${NOMAD_PORT_http}"')).toBe("${NOMAD_PORT_http}");
    expect(ev('"${upper(meta.rack)}"')).toBe("${upper(meta.rack)}");
  });

  it("reports type errors at the operand", () => {
    expect(() => ev('1 + "x"')).toThrow(/a number is required, not string "x"/);
    expect(() => ev("var.nope")).toThrow(/there is no variable named "nope"/);
    expect(() => ev("var.m.z")).toThrow(/no attribute "z"/);
    expect(() => ev("nofn(1)")).toThrow(/no function named "nofn"/);
  });
});

describe("functions", () => {
  it.each([
    ['format("%s-%03d", "web", 7)', "web-007"],
    ['join(",", ["a", "b"])', "a,b"],
    ['split(",", "a,b")', ["a", "b"]],
    ['replace("a-b-c", "-", "_")', "a_b_c"],
    ['replace("a1b22", "/[0-9]+/", "#")', "a#b#"],
    ['substr("hello", 1, 3)', "ell"],
    ['trimprefix("v1.2", "v")', "1.2"],
    ['title("hello world")', "Hello World"],
    ["length([1, 2, 3])", 3],
    ["concat([1], [2, 3])", [1, 2, 3]],
    ["contains([1, 2], 2)", true],
    ["distinct([1, 1, 2])", [1, 2]],
    ["flatten([[1], [2, [3]]])", [1, 2, 3]],
    ["keys({ b = 1, a = 2 })", ["a", "b"]],
    ['lookup({ a = 1 }, "b", 9)', 9],
    ["merge({ a = 1 }, { b = 2 })", { a: 1, b: 2 }],
    ["range(3)", [0, 1, 2]],
    ['zipmap(["a", "b"], [1, 2])', { a: 1, b: 2 }],
    ['coalesce(null, "x")', "x"],
    // cty's coalesce: "" is not null, so it is the answer (Terraform's would skip it).
    ['coalesce("", "x")', ""],
    ["element([1, 2, 3], 4)", 2],
    ["min(3, 1, 2)", 1],
    ["ceil(1.2)", 2],
    ['parseint("ff", 16)', 255],
    ['base64encode("hi")', "aGk="],
    ['base64decode("aGk=")', "hi"],
    ["jsonencode({ a = [1] })", '{"a":[1]}'],
    ['jsondecode("{\\"a\\": 1}")', { a: 1 }],
    ['sha256("")', "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    ["uuidv4()", "00000000-0000-4000-8000-000000000000"],
    ['uuidv5("dns", "example.com")', "cfbff0d1-9375-5685-968c-48ce8b15ae17"],
    ['cidrhost("10.12.112.0/20", 16)', "10.12.112.16"],
    ['cidrhost("10.12.112.0/20", -2)', "10.12.127.254"],
    ['cidrnetmask("172.16.0.0/12")', "255.240.0.0"],
    ['cidrhost("fd00:fd12:3456:7890::/56", 16)', "fd00:fd12:3456:7800::10"],
    ['cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)', "fd00:fd12:3456:7800:a200::/72"],
    ['cidrsubnets("fd00::/16", 16, 16)', ["fd00::/32", "fd00:1::/32"]],
    ['cidrsubnet("10.1.2.0/24", 4, 15)', "10.1.2.240/28"],
    [
      'cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)',
      ["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"],
    ],
    ['strlen("héllo")', 5],
    ['regex_replace("a1b22", "[0-9]+", "#")', "a#b#"],
    // As go-cty-yaml writes it: strings (keys too) double-quoted, lists not indented.
    ["yamlencode({ a = [1] })", '"a":\n- 1\n'],
    ['yamldecode("a: [1, 2]")', { a: [1, 2] }],
    ['convert("5", number)', 5],
    ["convert([1, 1], set(string))", ["1"]],
    ['pathexpand("~/x")', "/home/me/x"],
    ['fileset("conf", "*.hcl")', ["a.hcl"]],
    ['fileset("conf", "**/*.hcl")', ["a.hcl", "sub/c.hcl", "sub/deep/d.hcl"]],
    ['fileset("conf", "{a,b}.{hcl,json}")', ["a.hcl", "b.json"]],
    ['fileset("conf", "sub/?.hcl")', ["sub/c.hcl"]],
    ['formatdate("YYYY-MM-DD hh:mm", "2024-05-06T07:08:09Z")', "2024-05-06 07:08"],
    ['timeadd("2024-05-06T07:08:09Z", "1h30m")', "2024-05-06T08:38:09Z"],
    ['basename("/a/b/c.txt")', "c.txt"],
    ['dirname("/a/b/c.txt")', "/a/b"],
  ])("%s", (src, value) => {
    expect(ev(src)).toEqual(value);
  });
});

describe("bcrypt and rsadecrypt", () => {
  it("bcrypt hashes as Go's bcrypt does: $2a$, cost 10 by default", () => {
    const h = ev('bcrypt("hunter2")') as string;
    expect(h).toMatch(/^\$2a\$10\$[./A-Za-z0-9]{53}$/);
    expect(bcryptjs.compareSync("hunter2", h)).toBe(true);
    expect(ev('bcrypt("hunter2", 4)')).toMatch(/^\$2a\$04\$/);
    // Go's bcrypt treats a cost below its minimum as the default.
    expect(ev('bcrypt("x", 2)')).toMatch(/^\$2a\$10\$/);
    expect(() => ev('bcrypt("x", 32)')).toThrow(/cost 32 is outside the allowed range \(4,31\)/);
    expect(() => ev(`bcrypt("${"x".repeat(73)}")`)).toThrow(/longer than 72 bytes/);
    expect(() => ev('bcrypt("x", 4, 5)')).toThrow(/takes 1 to 2 arguments/);
  });

  it("rsadecrypt undoes RSA PKCS #1 v1.5 encryption, though Node refuses that padding itself", () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const pem = privateKey.export({ type: "pkcs1", format: "pem" }) as string;
    const pkcs8 = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    const ct = publicEncrypt(
      { key: publicKey, padding: constants.RSA_PKCS1_PADDING },
      Buffer.from("s3cret ü"),
    ).toString("base64");
    const withKey = (key: string, text = ct) =>
      evaluate(parseExpression("rsadecrypt(var.ct, var.key)"), {
        ...scope,
        vars: new Map([["var", { ct: text, key }]]),
      });
    expect(withKey(pem)).toBe("s3cret ü");
    expect(withKey(pkcs8)).toBe("s3cret ü");
    expect(() => withKey(pem, "not base64!")).toThrow(/cipher text must be base64-encoded/);
    expect(() => withKey("nope")).toThrow(/invalid private key/);
    const other = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey;
    expect(() => withKey(other.export({ type: "pkcs1", format: "pem" }) as string)).toThrow(
      /failed to decrypt/,
    );
  });
});
