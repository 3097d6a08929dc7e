// Leader election on a coordination.k8s.io Lease, as client-go does it: the
// holder renews the lease every retry period; a candidate takes it over once
// renewTime + leaseDuration has passed; writes carry the lease's
// resourceVersion, so two candidates never both win. A leader that cannot
// renew within the renew deadline stops leading, and one that stops cleanly
// releases the lease so a follower takes over at once.
import os from "node:os";
import type { Logger } from "../common/log.js";
import type { KubeConfig } from "./kubeconfig.js";
import { collectionPath, leaseResource } from "./resources.js";
import { ApiError, microTime, requestJson } from "./rest.js";

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  /** Unique per process; defaults to hostname_pid_random. */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading(): void;
  /** Called when leadership is lost; the caller should stop acting at once (usually exit). */
  onStoppedLeading(): void;
  log: Logger;
  /** The clock, for tests. */
  now?: () => number;
}

interface Lease {
  apiVersion: "coordination.k8s.io/v1";
  kind: "Lease";
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** A candidate's identity, unique per process: hostname_pid_random. */
export function defaultIdentity(): string {
  return `${os.hostname()}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

export class LeaderElector {
  readonly identity: string;
  private leading = false;
  private running = false;
  private lastRenew = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly now: () => number;
  private readonly path: string;

  constructor(
    private readonly kc: KubeConfig,
    private readonly options: LeaderElectionOptions,
  ) {
    this.identity = options.identity ?? defaultIdentity();
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.now = options.now ?? Date.now;
    this.path = collectionPath(leaseResource, options.namespace);
  }

  isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.tick();
  }

  /** Stops campaigning; a leader releases the lease so a follower takes over at once. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.read();
      if (lease?.spec.holderIdentity === this.identity) {
        lease.spec = {
          ...lease.spec,
          holderIdentity: "",
          leaseDurationSeconds: 1,
          renewTime: microTime(this.now()),
        };
        await this.write("PUT", lease);
      }
    } catch (err) {
      this.options.log.warn({ err }, "could not release the leader lease");
    }
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    let acquired = false;
    try {
      acquired = await this.tryAcquireOrRenew();
    } catch (err) {
      this.options.log.debug({ err }, "leader election attempt failed");
    }
    if (!this.running) return;
    const now = this.now();
    if (acquired) {
      this.lastRenew = now;
      if (!this.leading) {
        this.leading = true;
        this.options.log.info(
          { lease: this.options.name, identity: this.identity },
          "became leader",
        );
        this.options.onStartedLeading();
      }
    } else if (this.leading && now - this.lastRenew > this.renewDeadlineMs) {
      this.leading = false;
      this.options.log.error(
        { lease: this.options.name },
        "lost leadership: could not renew the lease",
      );
      this.options.onStoppedLeading();
    }
    this.timer = setTimeout(() => void this.tick(), this.retryPeriodMs);
  }

  private async read(): Promise<Lease | undefined> {
    try {
      return await requestJson<Lease>(this.kc, {
        method: "GET",
        path: `${this.path}/${this.options.name}`,
      });
    } catch (err) {
      if (err instanceof ApiError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  private write(method: "POST" | "PUT", lease: Lease): Promise<Lease> {
    const path = method === "POST" ? this.path : `${this.path}/${this.options.name}`;
    return requestJson<Lease>(this.kc, { method, path, body: lease });
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const nowMs = this.now();
    const now = microTime(nowMs);
    const durationSeconds = Math.ceil(this.leaseDurationMs / 1000);
    const lease = await this.read();
    if (!lease) {
      await this.write("POST", {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: this.options.name, namespace: this.options.namespace },
        spec: {
          holderIdentity: this.identity,
          leaseDurationSeconds: durationSeconds,
          acquireTime: now,
          renewTime: now,
          leaseTransitions: 0,
        },
      });
      return true;
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity;
    const renewedAt = spec.renewTime ? Date.parse(spec.renewTime) : 0;
    const expiresAt = renewedAt + (spec.leaseDurationSeconds ?? 0) * 1000;
    if (holder && holder !== this.identity && expiresAt > nowMs) return false;

    const takingOver = holder !== this.identity;
    lease.spec = {
      ...spec,
      holderIdentity: this.identity,
      leaseDurationSeconds: durationSeconds,
      renewTime: now,
      acquireTime: takingOver ? now : spec.acquireTime,
      leaseTransitions: (spec.leaseTransitions ?? 0) + (takingOver && holder !== undefined ? 1 : 0),
    };
    // PUT carries metadata.resourceVersion: a concurrent update fails with 409 Conflict.
    await this.write("PUT", lease);
    return true;
  }
}

export interface LeaderGatedOptions
  extends Omit<LeaderElectionOptions, "onStartedLeading" | "onStoppedLeading"> {
  /** Starts what only the leader runs; its stop aborts work in flight and waits for it. */
  start(): Promise<{ stop(): Promise<void> }>;
  /** After leadership is lost and what ran was stopped: another replica may act now (usually exit). */
  onLost(): void;
  /** `start` failed. */
  onFailed(err: unknown): void;
  /** How long losing leadership waits for work in flight before onLost; 2 s when unset. */
  lostGraceMs?: number;
}

/**
 * Runs `start` only while this process holds the lease. Losing the lease stops
 * it (aborting reconciles in flight), waiting at most lostGraceMs, well within
 * the lease duration a follower waits before taking over.
 */
export function whileLeader(
  kc: KubeConfig,
  options: LeaderGatedOptions,
): { stop(): Promise<void> } {
  let running: Promise<{ stop(): Promise<void> } | undefined> | undefined;
  const stopRunning = async () => {
    const current = await running;
    running = undefined;
    await current?.stop();
  };
  const elector = new LeaderElector(kc, {
    ...options,
    onStartedLeading: () => {
      running = options.start().catch((err: unknown) => {
        options.onFailed(err);
        return undefined;
      });
    },
    onStoppedLeading: () => {
      const grace = new Promise<void>((resolve) =>
        setTimeout(resolve, options.lostGraceMs ?? 2_000).unref(),
      );
      void Promise.race([stopRunning().catch(() => undefined), grace]).then(() => options.onLost());
    },
  });
  elector.start();
  return {
    async stop() {
      await stopRunning();
      await elector.stop();
    },
  };
}
