// Controllers the way controller-runtime builds them: a controller declares
// what it reconciles (`for`), the kinds it owns (a child's change maps to its
// owner's key) and other watches (any change → keys through a function), next
// to its reconcile function. The runtime wires those to informers and a work
// queue (one key queued once, never reconciled twice at once), runs reconciles
// with bounded concurrency, requeues errors with per-key backoff, records a
// TerminalError and leaves the object alone until it changes, and on stop
// aborts the reconciles' signal and waits for those in flight.
import PQueue from "p-queue";
import type { Logger } from "../common/log.js";
import type { ApiObject } from "../crds/meta.js";
import type { EventRecorder } from "./events.js";
import type { InformerHandlers } from "./informer.js";
import type { ResourceRef } from "./resources.js";
import { objectKey, type Store } from "./store.js";
import { type RateLimit, WorkQueue } from "./workqueue.js";

export interface ReconcileResult {
  /** Look at the key again after this long (ms). */
  requeueAfterMs?: number;
}

export interface ReconcileContext {
  /** Fires when the controller stops (shutdown, lost leadership): stop early, write nothing more. */
  signal: AbortSignal;
}

export type Reconcile = (
  key: string,
  context: ReconcileContext,
) => Promise<ReconcileResult | undefined>;

/**
 * A failure retrying cannot fix (a bad spec). The runtime records it as a
 * Warning Event on the object (reason, message) and does not reconcile the
 * object again until it changes; the reconciler may also set a condition.
 */
export class TerminalError extends Error {
  constructor(
    message: string,
    readonly reason = "ReconcileFailed",
  ) {
    super(message);
  }
}

/** Where a controller hears of changes: an informer, or anything with its store and handlers. */
export interface Source<T extends ApiObject> {
  readonly store: Store<T>;
  addHandlers(handlers: InformerHandlers<T>): () => void;
}

export type Change<T> = { type: "add" } | { type: "update"; old: T } | { type: "delete" };

export type Keys = string | undefined | Iterable<string | undefined>;

/** A subscription that turns a source's changes into keys to reconcile. */
export interface Trigger {
  attach(enqueue: (keys: Keys) => void): () => void;
}

/** Keys from every change of a source; `map` sees the changed object and what changed. */
export function watch<T extends ApiObject>(
  source: Source<T>,
  map: (obj: T, change: Change<T>) => Keys,
): Trigger {
  return {
    attach: (enqueue) =>
      source.addHandlers({
        onAdd: (obj) => enqueue(map(obj, { type: "add" })),
        onUpdate: (old, obj) => enqueue(map(obj, { type: "update", old })),
        onDelete: (obj) => enqueue(map(obj, { type: "delete" })),
      }),
  };
}

/** Children whose every change concerns their owner: `owner` gives the owner's key. */
export function owned<C extends ApiObject>(
  source: Source<C>,
  owner: (child: C) => string | undefined,
): Trigger {
  return watch(source, (child, change) =>
    change.type === "update" ? [owner(change.old), owner(child)] : owner(child),
  );
}

/** The owner named by a child's ownerReference to the kind (namespaced owners share the child's namespace). */
export function ownerReference(owner: ResourceRef): (child: ApiObject) => string | undefined {
  return (child) => {
    const ref = child.metadata.ownerReferences?.find(
      (r) => r.kind === owner.kind && r.apiVersion === owner.apiVersion,
    );
    return ref ? keyIn(child, ref.name, owner.namespaced) : undefined;
  };
}

/** The owner named by a child's label, in the child's namespace unless the owner is cluster-scoped. */
export function ownerLabel(
  label: string,
  namespaced = true,
): (child: ApiObject) => string | undefined {
  return (child) => {
    const name = child.metadata.labels?.[label];
    return name ? keyIn(child, name, namespaced) : undefined;
  };
}

function keyIn(child: ApiObject, name: string, namespaced: boolean): string {
  return namespaced && child.metadata.namespace ? `${child.metadata.namespace}/${name}` : name;
}

export interface ControllerSpec<T extends ApiObject> {
  name: string;
  /** The kind reconciled: keys are its objects' keys ("namespace/name", or "name"). */
  for: Source<T>;
  /** Which of the primary kind's changes to reconcile; all when unset. */
  when?: (obj: T, change: Change<T>) => boolean;
  /** Child kinds: see `owned`. */
  owns?: Trigger[];
  /** Other kinds whose changes concern some keys: see `watch`. */
  watches?: Trigger[];
  reconcile: Reconcile;
  /** Keys reconciled at once (never the same key twice); 1 when unset. */
  concurrency?: number;
  /** Backoff of failed keys. */
  rateLimit?: RateLimit;
}

/** A controller as the runtime runs it. */
export interface Controller {
  readonly name: string;
  readonly triggers: readonly Trigger[];
  /** The primary object of a key, as cached. */
  get(key: string): ApiObject | undefined;
  readonly reconcile: Reconcile;
  readonly concurrency: number;
  readonly rateLimit?: RateLimit;
}

export function defineController<T extends ApiObject>(spec: ControllerSpec<T>): Controller {
  const { when } = spec;
  const primary: Trigger = {
    attach: (enqueue) =>
      spec.for.addHandlers({
        onAdd: (obj) => (!when || when(obj, { type: "add" })) && enqueue(objectKey(obj)),
        onUpdate: (old, obj) =>
          (!when || when(obj, { type: "update", old })) && enqueue(objectKey(obj)),
        onDelete: (obj) => (!when || when(obj, { type: "delete" })) && enqueue(objectKey(obj)),
      }),
  };
  return {
    name: spec.name,
    triggers: [primary, ...(spec.owns ?? []), ...(spec.watches ?? [])],
    get: (key) => spec.for.store.get(key),
    reconcile: spec.reconcile,
    concurrency: spec.concurrency ?? 1,
    ...(spec.rateLimit ? { rateLimit: spec.rateLimit } : {}),
  };
}

export interface RuntimeDeps {
  log: Logger;
  /** Where terminal errors are recorded as Events; logged only when unset. */
  events?: EventRecorder;
}

export interface RunningController {
  /** Stops taking keys, aborts the reconciles' signal and waits for those in flight. */
  stop(): Promise<void>;
}

/**
 * What a terminal error is remembered against: the spec's generation (and
 * whether deletion started), or the whole object's version for kinds without
 * a generation.
 */
function versionOf(obj: ApiObject): string {
  const { generation, deletionTimestamp, resourceVersion } = obj.metadata;
  if (generation === undefined) return `rv:${resourceVersion ?? ""}`;
  return `gen:${generation}:${deletionTimestamp ?? ""}`;
}

export function runController(controller: Controller, deps: RuntimeDeps): RunningController {
  const log = deps.log.child({ controller: controller.name });
  const queue = new WorkQueue(controller.rateLimit);
  const abort = new AbortController();
  const workers = new PQueue({ concurrency: controller.concurrency });
  /** Keys whose last reconcile failed terminally → the version it failed on. */
  const failedOn = new Map<string, string>();

  const enqueue = (keys: Keys) => {
    if (keys === undefined) return;
    if (typeof keys === "string") queue.add(keys);
    else for (const k of keys) if (k !== undefined) queue.add(k);
  };
  const detach = controller.triggers.map((t) => t.attach(enqueue));

  const processKey = async (key: string) => {
    const obj = controller.get(key);
    try {
      const failed = failedOn.get(key);
      if (failed !== undefined) {
        if (obj && versionOf(obj) === failed) return;
        failedOn.delete(key);
      }
      const result = await controller.reconcile(key, { signal: abort.signal });
      queue.forget(key);
      if (result?.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
    } catch (err) {
      if (abort.signal.aborted) {
        log.debug({ key, err }, "reconcile stopped");
      } else if (err instanceof TerminalError) {
        queue.forget(key);
        if (obj) failedOn.set(key, versionOf(obj));
        log.warn({ key, reason: err.reason, err: err.message }, "reconcile failed; not retrying");
        if (obj) void deps.events?.record(obj, "Warning", err.reason, err.message);
      } else {
        const delay = queue.addRateLimited(key);
        log.debug({ key, err, retryInMs: delay }, "reconcile failed; retrying");
      }
    } finally {
      queue.done(key);
    }
  };

  const loop = (async () => {
    for (;;) {
      // Take a key only when a worker is free, so keys wait in the dedup queue.
      while (workers.pending >= workers.concurrency) {
        await new Promise<void>((resolve) => workers.once("next", () => resolve()));
      }
      const key = await queue.get();
      if (key === undefined) break;
      void workers.add(() => processKey(key));
    }
  })();

  return {
    async stop() {
      for (const d of detach) d();
      abort.abort();
      queue.shutdown();
      await loop;
      await workers.onIdle();
    },
  };
}
