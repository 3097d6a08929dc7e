// Nomad's eval broker over NomadEvaluation objects: pending evaluations are
// handed out highest priority first (oldest first within a priority), at most
// one per job at a time. Of several pending evaluations of one job only the
// newest runs; the others are superseded. Delivery is at least once: an
// evaluation's status stays pending in the API until a worker has finished it,
// so whatever was in flight when the process died is handed out again after a
// restart, and a failed delivery (nack) comes back after a backoff until the
// delivery limit.
import { defaultJob } from "../../crds/job/defaults.js";
import type { NomadEvaluation } from "../../crds/objects.js";
import { objectKey } from "../../kube/store.js";
import { jobKey } from "../informers.js";

export interface Delivery {
  key: string;
  evaluation: NomadEvaluation;
  /** Earlier pending evaluations of the same job this one replaces. */
  superseded: NomadEvaluation[];
  /** 1 for the first delivery. */
  attempt: number;
}

export interface BrokerOptions {
  deliveryLimit?: number;
  nackBaseMs?: number;
  now?: () => number;
}

interface Entry {
  evaluation: NomadEvaluation;
  job: string;
  priority: number;
  created: number;
  waitUntil: number;
}

export class EvalBroker {
  private readonly pending = new Map<string, Entry>();
  /** job key → evaluation key in flight */
  private readonly inflight = new Map<string, string>();
  private readonly deliveries = new Map<string, number>();
  private readonly notBefore = new Map<string, number>();
  /**
   * Finished here, with the resourceVersion that was handed out: that version's
   * pending status is stale (the worker's new status has not arrived yet), but
   * any other version is news — such as the blocked evaluation set pending again
   * when the worker's status write changed nothing and so sent no event.
   */
  private readonly finished = new Map<string, string | undefined>();
  private readonly waiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private paused = false;
  readonly deliveryLimit: number;
  private readonly nackBaseMs: number;
  private readonly now: () => number;

  constructor(options: BrokerOptions = {}) {
    this.deliveryLimit = options.deliveryLimit ?? 3;
    this.nackBaseMs = options.nackBaseMs ?? 1_000;
    this.now = options.now ?? Date.now;
  }

  /** Feed from the evaluation informer: add, update and delete alike. */
  observe(evaluation: NomadEvaluation, deleted = false): void {
    const key = objectKey(evaluation);
    const status = evaluation.status?.status ?? "pending";
    if (deleted || status !== "pending") {
      this.finished.delete(key);
      this.pending.delete(key);
      return;
    }
    if (this.finished.has(key)) {
      if (this.finished.get(key) === evaluation.metadata.resourceVersion) return;
      this.finished.delete(key);
    }
    const waitUntil = evaluation.spec.waitUntil ? Date.parse(evaluation.spec.waitUntil) : 0;
    this.pending.set(key, {
      evaluation,
      job: jobKey(evaluation.metadata.namespace, evaluation.spec.jobName),
      priority: evaluation.spec.priority ?? defaultJob.priority,
      created: evaluation.metadata.creationTimestamp
        ? new Date(evaluation.metadata.creationTimestamp).getTime()
        : 0,
      waitUntil: Number.isNaN(waitUntil) ? 0 : waitUntil,
    });
    this.wake();
  }

  /** Counts for metrics: ready, in flight (unacked), waiting on a delay. */
  stats(): { ready: number; unacked: number; waiting: number } {
    const now = this.now();
    let ready = 0;
    let waiting = 0;
    for (const [key, e] of this.pending) {
      if (this.inflight.get(e.job) === key) continue;
      if (e.waitUntil > now || (this.notBefore.get(key) ?? 0) > now) waiting++;
      else ready++;
    }
    return { ready, unacked: this.inflight.size, waiting };
  }

  /** The next evaluation to schedule; undefined once closed. */
  async dequeue(): Promise<Delivery | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      const next = this.pick();
      if (next) return next;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** The worker finished the evaluation (its status is no longer pending in the API). */
  ack(delivery: Delivery): void {
    this.finish(delivery.key, delivery.evaluation);
    for (const old of delivery.superseded) this.finish(objectKey(old), old);
    this.deliveries.delete(delivery.key);
  }

  /**
   * The worker failed; the evaluation comes back after a backoff. Returns false
   * when the delivery limit is reached: the caller fails the evaluation.
   */
  nack(delivery: Delivery): boolean {
    const entry = this.pending.get(delivery.key);
    if (entry && this.inflight.get(entry.job) === delivery.key) this.inflight.delete(entry.job);
    if (delivery.attempt >= this.deliveryLimit) return false;
    this.notBefore.set(delivery.key, this.now() + this.nackBaseMs * 2 ** (delivery.attempt - 1));
    this.wake();
    return true;
  }

  /**
   * Nomad's PauseEvalBroker: while paused nothing is handed out; evaluations
   * stay pending (and keep arriving) until it resumes.
   */
  setPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    this.wake();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Closed: the workers are stopping. */
  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake();
  }

  private finish(key: string, evaluation: NomadEvaluation): void {
    const job = jobKey(evaluation.metadata.namespace, evaluation.spec.jobName);
    if (this.inflight.get(job) === key) this.inflight.delete(job);
    this.pending.delete(key);
    this.notBefore.delete(key);
    this.finished.set(key, evaluation.metadata.resourceVersion);
    this.wake();
  }

  private pick(): Delivery | undefined {
    if (this.paused) return undefined;
    const now = this.now();
    // The newest pending evaluation of each job without one in flight.
    const newest = new Map<string, [string, Entry]>();
    const olderOf = new Map<string, NomadEvaluation[]>();
    let earliestWake = Number.POSITIVE_INFINITY;
    for (const [key, e] of this.pending) {
      if (this.inflight.has(e.job)) continue;
      const ready = Math.max(e.waitUntil, this.notBefore.get(key) ?? 0);
      if (ready > now) {
        earliestWake = Math.min(earliestWake, ready);
        continue;
      }
      const current = newest.get(e.job);
      if (
        !current ||
        e.created > current[1].created ||
        (e.created === current[1].created && key > current[0])
      ) {
        if (current) olderOf.set(e.job, [...(olderOf.get(e.job) ?? []), current[1].evaluation]);
        newest.set(e.job, [key, e]);
      } else {
        olderOf.set(e.job, [...(olderOf.get(e.job) ?? []), e.evaluation]);
      }
    }
    let best: [string, Entry] | undefined;
    for (const candidate of newest.values()) {
      const [, e] = candidate;
      if (
        !best ||
        e.priority > best[1].priority ||
        (e.priority === best[1].priority && e.created < best[1].created)
      ) {
        best = candidate;
      }
    }
    this.schedule(earliestWake - now);
    if (!best) return undefined;
    const [key, entry] = best;
    this.inflight.set(entry.job, key);
    const attempt = (this.deliveries.get(key) ?? 0) + 1;
    this.deliveries.set(key, attempt);
    return { key, evaluation: entry.evaluation, superseded: olderOf.get(entry.job) ?? [], attempt };
  }

  private schedule(inMs: number): void {
    if (!Number.isFinite(inMs)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), Math.max(inMs, 1));
    this.timer.unref();
  }

  private wake(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}
