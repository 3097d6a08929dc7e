// A watch request: one long GET whose body is a stream of JSON lines, each a
// watch event ({type, object}). Resolves when the server ends the stream,
// rejects on a connection error, and stops quietly when aborted.
import https from "node:https";
import { readLines } from "../common/lines.js";
import type { KubeConfig } from "./kubeconfig.js";
import { ApiError, type Query } from "./rest.js";

export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: unknown;
}

export function watchStream(
  kc: KubeConfig,
  path: string,
  query: Query,
  onEvent: (event: WatchEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) return Promise.reject(new Error("kubeconfig has no current cluster"));
  const url = new URL(server + path);
  for (const [k, v] of Object.entries(query))
    if (v !== undefined) url.searchParams.set(k, String(v));
  url.searchParams.set("watch", "true");
  const options: https.RequestOptions = {
    method: "GET",
    headers: { Accept: "application/json" },
    signal,
  };
  kc.applyToHTTPSOptions(options);
  return new Promise<void>((resolve, reject) => {
    const done = (err?: unknown) => {
      if (signal.aborted || !err) resolve();
      else reject(err);
    };
    const request = https.request(url, options, (res) => {
      if ((res.statusCode ?? 0) >= 300) {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          done(
            new ApiError(
              res.statusCode ?? 0,
              `WATCH ${path}: ${res.statusCode} ${Buffer.concat(chunks).toString("utf8")}`,
            ),
          ),
        );
        return;
      }
      readLines(res, (line) => onEvent(JSON.parse(line) as WatchEvent));
      res.on("end", () => done());
      res.on("error", done);
    });
    request.on("error", done);
    request.end();
  });
}
