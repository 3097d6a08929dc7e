// The event stream's publisher: one set of handlers on the API's informers
// (no watches of its own) turns each change into a Nomad event, keeps the
// most recent ones for subscribers resuming from an index, and hands new ones
// to the subscribers. An event's Index is the object's resourceVersion, the
// X-Nomad-Index the other endpoints answer with. Payloads are built and
// serialized once, on first demand: most changes reach no subscriber.
import type { ApiObject } from "../crds/meta.js";
import type { Informer } from "../kube/informer.js";
import { allocStub } from "./convert/alloc.js";
import { deploymentOut } from "./convert/deployment.js";
import { evalOut } from "./convert/eval.js";
import {
  allocEvent,
  deploymentEvent,
  type EventHead,
  evalEvent,
  jobEvent,
  nodeEvent,
  serviceEvent,
} from "./convert/event.js";
import { jobOut } from "./convert/job-out.js";
import { nodeOut } from "./convert/node.js";
import { serviceRegistration } from "./convert/service.js";
import { allocContext } from "./routes/allocations.js";
import { jobIDOf } from "./routes/common.js";
import type { ApiState, ObjectIndexes } from "./state.js";

/** Nomad keeps the last 100 events by default (event_buffer_size); a few more cost little. */
export const eventBufferSize = 1000;

export class StreamEvent {
  private json: string | undefined;
  constructor(
    readonly head: EventHead,
    readonly index: number,
    private readonly payload: () => Record<string, unknown>,
  ) {}

  /** The event as Nomad's JSON encodes structs.Event. */
  serialized(): string {
    this.json ??= JSON.stringify({
      Topic: this.head.Topic,
      Type: this.head.Type,
      Key: this.head.Key,
      Namespace: this.head.Namespace,
      FilterKeys: this.head.FilterKeys,
      Index: this.index,
      Payload: this.payload(),
    });
    return this.json;
  }
}

type Subscriber = (e: StreamEvent) => void;

export class EventBroker {
  private readonly ring: StreamEvent[] = [];
  private next = 0;
  private readonly subscribers = new Set<Subscriber>();
  /** The highest index published: a deletion's own index is not in the object, so it follows this. */
  private last = 0;

  constructor(state: ApiState) {
    const jobIDs = (ns: string, job: string) => jobIDOf(state, ns, job);
    // Indexes are copied when the change happens: ApiState updates them in place.
    const idx = (o: ApiObject): ObjectIndexes => ({ ...state.indexesOf(o) });
    // A purged job's event says so (api.Event.DeregisteredJob).
    this.attach(
      state.jobs,
      jobEvent,
      (o, i, deleted) => ({ Job: jobOut(o, i), ...(deleted ? { Deleted: true } : {}) }),
      idx,
    );
    this.attach(
      state.evaluations,
      (old, o, del) => evalEvent(old, o, del, jobIDs),
      (o, i) => ({
        Evaluation: evalOut(o, i, jobIDs(o.metadata.namespace ?? "default", o.spec.jobName)),
      }),
      idx,
    );
    this.attach(
      state.allocations,
      (old, o, del) => allocEvent(old, o, del, jobIDs),
      // Nomad's allocation events leave the job out.
      (o, i) => ({ Allocation: { ...allocStub(o, i, allocContext(state, o)), Job: null } }),
      idx,
    );
    this.attach(
      state.deployments,
      (old, o, del) => deploymentEvent(old, o, del, jobIDs),
      (o, i) => ({
        Deployment: deploymentOut(
          o,
          i,
          jobIDs(o.metadata.namespace ?? "default", o.spec.jobName),
          state.jobIndexesOf(o),
        ),
      }),
      idx,
    );
    this.attach(state.nodes, nodeEvent, (o, i) => ({ Node: nodeOut(o, i) }), idx);
    this.attach(
      state.services,
      serviceEvent,
      (o, i) => ({ Service: serviceRegistration(o, i) }),
      idx,
    );
  }

  private attach<T extends ApiObject>(
    informer: Informer<T>,
    describe: (old: T | undefined, obj: T, deleted: boolean) => EventHead | undefined,
    payload: (obj: T, idx: ObjectIndexes, deleted: boolean) => Record<string, unknown>,
    indexes: (obj: ApiObject) => ObjectIndexes,
  ): void {
    // Adding handlers replays the cache, and the first list fills it: neither is a change.
    let attaching = true;
    const emit = (old: T | undefined, obj: T, deleted: boolean) => {
      if (attaching || !informer.hasSynced()) return;
      const head = describe(old, obj, deleted);
      if (!head) return;
      const rv = Number(obj.metadata.resourceVersion) || 0;
      const index = !deleted && rv > this.last ? rv : deleted ? this.last + 1 : rv;
      const idx = indexes(obj);
      if (deleted) idx.modify = index;
      this.publish(new StreamEvent(head, index, () => payload(obj, idx, deleted)));
    };
    informer.addHandlers({
      onAdd: (o) => emit(undefined, o, false),
      onUpdate: (old, o) => emit(old, o, false),
      onDelete: (o) => emit(undefined, o, true),
    });
    attaching = false;
  }

  private publish(e: StreamEvent): void {
    this.last = Math.max(this.last, e.index);
    if (this.ring.length < eventBufferSize) this.ring.push(e);
    else this.ring[this.next] = e;
    this.next = (this.next + 1) % eventBufferSize;
    for (const s of this.subscribers) {
      try {
        s(e);
      } catch {
        // A subscriber's failure is its own; the informer and the others go on.
        this.subscribers.delete(s);
      }
    }
  }

  /**
   * Calls `deliver` with each kept event after `afterIndex` (none when it is
   * 0: the stream starts now), then with each new one until unsubscribed.
   */
  subscribe(afterIndex: number, deliver: Subscriber): () => void {
    if (afterIndex > 0) {
      const kept =
        this.ring.length < eventBufferSize
          ? this.ring
          : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
      for (const e of kept) if (e.index > afterIndex) deliver(e);
    }
    this.subscribers.add(deliver);
    return () => this.subscribers.delete(deliver);
  }
}
