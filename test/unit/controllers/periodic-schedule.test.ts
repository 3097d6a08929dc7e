// The periodic dispatcher's pure rules: next launch times in a time zone,
// several expressions, catch-up after downtime, prohibit_overlap, enabled.
import { describe, expect, it } from "vitest";
import {
  launchDecision,
  nextLaunch,
  scheduleError,
} from "../../../src/controllers/periodic/schedule.js";
import type { NomadJobSpec } from "../../../src/crds/job/index.js";

const t = (s: string) => Date.parse(s);
const spec = (periodic: NomadJobSpec["periodic"]): NomadJobSpec =>
  ({ type: "batch", periodic, groups: [] }) as unknown as NomadJobSpec;

describe("periodic schedule", () => {
  it("reads expressions in the time zone and takes the earliest of several", () => {
    expect(
      nextLaunch({ crons: ["0 9 * * *"], timeZone: "America/New_York" }, t("2026-01-01T00:00:00Z")),
    ).toBe(t("2026-01-01T14:00:00Z"));
    expect(nextLaunch({ crons: ["0 12 * * *", "30 6 * * *"] }, t("2026-01-01T00:00:00Z"))).toBe(
      t("2026-01-01T06:30:00Z"),
    );
    // Seven fields start with seconds and end in a year (Nomad's cronexpr).
    expect(nextLaunch({ cron: "0 0 5 * * * 2026" }, t("2026-01-01T00:00:00Z"))).toBe(
      t("2026-01-01T05:00:00Z"),
    );
    expect(nextLaunch({ cron: "0 0 5 * * * 2027" }, t("2026-01-01T00:00:00Z"))).toBe(
      t("2027-01-01T05:00:00Z"),
    );
  });

  it("launches the latest missed time only, and says when to look again", () => {
    const d = launchDecision(
      spec({ crons: ["*/10 * * * *"] }),
      t("2026-01-01T00:00:00Z"),
      false,
      t("2026-01-01T01:05:00Z"),
    );
    expect(d).toEqual({
      kind: "launch",
      at: t("2026-01-01T01:00:00Z"),
      next: t("2026-01-01T01:10:00Z"),
    });
    const w = launchDecision(
      spec({ crons: ["*/10 * * * *"] }),
      t("2026-01-01T01:00:00Z"),
      false,
      t("2026-01-01T01:05:00Z"),
    );
    expect(w).toEqual({ kind: "wait", next: t("2026-01-01T01:10:00Z") });
  });

  it("skips while a child runs under prohibit_overlap, and does nothing when disabled", () => {
    const p = { crons: ["* * * * *"], prohibitOverlap: true };
    expect(
      launchDecision(spec(p), t("2026-01-01T00:00:00Z"), true, t("2026-01-01T00:01:30Z")).kind,
    ).toBe("skip");
    expect(
      launchDecision(spec(p), t("2026-01-01T00:00:00Z"), false, t("2026-01-01T00:01:30Z")).kind,
    ).toBe("launch");
    expect(
      launchDecision(spec({ ...p, enabled: false }), 0, false, t("2026-01-01T00:01:30Z")).kind,
    ).toBe("disabled");
  });

  it("names a bad expression", () => {
    expect(scheduleError({ crons: ["* * * * *", "61 * * * *"] })).toMatch(
      /^periodic.crons: "61 \* \* \* \*"/,
    );
    expect(scheduleError({ crons: ["@hourly"] })).toBeUndefined();
  });
});
