import { describe, expect, it } from "vitest";
import {
  variableLockState,
  variableMetadata,
  variableOf,
  variablePathError,
  variableSecret,
  variableSecretName,
  variableSize,
  withVariableLock,
} from "../../../src/crds/variable.js";

describe("Nomad Variables as Secrets", () => {
  it.each([
    ["app/x", undefined],
    ["nomad/jobs/web/g/t", undefined],
    ["nomad/job-templates/t", undefined],
    ["nomad/sentinel/p", undefined],
    ["", "variable requires path"],
    ["a b", 'invalid path "a b"'],
    ["x".repeat(129), `invalid path "${"x".repeat(129)}"`],
    ["nomad", /^"nomad" is a reserved top-level directory path/],
    ["nomad/job-templates", /^"nomad\/job-templates" is a reserved directory path/],
    ["nomad/job-templates/a/b", /^"nomad\/job-templates" is a reserved directory path/],
    ["nomad/other", /^only paths at "nomad\/jobs" or "nomad\/job-templates" and below/],
  ])("checks the path %s as Nomad does", (path, want) => {
    const got = variablePathError(path);
    if (want instanceof RegExp) expect(got).toMatch(want);
    else expect(got).toBe(want);
  });

  it("counts keys and values in bytes, as Nomad's 64 KiB limit does", () => {
    expect(variableSize({ ab: "cd", é: "" })).toBe(6);
  });

  it("keeps any item key, values and Nomad's indexes through a Secret", () => {
    const items = { user: "u", "odd key!": "v", _b64_x: "w", "": "empty key" };
    const created = variableSecret("ns1", "app/x", items, 1_000);
    expect(created.metadata.name).toBe(variableSecretName("app/x"));
    expect(created.metadata.name).toMatch(/^nomad-var-[0-9a-f]{32}$/);
    expect(Object.keys(created.data ?? {}).every((k) => /^[-._a-zA-Z0-9]+$/.test(k))).toBe(true);
    const stored = { ...created, metadata: { ...created.metadata, resourceVersion: "41" } };
    expect(variableOf(stored)).toEqual({
      Namespace: "ns1",
      Path: "app/x",
      CreateIndex: 41,
      CreateTime: 1_000,
      ModifyIndex: 41,
      ModifyTime: 1_000,
      Items: items,
    });
    const updated = variableSecret("ns1", "app/x", { user: "u2" }, 2_000, stored);
    const after = { ...updated, metadata: { ...updated.metadata, resourceVersion: "57" } };
    expect(variableMetadata(after)).toEqual({
      Namespace: "ns1",
      Path: "app/x",
      CreateIndex: 41,
      CreateTime: 1_000,
      ModifyIndex: 57,
      ModifyTime: 2_000,
    });
    expect(variableOf(after).Items).toEqual({ user: "u2" });
  });
});

describe("a variable's lock", () => {
  const base = variableSecret("ns1", "app/l", {}, 0);
  const lock = { id: "L", ttlMs: 10_000, lockDelayMs: 5_000, expiresAtMs: 20_000 };
  const locked = withVariableLock(base, lock);

  it("is held until it expires, then delayed for its lock delay, then gone", () => {
    expect(variableLockState(locked, 19_999)).toEqual({ lock, state: "held" });
    expect(variableLockState(locked, 20_000)).toEqual({ lock, state: "delayed" });
    expect(variableLockState(locked, 24_999)?.state).toBe("delayed");
    expect(variableLockState(locked, 25_000)).toBeUndefined();
    expect(variableLockState(withVariableLock(locked, undefined), 0)).toBeUndefined();
  });

  it("records the creation's index when it is the first update", () => {
    const read = { ...base, metadata: { ...base.metadata, resourceVersion: "7" } };
    const renewed = {
      ...withVariableLock(read, lock),
      metadata: { ...withVariableLock(read, lock).metadata, resourceVersion: "9" },
    };
    expect(variableMetadata(renewed)).toMatchObject({ CreateIndex: 7, ModifyIndex: 9 });
  });
});
