import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/common/log.js";
import { RotatingLogFile } from "../../../src/common/logfile.js";

const tmp = () => mkdtempSync(path.join(os.tmpdir(), "caravan-logfile-"));

describe("log_file with rotation", () => {
  it("rotates at log_rotate_bytes into name-<nanos>.log and keeps log_rotate_max_files", () => {
    const dir = tmp();
    let now = 1_000;
    const f = new RotatingLogFile({
      path: path.join(dir, "agent.log"),
      rotateBytes: 10,
      rotateDurationMs: 3600_000,
      rotateMaxFiles: 2,
      now: () => now,
    });
    for (const line of ["first 123\n", "second 12\n", "third 123\n", "fourth 12\n"]) {
      f.writeSync(line);
      now += 1;
    }
    const files = readdirSync(dir).sort();
    // Three rotations happened; only the two newest rotated files are kept.
    expect(files).toEqual(["agent-1002000000.log", "agent-1003000000.log", "agent.log"]);
    expect(readFileSync(path.join(dir, "agent.log"), "utf8")).toBe("fourth 12\n");
    expect(readFileSync(path.join(dir, "agent-1003000000.log"), "utf8")).toBe("third 123\n");
  });

  it("rotates when log_rotate_duration has passed, and writes nomad.log in a directory path", () => {
    const dir = tmp();
    let now = 5_000;
    const f = new RotatingLogFile({
      path: `${dir}/logs/`,
      rotateBytes: 0,
      rotateDurationMs: 60_000,
      rotateMaxFiles: 0,
      now: () => now,
    });
    f.writeSync("a\n");
    now += 30_000;
    f.writeSync("b\n");
    now += 30_000;
    f.writeSync("c\n");
    expect(readdirSync(path.join(dir, "logs")).sort()).toEqual([
      "nomad-65000000000.log",
      "nomad.log",
    ]);
    expect(readFileSync(path.join(dir, "logs", "nomad.log"), "utf8")).toBe("c\n");
  });

  it("gets every log line the agent writes, as on stderr", async () => {
    const dir = tmp();
    const lines: string[] = [];
    const { Writable } = await import("node:stream");
    const stderr = new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const file = path.join(dir, "nomad.log");
    const log = createLogger({
      level: "info",
      json: true,
      destination: stderr,
      file: { path: file, rotateBytes: 0, rotateDurationMs: 3600_000, rotateMaxFiles: 0 },
    });
    log.info({ component: "agent" }, "started");
    await new Promise((r) => setTimeout(r, 50));
    const written = readFileSync(file, "utf8");
    expect(JSON.parse(written)).toMatchObject({ msg: "started", component: "agent" });
    expect(lines.join("")).toBe(written);
  });
});
