// The data-source functions and consul-template's two-phase rendering: a
// source without data yet returns undefined; the engine records the
// dependency as missing, renders an empty value, and the caller renders again.
import { describe, expect, it } from "vitest";
import type { TemplateSources } from "../../../src/template/index.js";
import { errorOf, render } from "./helpers.js";

/** Sources over fixed data, where an absent entry is "not fetched yet". */
function sourcesFrom(data: {
  keys?: Record<string, string>;
  lists?: Record<string, { key: string; value: string }[]>;
  secrets?: Record<string, Record<string, unknown>>;
  services?: Record<string, { Name: string; Address: string; Port: number; Tags: string[] }[]>;
  vars?: Record<string, Record<string, string>>;
}): TemplateSources {
  return {
    key: (p) => data.keys?.[p],
    ls: (p) => data.lists?.[p],
    secret: (p) => (data.secrets?.[p] ? { Data: data.secrets[p] } : undefined),
    service: (n) => data.services?.[n],
    nomadVar: (p) => data.vars?.[p],
    services: () =>
      data.services
        ? Object.entries(data.services).map(([Name, s]) => ({ Name, Tags: s[0]?.Tags ?? [] }))
        : undefined,
  };
}

describe("two-phase rendering", () => {
  const text = [
    'db={{ key "app/db_host" }}',
    '{{ with secret "db-creds" }}user={{ .Data.username }}{{ end }}',
    '{{ range service "postgres" }}pg={{ .Address }}:{{ .Port }}{{ end }}',
  ].join("\n");

  it("first pass: every dependency is missing, empty values are rendered", () => {
    const r = render(text, { sources: sourcesFrom({}) });
    expect(r.missing).toEqual([
      { kind: "key", name: "app/db_host" },
      { kind: "secret", name: "db-creds" },
      { kind: "service", name: "postgres" },
    ]);
    expect(r.dependencies).toEqual(r.missing);
    expect(r.output).toBe("db=\n\n");
  });

  it("second pass with the data fetched: nothing missing, the dependencies to watch remain", () => {
    const sources = sourcesFrom({
      keys: { "app/db_host": "10.0.0.9" },
      secrets: { "db-creds": { username: "app" } },
      services: { postgres: [{ Name: "postgres", Address: "10.0.0.5", Port: 5432, Tags: [] }] },
    });
    const r = render(text, { sources });
    expect(r.missing).toEqual([]);
    expect(r.dependencies.map((d) => d.kind)).toEqual(["key", "secret", "service"]);
    expect(r.output).toBe("db=10.0.0.9\nuser=app\npg=10.0.0.5:5432");
  });

  it("a partial fetch reports only what is still missing", () => {
    const r = render(text, { sources: sourcesFrom({ keys: { "app/db_host": "h" } }) });
    expect(r.missing.map((d) => d.name)).toEqual(["db-creds", "postgres"]);
    expect(r.dependencies).toHaveLength(3);
  });

  it("no sources at all counts as nothing fetched", () => {
    expect(render('{{ key "a" }}').missing).toEqual([{ kind: "key", name: "a" }]);
  });

  it("a dependency read many times is listed once, in first-use order", () => {
    const r = render(
      '{{ key "b" }}{{ key "a" }}{{ key "b" }}{{ range loop 3 }}{{ key "a" }}{{ end }}',
    );
    expect(r.dependencies).toEqual([
      { kind: "key", name: "b" },
      { kind: "key", name: "a" },
    ]);
  });

  it("an execution error while data is missing is not thrown (the next render decides)", () => {
    const t = '{{ (secret "db").Data.password | toUpper }}';
    const first = render(t, { sources: sourcesFrom({}) });
    expect(first.missing).toEqual([{ kind: "secret", name: "db" }]);
    const second = render(t, { sources: sourcesFrom({ secrets: { db: { password: "pw" } } }) });
    expect(second).toMatchObject({ output: "PW", missing: [] });
    // With the data complete, the same kind of error is thrown.
    expect(errorOf(() => render(t, { sources: sourcesFrom({ secrets: { db: {} } }) }))).toBe(
      'template: t:1:34: executing "t" at <toUpper>: invalid value; expected string',
    );
  });
});

describe("source functions", () => {
  it("keyOrDefault and keyExists never block: they record the key without marking it missing", () => {
    const t = '{{ keyOrDefault "cfg/level" "info" }} {{ keyExists "cfg/flag" }}';
    const none = render(t, { sources: sourcesFrom({}) });
    expect(none).toMatchObject({ output: "info false", missing: [] });
    expect(none.dependencies).toEqual([
      { kind: "key", name: "cfg/level" },
      { kind: "key", name: "cfg/flag" },
    ]);
    const some = render(t, {
      sources: sourcesFrom({ keys: { "cfg/level": "debug", "cfg/flag": "" } }),
    });
    expect(some.output).toBe("debug true");
    // An empty value also falls back to the default, as in consul-template.
    expect(render(t, { sources: sourcesFrom({ keys: { "cfg/level": "" } }) }).output).toBe(
      "info false",
    );
  });

  it("ls gives Key/Value pairs sorted by key, top level only; tree keeps nested keys", () => {
    const sources = sourcesFrom({
      lists: {
        "app-config": [
          { key: "port", value: "80" },
          { key: "host", value: "h" },
          { key: "nested/x", value: "n" },
        ],
      },
    });
    expect(
      render('{{ range ls "app-config" }}{{ .Key }}={{ .Value }};{{ end }}', { sources }).output,
    ).toBe("host=h;port=80;");
    expect(render('{{ range tree "app-config" }}{{ .Key }};{{ end }}', { sources }).output).toBe(
      "host;nested/x;port;",
    );
    expect(render('{{ range ls "other" }}x{{ else }}none{{ end }}', { sources }).missing).toEqual([
      { kind: "ls", name: "other" },
    ]);
    // ls dropped the nested key, so explode has no "nested" map to read from.
    expect(
      render('{{ with ls "app-config" | explode }}{{ .nested.x }}{{ end }}', { sources }).output,
    ).toBe("<no value>");
    expect(
      render('{{ with tree "app-config" | explode }}{{ .nested.x }}{{ end }}', { sources }).output,
    ).toBe("n");
  });

  it("secret exposes .Data like a Vault secret", () => {
    const sources = sourcesFrom({ secrets: { "db-creds": { username: "u", password: "p" } } });
    expect(
      render('{{ with secret "db-creds" }}{{ .Data.username }}:{{ .Data.password }}{{ end }}', {
        sources,
      }).output,
    ).toBe("u:p");
    expect(
      render('{{ range $k, $v := (secret "db-creds").Data }}{{ $k }} {{ end }}', { sources })
        .output,
    ).toBe("password username ");
  });

  it("service and byTag", () => {
    const sources = sourcesFrom({
      services: {
        web: [
          { Name: "web", Address: "10.0.0.1", Port: 8080, Tags: ["blue", "prod"] },
          { Name: "web", Address: "10.0.0.2", Port: 8081, Tags: ["green", "prod"] },
        ],
      },
    });
    const t =
      '{{ range $tag, $s := service "web" | byTag }}{{ $tag }}:{{ range $s }}{{ .Port }} {{ end }}{{ end }}';
    expect(render(t, { sources }).output).toBe("blue:8080 green:8081 prod:8080 8081 ");
    expect(render("{{ range services }}{{ .Name }}{{ end }}", { sources })).toMatchObject({
      output: "web",
      dependencies: [{ kind: "service", name: "" }],
    });
  });

  it("nomadService reads the same registry; the 3-argument form picks a stable subset", () => {
    const instances = Array.from({ length: 6 }, (_, i) => ({
      Name: "redis",
      Address: `10.0.0.${i}`,
      Port: 6379,
      Tags: [],
    }));
    const sources = sourcesFrom({ services: { redis: instances } });
    expect(
      render('{{ range nomadService "redis" }}{{ .Address }} {{ end }}', { sources }),
    ).toMatchObject({
      output: "10.0.0.0 10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5 ",
      dependencies: [{ kind: "service", name: "redis" }],
    });
    const pick = (key: string, list = instances) =>
      render(`{{ range nomadService 2 "${key}" "redis" }}{{ .Address }} {{ end }}`, {
        sources: sourcesFrom({ services: { redis: list } }),
      })
        .output.trim()
        .split(" ");
    const a = pick("alloc-a");
    expect(a).toHaveLength(2);
    expect(pick("alloc-a")).toEqual(a);
    // Removing an instance that was not chosen leaves the choice alone.
    const unchosen = instances.filter((s) => !a.includes(s.Address));
    expect(
      pick(
        "alloc-a",
        instances.filter((s) => s !== unchosen[0]),
      ),
    ).toEqual(a);
    expect(errorOf(() => render('{{ nomadService "a" "b" }}'))).toContain(
      "error calling nomadService: expected arguments <service> or <count> <key> <service>",
    );
  });

  it("nomadVar gives the variable's items; absent is missing and falsy", () => {
    const t = '{{ with nomadVar "nomad/jobs/web" }}{{ .user }}@{{ .host }}{{ else }}none{{ end }}';
    expect(render(t, { sources: sourcesFrom({}) })).toMatchObject({
      output: "none",
      missing: [{ kind: "nomadVar", name: "nomad/jobs/web" }],
    });
    const sources = sourcesFrom({ vars: { "nomad/jobs/web": { user: "u", host: "h" } } });
    expect(render(t, { sources })).toMatchObject({ output: "u@h", missing: [] });
  });

  it("empty names are no dependency at all", () => {
    const r = render('{{ key "" }}{{ ls "" | len }}{{ secret "" }}{{ nomadVar "" }}');
    expect(r).toEqual({ output: "0<no value><no value>", dependencies: [], missing: [] });
  });
});

describe("k8sService", () => {
  const endpoint = (Address: string, Port: number) => ({
    Name: "db",
    Namespace: "default",
    Address,
    Port,
    PortName: "pg",
    Protocol: "TCP",
    NodeName: "n1",
    PodName: `db-${Address}`,
  });
  const text = '{{ range k8sService "db" }}{{ .Address }}:{{ .Port }} {{ end }}';

  it("is missing until the Service's endpoints are listed, then lists them", () => {
    const first = render(text, { sources: { k8sService: () => undefined } });
    expect(first.missing).toEqual([{ kind: "k8sService", name: "db" }]);
    expect(first.output).toBe("");
    const sources: TemplateSources = {
      k8sService: (n) =>
        n === "db" ? [endpoint("10.1.0.4", 5432), endpoint("10.1.0.5", 5432)] : [],
    };
    const second = render(text, { sources });
    expect(second.missing).toEqual([]);
    expect(second.dependencies).toEqual([{ kind: "k8sService", name: "db" }]);
    expect(second.output).toBe("10.1.0.4:5432 10.1.0.5:5432 ");
    expect(
      render('{{ range k8sService "db" }}{{ .PortName }}/{{ .PodName }}{{ end }}', { sources })
        .output,
    ).toBe("pg/db-10.1.0.4pg/db-10.1.0.5");
  });

  it("needs a Service name", () => {
    expect(errorOf(() => render(`{{ k8sService "" }}`, { sources: {} }))).toContain(
      "k8sService: expected a Service name",
    );
  });
});
