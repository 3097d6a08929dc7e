// Go durations against Go itself: go-duration.json holds what Go's
// time.ParseDuration and Duration.String() gave for a table of inputs
// (regenerate with `go run main.go > ../go-duration.json` in go-duration/).
import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compactGoDuration,
  durationMs,
  formatGoDuration,
  parseGoDuration,
} from "../../../src/common/duration.js";

interface Oracle {
  parse: { input: string; nanos?: string; error?: string }[];
  format: { nanos: string; string: string }[];
}

const oracle = JSON.parse(
  readFileSync(path.join(import.meta.dirname, "go-duration.json"), "utf8"),
) as Oracle;

const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });

describe("Go durations", () => {
  it.each(oracle.parse)("parses $input as Go does", ({ input, nanos, error }) => {
    const got = parseGoDuration(input);
    expect(got).toEqual(
      nanos !== undefined ? { ok: true, nanos: BigInt(nanos) } : { ok: false, error },
    );
  });

  it.each(oracle.format)("prints $nanos ns as Go does", ({ nanos, string }) => {
    expect(formatGoDuration(BigInt(nanos))).toBe(string);
  });

  it("reads back every duration it prints", () => {
    fc.assert(
      fc.property(int64, (n) => {
        expect(parseGoDuration(formatGoDuration(n))).toEqual({ ok: true, nanos: n });
        expect(parseGoDuration(compactGoDuration(n))).toEqual({ ok: true, nanos: n });
      }),
    );
  });

  it("leaves zero units out of the compact form", () => {
    expect(compactGoDuration(3_600_000_000_000n)).toBe("1h");
    expect(compactGoDuration(3_630_000_000_000n)).toBe("1h30s");
    expect(compactGoDuration(90_000_000_000n)).toBe("1m30s");
    expect(compactGoDuration(0n)).toBe("0s");
    expect(compactGoDuration(-60_000_000_000n)).toBe("-1m");
  });

  it("falls back when a duration is absent or malformed", () => {
    expect(durationMs(undefined, 7)).toBe(7);
    expect(durationMs("", 7)).toBe(7);
    expect(durationMs("10 s", 7)).toBe(7);
    expect(durationMs("1m30s", 7)).toBe(90_000);
    expect(durationMs("0", 7)).toBe(0);
  });
});
