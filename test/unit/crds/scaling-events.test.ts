// A job's scaling events, as Nomad's state store keeps them: per task group,
// newest first, the newest JobTrackedScalingEvents (20) kept.
import { describe, expect, it } from "vitest";
import type { NomadJob } from "../../../src/crds/objects.js";
import {
  type ScalingEvent,
  scalingEventsAnnotation,
  scalingEventsOf,
  trackedScalingEvents,
  withScalingEvent,
} from "../../../src/crds/scaling-events.js";

const event = (n: number): ScalingEvent => ({
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  count: n,
  previousCount: n - 1,
  message: `scale ${n}`,
  error: false,
  createIndex: 100 + n,
});

const jobWith = (annotation: string | undefined): NomadJob =>
  ({
    metadata: {
      name: "web",
      ...(annotation === undefined
        ? {}
        : { annotations: { [scalingEventsAnnotation]: annotation } }),
    },
    spec: { groups: [] },
  }) as unknown as NomadJob;

describe("scaling events", () => {
  it("puts the newest event first in its group and leaves other groups alone", () => {
    const one = withScalingEvent({}, "web", event(1));
    const two = withScalingEvent({ ...one, api: [event(9)] }, "web", event(2));
    expect(two.web?.map((e) => e.message)).toEqual(["scale 2", "scale 1"]);
    expect(two.api?.map((e) => e.message)).toEqual(["scale 9"]);
  });

  it("keeps the newest 20 of a group", () => {
    let events = {};
    for (let n = 1; n <= 25; n++) events = withScalingEvent(events, "web", event(n));
    const kept = scalingEventsOf(jobWith(JSON.stringify(events))).web ?? [];
    expect(trackedScalingEvents).toBe(20);
    expect(kept).toHaveLength(20);
    expect([kept[0]?.count, kept.at(-1)?.count]).toEqual([25, 6]);
  });

  it("reads back what it wrote, and nothing from an annotation it did not write", () => {
    const events = withScalingEvent({}, "web", { ...event(3), meta: { a: 1 }, evalID: "e" });
    expect(scalingEventsOf(jobWith(JSON.stringify(events)))).toEqual(events);
    expect(scalingEventsOf(jobWith(undefined))).toEqual({});
    expect(scalingEventsOf(jobWith("not json"))).toEqual({});
    expect(scalingEventsOf(jobWith("[1]"))).toEqual({});
    expect(scalingEventsOf(jobWith('{"web":[{"time":1}]}'))).toEqual({ web: [] });
  });
});
