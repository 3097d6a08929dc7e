// Coalesces one allocation's status writes, as Nomad's client batches its
// allocation updates: a change is sent at most every `intervalMs`, carrying
// the latest state, so a burst of task events costs one API write. flush()
// sends the latest state now (the final state is never left behind).
export class StatusBatcher {
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private sending: Promise<void> = Promise.resolve();
  private lastSent = 0;

  constructor(
    private readonly send: () => Promise<void>,
    private readonly intervalMs = 200,
    private readonly now: () => number = Date.now,
  ) {}

  /** Marks the status changed; it is sent within intervalMs. */
  update(): void {
    this.dirty = true;
    if (this.timer) return;
    const wait = Math.max(0, this.lastSent + this.intervalMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, wait);
  }

  /** Sends the latest status now (after any write in flight); resolves when it is written. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.sending = this.sending.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      this.lastSent = this.now();
      await this.send();
    });
    return this.sending;
  }
}
