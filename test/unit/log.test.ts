import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/common/log.js";

function collector() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

describe("logs", () => {
  it("writes JSON lines with --log-json", () => {
    const { lines, stream } = collector();
    const log = createLogger({ level: "info", json: true, destination: stream });
    log.info({ alloc: "web.frontend[0]" }, "task started");
    log.debug("not at info level");
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] ?? "");
    expect(record).toMatchObject({ level: 30, msg: "task started", alloc: "web.frontend[0]" });
    expect(Date.parse(record.time)).not.toBeNaN();
  });

  it("writes one readable line per record otherwise, Nomad style", () => {
    const { lines, stream } = collector();
    const log = createLogger({ level: "debug", json: false, destination: stream });
    log.child({ component: "dev" }).warn({ port: 4646 }, "port in use");
    log.error({ err: new Error("boom") }, "failed");
    expect(lines[0]).toMatch(/^\S+Z \[WARN\]\s+dev: port in use: port=4646$/);
    expect(lines[1]).toMatch(/\[ERROR\]\s+failed error="boom"$/);
  });
});
