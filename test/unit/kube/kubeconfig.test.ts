import { mkdtempSync, writeFileSync } from "node:fs";
import type https from "node:https";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { KubeConfig } from "../../../src/kube/kubeconfig.js";

const kubeconfig = (user: string) => `
apiVersion: v1
kind: Config
current-context: dev
clusters:
  - name: c1
    cluster: { server: "https://127.0.0.1:6443/", certificate-authority: ca.crt }
  - name: other
    cluster: { server: "https://10.0.0.1" }
contexts:
  - name: other
    context: { cluster: other, user: u1 }
  - name: dev
    context: { cluster: c1, user: u1, namespace: team-a }
users:
  - name: u1
    user: ${user}
`;

function options(kc: KubeConfig): https.RequestOptions {
  const o: https.RequestOptions = {};
  kc.applyToHTTPSOptions(o);
  return o;
}

describe("kubeconfig", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "caravan-kubeconfig-"));
  writeFileSync(path.join(dir, "ca.crt"), "CA");
  writeFileSync(path.join(dir, "token"), "from-file\n");

  it("follows the current context to its cluster and namespace, relative paths from the file's folder", () => {
    const file = path.join(dir, "config");
    writeFileSync(file, kubeconfig("{ token: abc }"));
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    expect(kc.getCurrentCluster()).toEqual({
      server: "https://127.0.0.1:6443",
      namespace: "team-a",
    });
    const o = options(kc);
    expect(o.headers).toEqual({ Authorization: "Bearer abc" });
    expect((o.agent as https.Agent).options.ca).toEqual(Buffer.from("CA"));
    // One keep-alive agent for every request.
    expect(options(kc).agent).toBe(o.agent);
  });

  it("reads tokenFile and basic auth", () => {
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfig("{ tokenFile: token }"), dir);
    expect(options(kc).headers).toEqual({ Authorization: "Bearer from-file" });
    kc.loadFromString(kubeconfig("{ username: admin, password: secret }"), dir);
    expect(options(kc).headers).toEqual({
      Authorization: `Basic ${Buffer.from("admin:secret").toString("base64")}`,
    });
  });

  it("names a missing context", () => {
    const kc = new KubeConfig();
    expect(() =>
      kc.loadFromString(
        kubeconfig("{}").replace("current-context: dev", "current-context: nope"),
        dir,
      ),
    ).toThrow('current context "nope" not found');
  });

  it("loadFromDefault prefers KUBECONFIG and fails clearly with nothing to load", () => {
    const file = path.join(dir, "env-config");
    writeFileSync(file, kubeconfig("{ token: env }"));
    const kc = new KubeConfig();
    kc.loadFromDefault({ KUBECONFIG: file });
    expect(options(kc).headers).toEqual({ Authorization: "Bearer env" });
    const home = process.env.HOME;
    process.env.HOME = dir;
    try {
      expect(() => new KubeConfig().loadFromDefault({})).toThrow(/no kubeconfig/);
    } finally {
      process.env.HOME = home;
    }
  });
});
