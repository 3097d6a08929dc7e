// Plain JSON requests to the API server. The generated clients convert objects
// into their typed models and back, which loses precision (a Lease's
// MicroTime becomes milliseconds, which the API server refuses) and turns
// timestamps into Dates; informers and the leader elector keep objects exactly
// as the API server sends them.
import https from "node:https";
import type { KubeConfig } from "./kubeconfig.js";
import { collectionPath, objectPath, type ResourceRef } from "./resources.js";

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  query?: Query;
  body?: unknown;
  /** For PATCH: application/merge-patch+json, application/apply-patch+yaml… */
  contentType?: string;
}

export async function requestJson<T>(kc: KubeConfig, req: RequestOptions): Promise<T> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error("kubeconfig has no current cluster");
  const url = new URL(server + req.path);
  for (const [k, v] of Object.entries(req.query ?? {})) {
    if (v !== undefined) url.searchParams.set(k, String(v));
  }
  const payload =
    req.body === undefined
      ? undefined
      : toJson(req.body, req.contentType?.endsWith("+yaml") ?? false);
  const headers: Record<string, string> = { Accept: "application/json" };
  if (payload !== undefined) {
    headers["Content-Type"] = req.contentType ?? "application/json";
    headers["Content-Length"] = String(Buffer.byteLength(payload));
  }
  const options: https.RequestOptions = { method: req.method, headers };
  kc.applyToHTTPSOptions(options);
  return new Promise<T>((resolve, reject) => {
    const request = https.request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          try {
            resolve((text ? JSON.parse(text) : undefined) as T);
          } catch (err) {
            reject(err);
          }
          return;
        }
        let message = text;
        let reason: string | undefined;
        try {
          const body = JSON.parse(text) as { message?: string; reason?: string };
          message = body.message ?? text;
          reason = body.reason;
        } catch {
          // Not a Status object.
        }
        reject(new ApiError(status, `${req.method} ${req.path}: ${status} ${message}`, reason));
      });
    });
    request.on("error", reject);
    request.end(payload);
  });
}

export function getJson<T>(kc: KubeConfig, path: string, query: Query = {}): Promise<T> {
  return requestJson<T>(kc, { method: "GET", path, query });
}

/** One object of a kind, by name (and namespace, for a namespaced kind). */
export function getObject<T>(
  kc: KubeConfig,
  ref: ResourceRef,
  name: string,
  namespace?: string,
): Promise<T> {
  return getJson<T>(kc, objectPath(ref, name, namespace));
}

/** Every object of a kind (in one namespace, when given, for a namespaced kind), or those a label selector picks. */
export async function listObjects<T>(
  kc: KubeConfig,
  ref: ResourceRef,
  namespace?: string,
  labelSelector?: string,
): Promise<T[]> {
  return (
    await getJson<{ items: T[] }>(
      kc,
      collectionPath(ref, namespace),
      labelSelector ? { labelSelector } : {},
    )
  ).items;
}

/** RFC 3339 with microseconds: the MicroTime format Leases and Events use. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/**
 * JSON as Go's encoder writes it: "<", ">", "&", U+2028 and U+2029 escaped.
 * The API server re-encodes an object that way when it applies a patch, so
 * embedded raw JSON (a ControllerRevision's data) sent any other way would seem
 * changed by a patch of its metadata, and be refused as immutable. A body the
 * server reads as YAML (server-side apply) also escapes the characters YAML
 * refuses (DEL, C1 controls, U+FFFE/U+FFFF) or folds (NEL, a line break to
 * YAML), which user text may hold.
 */
function toJson(body: unknown, yaml: boolean): string {
  const json = JSON.stringify(body).replace(goEscaped, escapeChar);
  return yaml ? json.replace(yamlRefused, escapeChar) : json;
}
const goEscaped = /[<>&\u2028\u2029]/g;
const yamlRefused = /[\u007f-\u009f\ufffe\uffff]/g;
const escapeChar = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
