import { describe, expect, it } from "vitest";
import { parseEnvFile } from "../../../src/agent/templates/envfile.js";

describe("env templates", () => {
  it("reads KEY=value lines as Nomad does, with comments, export and quotes", () => {
    const text = [
      "# settings",
      "",
      "DB_HOST=db.internal",
      "export PORT=5432",
      'GREETING="hello world"',
      "RAW='a b # c'",
      "LEVEL=debug # inline comment",
      "EMPTY=",
    ].join("\n");
    expect(parseEnvFile(text, "local/env")).toEqual({
      ok: true,
      env: {
        DB_HOST: "db.internal",
        PORT: "5432",
        GREETING: "hello world",
        RAW: "a b # c",
        LEVEL: "debug",
        EMPTY: "",
      },
    });
  });

  it("names the file and line of a line that is not KEY=value", () => {
    expect(parseEnvFile("A=1\nnot a pair\n", "secrets/app.env")).toEqual({
      ok: false,
      error: 'secrets/app.env: line 2: expected KEY=value, got "not a pair"',
    });
  });
});
