// Runs a reconcile function over a work queue with bounded concurrency, the
// way controller-runtime does: reconcile(key) reads current state and makes
// the world match; an error requeues with backoff; a TerminalError is
// recorded and not retried; `requeueAfterMs` schedules a later look.
import PQueue from "p-queue";
import type { Logger } from "../common/log.js";
import type { WorkQueue } from "./workqueue.js";

export interface ReconcileResult {
  requeueAfterMs?: number;
}

export type Reconcile = (key: string) => Promise<ReconcileResult | undefined>;

/** A failure retrying cannot fix (a bad spec); the reconciler records it on the object. */
export class TerminalError extends Error {}

export interface ControllerOptions {
  name: string;
  queue: WorkQueue;
  reconcile: Reconcile;
  concurrency?: number;
  log: Logger;
}

export interface RunningController {
  /** Stops taking keys and waits for reconciles in flight. */
  stop(): Promise<void>;
}

export function runController(options: ControllerOptions): RunningController {
  const { queue, reconcile, name } = options;
  const log = options.log.child({ controller: name });
  const workers = new PQueue({ concurrency: options.concurrency ?? 1 });

  const processKey = async (key: string) => {
    try {
      const result = await reconcile(key);
      queue.forget(key);
      if (result?.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
    } catch (err) {
      if (err instanceof TerminalError) {
        queue.forget(key);
        log.warn({ key, err }, "reconcile failed; not retrying");
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
      await workers.onSizeLessThan(1);
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
      queue.shutdown();
      await loop;
      await workers.onIdle();
    },
  };
}
