// Exponential backoff with jitter, for retries against the API server.
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
  ) {}

  next(): number {
    const exp = Math.min(this.maxMs, this.baseMs * 2 ** this.attempt);
    this.attempt++;
    // Up to 20% jitter so many clients do not retry in lockstep.
    return Math.round(exp * (0.8 + Math.random() * 0.2));
  }

  reset(): void {
    this.attempt = 0;
  }
}
