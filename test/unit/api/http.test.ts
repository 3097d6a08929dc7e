import { describe, expect, it } from "vitest";
import { parseJson } from "../../../src/http/body.js";
import type { Route } from "../../../src/http/context.js";
import { HttpError } from "../../../src/http/errors.js";
import { paginate, parseQuery, queryBool } from "../../../src/http/query.js";
import { Router } from "../../../src/http/router.js";

const route = (method: Route["method"], path: string): Route => ({
  method,
  path,
  acl: "anonymous",
  handle: () => ({ body: path }),
});

function status(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof HttpError ? err.status : -1;
  }
  return undefined;
}

describe("router", () => {
  it("refuses a route that declares no ACL requirement, or one it does not know", () => {
    const r = new Router();
    const bare = { method: "GET", path: "/v1/new", handle: () => ({}) } as unknown as Route;
    expect(() => r.add(bare)).toThrow(/GET \/v1\/new declares no valid ACL requirement/);
    expect(() => r.add({ ...route("GET", "/v1/x"), acl: "ns:" as Route["acl"] })).toThrow();
    expect(() => r.add({ ...route("GET", "/v1/y"), acl: [] })).toThrow();
    r.add({ ...route("GET", "/v1/z"), acl: ["ns:scale-job", "ns:list-jobs+read-job"] });
  });

  const r = new Router();
  for (const x of [
    route("GET", "/v1/jobs"),
    route("POST", "/v1/jobs"),
    route("GET", "/v1/job/:id*/allocations"),
    route("POST", "/v1/job/:id*/scale"),
    route("GET", "/v1/job/:id*/scale"),
    route("GET", "/v1/job/:id*"),
    route("DELETE", "/v1/job/:id*"),
    route("GET", "/v1/allocation/:id"),
    route("PUT", "/v1/system/gc"),
  ])
    r.add(x);

  it("matches exact paths, parameters and job IDs with slashes", () => {
    expect(r.match("GET", "/v1/jobs").route.method).toBe("GET");
    expect(r.match("PUT", "/v1/jobs").route.method).toBe("POST");
    expect(r.match("POST", "/v1/system/gc").route.path).toBe("/v1/system/gc");
    expect(r.match("GET", "/v1/job/web").params).toEqual({ id: "web" });
    const child = r.match("GET", "/v1/job/report/dispatch-1-ab/allocations");
    expect([child.route.path, child.params.id]).toEqual([
      "/v1/job/:id*/allocations",
      "report/dispatch-1-ab",
    ]);
    expect(r.match("GET", "/v1/job/a%2Fb").params.id).toBe("a/b");
    expect(r.match("POST", "/v1/job/web/scale").route.method).toBe("POST");
    expect(r.match("GET", "/v1/job/web/scale").route.method).toBe("GET");
    expect(r.match("GET", "/v1/allocation/abc").params.id).toBe("abc");
  });

  it("answers 404 for unknown paths, 405 for known paths with another method, 400 for bad escapes", () => {
    expect(status(() => r.match("GET", "/v1/nope"))).toBe(404);
    expect(status(() => r.match("GET", "/v1/allocation/a/b"))).toBe(404);
    expect(status(() => r.match("DELETE", "/v1/jobs"))).toBe(405);
    expect(status(() => r.match("DELETE", "/v1/job/web/allocations"))).toBe(405);
    expect(status(() => r.match("GET", "/v1/job/%ff"))).toBe(400);
  });

  it("answers a Nomad path it does not serve with the reason, when no route takes it", () => {
    const withReasons = new Router([
      { prefix: "/v1/vars", status: 404, message: "variables are not implemented yet" },
      { prefix: "/v1/quota", status: 501, message: "Nomad Enterprise only endpoint" },
    ]);
    withReasons.add({
      method: "GET",
      path: "/v1/vars/special",
      acl: "anonymous",
      handle: () => ({}),
    });
    const answer = (path: string) => {
      try {
        withReasons.match("GET", path);
        return "served";
      } catch (err) {
        return `${(err as HttpError).status} ${(err as Error).message}`;
      }
    };
    expect(answer("/v1/vars")).toBe("404 variables are not implemented yet");
    expect(answer("/v1/vars/a/b")).toBe("404 variables are not implemented yet");
    expect(answer("/v1/vars/special")).toBe("served");
    expect(answer("/v1/quota/x")).toBe("501 Nomad Enterprise only endpoint");
    expect(answer("/v1/quota-usages")).toBe("404 Invalid URL path");
    expect(answer("/v1/varsity")).toBe("404 Invalid URL path");
  });
});

describe("query options", () => {
  const q = (s: string) => parseQuery(new URLSearchParams(s), () => 0);

  it("reads namespace, blocking and paging options", () => {
    expect(q("")).toMatchObject({ namespace: "default", allNamespaces: false, waitMs: 300_000 });
    expect(q("namespace=*").allNamespaces).toBe(true);
    expect(q("index=42&wait=10s")).toMatchObject({ minIndex: 42, waitMs: 10_000 });
    expect(q("wait=5000").waitMs).toBe(5000);
    expect(q("wait=1h").waitMs).toBe(600_000);
    expect(q("per_page=5&next_token=b")).toMatchObject({ perPage: 5, nextToken: "b" });
    expect(parseQuery(new URLSearchParams("wait=16s"), () => 0.999).waitMs).toBe(16_999);
  });

  it.each(["index=-1", "index=x", "wait=soon", "per_page=1.5", "filter=Status%20%3D"])(
    "refuses %s with a 400",
    (s) => {
      expect(status(() => q(s))).toBe(400);
    },
  );

  it("reads a boolean as Go's strconv.ParseBool does (python-nomad sends True)", () => {
    const b = (s: string) => queryBool(new URLSearchParams(s), "purge");
    expect(["purge=true", "purge=True", "purge=1", "purge=t", "purge=TRUE"].map(b)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(["purge=false", "purge=False", "purge=0", "purge=F"].map(b)).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(b("")).toBeUndefined();
    expect(b("purge=")).toBeUndefined();
    expect(() => b("purge=yes")).toThrow(
      'Failed to parse value of "purge" (yes) as a bool: strconv.ParseBool: parsing "yes": invalid syntax',
    );
    expect(status(() => q("reverse=nope"))).toBe(400);
    expect(q("reverse=True").reverse).toBe(true);
  });

  it("pages by key with a next token", () => {
    const items = ["a", "b", "c", "d", "e"];
    const opts = (perPage?: number, nextToken?: string) => ({
      ...q(""),
      ...(perPage ? { perPage } : {}),
      ...(nextToken ? { nextToken } : {}),
    });
    expect(paginate(items, (x) => x, opts(2))).toEqual({ page: ["a", "b"], nextToken: "c" });
    expect(paginate(items, (x) => x, opts(2, "c"))).toEqual({ page: ["c", "d"], nextToken: "e" });
    expect(paginate(items, (x) => x, opts(2, "e"))).toEqual({ page: ["e"] });
    expect(paginate(items, (x) => x, opts(undefined, "bb"))).toEqual({ page: ["c", "d", "e"] });
    expect(paginate(items, (x) => x, opts(2, "z"))).toEqual({ page: [] });
  });
});

describe("request bodies", () => {
  it("parses JSON and refuses what is not, naming why", () => {
    expect(parseJson(Buffer.from('{"a": [1]}'))).toEqual({ a: [1] });
    expect(parseJson(Buffer.alloc(0))).toBeUndefined();
    const message = (b: Buffer) => {
      try {
        parseJson(b);
      } catch (err) {
        return (err as Error).message;
      }
      return "";
    };
    expect(message(Buffer.from("{"))).toMatch(/^Failed to decode request body: /);
    expect(message(Buffer.from([0x22, 0xff, 0x22]))).toBe(
      "Failed to decode request body: not valid UTF-8",
    );
    expect(message(Buffer.from("[".repeat(70) + "]".repeat(70)))).toBe(
      "Failed to decode request body: nested deeper than 64 levels",
    );
    expect(parseJson(Buffer.from("[".repeat(60) + "]".repeat(60)))).toBeDefined();
  });
});
