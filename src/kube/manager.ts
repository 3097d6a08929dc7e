// Runs a set of controllers and other long-running parts together, as
// controller-runtime's manager does: everything starts at once, and stopping
// aborts one signal and waits for each part to finish what it was doing.
import { setMaxListeners } from "node:events";
import type { Logger } from "../common/log.js";
import { type Controller, type RuntimeDeps, runController } from "./controller.js";

/** Something that is not a reconcile loop (a worker pool, a timer) run beside the controllers. */
export interface Runnable {
  readonly name: string;
  /** Runs until the signal aborts; resolves once stopped, work in flight finished. */
  run(signal: AbortSignal): Promise<void>;
}

export interface Manager {
  stop(): Promise<void>;
}

export function startManager(
  parts: readonly (Controller | Runnable)[],
  deps: RuntimeDeps,
): Manager {
  const abort = new AbortController();
  // Every part listens for the one signal (and some parts listen more than once): not a leak.
  setMaxListeners(parts.length * 4 + 10, abort.signal);
  const running = parts.map((part) => {
    if ("reconcile" in part) {
      const controller = runController(part, deps);
      return new Promise<void>((resolve, reject) =>
        abort.signal.addEventListener("abort", () => controller.stop().then(resolve, reject), {
          once: true,
        }),
      );
    }
    return part.run(abort.signal).catch((err: unknown) => {
      deps.log.error({ err, runnable: part.name }, "stopped with an error");
    });
  });
  return {
    async stop() {
      abort.abort();
      await Promise.all(running);
    },
  };
}

/** A runnable calling `tick` every `intervalMs`, one call at a time; a failing tick is logged. */
export function every(
  name: string,
  intervalMs: number,
  tick: () => void | Promise<void>,
  log: Logger,
): Runnable {
  return {
    name,
    run: (signal) =>
      new Promise<void>((resolve) => {
        let current: Promise<void> | undefined;
        const timer = setInterval(() => {
          if (current) return;
          current = (async () => tick())()
            .catch((err: unknown) => log.warn({ err, runnable: name }, "tick failed"))
            .finally(() => {
              current = undefined;
            });
        }, intervalMs);
        timer.unref();
        signal.addEventListener(
          "abort",
          () => {
            clearInterval(timer);
            void (current ?? Promise.resolve()).then(() => resolve());
          },
          { once: true },
        );
      }),
  };
}

/** Resolves once the signal aborts. */
export function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true }),
  );
}
