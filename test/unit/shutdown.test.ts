import { describe, expect, it, vi } from "vitest";
import type { Logger } from "../../src/common/log.js";
import { Shutdown } from "../../src/common/shutdown.js";

function recordingLogger() {
  const lines: { level: string; obj: unknown; msg: string }[] = [];
  const at = (level: string) => (obj: unknown, msg: string) => lines.push({ level, obj, msg });
  const log = { warn: at("warn"), info: at("info"), debug: at("debug"), error: at("error") };
  return { log: log as unknown as Logger, lines };
}

describe("Shutdown", () => {
  it("stops hooks last-in first-out, and goes on after one fails", async () => {
    const { log, lines } = recordingLogger();
    const order: string[] = [];
    const s = new Shutdown(log);
    s.add("control plane", () => {
      order.push("control plane");
    });
    s.add("controller", () => {
      throw new Error("boom");
    });
    s.add("agent", () => {
      order.push("agent");
    });
    await s.stop();
    expect(order).toEqual(["agent", "control plane"]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "error",
        obj: expect.objectContaining({ name: "controller" }),
      }),
    );
  });

  it("names a hook that is slow to stop, so a user knows what a second signal would cut short", async () => {
    vi.useFakeTimers();
    try {
      const { log, lines } = recordingLogger();
      const s = new Shutdown(log);
      let finish!: () => void;
      s.add("agent", () => new Promise<void>((resolve) => (finish = resolve)));
      const stopping = s.stop();
      await vi.advanceTimersByTimeAsync(5_000);
      expect(lines).toContainEqual({
        level: "warn",
        obj: { name: "agent" },
        msg: "still stopping; send the signal again to exit now",
      });
      finish();
      await stopping;
      const warnings = lines.filter((l) => l.level === "warn").length;
      await vi.advanceTimersByTimeAsync(20_000);
      expect(lines.filter((l) => l.level === "warn")).toHaveLength(warnings);
    } finally {
      vi.useRealTimers();
    }
  });
});
