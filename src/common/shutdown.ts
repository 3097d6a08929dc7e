// Graceful shutdown: the first SIGINT/SIGTERM runs the registered stop hooks in
// reverse order of registration (last started, first stopped); a second signal
// exits at once, as Nomad's agent does.
import type { Logger } from "./log.js";

const slowHookMs = 5000;

export type StopHook = () => Promise<void> | void;

export class Shutdown {
  private readonly hooks: { name: string; stop: StopHook }[] = [];
  private stopping: Promise<void> | undefined;
  private readonly signalled: Promise<NodeJS.Signals>;
  private resolveSignal!: (signal: NodeJS.Signals) => void;

  constructor(private readonly log: Logger) {
    this.signalled = new Promise((resolve) => {
      this.resolveSignal = resolve;
    });
  }

  /** Register something to stop; hooks run last-in, first-out. */
  add(name: string, stop: StopHook): void {
    this.hooks.push({ name, stop });
  }

  /** Listen for SIGINT and SIGTERM. */
  listen(): void {
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.stopping) {
        this.log.warn({ signal }, "second signal: exiting now");
        process.exit(130);
      }
      this.log.info({ signal }, "caught signal, shutting down");
      this.resolveSignal(signal);
      void this.stop();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }

  /** True once stopping has begun: an exit seen after this is expected. */
  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  /** Resolves with the signal that asked us to stop; keeps the process alive until then. */
  async waitForSignal(): Promise<NodeJS.Signals> {
    // Signal listeners alone do not keep Node's event loop running.
    const keepAlive = setInterval(() => {}, 1 << 30);
    try {
      return await this.signalled;
    } finally {
      clearInterval(keepAlive);
    }
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const { name, stop } of [...this.hooks].reverse()) {
        // A slow hook says what it is waiting for, and that a second signal exits at once.
        const slow = setInterval(
          () => this.log.warn({ name }, "still stopping; send the signal again to exit now"),
          slowHookMs,
        );
        try {
          await stop();
          this.log.debug({ name }, "stopped");
        } catch (err) {
          this.log.error({ name, err }, "error while stopping");
        } finally {
          clearInterval(slow);
        }
      }
    })();
    return this.stopping;
  }
}
