import { describe, expect, it } from "vitest";
import { planArtifact } from "../../../src/agent/artifacts/source.js";

const taskDir = "/data/alloc/a1/web";

describe("artifact plan", () => {
  it("downloads into local/ by default and unpacks archives", () => {
    const r = planArtifact({ source: "https://example.com/dl/app.tar.gz" }, taskDir);
    expect(r).toMatchObject({
      ok: true,
      plan: {
        kind: "http",
        archive: "tar.gz",
        mode: "any",
        destination: `${taskDir}/local`,
        fileName: "app.tar.gz",
      },
    });
  });

  it("takes go-getter's checksum and archive options from the URL or the options block", () => {
    const fromUrl = planArtifact(
      { source: "http://h/x.zip?checksum=sha256:ABCD&archive=false" },
      taskDir,
    );
    expect(fromUrl).toMatchObject({
      ok: true,
      plan: { location: "http://h/x.zip", checksum: { type: "sha256", hex: "abcd" } },
    });
    expect(fromUrl.ok && fromUrl.plan.archive).toBeUndefined();
    const guessed = planArtifact(
      { source: "/srv/f.bin", options: { checksum: "d41d8cd98f00b204e9800998ecf8427e" } },
      taskDir,
    );
    expect(guessed).toMatchObject({ ok: true, plan: { kind: "file", checksum: { type: "md5" } } });
  });

  it("puts a file-mode download at the destination path", () => {
    const r = planArtifact(
      { source: "file:///srv/conf.tgz", mode: "file", destination: "local/conf.bin" },
      taskDir,
    );
    expect(r).toMatchObject({ ok: true, plan: { destination: `${taskDir}/local/conf.bin` } });
    expect(r.ok && r.plan.archive).toBeUndefined();
  });

  it("refuses destinations outside the allocation directory, bad checksums and unknown schemes", () => {
    expect(planArtifact({ source: "http://h/a", destination: "../../other" }, taskDir)).toEqual({
      ok: false,
      error: 'artifact.destination: "../../other" escapes the allocation directory',
    });
    // The allocation's shared alloc/ folder is in reach, as in Nomad.
    expect(
      planArtifact({ source: "http://h/a", destination: "../alloc/x" }, taskDir),
    ).toMatchObject({ ok: true, plan: { destination: "/data/alloc/a1/alloc/x" } });
    expect(planArtifact({ source: "http://h/a", destination: "/etc" }, taskDir).ok).toBe(false);
    const bad = planArtifact({ source: "http://h/a", options: { checksum: "crc32:00" } }, taskDir);
    expect(bad.ok === false && bad.error).toMatch(/^artifact.options.checksum/);
    const s3 = planArtifact({ source: "s3::https://bucket/x" }, taskDir);
    expect(s3.ok === false && s3.error).toMatch(/^artifact.source: .* is not supported/);
  });
});
