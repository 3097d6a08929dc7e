import { describe, expect, it } from "vitest";
import { normalizeNomadFlags } from "../../src/cli/args.js";

describe("Nomad-style flags", () => {
  it("accepts one-dash long flags as Nomad's CLI does", () => {
    expect(normalizeNomadFlags(["dev", "-data-dir=/tmp/x", "-log-level", "debug", "-v"])).toEqual([
      "dev",
      "--data-dir=/tmp/x",
      "--log-level",
      "debug",
      "-v",
    ]);
  });

  it("leaves everything after -- alone", () => {
    expect(normalizeNomadFlags(["x", "--", "-meta", "--keep"])).toEqual([
      "x",
      "--",
      "-meta",
      "--keep",
    ]);
  });
});
