// Downloads a task's artifacts into its task directory before it starts, as
// Nomad's artifact hook does with go-getter: http(s) (with headers) or local
// file sources, checksum verification, and archive unpacking. Errors carry a
// message for the "Failed Artifact Download" task event.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, mkdirSync, renameSync, rmSync } from "node:fs";
import { cp, mkdtemp, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { TaskArtifact } from "../../crds/job/task.js";
import { type ArtifactPlan, planArtifact } from "./source.js";
import { unpack } from "./unpack.js";

export class ArtifactError extends Error {}

export async function fetchArtifact(
  artifact: TaskArtifact,
  taskDir: string,
  timeoutMs = 5 * 60_000,
): Promise<void> {
  const planned = planArtifact(artifact, path.resolve(taskDir));
  if (!planned.ok) throw new ArtifactError(planned.error);
  const plan = planned.plan;
  if (plan.mode === "dir") {
    await copyDir(plan);
    return;
  }
  const scratch = await mkdtemp(path.join(taskDir, "tmp", "artifact-"));
  try {
    const file = path.join(scratch, plan.fileName);
    if (plan.kind === "http") await download(plan, file, timeoutMs);
    else
      await pipeline(createReadStream(plan.location), createWriteStream(file)).catch(
        fileError(plan),
      );
    if (plan.checksum) await verify(file, plan.checksum);
    if (plan.archive) {
      await unpack(file, plan.archive, plan.destination).catch((err: Error) => {
        throw new ArtifactError(`unpacking ${plan.fileName}: ${err.message}`);
      });
      return;
    }
    const target =
      plan.mode === "file" ? plan.destination : path.join(plan.destination, plan.fileName);
    mkdirSync(path.dirname(target), { recursive: true });
    renameSync(file, target);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function download(plan: ArtifactPlan, file: string, timeoutMs: number): Promise<void> {
  let res: Response;
  try {
    res = await fetch(plan.location, {
      headers: plan.headers,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const cause = (err as { cause?: Error }).cause?.message ?? (err as Error).message;
    throw new ArtifactError(`GET ${plan.location}: ${cause}`);
  }
  if (!res.ok || !res.body)
    throw new ArtifactError(`GET ${plan.location}: bad response code: ${res.status}`);
  await pipeline(
    Readable.fromWeb(res.body as import("node:stream/web").ReadableStream),
    createWriteStream(file),
  );
}

function fileError(plan: ArtifactPlan): (err: Error) => never {
  return (err) => {
    throw new ArtifactError(`reading ${plan.location}: ${err.message}`);
  };
}

async function verify(file: string, checksum: NonNullable<ArtifactPlan["checksum"]>) {
  const hash = createHash(checksum.type);
  await pipeline(createReadStream(file), hash);
  const actual = hash.digest("hex");
  if (actual !== checksum.hex)
    throw new ArtifactError(
      `checksums did not match: expected ${checksum.type}:${checksum.hex}, got ${checksum.type}:${actual}`,
    );
}

async function copyDir(plan: ArtifactPlan): Promise<void> {
  const info = await stat(plan.location).catch(fileError(plan));
  if (!info.isDirectory()) throw new ArtifactError(`${plan.location} is not a directory`);
  await cp(plan.location, plan.destination, { recursive: true });
}
