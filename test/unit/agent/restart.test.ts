import { describe, expect, it } from "vitest";
import { decideRestart } from "../../../src/agent/restart.js";
import { defaultRestartPolicy } from "../../../src/crds/job/defaults.js";

const now = 10_000_000;

describe("restart policy", () => {
  it("uses Nomad's defaults per job type", () => {
    expect(defaultRestartPolicy("service")).toEqual({
      attempts: 2,
      interval: "30m",
      delay: "15s",
      mode: "fail",
      renderTemplates: false,
    });
    expect(defaultRestartPolicy("batch")).toEqual({
      attempts: 3,
      interval: "24h",
      delay: "15s",
      mode: "fail",
      renderTemplates: false,
    });
  });

  it("does not restart a batch task that succeeded, but restarts a service task whatever its exit", () => {
    expect(decideRestart("batch", undefined, true, [], now).restart).toBe(false);
    expect(decideRestart("service", undefined, true, [], now)).toMatchObject({
      restart: true,
      delayMs: 15_000,
    });
  });

  it("restarts within attempts per interval, then fails in mode fail", () => {
    const policy = { attempts: 2, interval: "1m", delay: "1s", mode: "fail" as const };
    expect(decideRestart("service", policy, false, [], now)).toMatchObject({
      restart: true,
      delayMs: 1_000,
    });
    expect(decideRestart("service", policy, false, [now - 5_000], now).restart).toBe(true);
    const exhausted = decideRestart("service", policy, false, [now - 5_000, now - 2_000], now);
    expect(exhausted.restart).toBe(false);
    expect(exhausted.reason).toBe('Exceeded allowed attempts 2 in interval 1m and mode is "fail"');
    // Restarts older than the interval no longer count.
    expect(
      decideRestart("service", policy, false, [now - 120_000, now - 90_000], now).restart,
    ).toBe(true);
  });

  it("in mode delay waits until the interval lets it try again", () => {
    const policy = { attempts: 1, interval: "1m", delay: "1s", mode: "delay" as const };
    const d = decideRestart("batch", policy, false, [now - 20_000], now);
    expect(d).toMatchObject({ restart: true, delayMs: 40_000 });
  });
});
