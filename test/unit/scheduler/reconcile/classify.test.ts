import { describe, expect, it } from "vitest";
import { bucketOf, classify } from "../../../../src/scheduler/reconcile/classify.js";
import type { SchedulerAlloc, SchedulerNode } from "../../../../src/scheduler/types.js";
import { alloc, NOW, node } from "../fixtures.js";
import { resolvedGroup } from "./helpers.js";

const ready = node("n");
const lostAfter = resolvedGroup({ disconnect: { lostAfter: "1m" } });
const plain = resolvedGroup();

describe("classify: every allocation into one bucket", () => {
  const cases: {
    name: string;
    alloc: Partial<SchedulerAlloc>;
    node?: SchedulerNode | undefined;
    group?: typeof plain;
    batch?: boolean;
    bucket: string;
  }[] = [
    { name: "running on a ready node", alloc: {}, bucket: "untainted" },
    {
      name: "failed (the reschedule step decides)",
      alloc: { clientStatus: "failed" },
      bucket: "untainted",
    },
    { name: "stopped", alloc: { desiredStatus: "stop" }, bucket: "ignore" },
    { name: "complete", alloc: { clientStatus: "complete" }, bucket: "ignore" },
    { name: "already lost", alloc: { clientStatus: "lost" }, bucket: "ignore" },
    { name: "node gone", alloc: {}, node: undefined, bucket: "lost" },
    { name: "node down", alloc: {}, node: node("n", { status: "down" }), bucket: "lost" },
    {
      name: "disconnected, no lost_after",
      alloc: {},
      node: node("n", { status: "disconnected" }),
      bucket: "lost",
    },
    {
      name: "disconnected within lost_after",
      alloc: {},
      node: node("n", { status: "disconnected", statusUpdatedAt: NOW - 30_000 }),
      group: lostAfter,
      bucket: "disconnecting",
    },
    {
      name: "disconnected past lost_after",
      alloc: {},
      node: node("n", { status: "disconnected", statusUpdatedAt: NOW - 60_000 }),
      group: lostAfter,
      bucket: "lost",
    },
    { name: "unknown on a node back", alloc: { clientStatus: "unknown" }, bucket: "reconnecting" },
    {
      name: "marked for migration",
      alloc: { desiredTransition: { migrate: true } },
      bucket: "migrate",
    },
    {
      name: "on a draining node",
      alloc: {},
      node: node("n", { draining: true }),
      bucket: "migrate",
    },
    {
      name: "batch on a draining node before its deadline",
      alloc: {},
      node: node("n", { draining: true, drainDeadline: NOW + 1 }),
      batch: true,
      bucket: "untainted",
    },
    {
      name: "batch on a draining node past its deadline",
      alloc: {},
      node: node("n", { draining: true, drainDeadline: NOW }),
      batch: true,
      bucket: "migrate",
    },
  ];
  it.each(cases)("$name: $bucket", (c) => {
    const n = "node" in c ? c.node : ready;
    expect(bucketOf(alloc("n", c.alloc), n, c.group ?? plain, NOW, c.batch ?? false)).toBe(
      c.bucket,
    );
  });

  it("keeps the given order within each bucket", () => {
    const [a, b, c, d] = [alloc("n"), alloc("down"), alloc("n"), alloc("down")];
    const nodes = new Map([
      ["n", ready],
      ["down", node("down", { status: "down" })],
    ]);
    const buckets = classify([a, b, c, d] as SchedulerAlloc[], nodes, plain, NOW, false);
    expect([...buckets.untainted]).toEqual([a, c]);
    expect([...buckets.lost]).toEqual([b, d]);
    expect(buckets.ignore.size + buckets.migrate.size + buckets.reconnecting.size).toBe(0);
  });
});
