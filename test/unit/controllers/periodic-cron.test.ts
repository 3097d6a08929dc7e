// Nomad's cron dialect (hashicorp/cronexpr): five fields, six ending in a
// year, seven with seconds first and a year last; next launches across years
// and in time zones.
import { describe, expect, it } from "vitest";
import { parseCron, yearList } from "../../../src/controllers/periodic/cron.js";

const t = (s: string) => Date.parse(s);
const next = (expr: string, after: string, tz = "UTC") => {
  const at = parseCron(expr, tz).next(t(after));
  return at === undefined ? undefined : new Date(at).toISOString();
};

describe("Nomad cron expressions", () => {
  it("reads seven fields as second … day of week, year", () => {
    expect(next("0 0 12 * * ? 2030", "2026-06-01T00:00:00Z")).toBe("2030-01-01T12:00:00.000Z");
    expect(next("0 0 12 * * ? 2030", "2030-01-01T12:00:00Z")).toBe("2030-01-02T12:00:00.000Z");
    expect(next("30 15 10 1 1 * 2028", "2026-01-01T00:00:00Z")).toBe("2028-01-01T10:15:30.000Z");
    // The last run in the last year allowed, then none.
    expect(next("0 0 12 31 12 ? 2030", "2030-06-01T00:00:00Z")).toBe("2030-12-31T12:00:00.000Z");
    expect(next("0 0 12 * * ? 2030", "2030-12-31T12:00:00Z")).toBeUndefined();
  });

  it("reads six fields as minute … day of week, year (not seconds first)", () => {
    expect(next("0 12 * * * 2031", "2026-01-01T00:00:00Z")).toBe("2031-01-01T12:00:00.000Z");
    expect(next("15 8 * * MON *", "2026-01-01T00:00:00Z")).toBe("2026-01-05T08:15:00.000Z");
  });

  it("skips the years a list, range or step leaves out", () => {
    const expr = "0 0 0 1 1 ? 2027,2029-2030";
    expect(next(expr, "2026-01-01T00:00:00Z")).toBe("2027-01-01T00:00:00.000Z");
    expect(next(expr, "2027-01-01T00:00:00Z")).toBe("2029-01-01T00:00:00.000Z");
    expect(next(expr, "2029-01-01T00:00:00Z")).toBe("2030-01-01T00:00:00.000Z");
    expect(next(expr, "2030-01-01T00:00:00Z")).toBeUndefined();
    expect(next("0 0 0 1 1 ? 2026/4", "2026-01-01T00:00:00Z")).toBe("2030-01-01T00:00:00.000Z");
    expect(yearList("*/25")).toEqual([1970, 1995, 2020, 2045, 2070, 2095]);
  });

  it("counts the year in the job's time zone", () => {
    // Midnight of 1 January 2030 in New York is 05:00 UTC.
    expect(next("0 0 0 * * ? 2030", "2026-06-01T00:00:00Z", "America/New_York")).toBe(
      "2030-01-01T05:00:00.000Z",
    );
    // 31 December 2029 23:30 in New York is already 2030 in UTC, but not there.
    expect(next("0 30 23 31 12 ? 2029", "2029-06-01T00:00:00Z", "America/New_York")).toBe(
      "2030-01-01T04:30:00.000Z",
    );
  });

  it("reads a day of week ending in L as the month's last such day", () => {
    expect(next("0 0 * * 5L", "2026-01-01T00:00:00Z")).toBe("2026-01-30T00:00:00.000Z");
    expect(next("0 0 0 ? * 1L 2027", "2026-01-01T00:00:00Z")).toBe("2027-01-25T00:00:00.000Z");
  });

  it("keeps five fields and aliases as they were", () => {
    expect(next("*/15 * * * *", "2026-01-01T00:07:00Z")).toBe("2026-01-01T00:15:00.000Z");
    expect(next("@daily", "2026-01-01T10:00:00Z")).toBe("2026-01-02T00:00:00.000Z");
  });

  it("rejects what cronexpr rejects", () => {
    expect(() => parseCron("* * * *", "UTC")).toThrow("missing field(s)");
    expect(() => parseCron("0 0 12 * * ? 1969", "UTC")).toThrow("out of range");
    expect(() => parseCron("0 0 12 * * ? 20x0", "UTC")).toThrow("year field");
  });
});
