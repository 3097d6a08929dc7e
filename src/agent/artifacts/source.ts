// Reads an artifact block the way go-getter does: the source URL (with
// go-getter's `checksum` and `archive` query options), the options map, the
// mode, and where inside the task directory it goes. Pure.
import path from "node:path";
import type { TaskArtifact } from "../../crds/job/task.js";

export type ChecksumType = "md5" | "sha1" | "sha256" | "sha512";

export interface ArtifactPlan {
  kind: "http" | "file";
  /** The URL to GET (http) or the local path (file), without go-getter's options. */
  location: string;
  /** The file name the download gets when it is not unpacked. */
  fileName: string;
  checksum?: { type: ChecksumType; hex: string };
  /** The archive format to unpack, when it is one and unpacking is on. */
  archive?: "tar" | "tar.gz" | "zip";
  mode: "any" | "file" | "dir";
  /** Absolute destination: a directory, or the file itself in mode "file". */
  destination: string;
  headers: Record<string, string>;
}

export type PlanResult = { ok: true; plan: ArtifactPlan } | { ok: false; error: string };

const hexLength: Record<number, ChecksumType> = {
  32: "md5",
  40: "sha1",
  64: "sha256",
  128: "sha512",
};

export function planArtifact(artifact: TaskArtifact, taskDir: string): PlanResult {
  const options: Record<string, string> = {};
  let kind: ArtifactPlan["kind"];
  let location: string;
  let urlPath: string;
  if (/^https?:\/\//i.test(artifact.source)) {
    let url: URL;
    try {
      url = new URL(artifact.source);
    } catch {
      return { ok: false, error: `artifact.source: "${artifact.source}" is not a valid URL` };
    }
    for (const key of ["checksum", "archive"]) {
      const v = url.searchParams.get(key);
      if (v !== null) options[key] = v;
      url.searchParams.delete(key);
    }
    kind = "http";
    location = url.toString();
    urlPath = decodeURIComponent(url.pathname);
  } else if (artifact.source.startsWith("file://") || artifact.source.startsWith("/")) {
    kind = "file";
    const [raw = "", query = ""] = artifact.source.replace(/^file:\/\//, "").split("?", 2);
    for (const [k, v] of new URLSearchParams(query)) options[k] = v;
    location = raw;
    urlPath = raw;
  } else {
    return {
      ok: false,
      error: `artifact.source: "${artifact.source}" is not supported (http, https and file sources are)`,
    };
  }
  Object.assign(options, artifact.options ?? {});

  let checksum: ArtifactPlan["checksum"];
  if (options.checksum) {
    const [a, b] = options.checksum.includes(":")
      ? options.checksum.split(":", 2)
      : [undefined, options.checksum];
    const hex = (b ?? "").toLowerCase();
    const type = (a?.toLowerCase() ?? hexLength[hex.length]) as ChecksumType | undefined;
    if (!type || !["md5", "sha1", "sha256", "sha512"].includes(type) || !/^[0-9a-f]+$/.test(hex))
      return {
        ok: false,
        error: `artifact.options.checksum: "${options.checksum}" is not <md5|sha1|sha256|sha512>:<hex>`,
      };
    checksum = { type, hex };
  }

  const mode = artifact.mode ?? "any";
  const fileName = path.posix.basename(urlPath) || "artifact";
  const archive =
    mode === "file" || options.archive === "false" ? undefined : archiveFormat(fileName);
  const relative = artifact.destination ?? (mode === "file" ? `local/${fileName}` : "local/");
  const destination = path.resolve(taskDir, relative);
  // As Nomad: a destination may leave the task's directory for the shared
  // alloc/ folder ("../alloc/x"), never the allocation's directory.
  const allocDir = path.dirname(taskDir);
  if (!destination.startsWith(allocDir + path.sep))
    return {
      ok: false,
      error: `artifact.destination: "${relative}" escapes the allocation directory`,
    };
  if (mode === "dir" && kind === "http")
    return { ok: false, error: 'artifact.mode: "dir" needs a file source (a directory)' };
  return {
    ok: true,
    plan: {
      kind,
      location,
      fileName,
      ...(checksum ? { checksum } : {}),
      ...(archive ? { archive } : {}),
      mode,
      destination,
      headers: artifact.headers ?? {},
    },
  };
}

function archiveFormat(name: string): ArtifactPlan["archive"] {
  const n = name.toLowerCase();
  if (n.endsWith(".tar.gz") || n.endsWith(".tgz")) return "tar.gz";
  if (n.endsWith(".tar")) return "tar";
  if (n.endsWith(".zip")) return "zip";
  return undefined;
}
