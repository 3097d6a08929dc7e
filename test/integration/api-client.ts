import http from "node:http";
import { kubectlOk } from "../support/kubectl.js";
// A tiny client for the API tests: method, path, optional JSON body and token;
// returns status, headers and the body as text and (when it is JSON) parsed.
export interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read Nomad's JSON loosely.
  json: any;
}

export function apiClient(base: string) {
  return async (
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    raw?: string | Buffer,
  ): Promise<ApiAnswer> => {
    const headers: Record<string, string> = {};
    if (token) headers["X-Nomad-Token"] = token;
    const payload = raw ?? (body === undefined ? undefined : JSON.stringify(body));
    if (payload !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(base + path, {
      method,
      headers,
      ...(payload === undefined
        ? {}
        : { body: typeof payload === "string" ? payload : new Uint8Array(payload) }),
    });
    // The event stream never ends: a caller going through every route reads its first frame.
    const text =
      path.startsWith("/v1/event/stream") && res.ok ? await firstChunk(res) : await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
}

async function firstChunk(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return "";
  const { value } = await reader.read();
  await reader.cancel();
  return new TextDecoder().decode(value);
}

/**
 * POSTs `bytes` bytes of JSON-ish text, declared up front or chunked, and
 * resolves with the status the server answers; the server may close the
 * connection before the body is sent, so write errors after the answer are
 * expected.
 */
export function postOversized(url: string, bytes: number, chunked: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: "POST",
        headers: chunked ? { "Content-Type": "application/json" } : { "Content-Length": bytes },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", (err) => {
      // Refused mid-body: the answer has arrived, or the test fails on the status.
      if (
        (err as NodeJS.ErrnoException).code !== "EPIPE" &&
        (err as NodeJS.ErrnoException).code !== "ECONNRESET"
      )
        reject(err);
    });
    const chunk = Buffer.alloc(64 * 1024, "x");
    let sent = 0;
    const pump = () => {
      while (sent < bytes && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

/**
 * Applies a NomadACLToken and the Secret holding its secret with kubectl, as
 * GitOps would: the way to a management token once the cluster's one ACL
 * bootstrap may be spent. Both are named `name`; the Secret lives in `namespace`.
 */
export async function applyToken(
  kubeconfig: string,
  token: { name: string; namespace: string; secretID: string; spec: Record<string, unknown> },
): Promise<void> {
  const { name, namespace } = token;
  await kubectlOk(
    kubeconfig,
    ["apply", "-f", "-"],
    JSON.stringify({
      apiVersion: "v1",
      kind: "List",
      items: [
        {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name, namespace },
          stringData: { secretID: token.secretID },
        },
        {
          apiVersion: "caravan.dev/v1alpha1",
          kind: "NomadACLToken",
          metadata: { name },
          spec: { ...token.spec, secretRef: { name, namespace } },
        },
      ],
    }),
  );
}
