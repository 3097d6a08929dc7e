// Batches allocation status writes, as Nomad's client batches its updates to
// the servers: the latest status of each allocation wins, pending writes are
// flushed every `flushMs` with a cap on requests in flight, and one
// allocation never has two writes racing.
import PQueue from "p-queue";

export interface StatusBatcherOptions<T> {
  flushMs?: number;
  concurrency?: number;
  write(target: T, status: unknown): Promise<void>;
  onError?(target: T, err: unknown): void;
}

export class StatusBatcher<T> {
  private pending = new Map<string, { target: T; status: unknown }>();
  private readonly inFlight = new Set<string>();
  private readonly queue: PQueue;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Writes done, for tests and measurements. */
  writes = 0;

  constructor(private readonly options: StatusBatcherOptions<T>) {
    this.queue = new PQueue({ concurrency: options.concurrency ?? 16 });
  }

  update(key: string, target: T, status: unknown): void {
    this.pending.set(key, { target, status });
    if (!this.timer && !this.stopped)
      this.timer = setTimeout(() => this.flush(), this.options.flushMs ?? 200);
  }

  private flush(): void {
    this.timer = undefined;
    for (const [key, entry] of this.pending) {
      if (this.inFlight.has(key)) continue; // written next flush, after the one in flight
      this.pending.delete(key);
      this.inFlight.add(key);
      void this.queue
        .add(async () => {
          try {
            await this.options.write(entry.target, entry.status);
            this.writes++;
          } catch (err) {
            this.options.onError?.(entry.target, err);
            // Try again unless a newer status replaced it meanwhile.
            if (!this.pending.has(key) && !this.stopped) this.pending.set(key, entry);
          } finally {
            this.inFlight.delete(key);
          }
        })
        .then(() => {
          if (this.pending.size > 0 && !this.timer && !this.stopped)
            this.timer = setTimeout(() => this.flush(), this.options.flushMs ?? 200);
        });
    }
  }

  /** Writes what is pending, then stops. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.queue.onIdle();
    this.flush();
    this.stopped = true;
    await this.queue.onIdle();
  }
}
