// An informer: list, then watch from the list's resourceVersion, keeping a
// Store current and telling handlers what changed. A watch that expires (410
// Gone) relists and reports the differences; other failures back off and
// resume from the last resourceVersion seen. Like client-go's reflector.

import type { Logger } from "../common/log.js";
import type { ApiObject } from "../crds/meta.js";
import { Backoff } from "./backoff.js";
import type { KubeConfig } from "./kubeconfig.js";
import { collectionPath, type ResourceRef } from "./resources.js";
import { ApiError, getJson } from "./rest.js";
import { objectKey, Store } from "./store.js";
import { watchStream } from "./watch.js";

export interface InformerHandlers<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Items per list page. */
  pageSize?: number;
}

interface ListResponse<T> {
  metadata: { resourceVersion?: string; continue?: string };
  items: T[];
}

interface WatchStatus {
  kind?: string;
  code?: number;
  reason?: string;
  message?: string;
}

export class Informer<T extends ApiObject> {
  readonly store = new Store<T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private resourceVersion = "";
  private running = false;
  private abort: AbortController | undefined;
  private wake: (() => void) | undefined;
  private synced = false;
  private readonly syncWaiters: (() => void)[] = [];
  private readonly backoff = new Backoff(200, 30_000);

  constructor(
    private readonly kc: KubeConfig,
    private readonly resource: ResourceRef,
    private readonly log: Logger,
    private readonly options: InformerOptions = {},
  ) {}

  /**
   * Handlers added to an informer that already holds objects are told of
   * each as an add first (as client-go does), so a late consumer of a shared
   * informer misses nothing. Returns a function that removes them.
   */
  addHandlers(handlers: InformerHandlers<T>): () => void {
    this.handlers.push(handlers);
    if (handlers.onAdd) for (const obj of this.store.list()) handlers.onAdd(obj);
    return () => {
      const i = this.handlers.indexOf(handlers);
      if (i >= 0) this.handlers.splice(i, 1);
    };
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list is in the store. */
  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** Starts listing and watching in the background. */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.run();
  }

  stop(): void {
    this.running = false;
    this.abort?.abort();
    this.wake?.();
  }

  private async run(): Promise<void> {
    let needList = true;
    while (this.running) {
      try {
        if (needList) {
          await this.list();
          needList = false;
        }
        const outcome = await this.watch();
        if (outcome === "expired") {
          this.log.debug({ kind: this.resource.kind }, "watch expired (410 Gone); relisting");
          needList = true;
        } else {
          this.backoff.reset();
        }
      } catch (err) {
        if (!this.running) break;
        if (err instanceof ApiError && err.statusCode === 410) needList = true;
        const delay = this.backoff.next();
        this.log.warn({ kind: this.resource.kind, err, retryInMs: delay }, "list/watch failed");
        await this.sleep(delay);
      }
    }
  }

  private async list(): Promise<void> {
    const path = collectionPath(this.resource, this.options.namespace);
    const seen = new Set<string>();
    const fresh: T[] = [];
    let continueToken: string | undefined;
    let resourceVersion = "";
    do {
      const page = await getJson<ListResponse<T>>(this.kc, path, {
        limit: this.options.pageSize ?? 500,
        continue: continueToken,
        labelSelector: this.options.labelSelector,
        fieldSelector: this.options.fieldSelector,
      });
      for (const item of page.items) {
        // List items omit apiVersion and kind; watch events carry them.
        item.apiVersion ??= this.resource.apiVersion;
        item.kind ??= this.resource.kind;
        fresh.push(item);
        seen.add(objectKey(item));
      }
      continueToken = page.metadata.continue || undefined;
      resourceVersion = page.metadata.resourceVersion ?? resourceVersion;
    } while (continueToken);

    for (const item of fresh) this.apply("ADDED", item);
    for (const key of this.store.keys()) {
      if (!seen.has(key)) {
        const old = this.store.get(key);
        if (old) this.apply("DELETED", old);
      }
    }
    this.resourceVersion = resourceVersion;
    if (!this.synced) {
      this.synced = true;
      for (const resolve of this.syncWaiters.splice(0)) resolve();
    }
  }

  /** Watches until the server closes the stream ("closed") or the version expires ("expired"). */
  private async watch(): Promise<"closed" | "expired"> {
    let expired = false;
    const query: Record<string, string | number | boolean> = {
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      // Spread reconnections out, as client-go does.
      timeoutSeconds: 300 + Math.floor(Math.random() * 300),
    };
    if (this.options.labelSelector) query.labelSelector = this.options.labelSelector;
    if (this.options.fieldSelector) query.fieldSelector = this.options.fieldSelector;
    const abort = new AbortController();
    this.abort = abort;
    if (!this.running) abort.abort();
    try {
      await watchStream(
        this.kc,
        collectionPath(this.resource, this.options.namespace),
        query,
        ({ type, object }) => {
          if (type === "ERROR") {
            const status = object as WatchStatus;
            if (status.code === 410) {
              expired = true;
              abort.abort();
            } else this.log.warn({ kind: this.resource.kind, status }, "watch error event");
            return;
          }
          const item = object as T;
          const rv = item.metadata?.resourceVersion;
          if (rv) this.resourceVersion = rv;
          if (type !== "BOOKMARK") this.apply(type, item);
        },
        abort.signal,
      );
    } finally {
      this.abort = undefined;
    }
    return expired ? "expired" : "closed";
  }

  private apply(type: string, obj: T): void {
    // managedFields is server-side apply's bookkeeping, often the bulk of an
    // object; no controller reads it, so the cache does not keep it.
    const meta = obj.metadata as { managedFields?: unknown };
    if (meta.managedFields) meta.managedFields = undefined;
    if (type === "DELETED") {
      const old = this.store.remove(objectKey(obj));
      if (old) for (const h of this.handlers) h.onDelete?.(old);
      return;
    }
    const old = this.store.upsert(obj);
    if (!old) {
      for (const h of this.handlers) h.onAdd?.(obj);
    } else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) {
      for (const h of this.handlers) h.onUpdate?.(old, obj);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
