import { describe, expect, it } from "vitest";
import { logFileName, logIndexes } from "../../../src/agent/logs/files.js";

describe("log file names", () => {
  it("names files <task>.<stream>.<N> as Nomad does", () => {
    expect(logFileName("web", "stderr", 3)).toBe("web.stderr.3");
  });

  it("finds one stream's indexes in numeric order, ignoring other tasks and FIFOs", () => {
    const names = [
      "web.stdout.10",
      "web.stdout.2",
      "web.stderr.0",
      "web-2.stdout.0",
      ".web.stdout.fifo",
      "web.stdout.x",
    ];
    expect(logIndexes(names, "web", "stdout")).toEqual([2, 10]);
    expect(logIndexes(names, "web", "stderr")).toEqual([0]);
  });
});
