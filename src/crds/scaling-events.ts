// A job's scaling events (Nomad's ScalingEvents table): each call of
// `nomad job scale` or the autoscaler records one for its task group, count
// change or not, newest first, the newest few kept. They are a job's
// annotation rather than its status: the API writes them, and the jobs
// controller, which owns the status, never has to merge them.
import type { NomadJob } from "./objects.js";

/** Annotation on a job: its scaling events, a JSON object of task group → events, newest first. */
export const scalingEventsAnnotation = "caravan.dev/scaling-events";

/** How many events a group keeps (Nomad's JobTrackedScalingEvents). */
export const trackedScalingEvents = 20;

/** One scaling request, as Nomad's ScalingEvent records it. */
export interface ScalingEvent {
  /** When it was asked (RFC 3339). */
  time: string;
  /** The count asked for; absent for an event that changed no count (an autoscaler's message or error). */
  count?: number;
  /** The group's count when it was asked. */
  previousCount: number;
  message: string;
  error: boolean;
  meta?: Record<string, unknown>;
  /** The evaluation a count change made. */
  evalID?: string;
  /** The index of the write the event records. */
  createIndex: number;
}

/** Scaling events by task group, newest first. */
export type ScalingEvents = Record<string, ScalingEvent[]>;

/** The events a job's annotation holds; an annotation that is not what this file writes counts as none. */
export function scalingEventsOf(job: NomadJob): ScalingEvents {
  const raw = job.metadata.annotations?.[scalingEventsAnnotation];
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return {};
    const out: ScalingEvents = {};
    for (const [group, events] of Object.entries(parsed))
      if (Array.isArray(events)) out[group] = events.filter(isScalingEvent);
    return out;
  } catch {
    return {};
  }
}

/** `events` with `event` first in its group, the group cut to `keep` events. */
export function withScalingEvent(
  events: ScalingEvents,
  group: string,
  event: ScalingEvent,
  keep = trackedScalingEvents,
): ScalingEvents {
  return { ...events, [group]: [event, ...(events[group] ?? [])].slice(0, keep) };
}

function isScalingEvent(e: unknown): e is ScalingEvent {
  if (!e || typeof e !== "object") return false;
  const o = e as Record<string, unknown>;
  return (
    typeof o.time === "string" &&
    typeof o.previousCount === "number" &&
    typeof o.message === "string" &&
    typeof o.error === "boolean" &&
    typeof o.createIndex === "number"
  );
}
