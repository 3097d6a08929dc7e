import { describe, expect, it } from "vitest";
import { logFileName, logIndexes } from "../../../src/agent/logs/files.js";
import { lastLines } from "../../../src/agent/logs/reader.js";

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

describe("last lines", () => {
  const text = Buffer.from("one\ntwo\nthree\n");
  it("keeps the last n lines, a final newline not counting as a line", () => {
    expect(lastLines(text, 2).toString()).toBe("two\nthree\n");
    expect(lastLines(text, 10).toString()).toBe("one\ntwo\nthree\n");
    expect(lastLines(Buffer.from("a\nb"), 1).toString()).toBe("b");
    expect(lastLines(text, 0).toString()).toBe("");
  });
});
