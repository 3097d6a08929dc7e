import { describe, expect, it } from "vitest";
import { IndexTracker } from "../../../src/api/state.js";

describe("index tracker", () => {
  it("wakes waiters when the index moves, and only then", async () => {
    const t = new IndexTracker();
    t.bump("10");
    expect(t.index).toBe(10);
    const never = new AbortController().signal;
    const waiting = t.changed(5_000, never);
    t.bump("12");
    expect(await waiting).toBe(true);
    expect(t.index).toBe(12);
    // A deletion reports an older version; the index still moves forward.
    t.bump("3");
    expect(t.index).toBe(13);
    t.bump(undefined);
    expect(t.index).toBe(14);
  });

  it("gives up at the deadline or when the client leaves, and forgets the waiter", async () => {
    const t = new IndexTracker();
    expect(await t.changed(20, new AbortController().signal)).toBe(false);
    const gone = new AbortController();
    const waiting = t.changed(5_000, gone.signal);
    gone.abort();
    expect(await waiting).toBe(false);
    expect((t as unknown as { waiters: Set<unknown> }).waiters.size).toBe(0);
  });
});
