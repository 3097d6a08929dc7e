// biome-ignore-all lint/suspicious/noTemplateCurlyInString: HCL job text is full of "${…}" on purpose.
// `caravan job convert` and `caravan job validate` as a user runs them: file
// arguments, -var/-var-file in Nomad's one-dash form, the three output
// formats, exit codes and messages.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parse as parseYaml } from "yaml";
import { main } from "../../src/cli/main.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "caravan-jobcli-"));
const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const job = write(
  "web.nomad.hcl",
  `variable "image" {
  type = string
}
variable "replicas" {
  type    = number
  default = 1
}
job "web" {
  group "g" {
    count = var.replicas
    task "t" {
      driver = "docker"
      config { image = var.image }
      template {
        data        = file("motd.txt")
        destination = "local/motd"
      }
    }
  }
}
`,
);
write("motd.txt", "hello from a file\n");
const legacyName = write(
  "batch.nomad",
  'job "b" {\n  type = "batch"\n  group "g" {\n    task "t" {\n      driver = "exec"\n      config { command = "y" }\n    }\n  }\n}\n',
);
const bad = write(
  "bad.nomad.hcl",
  'job "bad" {\n  group "g" {\n    cuont = 1\n    task "t" { driver = "exec" }\n  }\n}\n',
);
const warn = write(
  "warn.nomad.hcl",
  'job "w" {\n  group "g" {\n    service {\n      port = "nope"\n    }\n    task "t" { driver = "exec" }\n  }\n}\n',
);

let out = "";
let err = "";
beforeEach(() => {
  out = "";
  err = "";
  process.exitCode = undefined;
  vi.spyOn(process.stdout, "write").mockImplementation((s) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    err += String(s);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe("caravan job convert", () => {
  it("prints a NomadJob resource in YAML by default, with -var values and file() next to the job", async () => {
    expect(await main(["job", "convert", job, "-var", "image=nginx:1.25", "-var=replicas=3"])).toBe(
      0,
    );
    const r = parseYaml(out, { version: "1.1" });
    expect(r).toMatchObject({
      apiVersion: "caravan.dev/v1alpha1",
      kind: "NomadJob",
      metadata: { name: "web" },
    });
    expect(r.spec.groups[0].count).toBe(3);
    expect(r.spec.groups[0].tasks[0].config).toEqual({ image: "nginx:1.25" });
    expect(r.spec.groups[0].tasks[0].templates[0].data).toBe("hello from a file\n");
  });

  it("reads -var-file and prints JSON or Nomad's API JSON", async () => {
    const vars = write("prod.vars.hcl", 'image = "redis:7"\nreplicas = 2\n');
    expect(await main(["job", "convert", job, "-var-file", vars, "-o", "json"])).toBe(0);
    expect(JSON.parse(out).spec.groups[0].count).toBe(2);
    out = "";
    expect(await main(["job", "convert", job, "--var-file", vars, "--output", "nomad-json"])).toBe(
      0,
    );
    const api = JSON.parse(out);
    expect(api.Job.ID).toBe("web");
    expect(api.Job.TaskGroups[0].Tasks[0].Config).toEqual({ image: "redis:7" });
    // As `nomad job run -output`: the parsed job, none of the server's defaults.
    expect(api.Job.Type).toBeUndefined();
    expect(api.Job.Namespace).toBeUndefined();
    expect(api.Job.TaskGroups[0].RestartPolicy).toBeUndefined();
    expect(api.Job.TaskGroups[0].Tasks[0].Resources).toBeUndefined();
  });

  it("lists files for fileset() next to the job", async () => {
    mkdirSync(path.join(dir, "conf.d", "extra"), { recursive: true });
    write("conf.d/a.conf", "a");
    write("conf.d/extra/b.conf", "b");
    write("conf.d/skip.txt", "x");
    const f = write(
      "files.nomad.hcl",
      'job "f" {\n  meta {\n    confs = join(",", fileset("conf.d", "**/*.conf"))\n  }\n  group "g" {\n    task "t" { driver = "exec" }\n  }\n}\n',
    );
    expect(await main(["job", "convert", f, "-o", "json"])).toBe(0);
    expect(JSON.parse(out).spec.meta).toEqual({ confs: "a.conf,extra/b.conf" });
  });

  it("accepts .nomad names and quotes YAML 1.1 booleans", async () => {
    expect(await main(["job", "convert", legacyName])).toBe(0);
    expect(out).toContain('command: "y"');
  });

  it("fails with file:line:column errors and no output", async () => {
    expect(await main(["job", "convert", bad])).toBe(1);
    expect(out).toBe("");
    expect(err).toBe(
      `${bad}:3:5: unsupported argument "cuont" in group "g"; did you mean "count"?\n`,
    );
  });

  it("names a missing variable and how to set it", async () => {
    expect(await main(["job", "convert", job])).toBe(1);
    expect(err).toContain(`${job}:1:1: variable "image" has no value`);
    expect(err).toContain("-var image=");
  });

  it("converts jobs Nomad's validation would refuse, with warnings, as nomad job run -output does", async () => {
    expect(await main(["job", "convert", warn])).toBe(0);
    expect(parseYaml(out).metadata.name).toBe("w");
    expect(err).toMatch(
      /^warning: .*warn\.nomad\.hcl:4:7: .*port "nope" is not a port of the group's network/m,
    );
  });

  it("refuses a missing file and an unknown format", async () => {
    expect(await main(["job", "convert", path.join(dir, "nope.nomad.hcl")])).toBe(1);
    expect(err).toContain("no such file");
    expect(await main(["job", "convert", job, "-o", "xml"])).not.toBe(0);
  });
});

describe("caravan job validate", () => {
  it("prints a one-line summary and exits 0 for a valid job", async () => {
    expect(await main(["job", "validate", legacyName])).toBe(0);
    expect(out).toBe(`${legacyName}: job "b" is valid (batch, 1 group, 1 task)\n`);
  });

  it("exits 1 with Nomad's validation errors", async () => {
    expect(await main(["job", "validate", warn])).toBe(1);
    expect(out).toBe("");
    expect(err).toMatch(/warn\.nomad\.hcl:4:7: group "g" service "w-g": port "nope" is not a port/);
  });
});

describe("caravan job validate and driver config", () => {
  it("refuses a task config its driver would refuse, naming the group, task and field", async () => {
    const bad = write(
      "bad-driver.nomad.hcl",
      `job "d" {
  group "g" {
    task "web" {
      driver = "docker"
      config {
        imgae = "busybox"
      }
    }
    task "script" {
      driver = "raw_exec"
      config { command = "/bin/true" }
    }
  }
}
`,
    );
    expect(await main(["job", "validate", bad])).toBe(1);
    expect(err).toContain(
      'group "g" task "web" (docker): config: unknown option "imgae" for docker',
    );
    expect(err).toContain('group "g" task "web" (docker): config.image: required');
    expect(err).not.toContain('task "script"');
  });

  it("leaves the node's plugin rules (privileged, host volumes) to the node, as nomad job validate does", async () => {
    const node = write(
      "node-rules.nomad.hcl",
      `job "n" {
  group "g" {
    task "t" {
      driver = "docker"
      config {
        image      = "busybox"
        privileged = true
        volumes    = ["/var/log:/host/log:ro"]
      }
      resources {
        disk = 100
      }
    }
  }
}
`,
    );
    expect(await main(["job", "validate", node])).toBe(0);
    expect(out).toContain('job "n" is valid');
    expect(err).toMatch(
      /^warning: .*node-rules\.nomad\.hcl:11:9: disk in a task's resources block is deprecated/,
    );
  });

  it("accepts a Connect gateway group, whose injected Envoy task takes its image from the node's meta", async () => {
    const gateway = path.resolve("test/jobspec/valid/30-ingress-gateway.nomad.hcl");
    expect(await main(["job", "validate", gateway])).toBe(0);
    // Valid, with the warning that Caravan has no Consul service mesh for it yet.
    expect(err).toBe(
      `warning: ${gateway}:13:7: group "gw": service "ingress-gw" uses Consul Connect (ingress gateway), which Caravan does not support yet; there is no service mesh for it to join\n`,
    );
  });

  it("leaves config that interpolates node values to the node", async () => {
    const later = write(
      "later.nomad.hcl",
      `job "l" {
  group "g" {
    task "t" {
      driver = "raw_exec"
      config {
        command = "\${NOMAD_TASK_DIR}/run"
      }
    }
  }
}
`,
    );
    expect(await main(["job", "validate", later])).toBe(0);
  });
});

describe("standard input", () => {
  it("reads the job from - and names it <stdin> in errors", () => {
    const runner = `import { main } from ${JSON.stringify(path.resolve("src/cli/main.ts"))}; process.exitCode = await main(process.argv.slice(1));`;
    const run = (input: string) =>
      spawnSync(
        process.execPath,
        ["--import", "tsx", "--input-type=module", "-e", runner, "--", "job", "validate", "-"],
        {
          input,
          encoding: "utf8",
        },
      );
    const good = run(
      'job "s" {\n  group "g" {\n    task "t" {\n      driver = "exec"\n      config { command = "/bin/true" }\n    }\n  }\n}\n',
    );
    expect(good.stdout).toBe('<stdin>: job "s" is valid (service, 1 group, 1 task)\n');
    expect(good.status).toBe(0);
    const broken = run('job "s" {\n');
    expect(broken.stderr).toBe('<stdin>:2:1: unclosed block: expected "}"\n');
    expect(broken.status).toBe(1);
    // Two fresh Node processes that compile the CLI with tsx: slow on a busy machine.
  }, 60_000);
});
