// Artifacts as the agent fetches them before a task starts, served by a local
// HTTP server: plain files, checksums, tar.gz and zip archives, headers, and
// the failures a task event reports.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchArtifact } from "../../src/agent/artifacts/fetch.js";

const work = mkdtempSync(path.join(os.tmpdir(), "caravan-artifacts-"));
const served = path.join(work, "served");
const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

function taskDir(): string {
  const dir = mkdtempSync(path.join(work, "task-"));
  for (const sub of ["local", "tmp", "secrets"]) mkdirSync(path.join(dir, sub));
  return dir;
}

describe("artifacts", () => {
  let server: http.Server;
  let base = "";
  const seenHeaders: http.IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    const src = path.join(work, "src");
    mkdirSync(path.join(src, "bin"), { recursive: true });
    writeFileSync(path.join(src, "bin", "run.sh"), "#!/bin/sh\necho hi\n", { mode: 0o755 });
    writeFileSync(path.join(src, "README"), "read me\n");
    mkdirSync(served);
    writeFileSync(path.join(served, "config.json"), '{"a":1}\n');
    execFileSync("tar", ["-czf", path.join(served, "app.tar.gz"), "-C", src, "bin", "README"]);
    execFileSync("python3", [
      "-c",
      `import zipfile,os,sys
z=zipfile.ZipFile(sys.argv[1],"w")
for root,_,files in os.walk(sys.argv[2]):
  for f in files:
    p=os.path.join(root,f); i=zipfile.ZipInfo(os.path.relpath(p,sys.argv[2])); i.external_attr=(os.stat(p).st_mode&0o777)<<16
    z.writestr(i,open(p,"rb").read())
z.close()
z=zipfile.ZipFile(sys.argv[3],"w"); z.writestr("../../escaped.txt","x"); z.close()
import tarfile,io
t=tarfile.open(sys.argv[4],"w:gz")
for name in ["../../escaped-tar.txt","ok.txt"]:
  i=tarfile.TarInfo(name); i.size=1; t.addfile(i,io.BytesIO(b"x"))
t.close()`,
      path.join(served, "app.zip"),
      src,
      path.join(served, "evil.zip"),
      path.join(served, "evil.tar.gz"),
    ]);
    server = http.createServer((req, res) => {
      seenHeaders.push(req.headers);
      const file = path.join(served, path.basename(req.url ?? ""));
      if (!existsSync(file)) {
        res.writeHead(404).end("not found");
        return;
      }
      res.writeHead(200).end(readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server?.close());

  it("downloads a file into local/ with the given headers, verifying its checksum", async () => {
    const dir = taskDir();
    await fetchArtifact(
      {
        source: `${base}/config.json`,
        headers: { "X-Token": "abc" },
        options: { checksum: `sha256:${sha256(path.join(served, "config.json"))}` },
      },
      dir,
    );
    expect(readFileSync(path.join(dir, "local", "config.json"), "utf8")).toBe('{"a":1}\n');
    expect(seenHeaders.at(-1)?.["x-token"]).toBe("abc");
  });

  it("unpacks tar.gz and zip archives, keeping executable bits", async () => {
    for (const name of ["app.tar.gz", "app.zip"]) {
      const dir = taskDir();
      await fetchArtifact({ source: `${base}/${name}`, destination: "local/app" }, dir);
      expect(readFileSync(path.join(dir, "local", "app", "README"), "utf8")).toBe("read me\n");
      expect(statSync(path.join(dir, "local", "app", "bin", "run.sh")).mode & 0o111).not.toBe(0);
    }
  });

  it("saves an archive as a file in mode file, and reads file sources", async () => {
    const dir = taskDir();
    await fetchArtifact(
      { source: `${base}/app.tar.gz`, mode: "file", destination: "local/bundle.tgz" },
      dir,
    );
    expect(sha256(path.join(dir, "local", "bundle.tgz"))).toBe(
      sha256(path.join(served, "app.tar.gz")),
    );
    await fetchArtifact({ source: `file://${path.join(served, "config.json")}` }, dir);
    expect(existsSync(path.join(dir, "local", "config.json"))).toBe(true);
  });

  it("fails with a reason on a checksum mismatch, a missing file, an escaping archive or destination", async () => {
    const dir = taskDir();
    await expect(
      fetchArtifact(
        { source: `${base}/config.json`, options: { checksum: `md5:${"0".repeat(32)}` } },
        dir,
      ),
    ).rejects.toThrow(/checksums did not match: expected md5:0{32}, got md5:[0-9a-f]{32}/);
    expect(existsSync(path.join(dir, "local", "config.json"))).toBe(false);
    await expect(fetchArtifact({ source: `${base}/nope.tgz` }, dir)).rejects.toThrow(
      /bad response code: 404/,
    );
    await expect(fetchArtifact({ source: `${base}/evil.zip` }, dir)).rejects.toThrow(
      /unpacking evil.zip: (invalid relative path|archive entry .* escapes the destination)/,
    );
    expect(existsSync(path.join(work, "escaped.txt"))).toBe(false);
    await expect(fetchArtifact({ source: `${base}/evil.tar.gz` }, dir)).rejects.toThrow(
      /unpacking evil.tar.gz: .*\.\.\/\.\.\/escaped-tar.txt/,
    );
    expect(existsSync(path.join(work, "escaped-tar.txt"))).toBe(false);
    await expect(
      fetchArtifact({ source: `${base}/config.json`, destination: "../../x" }, dir),
    ).rejects.toThrow(/escapes the allocation directory/);
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await expect(fetchArtifact({ source: `http://127.0.0.1:${port}/x` }, dir)).rejects.toThrow(
      /GET http:\/\/127.0.0.1:\d+\/x: .*ECONNREFUSED/,
    );
  });
});
