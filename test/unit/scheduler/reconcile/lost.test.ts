import { describe, expect, it } from "vitest";
import type { TaskGroup } from "../../../../src/crds/job/index.js";
import { reconcileLost } from "../../../../src/scheduler/reconcile/lost.js";
import type { SchedulerAlloc } from "../../../../src/scheduler/types.js";
import { alloc, NOW, node } from "../fixtures.js";
import { resolvedGroup, summary } from "./helpers.js";

const since = NOW - 10_000;
const nodes = new Map([
  ["dc", node("dc", { status: "disconnected", statusUpdatedAt: since })],
  ["down", node("down", { status: "down", statusUpdatedAt: since })],
]);
const a = (id: string, nodeId: string, over: Partial<SchedulerAlloc> = {}) =>
  alloc(nodeId, { id, name: `example.web[${id.length}]`, index: id.length, ...over });

describe("lost and disconnected allocations", () => {
  const cases: {
    name: string;
    group?: Partial<TaskGroup>;
    disconnecting?: SchedulerAlloc[];
    lost?: SchedulerAlloc[];
    replaced?: string[];
    want: Partial<ReturnType<typeof summary>>;
  }[] = [
    {
      name: "lost: stopped as lost and replaced",
      lost: [a("l", "down")],
      want: {
        stop: ["l: alloc is lost since its node is down (lost)"],
        place: ["example.web[1] lost of l"],
        kept: ["l"],
        desired: { stop: 1, place: 1 },
      },
    },
    {
      name: "lost with a live replacement: stopped, not replaced again",
      lost: [a("l", "down")],
      replaced: ["l"],
      want: {
        stop: ["l: alloc is lost since its node is down (lost)"],
        place: [],
        kept: [],
        desired: { stop: 1 },
      },
    },
    {
      name: "lost with disconnect.replace = false: unknown, waiting",
      group: { disconnect: { lostAfter: "1m", replace: false } },
      lost: [a("l", "down")],
      want: { stop: [], place: [], disconnect: ["l"], kept: ["l"], desired: { disconnect: 1 } },
    },
    {
      name: "lost with stop_after_client_disconnect: replaced once the client stopped it",
      group: { disconnect: { stopOnClientAfter: "1m" } },
      lost: [a("l", "down")],
      want: {
        stop: ["l: alloc is lost since its node is down (lost)"],
        place: [],
        followups: [`failed-follow-up l at ${since + 60_000}`],
        kept: ["l"],
        desired: { stop: 1, rescheduleLater: 1 },
      },
    },
    {
      name: "disconnecting: unknown, followed up at lost_after, replaced",
      group: { disconnect: { lostAfter: "1m" } },
      disconnecting: [a("d", "dc")],
      want: {
        stop: [],
        place: ["example.web[1] lost of d"],
        disconnect: ["d"],
        followups: [`max-disconnect-timeout d at ${since + 60_000}`],
        kept: ["d"],
        desired: { disconnect: 1, place: 1 },
      },
    },
    {
      name: "disconnecting, already unknown and followed up: only replaced",
      group: { disconnect: { lostAfter: "1m" } },
      disconnecting: [a("d", "dc", { clientStatus: "unknown", followupEvalId: "f1" })],
      want: {
        disconnect: [],
        followups: [],
        place: ["example.web[1] lost of d"],
        desired: { place: 1 },
      },
    },
  ];
  it.each(cases)("$name", (c) => {
    const changes = reconcileLost(
      c.disconnecting ?? [],
      c.lost ?? [],
      nodes,
      resolvedGroup(c.group),
      new Set(c.replaced),
      NOW,
    );
    expect(summary(changes)).toMatchObject(c.want);
  });
});
