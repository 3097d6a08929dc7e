// `caravan config validate FILE|DIR…`, as `nomad config validate`: exit 0 with
// the warnings printed, or exit 1 with positioned errors.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../../src/cli/main.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "caravan-config-validate-"));
const write = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};
const seeds = path.join(import.meta.dirname, "../../config/seeds");

let out = "";
let err = "";
beforeEach(() => {
  out = "";
  err = "";
  process.exitCode = undefined;
  vi.spyOn(process.stdout, "write").mockImplementation((s) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    err += String(s);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe("caravan config validate", () => {
  it("accepts the seeds' directory, printing one warning line per ignored setting", async () => {
    expect(await main(["config", "validate", seeds])).toBe(0);
    expect(out).toBe("Configuration is valid!\n");
    const all = err.trim().split("\n");
    // The seeds name TLS files this machine does not have: warned of, as Nomad's validate does.
    const tls = all.filter((l) => l.startsWith("WARNING: tls: "));
    expect(tls).toContain(
      "WARNING: tls: /etc/nomad/tls/server.crt: no such file; the agent cannot start HTTPS without it",
    );
    const lines = all.filter((l) => !tls.includes(l));
    expect(lines.every((l) => /^WARNING: .+\.hcl:\d+: \S+ is (ignored:|read as )/.test(l))).toBe(
      true,
    );
    // One line per setting: no setting is named twice.
    const named = lines.map((l) => /^WARNING: (.+:\d+: \S+)/.exec(l)?.[1]);
    expect(new Set(named).size).toBe(named.length);
    expect(err).toContain("003-server-tuning.hcl:4: server.bootstrap_expect is ignored:");
  });

  it("refuses a key Nomad refuses and a bad value, with file, line and column, and exits 1", async () => {
    const f = write(
      "bad.hcl",
      'server {\n  enabeld = true\n}\nclient { gc_max_allocs = "many" }\n',
    );
    expect(await main(["config", "validate", f])).toBe(1);
    expect(out).toBe("");
    expect(err).toBe(
      `${f}:2:3: server unexpected keys enabeld\n` +
        `${f}:4:26: client.gc_max_allocs: expected a whole number from 1 to 9007199254740991, got "many"\n` +
        "Configuration is invalid\n",
    );
  });

  it("reports a syntax error where hcl v1 does", async () => {
    const f = write("syntax.hcl", 'client {\n  meta { "rack" = "r1" }\n  enabled = [true\n}\n');
    expect(await main(["config", "validate", f])).toBe(1);
    // As Nomad reports it: the list's error at the brace is passed over, and the block is left open.
    expect(err).toBe(
      `${f}:5:1: object expected closing RBRACE got: EOF\nConfiguration is invalid\n`,
    );
  });

  it("asks for a path, as Nomad does", async () => {
    expect(await main(["config", "validate"])).toBe(1);
    expect(err).toBe("Error: Must specify at least one config file or directory\n");
  });

  it("reads the JSON form", async () => {
    const f = write("a.json", JSON.stringify({ client: { enabled: true, meta: { a: "b" } } }));
    expect(await main(["config", "validate", f])).toBe(0);
    expect(out).toBe("Configuration is valid!\n");
    expect(err).toBe("");
  });
});
