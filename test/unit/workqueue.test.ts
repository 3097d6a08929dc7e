import { describe, expect, it } from "vitest";
import { WorkQueue } from "../../src/kube/workqueue.js";

describe("work queue", () => {
  it("queues a key once however often it is added", async () => {
    const q = new WorkQueue();
    q.add("default/web");
    q.add("default/web");
    q.add("default/api");
    expect(q.length).toBe(2);
    expect(await q.get()).toBe("default/web");
    expect(await q.get()).toBe("default/api");
  });

  it("never hands out a key being processed; a change meanwhile queues it again when done", async () => {
    const q = new WorkQueue();
    q.add("a");
    const key = await q.get();
    q.add("a"); // changed while processing
    expect(q.length).toBe(0);
    let second: string | undefined;
    void q.get().then((k) => {
      second = k;
    });
    await Promise.resolve();
    expect(second).toBeUndefined();
    q.done(key ?? "");
    await Promise.resolve();
    expect(second).toBe("a");
  });

  it("backs off a failing key exponentially up to the cap, and forgets on success", () => {
    const q = new WorkQueue({ baseMs: 10, maxMs: 50 });
    expect([1, 2, 3, 4].map(() => q.addRateLimited("k"))).toEqual([10, 20, 40, 50]);
    expect(q.failureCount("k")).toBe(4);
    q.forget("k");
    expect(q.addRateLimited("k")).toBe(10);
    q.shutdown();
  });

  it("adds after a delay, keeping the earliest pending delay", async () => {
    const q = new WorkQueue();
    q.addAfter("k", 30);
    q.addAfter("k", 5_000);
    const started = Date.now();
    expect(await q.get()).toBe("k");
    expect(Date.now() - started).toBeLessThan(1_000);
    q.shutdown();
  });

  it("releases waiting workers on shutdown", async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.shutdown();
    expect(await waiting).toBeUndefined();
  });
});
