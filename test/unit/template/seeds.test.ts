// Every template embedded in the seed documents (the `template { data = <<EOH
// … EOH }` blocks of the Nomad job examples, copied to seed-templates.json)
// parses, reports its dependencies on the first pass, and renders with
// plausible sources on the second.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  parseTemplate,
  renderTemplate,
  type TemplateDependency,
  type TemplateSources,
} from "../../../src/template/index.js";

interface SeedTemplate {
  seed: string;
  line: number;
  destination: string;
  data: string;
}

const seeds = JSON.parse(
  readFileSync(path.join(import.meta.dirname, "seed-templates.json"), "utf8"),
) as SeedTemplate[];

const env = { NOMAD_PORT_http: "23456", NOMAD_IP_http: "10.1.2.3" };

const sources: TemplateSources = {
  key: (p) =>
    ({
      "config/app/features": '{"beta": true, "limit": 10, "name": "a<b"}',
      "app/config": '{"mode":"prod"}',
    })[p],
  secret: (p) => {
    const secrets: Record<string, Record<string, unknown>> = {
      "database/creds/api": { username: "api-user", password: "s3cret" },
      "app/config": { data: { environment: "production" } },
      "database/creds/app": {
        data: {
          connection_string: "postgres://db:5432/app",
          username: "app",
          password: "pw",
          host: "db",
        },
      },
      "secret/app": { data: { api_key: "k-123" } },
    };
    return secrets[p] ? { Data: secrets[p] } : undefined;
  },
  service: (n) =>
    n === "postgres"
      ? [{ Name: "postgres", Address: "10.0.0.5", Port: 5432, Tags: ["primary"] }]
      : undefined,
};

/** What each seed template should render to, keyed by its destination and line. */
const expected: Record<string, { deps: TemplateDependency[]; output: (text: string) => string }> = {
  "secrets/db.env@416": {
    deps: [{ kind: "secret", name: "database/creds/api" }],
    output: () => "\nDB_USERNAME=api-user\nDB_PASSWORD=s3cret\n\n",
  },
  "local/config.yaml@446": {
    deps: [{ kind: "service", name: "postgres" }],
    output: () =>
      "server:\n  host: 0.0.0.0\n  port: 23456\n\n\ndatabase:\n  host: 10.0.0.5\n  port: 5432\n\n",
  },
  "local/features.json@464": {
    deps: [{ kind: "key", name: "config/app/features" }],
    output: () => '{"beta":true,"limit":10,"name":"a\\u003cb"}\n',
  },
  "local/prometheus.yml@739": {
    deps: [],
    output: (text) => text.replace('{{ env "NOMAD_IP_http" }}', "10.1.2.3"),
  },
  "local/fluent-bit.conf@792": { deps: [], output: (text) => text },
  "local/config.yaml@244": {
    deps: [{ kind: "secret", name: "app/config" }],
    output: () => "region: ${NOMAD_DC}\nenvironment: production\n",
  },
  "local/secrets.env@786": {
    deps: [
      { kind: "secret", name: "database/creds/app" },
      { kind: "secret", name: "secret/app" },
    ],
    output: () => "DATABASE_URL=postgres://db:5432/app\nAPI_KEY=k-123\n",
  },
  "local/db.env@819": {
    deps: [{ kind: "secret", name: "database/creds/app" }],
    output: () => "DB_USERNAME=app\nDB_PASSWORD=pw\nDB_HOST=db\n",
  },
  "local/config.json@929": {
    deps: [{ kind: "key", name: "app/config" }],
    output: () => '{"mode":"prod"}\n',
  },
};

describe("templates from the seed documents", () => {
  it("all of them are covered", () => {
    expect(seeds.map((s) => `${s.destination}@${s.line}`).sort()).toEqual(
      Object.keys(expected).sort(),
    );
  });

  it.each(seeds.map((s) => [`${s.seed}:${s.line} ${s.destination}`, s] as const))(
    "%s",
    (_, seed) => {
      const want = expected[`${seed.destination}@${seed.line}`];
      if (!want) throw new Error("no expectation");
      const template = parseTemplate(seed.data, { name: seed.destination });
      // First pass: the agent has fetched nothing yet.
      const first = renderTemplate(template, { env, sources: {} });
      expect(first.missing).toEqual(want.deps);
      // Second pass: everything fetched.
      const second = renderTemplate(template, { env, sources });
      expect(second.missing).toEqual([]);
      expect(second.dependencies).toEqual(want.deps);
      expect(second.output).toBe(want.output(seed.data));
    },
  );
});
