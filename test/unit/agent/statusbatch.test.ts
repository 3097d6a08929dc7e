import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { StatusBatcher } from "../../../src/agent/statusbatch.js";

describe("status batching", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("sends a burst of changes as one write carrying the latest state", async () => {
    const sent: number[] = [];
    let value = 0;
    const b = new StatusBatcher(async () => {
      sent.push(value);
    }, 200);
    for (let i = 1; i <= 50; i++) {
      value = i;
      b.update();
    }
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(sent).toEqual([50]);
  });

  it("writes at most once per interval, the latest state each time, and flush never loses it", async () => {
    const sent: number[] = [];
    let value = 0;
    const b = new StatusBatcher(async () => {
      sent.push(value);
    }, 200);
    value = 1;
    b.update();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([1]); // idle: the first change goes out at once
    value = 2;
    b.update();
    await vi.advanceTimersByTimeAsync(100);
    value = 3;
    b.update();
    expect(sent).toEqual([1]);
    await vi.advanceTimersByTimeAsync(100);
    expect(sent).toEqual([1, 3]);
    value = 4;
    b.update();
    await b.flush();
    expect(sent).toEqual([1, 3, 4]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent).toEqual([1, 3, 4]); // nothing changed since
  });
});
