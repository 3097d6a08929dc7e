import { describe, expect, it } from "vitest";
import { EvalBroker } from "../../../src/controllers/evals/broker.js";
import type { NomadEvaluation } from "../../../src/crds/objects.js";

function evaluation(
  name: string,
  job: string,
  priority: number,
  created: number,
  extra: Partial<NomadEvaluation["spec"]> = {},
): NomadEvaluation {
  return {
    metadata: {
      name,
      namespace: "default",
      creationTimestamp: new Date(created * 1000).toISOString(),
    },
    spec: { jobName: job, type: "service", priority, triggeredBy: "job-register", ...extra },
  };
}

describe("eval broker", () => {
  it("hands out nothing while paused (PauseEvalBroker) and resumes where it was", async () => {
    const broker = new EvalBroker();
    broker.setPaused(true);
    broker.observe(evaluation("a", "job-a", 50, 1));
    let got: string | undefined;
    const waiting = broker.dequeue().then((d) => {
      got = d?.evaluation.metadata.name;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toBeUndefined();
    expect(broker.stats().ready).toBe(1);
    broker.setPaused(false);
    await waiting;
    expect(got).toBe("a");
  });

  it("hands out the highest priority first, oldest first within a priority", async () => {
    const broker = new EvalBroker();
    broker.observe(evaluation("a", "job-a", 50, 1));
    broker.observe(evaluation("b", "job-b", 70, 2));
    broker.observe(evaluation("c", "job-c", 50, 0));
    const order = [];
    for (let i = 0; i < 3; i++) {
      const d = await broker.dequeue();
      order.push(d?.evaluation.metadata.name);
      if (d) broker.ack(d);
    }
    expect(order).toEqual(["b", "c", "a"]);
  });

  it("keeps one evaluation per job in flight and supersedes older pending ones", async () => {
    const broker = new EvalBroker();
    broker.observe(evaluation("j-1", "web", 50, 1));
    const first = await broker.dequeue();
    expect(first?.evaluation.metadata.name).toBe("j-1");
    broker.observe(evaluation("j-2", "web", 50, 2));
    broker.observe(evaluation("j-3", "web", 50, 3));
    broker.observe(evaluation("other", "api", 50, 4));
    const next = await broker.dequeue();
    expect(next?.evaluation.metadata.name).toBe("other"); // web is in flight
    if (first) broker.ack(first);
    const latest = await broker.dequeue();
    expect(latest?.evaluation.metadata.name).toBe("j-3");
    expect(latest?.superseded.map((e) => e.metadata.name)).toEqual(["j-2"]);
  });

  it("ignores a finished evaluation's stale pending status until its new status arrives", async () => {
    const broker = new EvalBroker();
    const e = evaluation("e", "web", 50, 1);
    broker.observe(e);
    const d = await broker.dequeue();
    if (d) broker.ack(d);
    broker.observe(e); // the informer has not seen the completed status yet
    expect(broker.stats()).toEqual({ ready: 0, unacked: 0, waiting: 0 });
    broker.observe({ ...e, status: { status: "complete" } });
    broker.observe({ ...e, status: { status: "pending" } }); // e.g. unblocked later
    expect(broker.stats().ready).toBe(1);
  });

  it("takes a finished evaluation set pending again even when no other status arrived in between", async () => {
    // The blocked evaluation: handed out while the informer still showed it pending,
    // re-blocked by the worker with a status write that changed nothing (no event).
    const broker = new EvalBroker();
    const blocked = evaluation("web-blocked", "web", 50, 1);
    blocked.metadata.resourceVersion = "10";
    broker.observe(blocked);
    const d = await broker.dequeue();
    if (d) broker.ack(d);
    broker.observe(blocked); // a resync of the version handed out: still stale
    expect(broker.stats().ready).toBe(0);
    // Capacity appeared: the blocked-evals tracker writes pending, a new version.
    broker.observe({
      ...blocked,
      metadata: { ...blocked.metadata, resourceVersion: "12" },
      status: { status: "pending" },
    });
    expect(broker.stats().ready).toBe(1);
  });

  it("redelivers a nacked evaluation after a backoff until the delivery limit", async () => {
    let now = 1_000_000;
    const broker = new EvalBroker({ deliveryLimit: 2, nackBaseMs: 500, now: () => now });
    broker.observe(evaluation("e", "web", 50, 1));
    const d1 = await broker.dequeue();
    expect(d1?.attempt).toBe(1);
    expect(d1 && broker.nack(d1)).toBe(true);
    expect(broker.stats()).toMatchObject({ ready: 0, waiting: 1 });
    now += 600;
    const d2 = await broker.dequeue();
    expect(d2?.attempt).toBe(2);
    expect(d2 && broker.nack(d2)).toBe(false); // limit reached: the caller fails it
  });

  it("holds an evaluation until its waitUntil", () => {
    let now = Date.parse("2026-11-22T10:00:00Z");
    const broker = new EvalBroker({ now: () => now });
    broker.observe(evaluation("later", "web", 50, 1, { waitUntil: "2026-11-22T10:00:30Z" }));
    expect(broker.stats()).toMatchObject({ ready: 0, waiting: 1 });
    now += 31_000;
    expect(broker.stats()).toMatchObject({ ready: 1, waiting: 0 });
  });
});
