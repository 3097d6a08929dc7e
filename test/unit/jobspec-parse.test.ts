// biome-ignore-all lint/suspicious/noTemplateCurlyInString: HCL job text is full of "${…}" on purpose.
// The jobspec pipeline as a user meets it: variables from every source,
// locals, dynamic blocks, Nomad's defaults, and errors that say where and what.
import { describe, expect, it } from "vitest";
import {
  type JobspecInput,
  parseJob,
  resourceName,
  toNomadApi,
  toNomadRunOutput,
  toResource,
} from "../../src/jobspec/index.js";

const minimal = (body: string, head = "") => `${head}
job "web" {
  ${body}
  group "g" {
    task "t" {
      driver = "docker"
      config { image = "nginx" }
    }
  }
}
`;

function ok(input: Partial<JobspecInput> & { source: string }) {
  const r = parseJob({ file: "job.nomad.hcl", ...input });
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}:${e.column}: ${e.message}`).join("\n"));
  return r;
}
function errors(input: Partial<JobspecInput> & { source: string }) {
  const r = parseJob({ file: "job.nomad.hcl", ...input });
  if (r.ok) throw new Error("expected errors");
  return r.errors;
}

describe("variables", () => {
  const src = minimal(
    "datacenters = var.dcs\n  priority = var.prio\n  meta { owner = var.owner }",
    'variable "dcs" {\n  type = list(string)\n  default = ["dc1"]\n}\nvariable "prio" {\n  type = number\n  default = 50\n  validation {\n    condition = var.prio >= 10\n    error_message = "prio must be at least 10"\n  }\n}\nvariable "owner" { type = string }\n',
  );

  it("takes defaults, then NOMAD_VAR_ env, then -var-file, then -var", () => {
    const base = { source: src, env: { NOMAD_VAR_owner: "env", NOMAD_VAR_prio: "60" } };
    expect(ok(base).job.meta).toEqual({ owner: "env" });
    expect(ok(base).job.priority).toBe(60);
    const withFile = {
      ...base,
      varFiles: [{ file: "prod.hcl", content: 'owner = "file"\ndcs = ["a", "b"]\n' }],
    };
    expect(ok(withFile).job.meta).toEqual({ owner: "file" });
    expect(ok(withFile).job.datacenters).toEqual(["a", "b"]);
    expect(ok({ ...withFile, vars: ["owner=flag", 'dcs=["x"]'] }).job).toMatchObject({
      meta: { owner: "flag" },
      datacenters: ["x"],
    });
    const json = { file: "vars.json", content: '{"owner": "json", "prio": 70}' };
    expect(ok({ source: src, varFiles: [json] }).job.priority).toBe(70);
  });

  it("refuses a missing value, a wrong type, an undeclared name and a failed validation", () => {
    expect(errors({ source: src })).toEqual([
      expect.objectContaining({
        line: 13,
        column: 1,
        message: expect.stringContaining('variable "owner" has no value'),
      }),
    ]);
    expect(errors({ source: src, vars: ["owner=x", "prio=high"] })[0]?.message).toContain(
      'invalid value for variable "prio": number required',
    );
    // A value of the wrong type is one mistake, not also a missing value.
    const required = minimal("", 'variable "n" { type = number }\n');
    expect(errors({ source: required, vars: ["n=many"] })).toEqual([
      expect.objectContaining({
        file: "-var",
        message: 'invalid value for variable "n": number required, got string',
      }),
    ]);
    expect(errors({ source: src, vars: ["owner=x", "nope=1"] })[0]?.message).toContain(
      'variable "nope" is not declared',
    );
    const v = errors({ source: src, vars: ["owner=x", "prio=5"] })[0];
    expect(v).toMatchObject({
      line: 9,
      column: 5,
      message: 'invalid value for variable "prio": prio must be at least 10',
    });
    const f = errors({ source: src, varFiles: [{ file: "bad.hcl", content: "owner = \n" }] })[0];
    expect(f).toMatchObject({ file: "bad.hcl", line: 1 });
  });
});

describe("locals, functions, dynamic blocks", () => {
  it("evaluates locals lazily in any order and finds cycles", () => {
    const src = minimal(
      "meta { a = local.b }",
      'locals {\n  b = "${local.c}-x"\n  c = upper("y")\n}\n',
    );
    expect(ok({ source: src }).job.meta).toEqual({ a: "Y-x" });
    const cyc = minimal("meta { a = local.b }", "locals {\n  b = local.c\n  c = local.b\n}\n");
    expect(errors({ source: cyc })[0]?.message).toContain("refers to itself");
  });

  it("reads file() through the given reader", () => {
    const src = minimal('meta { cfg = file("conf/app.txt") }');
    expect(
      ok({ source: src, readFile: (p) => (p === "conf/app.txt" ? "hello" : undefined) }).job.meta,
    ).toEqual({ cfg: "hello" });
    expect(errors({ source: src, readFile: () => undefined })[0]).toMatchObject({
      line: 3,
      message: expect.stringContaining("cannot be read"),
    });
  });

  it("expands dynamic blocks with iterators and labels", () => {
    const src = `job "w" {
  group "g" {
    network {
      dynamic "port" {
        for_each = ["http", "admin"]
        labels   = [port.value]
        content { to = 8000 + port.key }
      }
    }
    task "t" {
      driver = "exec"
      dynamic "artifact" {
        for_each = { a = "https://x/a", b = "https://x/b" }
        iterator = art
        content { source = art.value }
      }
    }
  }
}`;
    const g = ok({ source: src }).job.groups[0];
    expect(g?.networks?.[0]?.ports).toEqual([
      { label: "http", to: 8000 },
      { label: "admin", to: 8001 },
    ]);
    expect(g?.tasks[0]?.artifacts?.map((a) => a.source)).toEqual(["https://x/a", "https://x/b"]);
  });

  it("leaves runtime interpolations for the client", () => {
    const src = minimal(
      'constraint {\n    attribute = "${attr.kernel.name}"\n    value = "linux"\n  }\n  meta { n = "${node.unique.name}" }',
    );
    const job = ok({ source: src }).job;
    expect(job.constraints).toEqual([
      { attribute: "${attr.kernel.name}", operator: "=", value: "linux" },
    ]);
    expect(job.meta).toEqual({ n: "${node.unique.name}" });
  });
});

describe("decoding", () => {
  it("fills Nomad's defaults", () => {
    const job = ok({ source: minimal("") }).job;
    expect(job).toMatchObject({
      name: "web",
      type: "service",
      region: "global",
      priority: 50,
      datacenters: ["*"],
    });
    const g = job.groups[0];
    expect(g?.count).toBe(1);
    expect(g?.ephemeralDisk).toEqual({ size: 300, migrate: false, sticky: false });
    expect(g?.restart).toMatchObject({ attempts: 2, interval: "30m", delay: "15s", mode: "fail" });
    expect(g?.reschedule).toMatchObject({ delayFunction: "exponential", unlimited: true });
    expect(g?.tasks[0]?.resources).toEqual({ cpu: 100, memory: 300 });
    expect(g?.tasks[0]?.killTimeout).toBe("5s");
    const batch = ok({ source: minimal('type = "batch"') }).job.groups[0];
    expect(batch?.restart).toMatchObject({ attempts: 3, interval: "24h" });
    expect(batch?.reschedule).toMatchObject({ attempts: 1, delayFunction: "constant" });
    expect(batch?.update).toBeUndefined();
  });

  it("gives driver config the shape Nomad's jobspec2 gives it", () => {
    const src = `job "w" {
  group "g" {
    task "t" {
      driver = "docker"
      config {
        image  = "x"
        labels = { a = "b" }
        mount {
          type = "bind"
        }
        port_map "http" {
          to = 80
        }
      }
    }
  }
}`;
    expect(ok({ source: src }).job.groups[0]?.tasks[0]?.config).toEqual({
      image: "x",
      labels: [{ a: "b" }],
      mount: [{ type: "bind" }],
      port_map: [{ http: [{ to: 80 }] }],
    });
  });

  it("folds constraint shorthands", () => {
    const src = minimal(
      'constraint {\n    attribute = "${attr.nomad.version}"\n    version = ">= 1.5"\n  }\n  constraint { distinct_hosts = true }\n  constraint { distinct_hosts = false }\n  constraint {\n    attribute = "${meta.rack}"\n    value = "r1"\n  }',
    );
    // As jobspec2 does: the shorthand's boolean is the value, and an omitted operator is "=".
    expect(ok({ source: src }).job.constraints).toEqual([
      { attribute: "${attr.nomad.version}", operator: "version", value: ">= 1.5" },
      { operator: "distinct_hosts", value: "true" },
      { operator: "distinct_hosts", value: "false" },
      { attribute: "${meta.rack}", operator: "=", value: "r1" },
    ]);
  });

  it.each([
    [
      '  group "g" {\n    cuont = 2\n',
      'unsupported argument "cuont" in group "g"; did you mean "count"?',
    ],
    ['  group "g" {\n    count = "two"\n', '"count" must be a whole number, not string "two"'],
    ['  group "g" {\n    shutdown_delay = "5 minutes"\n', 'must be a duration such as "30s"'],
    ['  group "g" {\n    restart = {}\n', '"restart" is a block: write restart { … }'],
    ['  group "g" {\n    foo {}\n', 'unsupported block "foo" in group "g"'],
  ])("points at %j", (head, message) => {
    const src = `job "web" {\n${head}    task "t" { driver = "exec" }\n  }\n}\n`;
    const e = errors({ source: src });
    expect(e[0]).toMatchObject({
      file: "job.nomad.hcl",
      line: 3,
      message: expect.stringContaining(message),
    });
  });

  it("turns every failure into positioned errors, never an exception", () => {
    for (const source of [
      "",
      "}",
      "job {",
      'job "a" "b" {}',
      'job "a" {}\njob "b" {}',
      "x = 1",
      "\u0000",
    ]) {
      const r = parseJob({ file: "f", source });
      expect(r.ok).toBe(false);
      if (!r.ok) for (const e of r.errors) expect(e.line).toBeGreaterThan(0);
    }
  });
});

describe("what only validation requires", () => {
  const src = `job "web" {
  group "g" {
    task "t" {
      template {
        data = "x"
      }
    }
  }
}
`;
  it("converts a task without a driver or a template without a destination with warnings, as nomad job run -output prints them", () => {
    const r = parseJob({ file: "job.nomad.hcl", source: src, validation: "warn" });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.parsed.groups[0]?.tasks[0]?.driver).toBeUndefined();
    expect(r.warnings?.map((w) => `${w.line}:${w.column}: ${w.message}`)).toEqual([
      '3:5: task "t" needs a driver, e.g. driver = "docker"',
      '4:7: task "t": a template needs a destination',
    ]);
  });

  it("refuses them when validating, as nomad job validate does", () => {
    expect(errors({ source: src }).map((e) => e.message)).toEqual([
      'missing required argument "driver" in this task block: add driver = …',
      'missing required argument "destination" in this template block: add destination = …',
    ]);
  });

  it("converts a job without a group with a warning, and refuses it when validating", () => {
    const source = 'job "empty" {\n  datacenters = ["dc1"]\n}\n';
    const r = parseJob({ file: "job.nomad.hcl", source, validation: "warn" });
    expect(r.ok && toNomadRunOutput(r.parsed).Job).toMatchObject({ ID: "empty", TaskGroups: [] });
    expect(r.ok && r.warnings?.map((w) => w.message)).toEqual([
      'a job needs at least one group: group "<name>" { task "<name>" { … } }',
    ]);
    expect(errors({ source }).map((e) => e.message)).toEqual([
      'job "empty" has no group: add group "<name>" { task "<name>" { … } }',
    ]);
  });
});

describe("deprecated arguments", () => {
  it("reads a task's disk with a warning where it is written, and leaves it out of the stored job", () => {
    const src = `job "web" {
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "/bin/true" }
      resources {
        memory = 64
        disk   = 300
      }
    }
  }
}
`;
    const r = ok({ source: src });
    expect(r.warnings).toEqual([
      {
        file: "job.nomad.hcl",
        line: 8,
        column: 9,
        message: expect.stringContaining("disk in a task's resources block is deprecated"),
      },
    ]);
    expect(r.parsed.groups[0]?.tasks[0]?.resources).toEqual({ memory: 64, disk: 300 });
    expect(r.job.groups[0]?.tasks[0]?.resources).not.toHaveProperty("disk");
    expect(JSON.stringify(toNomadApi(r.job))).not.toContain("DiskMB");
  });

  it("reads a task's deprecated network as Nomad does, its ports shared with the group's, with Nomad's warning", () => {
    const src = `job "web" {
  group "g" {
    network {
      port "http" {}
    }
    task "t" {
      driver = "docker"
      config { image = "redis" }
      resources {
        network {
          mbits = 10
          port "db" {}
        }
      }
      service {
        name = "db"
        port = "db"
      }
    }
  }
}
`;
    const r = ok({ source: src });
    expect(r.job.groups[0]?.tasks[0]?.resources?.networks).toEqual([
      { mbits: 10, ports: [{ label: "db" }] },
    ]);
    expect(r.warnings?.map((w) => `${w.line}:${w.column}: ${w.message}`)).toEqual([
      "11:11: mbits has been deprecated as of Nomad 0.12.0 and the scheduler ignores it, as Nomad's does; remove it from the network block",
      '6:5: task "t" in group "g" defines services, but has no shutdown_delay set',
      expect.stringMatching(
        /^10:9: group "g" task "t": task network resources have been deprecated/,
      ),
      '15:7: task "t" in group "g": service "db" uses provider "consul" and Caravan has no Consul: it is registered in Nomad\'s native service catalog instead (nomad service info, nomadService), and its checks do not run',
    ]);
    const clash = parseJob({
      file: "job.nomad.hcl",
      source: src.replace('port "db"', 'port "http"'),
    });
    expect(clash.ok ? [] : clash.errors.map((e) => e.message)).toContain(
      'group "g": port "http" is defined twice',
    );
  });

  it("reads a bare runtime reference as its interpolation, as jobspec2 does, and says to quote it", () => {
    const src = minimal("").replace(
      'config { image = "nginx" }',
      'config { image = "nginx" }\n      env {\n        HOST = node.unique.name\n        RACK = meta["rack"]\n      }',
    );
    const r = ok({ source: src });
    expect(r.job.groups[0]?.tasks[0]?.env).toEqual({
      HOST: "${node.unique.name}",
      RACK: '${meta["rack"]}',
    });
    expect(r.warnings?.map((w) => `${w.line}:${w.column}: ${w.message}`)).toEqual([
      '9:16: node.unique.name is not quoted: it is read as "${node.unique.name}", as Nomad reads it; write it inside a string',
      '10:16: meta["rack"] is not quoted: it is read as "${meta["rack"]}", as Nomad reads it; write it inside a string',
    ]);
    const computed = errors({ source: src.replace('meta["rack"]', "meta[var.k]") });
    expect(computed.map((e) => e.message)).toContain(
      'unknown variable "meta"; runtime values such as node, attr, meta and NOMAD_* must be written inside a string, e.g. "${meta…}"',
    );
  });

  it("reads a multiregion block and warns that Caravan does not deploy to other regions", () => {
    const src = minimal('multiregion {\n    region "east" {}\n  }');
    const r = ok({ source: src });
    expect(r.job.multiregion?.regions).toEqual([{ name: "east" }]);
    expect(r.warnings?.map((w) => w.message)).toEqual([
      expect.stringContaining("does not deploy to other regions yet"),
    ]);
  });

  it("reads max_run_duration and warns that the node agent does not enforce it yet", () => {
    const src = `job "web" {
  type = "batch"
  group "g" {
    max_run_duration = "10m"
    task "t" {
      driver = "exec"
      config { command = "/bin/true" }
    }
  }
}
`;
    const r = ok({ source: src });
    expect(r.job.groups[0]?.maxRunDuration).toBe("10m");
    expect(r.warnings).toEqual([
      {
        file: "job.nomad.hcl",
        line: 4,
        column: 5,
        message: expect.stringContaining("max_run_duration is not enforced"),
      },
    ]);
  });

  it("drops set_contains_any/all written as constraint shorthands, as jobspec2 does, and says so", () => {
    const src = minimal(
      'constraint {\n    attribute = "${meta.f}"\n    set_contains_any = "a,b"\n  }',
    );
    const r = parseJob({ file: "job.nomad.hcl", source: src, validation: "warn" });
    expect(r.ok && r.parsed.constraints).toEqual([{ attribute: "${meta.f}", operator: "=" }]);
    expect(r.ok && r.warnings?.map((w) => `${w.line}: ${w.message}`)).toEqual([
      '5: set_contains_any is not a constraint shorthand in Nomad and is ignored; write operator = "set_contains_any" and value = …',
      '3: a constraint with operator "=" needs a value',
    ]);
  });

  it("accepts canaries beyond the count, and warns that a system job's canaries are not placed", () => {
    const group = (type: string) => `job "web" {
  type = "${type}"
  group "g" {
    count = 1
    update { canary = 3 }
    task "t" {
      driver = "exec"
      config { command = "/bin/true" }
    }
  }
}
`;
    expect(ok({ source: group("service") }).warnings).toBeUndefined();
    expect(ok({ source: group("system") }).warnings).toEqual([
      {
        file: "job.nomad.hcl",
        line: 5,
        column: 14,
        message: expect.stringContaining("canary on a system job is not supported"),
      },
    ]);
  });
});

describe("outputs", () => {
  it("names the resource after the job ID, or a stable DNS-safe form", () => {
    expect(resourceName("web-app")).toBe("web-app");
    expect(resourceName("My_Job/v2")).toMatch(/^my-job-v2-[0-9a-f]{8}$/);
    expect(resourceName("My_Job/v2")).toBe(resourceName("My_Job/v2"));
    const r = toResource(ok({ source: minimal('namespace = "prod"') }).job, "prod");
    expect(r).toMatchObject({
      apiVersion: "caravan.dev/v1alpha1",
      kind: "NomadJob",
      metadata: { name: "web", namespace: "prod" },
    });
    expect(r.spec.id).toBe("web");
  });

  it("names an unnamed check after its service in the canonical job, not in the parsed one", () => {
    const src = `job "web" {
  group "g" {
    network {
      port "http" {}
    }
    service {
      port = "http"
      check {
        type     = "tcp"
        interval = "10s"
        timeout  = "2s"
      }
      check {
        name     = "ready"
        type     = "tcp"
        interval = "10s"
        timeout  = "2s"
      }
    }
    task "t" {
      driver = "docker"
      config { image = "nginx" }
    }
  }
}`;
    const r = ok({ source: src });
    const checks = r.job.groups[0]?.services?.[0]?.checks ?? [];
    expect(checks.map((c) => c.name)).toEqual(['service: "web-g" check', "ready"]);
    expect(r.parsed.groups[0]?.services?.[0]?.checks?.[0]?.name).toBeUndefined();
  });

  it("prints Nomad's API field names, durations in nanoseconds", () => {
    const src = minimal('update { min_healthy_time = "15s" }');
    const api = toNomadApi(ok({ source: src }).job).Job as Record<string, unknown>;
    expect(api.ID).toBe("web");
    expect(api.Update).toMatchObject({
      MinHealthyTime: 15_000_000_000,
      HealthyDeadline: 300_000_000_000,
    });
    const g = (api.TaskGroups as Record<string, unknown>[])[0] as Record<string, unknown>;
    expect(g.RestartPolicy).toMatchObject({
      Attempts: 2,
      Interval: 1_800_000_000_000,
      Mode: "fail",
    });
    const t = (g.Tasks as Record<string, unknown>[])[0] as Record<string, unknown>;
    expect(t.Resources).toEqual({ CPU: 100, MemoryMB: 300 });
    expect(t.LogConfig).toEqual({ MaxFiles: 10, MaxFileSizeMB: 10, Disabled: false });
    expect(t.Config).toEqual({ image: "nginx" });
  });
});
