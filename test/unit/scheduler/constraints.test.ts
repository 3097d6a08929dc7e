import { describe, expect, it } from "vitest";
import { checkOperator, nodeMatches, resolveTarget } from "../../../src/scheduler/constraints.js";
import { node } from "./fixtures.js";

describe("constraint operators (Nomad's semantics)", () => {
  it.each([
    ["=", "linux", "linux", true],
    ["==", "linux", "windows", false],
    ["is", "a", "a", true],
    ["=", undefined, "linux", false],
    ["!=", "linux", "windows", true],
    ["not", "linux", "linux", false],
    ["!=", undefined, "linux", true],
    [">", "10", "9", true], // numeric, not lexical
    ["<", "10", "9", false],
    [">=", "2.5", "2.50", true],
    ["<=", "abc", "abd", true], // lexical when not numbers
    ["<", undefined, "3", false],
    ["regexp", "ubuntu-22.04", "^ubuntu-2[0-9]", true],
    ["regexp", "debian", "^ubuntu", false],
    ["regexp", "x", "(", false], // an invalid pattern never matches
    ["version", "1.2.3", ">= 1.2, < 2.0", true],
    ["version", "2.0.0", ">= 1.2, < 2.0", false],
    ["version", "1.2.5", "~> 1.2.3", true],
    ["version", "1.3.0", "~> 1.2.3", false],
    ["version", "1.9.0", "~> 1.2", true],
    ["version", "1.3.0-beta1", ">= 1.2", false], // go-version: prereleases need a prerelease range
    ["semver", "1.3.0-beta1", ">= 1.2.0", true],
    ["semver", "1.3.0-beta1", ">= 1.3.0", false],
    ["set_contains", "a,b,c", "a,c", true],
    ["set_contains_all", "a, b", "a,d", false],
    ["set_contains_any", "r1,r2", "r9, r2", true],
    ["set_contains_any", "r1,r2", "r9", false],
    ["is_set", "x", undefined, true],
    ["is_set", undefined, undefined, false],
    ["is_not_set", undefined, undefined, true],
    ["distinct_hosts", undefined, "true", true], // enforced by its own stage
  ] as const)("%s %s %s → %s", (op, l, r, want) => {
    expect(checkOperator(op, l, r)).toBe(want);
  });

  it("resolves ${attr.*}, ${node.*} and ${meta.*} targets; literals as themselves", () => {
    const n = node("n1", {
      datacenter: "dc9",
      nodeClass: "gpu",
      nodePool: "prod",
      meta: { rack: "r3" },
      attributes: { "kernel.name": "linux" },
    });
    expect(resolveTarget("${node.unique.id}", n)).toBe("n1");
    expect(resolveTarget("${node.unique.id}", { ...n, uniqueId: "5d0e-uuid" })).toBe("5d0e-uuid");
    expect(resolveTarget("${node.unique.name}", n)).toBe("n1");
    expect(resolveTarget("${node.datacenter}", n)).toBe("dc9");
    expect(resolveTarget("${node.class}", n)).toBe("gpu");
    expect(resolveTarget("${node.pool}", n)).toBe("prod");
    expect(resolveTarget("${meta.rack}", n)).toBe("r3");
    expect(resolveTarget("${attr.kernel.name}", n)).toBe("linux");
    expect(resolveTarget("${attr.missing}", n)).toBeUndefined();
    expect(resolveTarget("linux", n)).toBe("linux");
  });

  it("defaults the operator to =", () => {
    expect(nodeMatches({ attribute: "${attr.kernel.name}", value: "linux" }, node("a"))).toBe(true);
  });

  it("interpolates the value side too", () => {
    const n = node("a", { meta: { want: "linux" } });
    expect(nodeMatches({ attribute: "${attr.kernel.name}", value: "${meta.want}" }, n)).toBe(true);
  });
});
