import { describe, expect, it } from "vitest";
import { checkExpiration, invalidToken } from "../../../src/acl/expiration.js";
import { formatGoDurationMs } from "../../../src/common/duration.js";
import {
  collectGarbage,
  defaultThresholds,
  forceThresholds,
} from "../../../src/controllers/gc/collect.js";
import type { NomadACLToken } from "../../../src/crds/objects.js";

const min = 60_000;
const max = 24 * 3_600_000;
const created = Date.parse("2026-01-01T00:00:00Z");

describe("token expiration", () => {
  it("writes durations as Go does", () => {
    expect(formatGoDurationMs(24 * 3_600_000)).toBe("24h0m0s");
    expect(formatGoDurationMs(60_000)).toBe("1m0s");
    expect(formatGoDurationMs(30_000)).toBe("30s");
    expect(formatGoDurationMs(90_500)).toBe("1m30.5s");
    expect(formatGoDurationMs(500)).toBe("500ms");
    expect(formatGoDurationMs(-5_000)).toBe("-5s");
  });

  it("turns a TTL into an expiration time within the bounds", () => {
    expect(checkExpiration({ ttlMs: 3_600_000 }, created, min, max)).toEqual({
      errors: [],
      expiresAt: created + 3_600_000,
    });
    expect(checkExpiration({}, created, min, max)).toEqual({ errors: [] });
  });

  it("refuses a TTL or time outside the bounds, naming the bound", () => {
    expect(checkExpiration({ ttlMs: 30_000 }, created, min, max).errors).toEqual([
      "expiration time cannot be less than 1m0s in the future (was 30s)",
    ]);
    expect(checkExpiration({ ttlMs: 48 * 3_600_000 }, created, min, max).errors).toEqual([
      "expiration time cannot be more than 24h0m0s in the future (was 48h0m0s)",
    ]);
    // An expiration time wins over the TTL, as in Nomad.
    expect(
      checkExpiration({ ttlMs: 3_600_000, timeMs: created - 1_000 }, created, min, max).errors,
    ).toEqual([
      "expiration time cannot be before create time",
      "expiration time cannot be less than 1m0s in the future (was -1s)",
    ]);
    expect(checkExpiration({ ttlMs: -1_000 }, created, min, max).errors).toEqual([
      "token expiration TTL '-1s' should not be negative",
    ]);
  });

  it("renders Nomad's multi-error message", () => {
    expect(invalidToken(0, ["a", "b"])).toBe(
      "token 0 invalid: 2 errors occurred:\n\t* a\n\t* b\n\n",
    );
  });
});

describe("expired token garbage collection", () => {
  const token = (name: string, expirationTime?: string) =>
    ({
      metadata: { name },
      spec: { type: "client", policies: ["p"], secretRef: { name, namespace: "caravan" } },
      status: expirationTime ? { expirationTime } : {},
    }) as NomadACLToken;
  const empty = { jobs: [], evaluations: [], allocations: [], deployments: [], nodes: [] };

  it("deletes tokens expired for longer than acl_token_gc_threshold (1h), and keeps the rest", () => {
    const now = created + 10 * 3_600_000;
    const tokens = [
      token("long-expired", new Date(now - 2 * 3_600_000).toISOString()),
      token("just-expired", new Date(now - 60_000).toISOString()),
      token("live", new Date(now + 60_000).toISOString()),
      token("forever"),
    ];
    const g = collectGarbage({ ...empty, tokens }, defaultThresholds, now);
    expect(g.tokens.map((t) => t.metadata.name)).toEqual(["long-expired"]);
    // A forced collection (system gc) takes every expired token.
    const forced = collectGarbage({ ...empty, tokens }, forceThresholds, now);
    expect(forced.tokens.map((t) => t.metadata.name)).toEqual(["long-expired", "just-expired"]);
  });
});
