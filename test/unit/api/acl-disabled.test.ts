// With ACLs off, Nomad answers every /v1/acl endpoint with 400 "ACL support
// disabled", whatever the request: the ACL routes refuse before reading a
// cache or writing an object.
import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { managementAcl } from "../../../src/acl/acl.js";
import { aclRoutes } from "../../../src/api/routes/acl/index.js";
import type { RouteDeps } from "../../../src/api/routes/deps.js";
import { defaultAgentConfig } from "../../../src/config/agent-config.js";
import type { Ctx } from "../../../src/http/context.js";
import { HttpError } from "../../../src/http/errors.js";
import { parseQuery } from "../../../src/http/query.js";

describe("ACL routes with ACLs off", () => {
  it("answer 400 ACL support disabled on every route", async () => {
    // Nothing but the switch: a route that reached for anything else would fail otherwise.
    const deps = { config: defaultAgentConfig(), auth: { enabled: false } } as RouteDeps;
    const routes = aclRoutes(deps);
    expect(routes.length).toBeGreaterThan(15);
    for (const route of routes) {
      const query = new URLSearchParams();
      const ctx: Ctx = {
        method: route.method,
        params: { name: "x", id: "x", accessor: "x" },
        query,
        opts: parseQuery(query),
        acl: managementAcl,
        token: undefined,
        body: { Name: "x", Rules: "x", Type: "client" },
        req: {} as IncomingMessage,
        res: {} as ServerResponse,
      };
      const answer = await Promise.resolve()
        .then(() => route.handle(ctx))
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      expect(answer, `${route.method} ${route.path}`).toBeInstanceOf(HttpError);
      expect((answer as HttpError).status).toBe(400);
      expect((answer as HttpError).message).toBe("ACL support disabled");
    }
  });
});
