// Registration warnings as a user reads them: Nomad's own (in Nomad's words)
// and each thing Caravan accepts but does not run yet, at the line that asks for it.
import { describe, expect, it } from "vitest";
import { parseJob } from "../../src/jobspec/index.js";
import { formatWarnings } from "../../src/jobspec/warnings.js";

function warnings(source: string): string[] {
  const r = parseJob({ file: "job.nomad.hcl", source });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join("\n"));
  return (r.warnings ?? []).map((w) => `${w.line}: ${w.message}`);
}

const task = (extra = "") => `    task "t" {
      driver = "docker"
      config { image = "nginx" }
${extra}
    }`;

describe("registration warnings", () => {
  it("warns as Nomad does about services without a shutdown_delay", () => {
    const src = `job "web" {
  group "g" {
    network { port "http" {} }
    service {
      name     = "web"
      port     = "http"
      provider = "nomad"
    }
${task()}
  }
}
`;
    expect(warnings(src)).toEqual([
      '2: group "g" defines services, but neither the group nor any of its tasks have shutdown_delay set',
    ]);
    expect(warnings(src.replace('group "g" {', 'group "g" {\n    shutdown_delay = "5s"'))).toEqual(
      [],
    );
  });

  it("names each feature Caravan does not run yet, where it is written", () => {
    const src = `job "web" {
  multiregion {
    region "east" {}
  }
  group "g" {
    shutdown_delay = "5s"
    network { mode = "bridge" }
    volume "data" {
      type            = "csi"
      source          = "data"
      access_mode     = "single-node-writer"
      attachment_mode = "file-system"
    }
    service {
      name = "api"
      port = "9090"
      connect {
        sidecar_service {}
      }
    }
    service {
      name = "plain"
    }
${task(`      vault {
        role = "app"
      }`)}
  }
}
`;
    const got = warnings(src);
    expect(got).toEqual([
      "2: multiregion is a Nomad Enterprise feature (Nomad CE refuses the job as unlicensed); Caravan keeps the block but does not deploy to other regions yet: the job runs in its own region with the groups' counts",
      '17: group "g": service "api" uses Consul Connect (sidecar_service), which Caravan does not support yet; there is no service mesh for it to join',
      '21: group "g": service "plain" uses provider "consul" and Caravan has no Consul: it is registered in Nomad\'s native service catalog instead (nomad service info, nomadService), and its checks do not run',
      '9: group "g": volume "data" is a CSI volume, which Caravan does not support yet; it is not mounted',
      '27: task "t" in group "g": vault is not supported by Caravan yet; the task gets no Vault token and its templates cannot read Vault',
    ]);
  });

  it("names the group network settings Caravan does not apply yet", () => {
    const src = `job "web" {
  group "g" {
    network {
      mode     = "bridge"
      hostname = "web"
      dns {
        servers = ["1.1.1.1"]
      }
    }
${task()}
  }
}
`;
    expect(warnings(src)).toEqual([
      '6: group "g": network.dns is not supported by Caravan yet; tasks use the host\'s resolv.conf',
      '5: group "g": network.hostname is not supported by Caravan yet; exec tasks see their allocation ID as hostname',
    ]);
  });

  it("formats them as Nomad's register answer does", () => {
    expect(formatWarnings([])).toBe("");
    expect(formatWarnings(["a"])).toBe("1 warning:\n\n* a");
    expect(formatWarnings(["a", "b "])).toBe("2 warnings:\n\n* a\n* b");
  });
});
