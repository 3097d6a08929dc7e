// Container images for the docker driver's tests, built from local files (no
// registry is reachable): a root filesystem of Debian's busybox-static with
// the applets the tests use, imported into Podman's store.
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { PodmanService } from "./podman.js";

const run = promisify(execFile);

const applets = [
  "sh",
  "httpd",
  "nc",
  "sleep",
  "cat",
  "echo",
  "ls",
  "env",
  "id",
  "ps",
  "wget",
  "true",
  "false",
  "kill",
  "grep",
  "head",
  "dd",
  "mkdir",
  "touch",
  "hostname",
  "free",
  "stty",
];

/** A busybox root filesystem serving /www with httpd; returns the image name. */
export async function buildBusyboxImage(
  podman: PodmanService,
  name: string,
  /** What httpd serves at /; a different text makes a different image. */
  index = "hello from busybox httpd\n",
  /** The image's CMD; by default httpd on port 8080. */
  cmd: string[] = ["/bin/httpd", "-f", "-p", "8080", "-h", "/www"],
): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "caravan-image-"));
  const root = path.join(dir, "root");
  for (const d of ["bin", "etc", "tmp", "www", "proc", "sys", "dev"])
    mkdirSync(path.join(root, d), { recursive: true });
  copyFileSync("/bin/busybox", path.join(root, "bin", "busybox"));
  for (const a of applets) symlinkSync("busybox", path.join(root, "bin", a));
  writeFileSync(
    path.join(root, "etc", "passwd"),
    "root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
  );
  writeFileSync(path.join(root, "etc", "group"), "root:x:0:\nnogroup:x:65534:\n");
  writeFileSync(path.join(root, "www", "index.html"), index);
  const tar = path.join(dir, "root.tar");
  await run("tar", ["-C", root, "-cf", tar, "."]);
  await podman.podman([
    "import",
    "--change",
    "ENV=PATH=/bin",
    "--change",
    `CMD ${JSON.stringify(cmd)}`,
    tar,
    name,
  ]);
  rmSync(dir, { recursive: true, force: true });
  return name;
}
