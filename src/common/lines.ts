// Newline-delimited streams (a Kubernetes watch, the log monitor's socket):
// each complete line handed on as it arrives, text after the last newline kept
// until the rest of its line comes.
import type { Readable } from "node:stream";

/**
 * Calls `onLine` with each non-blank line of `stream`, without its newline. A
 * line `onLine` throws on ends the reading: the stream is destroyed with that
 * error, and the lines after it are not read.
 */
export function readLines(stream: Readable, onLine: (line: string) => void): void {
  let buffered = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    buffered += chunk;
    for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!line.trim()) continue;
      try {
        onLine(line);
      } catch (err) {
        stream.destroy(err as Error);
        return;
      }
    }
  });
}
