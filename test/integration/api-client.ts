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
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
}
