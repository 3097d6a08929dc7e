// The server's one ACL check: a route's declared requirement against a token's
// compiled policies, with Nomad's rules for alternatives, both-of, the
// addressed object's namespace, namespace=* and node pools.
import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { compileAcl, managementAcl } from "../../../src/acl/acl.js";
import { parsePolicy } from "../../../src/acl/policy.js";
import { authorize } from "../../../src/http/authorize.js";
import type { Access, Ctx, RequestToken, Route } from "../../../src/http/context.js";
import { parseQuery } from "../../../src/http/query.js";

function aclOf(rules: string) {
  const r = parsePolicy(rules);
  if (!r.ok) throw new Error(r.error);
  return compileAcl([r.policy]);
}

const token: RequestToken = {
  accessorID: "a",
  name: "t",
  type: "client",
  policies: [],
  objectName: "t",
};

function allowed(
  acl: Access | readonly Access[],
  rules: string | "management",
  opts: {
    query?: string;
    params?: Record<string, string>;
    objectNs?: string | null;
    body?: unknown;
  } = {},
): boolean {
  const query = new URLSearchParams(opts.query ?? "");
  const route: Route = {
    method: "GET",
    path: "/v1/x",
    acl,
    ...(opts.objectNs !== undefined ? { aclNamespace: () => opts.objectNs ?? undefined } : {}),
    handle: () => ({}),
  };
  const ctx: Ctx = {
    method: "GET",
    params: opts.params ?? {},
    query,
    opts: parseQuery(query),
    acl: rules === "management" ? managementAcl : aclOf(rules),
    token: rules === "" ? undefined : token,
    body: opts.body,
    req: {} as IncomingMessage,
    res: {} as ServerResponse,
  };
  try {
    authorize(route, ctx);
    return true;
  } catch (err) {
    expect((err as Error).message).toBe("Permission denied");
    return false;
  }
}

describe("authorize", () => {
  it("checks a namespace capability in the request's namespace", () => {
    const rules = 'namespace "prod" { capabilities = ["read-job"] }';
    expect(allowed("ns:read-job", rules, { query: "namespace=prod" })).toBe(true);
    expect(allowed("ns:read-job", rules)).toBe(false);
    expect(allowed("ns:submit-job", rules, { query: "namespace=prod" })).toBe(false);
    expect(allowed("ns:submit-job", "management", { query: "namespace=prod" })).toBe(true);
  });

  it("takes any of a list, and both halves of a+b", () => {
    const scale = 'namespace "default" { capabilities = ["scale-job"] }';
    expect(allowed(["ns:scale-job", "ns:submit-job"], scale)).toBe(true);
    expect(allowed("ns:submit-job", scale)).toBe(false);
    const listOnly = 'namespace "default" { capabilities = ["list-jobs"] }';
    const both = 'namespace "default" { capabilities = ["list-jobs", "read-job"] }';
    expect(allowed("ns:list-jobs+read-job", listOnly)).toBe(false);
    expect(allowed("ns:list-jobs+read-job", both)).toBe(true);
  });

  it("checks in the addressed object's namespace, and leaves an unknown object to the handler's 404", () => {
    const rules = 'namespace "prod" { capabilities = ["alloc-lifecycle"] }';
    expect(allowed("ns:alloc-lifecycle", rules, { objectNs: "prod" })).toBe(true);
    expect(allowed("ns:alloc-lifecycle", rules, { objectNs: "dev", query: "namespace=prod" })).toBe(
      false,
    );
    expect(allowed("ns:alloc-lifecycle", "", { objectNs: null })).toBe(true);
  });

  it("allows namespace=* when some namespace rule grants the capability, as Nomad does", () => {
    expect(
      allowed("ns:list-jobs", 'namespace "a" { policy = "read" }', { query: "namespace=*" }),
    ).toBe(true);
    expect(
      allowed("ns:list-jobs", 'namespace "a" { policy = "deny" }', { query: "namespace=*" }),
    ).toBe(false);
    expect(allowed("ns:list-jobs", "", { query: "namespace=*" })).toBe(false);
  });

  it("checks node, agent and operator rules (write includes read) and node pools by name", () => {
    expect(allowed("node:read", 'node { policy = "write" }')).toBe(true);
    expect(allowed("node:write", 'node { policy = "read" }')).toBe(false);
    expect(allowed("agent:read", 'node { policy = "write" }')).toBe(false);
    const pool = 'node_pool "gpu" { policy = "read" }';
    expect(allowed("pool:read", pool, { params: { name: "gpu" } })).toBe(true);
    expect(allowed("pool:read", pool, { params: { name: "default" } })).toBe(false);
    expect(allowed("pool:read", 'node { policy = "write" }', { params: { name: "gpu" } })).toBe(
      false,
    );
  });

  it("checks node pool writes on the pool the body names, and deletes on the path's", () => {
    const writer = 'node_pool "gpu-*" { capabilities = ["write"] }';
    expect(allowed("pool:write", writer, { body: { Name: "gpu-a" } })).toBe(true);
    expect(allowed("pool:write", writer, { body: { Name: "cpu" } })).toBe(false);
    expect(
      allowed("pool:write", 'node_pool "gpu-a" { policy = "read" }', { body: { Name: "gpu-a" } }),
    ).toBe(false);
    // A write to /v1/node/pool/:name is checked on the path's pool, whatever the body says.
    expect(
      allowed("pool:write", writer, { params: { name: "cpu" }, body: { Name: "gpu-a" } }),
    ).toBe(false);
    expect(allowed("pool:delete", writer, { params: { name: "gpu-a" } })).toBe(false);
    expect(
      allowed("pool:delete", 'node_pool "*" { policy = "write" }', { params: { name: "gpu-a" } }),
    ).toBe(true);
    expect(allowed("pool:write", writer, { body: "not an object" })).toBe(false);
  });

  it("lets anyone through anonymous and filtered routes, tokens through token routes, and only management through management ones", () => {
    expect(allowed("anonymous", "")).toBe(true);
    expect(allowed("filtered", "")).toBe(true);
    expect(allowed("token", "")).toBe(false);
    expect(allowed("token", 'node { policy = "read" }')).toBe(true);
    const everything =
      'namespace "*" { policy = "write" }\nnode { policy = "write" }\nagent { policy = "write" }\noperator { policy = "write" }';
    expect(allowed("management", everything)).toBe(false);
    expect(allowed("management", "management")).toBe(true);
  });
});
