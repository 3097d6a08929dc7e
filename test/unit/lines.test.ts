import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { readLines } from "../../src/common/lines.js";

describe("readLines", () => {
  it("hands on whole lines as they complete, across chunks, skipping blank ones", () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    readLines(stream, (line) => lines.push(line));
    stream.write('{"a":');
    expect(lines).toEqual([]);
    stream.write('1}\n\n  \n{"b":2}\n{"c"');
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
    stream.write(":3}\n");
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it("keeps characters whose bytes arrive in different chunks", () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    readLines(stream, (line) => lines.push(line));
    const bytes = Buffer.from("é€\n");
    stream.write(bytes.subarray(0, 1));
    stream.write(bytes.subarray(1, 4));
    stream.write(bytes.subarray(4));
    expect(lines).toEqual(["é€"]);
  });

  it("ends the stream with the error of a line it cannot take, reading no further", async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    readLines(stream, (line) => {
      lines.push(line);
      JSON.parse(line);
    });
    const failed = new Promise<Error>((resolve) => stream.on("error", resolve));
    stream.write('{"a":1}\nnot json\n{"b":2}\n');
    expect((await failed).name).toBe("SyntaxError");
    expect(stream.destroyed).toBe(true);
    expect(lines).toEqual(['{"a":1}', "not json"]);
  });
});
