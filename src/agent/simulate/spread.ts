// Runs an action for each of `count` items once per period, spread evenly
// over the period instead of all at once: 1000 lease renewals every 10 s
// become 100 a second, a few every tick, with a cap on requests in flight.
// An item whose previous run has not finished is skipped for that turn.
import PQueue from "p-queue";

export interface SpreadOptions {
  count: number;
  periodMs: number;
  concurrency: number;
  tickMs?: number;
  action(index: number): Promise<void>;
  onError?(index: number, err: unknown): void;
}

export class Spread {
  private timer: NodeJS.Timeout | undefined;
  private readonly queue: PQueue;
  private readonly busy = new Set<number>();
  private started = 0;
  /** Runs started since `started`, over all periods. */
  private issued = 0;

  constructor(private readonly options: SpreadOptions) {
    this.queue = new PQueue({ concurrency: options.concurrency });
  }

  start(now = Date.now()): void {
    this.started = now;
    this.issued = 0;
    this.timer = setInterval(() => this.tick(Date.now()), this.options.tickMs ?? 100);
  }

  /** Queues the items due by `now`. */
  tick(now: number): void {
    const { count, periodMs } = this.options;
    if (count === 0) return;
    const due = Math.floor(((now - this.started) * count) / periodMs);
    for (; this.issued < due; this.issued++) {
      const index = this.issued % count;
      if (this.busy.has(index)) continue;
      this.busy.add(index);
      void this.queue
        .add(() => this.options.action(index))
        .catch((err: unknown) => this.options.onError?.(index, err))
        .finally(() => this.busy.delete(index));
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.queue.clear();
    await this.queue.onIdle();
  }
}
