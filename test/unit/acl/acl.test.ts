import { describe, expect, it } from "vitest";
import { compileAcl, managementAcl } from "../../../src/acl/acl.js";
import { type Policy, parsePolicy } from "../../../src/acl/policy.js";

function policy(rules: string): Policy {
  const r = parsePolicy(rules);
  if (!r.ok) throw new Error(r.error);
  return r.policy;
}

describe("ACL policy language", () => {
  it("expands namespace policy shorthands and explicit capabilities", () => {
    const acl = compileAcl([
      policy(`
        namespace "default" { policy = "read" }
        namespace "apps" {
          policy = "read"
          capabilities = ["submit-job"]
        }
        namespace "ops" { policy = "scale" }
      `),
    ]);
    expect(acl.allowNamespace("default", "read-job")).toBe(true);
    expect(acl.allowNamespace("default", "list-jobs")).toBe(true);
    expect(acl.allowNamespace("default", "submit-job")).toBe(false);
    expect(acl.allowNamespace("apps", "submit-job")).toBe(true);
    expect(acl.allowNamespace("apps", "read-logs")).toBe(false);
    expect(acl.allowNamespace("ops", "scale-job")).toBe(true);
    expect(acl.allowNamespace("ops", "read-job")).toBe(false);
    expect(acl.allowNamespace("elsewhere", "read-job")).toBe(false);
  });

  it("write grants submit, logs and lifecycle", () => {
    const acl = compileAcl([policy(`namespace "default" { policy = "write" }`)]);
    for (const c of ["submit-job", "read-logs", "alloc-lifecycle", "dispatch-job", "read-job"])
      expect(acl.allowNamespace("default", c), c).toBe(true);
  });

  it("prefers an exact namespace over a glob, and the closest glob among several", () => {
    const acl = compileAcl([
      policy(`
        namespace "*" { policy = "read" }
        namespace "prod-*" { policy = "deny" }
        namespace "prod-api-*" { policy = "write" }
        namespace "prod-api-secret" { policy = "read" }
      `),
    ]);
    expect(acl.allowNamespace("dev", "read-job")).toBe(true);
    expect(acl.allowNamespace("prod-db", "read-job")).toBe(false);
    expect(acl.allowNamespace("prod-api-1", "submit-job")).toBe(true);
    expect(acl.allowNamespace("prod-api-secret", "submit-job")).toBe(false);
    expect(acl.allowNamespace("prod-api-secret", "read-job")).toBe(true);
    expect(acl.anyInNamespace("prod-db")).toBe(false);
    expect(acl.anyInNamespace("dev")).toBe(true);
  });

  it("merges policies: capabilities add up and deny wins", () => {
    const acl = compileAcl([
      policy(`namespace "default" { policy = "read" }\nnode { policy = "read" }`),
      policy(`namespace "default" { capabilities = ["submit-job"] }\nnode { policy = "write" }`),
      policy(`namespace "secret" { policy = "write" }\nagent { policy = "deny" }`),
      policy(`namespace "secret" { policy = "deny" }\nagent { policy = "write" }`),
    ]);
    expect(acl.allowNamespace("default", "submit-job")).toBe(true);
    expect(acl.allowNamespace("default", "read-job")).toBe(true);
    expect(acl.allowNamespace("secret", "read-job")).toBe(false);
    expect(acl.allow("node", "write")).toBe(true);
    expect(acl.allow("agent", "read")).toBe(false);
    expect(acl.allow("operator", "read")).toBe(false);
  });

  it("coarse rules: read does not grant write; plugin knows list", () => {
    const acl = compileAcl([policy(`node { policy = "read" }\nplugin { policy = "list" }`)]);
    expect(acl.allow("node", "read")).toBe(true);
    expect(acl.allow("node", "write")).toBe(false);
    expect(acl.allow("plugin", "list")).toBe(true);
    expect(acl.allow("plugin", "read")).toBe(false);
  });

  it("host volumes take read/write shorthands", () => {
    const acl = compileAcl([policy(`host_volume "data-*" { policy = "read" }`)]);
    expect(acl.allowHostVolume("data-1", "mount-readonly")).toBe(true);
    expect(acl.allowHostVolume("data-1", "mount-readwrite")).toBe(false);
  });

  it("reads the JSON form of a policy like the HCL form", () => {
    const json = compileAcl([
      policy(
        JSON.stringify({
          namespace: { default: { policy: "read" }, "ops-*": [{ capabilities: ["submit-job"] }] },
          node: { policy: "write" },
          host_volume: { data: { policy: "write" } },
        }),
      ),
    ]);
    expect(json.allowNamespace("default", "read-job")).toBe(true);
    expect(json.allowNamespace("default", "submit-job")).toBe(false);
    expect(json.allowNamespace("ops-1", "submit-job")).toBe(true);
    expect(json.allow("node", "write")).toBe(true);
    expect(json.allowHostVolume("data", "mount-readwrite")).toBe(true);
    const bad = parsePolicy('{"namespace": {"default": {"policy": "root"}}}');
    expect(bad.ok ? "" : bad.error).toMatch(/namespace "default": policy must be one of/);
    const broken = parsePolicy('{"namespace": ');
    expect(broken.ok ? "" : broken.error).toMatch(/^line 1: invalid JSON/);
  });

  it("reads node_pool rules beside a namespace's variables block", () => {
    const acl = compileAcl([
      policy(`
        node_pool "gpu-*" { policy = "write" }
        node_pool "default" { policy = "read" }
        namespace "default" {
          policy = "read"
          variables {
            path "*" { capabilities = ["read"] }
          }
        }
      `),
    ]);
    expect(acl.allowNodePool("gpu-a", "delete")).toBe(true);
    expect(acl.allowNodePool("default", "read")).toBe(true);
    expect(acl.allowNodePool("default", "write")).toBe(false);
    expect(acl.allowNamespace("default", "read-job")).toBe(true);
    const json = parsePolicy(
      JSON.stringify({
        namespace: {
          default: { policy: "read", variables: { path: { "*": { capabilities: ["read"] } } } },
        },
      }),
    );
    expect(json.ok).toBe(true);
  });

  it("checks Nomad Variables paths: exact beats glob, closest glob wins, deny wins, read brings list", () => {
    const acl = compileAcl([
      policy(`
        namespace "default" {
          variables {
            path "app/*" { capabilities = ["read"] }
            path "app/secret/*" { capabilities = ["deny"] }
            path "app/db" { capabilities = ["write", "destroy"] }
          }
        }
        namespace "prod-*" {
          variables {
            path "*" { capabilities = ["list"] }
          }
        }
      `),
    ]);
    expect(acl.allowVariable("default", "app/web", "read")).toBe(true);
    expect(acl.allowVariable("default", "app/web", "list")).toBe(true);
    expect(acl.allowVariable("default", "app/web", "write")).toBe(false);
    expect(acl.allowVariable("default", "app/secret/x", "read")).toBe(false);
    expect(acl.allowVariable("default", "app/db", "write")).toBe(true);
    expect(acl.allowVariable("default", "app/db", "read")).toBe(false);
    expect(acl.allowVariable("default", "other", "list")).toBe(false);
    expect(acl.allowVariable("prod-eu", "anything/here", "list")).toBe(true);
    expect(acl.allowVariable("prod-eu", "anything/here", "read")).toBe(false);
    expect(acl.allowVariable("staging", "anything", "list")).toBe(false);
    expect(managementAcl.allowVariable("x", "y", "destroy")).toBe(true);
    const json = parsePolicy(
      JSON.stringify({
        namespace: { default: { variables: { path: { "a/*": { capabilities: ["write"] } } } } },
      }),
    );
    expect(json.ok && compileAcl([json.policy]).allowVariable("default", "a/b", "write")).toBe(
      true,
    );
  });

  it.each([
    [
      'namespace "d" { variables { path "/x" { capabilities = ["read"] } } }',
      /cannot start with a leading '\/'/,
    ],
    [
      'namespace "d" { variables { path "x" { capabilities = ["admin"] } } }',
      /Invalid variable capability 'admin' in namespace d/,
    ],
    ['namespace "d" { variables { } }', /no variable paths in namespace d/],
  ])("refuses a bad variables rule: %s", (rules, message) => {
    const out = parsePolicy(rules);
    expect(out.ok ? "" : out.error).toMatch(message);
  });

  it("a management ACL allows everything", () => {
    expect(managementAcl.allowNamespace("x", "submit-job")).toBe(true);
    expect(managementAcl.allow("operator", "write")).toBe(true);
  });

  it.each([
    [
      `namespace "default" { policy = "admin" }`,
      /line 1: namespace "default": policy must be one of/,
    ],
    [`namespace "default" { capabilities = ["fly"] }`, /unknown capability "fly"/],
    [`namespace { policy = "read" }`, /namespace needs one label/],
    [`node { policy = "list" }`, /node: policy must be one of "deny", "read", "write"/],
    [`nodes { policy = "read" }`, /unknown rule block "nodes"/],
    [`policy = "read"`, /outside of a rule block/],
    [`namespace "default" {\n  policy = read\n}`, /line 2/],
    [`namespace "default" { polcy = "read" }`, /unknown attribute "polcy"/],
    [`namespace "default" { policy = "read"`, /line/],
  ])("refuses %j with a message naming the problem", (rules, message) => {
    const r = parsePolicy(rules);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });
});
