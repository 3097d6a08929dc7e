import { describe, expect, it } from "vitest";
import { parseFilter } from "../../../src/http/filter.js";

const job = {
  ID: "web",
  Status: "running",
  Priority: 50,
  Stop: false,
  Datacenters: ["dc1", "dc2"],
  Meta: { owner: "team-a", "tier.level": "gold" },
  TaskGroups: [{ Name: "api", Count: 3 }],
  Empty: [],
};

function matches(expr: string): boolean {
  const f = parseFilter(expr);
  if (!f.ok) throw new Error(f.error);
  return f.match(job);
}

describe("filter expressions", () => {
  it.each([
    ['Status == "running"', true],
    ["Status == running", true],
    ['Status != "running"', false],
    ["Priority == 50", true],
    ["Priority == 51", false],
    ["Stop == false", true],
    ['Meta.owner == "team-a"', true],
    ['Meta["tier.level"] == gold', true],
    ['"dc2" in Datacenters', true],
    ['"dc3" not in Datacenters', true],
    ['Datacenters contains "dc1"', true],
    ['Datacenters not contains "dc1"', false],
    ['ID matches "^w.b$"', true],
    ['ID not matches "^x"', true],
    ["Empty is empty", true],
    ["Meta is not empty", true],
    ["Missing is empty", true],
    ['Missing == "x"', false],
    ['Missing != "x"', true],
    ['"owner" in Meta', true],
    ['Status == "running" and Priority == 50', true],
    ['Status == "dead" or Priority == 50', true],
    ['not (Status == "dead") and not Stop == true', true],
    ['Status == "dead" or (ID == "web" and Meta.owner == "team-b")', false],
    ["TaskGroups.0.Name == api", true],
    ["/Meta/owner == team-a", true],
  ])("%s → %s", (expr, want) => {
    expect(matches(expr)).toBe(want);
  });

  it.each([
    ["Status ==", /expected a value/],
    ['Status = "x"', /unexpected character "="/],
    ['(Status == "x"', /expected "\)"/],
    ['Status == "x', /unterminated string/],
    ["Status", /expected "==", "!=", "contains", "matches", "in" or "is empty"/],
    ['ID matches "("', /invalid regular expression/],
    ['Status == "x" Status', /expected "and", "or" or the end/],
  ])("refuses %j", (expr, message) => {
    const f = parseFilter(expr);
    expect(f.ok).toBe(false);
    if (!f.ok) expect(f.error).toMatch(message);
  });

  it("survives deep nesting without crashing", () => {
    const f = parseFilter(`${"(".repeat(1500)}Status == running${")".repeat(1500)}`);
    expect(f.ok).toBe(true);
    expect(parseFilter("(".repeat(5000)).ok).toBe(false);
  });
});
