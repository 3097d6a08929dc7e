// Kubernetes Events (events.k8s.io/v1) for what a person would want to see in
// `kubectl describe` or `kubectl get events`. Repeats of the same event on the
// same object within ten minutes update one Event's series count instead of
// creating new ones, as client-go's recorder does.
import os from "node:os";
import type { Logger } from "../common/log.js";
import type { ApiObject } from "../crds/meta.js";
import type { KubeConfig } from "./kubeconfig.js";
import { collectionPath, eventResource } from "./resources.js";
import { ApiError, microTime, requestJson } from "./rest.js";

export type EventType = "Normal" | "Warning";

interface Recorded {
  name: string;
  namespace: string;
  count: number;
  firstMs: number;
}

const seriesWindowMs = 10 * 60 * 1000;

export class EventRecorder {
  private readonly recent = new Map<string, Recorded>();
  private readonly instance = `${os.hostname()}-${process.pid}`;

  constructor(
    private readonly kc: KubeConfig,
    private readonly controller: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records an event; failures are logged, never thrown: events are best effort. */
  async record(
    regarding: ApiObject,
    type: EventType,
    reason: string,
    note: string,
    action = reason,
  ): Promise<void> {
    try {
      await this.write(regarding, type, reason, note, action);
    } catch (err) {
      this.log.debug({ err, reason }, "could not record event");
    }
  }

  private async write(
    regarding: ApiObject,
    type: EventType,
    reason: string,
    note: string,
    action: string,
  ) {
    const meta = regarding.metadata;
    const namespace = meta.namespace || "default";
    const key = `${meta.uid}/${type}/${reason}/${note}`;
    const nowMs = this.now();
    const seen = this.recent.get(key);
    const path = collectionPath(eventResource, namespace);
    if (seen && nowMs - seen.firstMs < seriesWindowMs) {
      seen.count++;
      try {
        await requestJson(this.kc, {
          method: "PATCH",
          path: `${path}/${seen.name}`,
          contentType: "application/merge-patch+json",
          body: { series: { count: seen.count, lastObservedTime: microTime(nowMs) } },
        });
        return;
      } catch (err) {
        if (!(err instanceof ApiError && err.statusCode === 404)) throw err;
        // The event expired; record a new one.
      }
    }
    const name = `${meta.name}.${nowMs.toString(16)}${Math.random().toString(16).slice(2, 6)}`;
    await requestJson(this.kc, {
      method: "POST",
      path,
      body: {
        apiVersion: "events.k8s.io/v1",
        kind: "Event",
        metadata: { name, namespace },
        eventTime: microTime(nowMs),
        reportingController: this.controller,
        reportingInstance: this.instance,
        action,
        reason,
        note: note.slice(0, 1024),
        type,
        regarding: {
          apiVersion: regarding.apiVersion,
          kind: regarding.kind,
          name: meta.name,
          namespace: meta.namespace,
          uid: meta.uid,
          resourceVersion: meta.resourceVersion,
        },
      },
    });
    this.recent.set(key, { name, namespace, count: 1, firstMs: nowMs });
    if (this.recent.size > 4096) {
      for (const [k, v] of this.recent)
        if (nowMs - v.firstMs >= seriesWindowMs) this.recent.delete(k);
    }
  }
}
