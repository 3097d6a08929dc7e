import { describe, expect, it } from "vitest";
import { livenessOf } from "../../../src/controllers/nodes/liveness.js";

const now = Date.parse("2026-11-22T10:00:00Z");
const lease = (secondsAgo: number, duration = 10) => ({
  renewTime: new Date(now - secondsAgo * 1000).toISOString(),
  leaseDurationSeconds: duration,
});

describe("node liveness from its lease", () => {
  it("keeps a node whose lease is fresh, and says when to look again", () => {
    expect(livenessOf("ready", lease(4), now)).toEqual({ alive: true, expiresAt: now + 6_000 });
  });

  it("marks a ready node down when the lease expired, disconnected when its allocations tolerate it", () => {
    expect(livenessOf("ready", lease(11), now).next).toBe("down");
    expect(livenessOf("ready", undefined, now).next).toBe("down");
    expect(livenessOf("ready", lease(11), now, true).next).toBe("disconnected");
  });

  it("brings a down or disconnected node back when the lease is renewed, and leaves initializing nodes to the agent", () => {
    expect(livenessOf("down", lease(1), now).next).toBe("ready");
    expect(livenessOf("disconnected", lease(1), now).next).toBe("ready");
    expect(livenessOf("initializing", lease(30), now).next).toBeUndefined();
  });
});
