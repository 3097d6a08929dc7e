// `caravan job dispatch JOB [-meta k=v]… [-idempotency-token T] [payload file|-]`,
// as `nomad job dispatch`: the child job is created here from the rules in
// src/controllers/dispatch; the controllers schedule it like any job.
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { dispatchJob, parseMetaFlags } from "../../controllers/dispatch/dispatch.js";
import { parentLabel } from "../../crds/names.js";
import type { NomadJob } from "../../crds/objects.js";
import { createObject } from "../../kube/apply.js";
import { loadKubeConfig } from "../../kube/client.js";
import { caravanResource, collectionPath } from "../../kube/resources.js";
import { getJson } from "../../kube/rest.js";
import { UsageError } from "../options.js";
import { type ClusterFlags, withClusterFlags } from "./deployment.js";
import { findJob } from "./job-lifecycle.js";

const jobs = caravanResource("NomadJob");

interface DispatchFlags extends ClusterFlags {
  meta?: string[];
  idempotencyToken?: string;
}

function readPayload(file: string | undefined): Uint8Array | undefined {
  if (file === undefined) return undefined;
  if (file === "-") return readFileSync(0);
  if (!existsSync(file)) throw new UsageError(`payload ${file}: no such file`);
  return readFileSync(file);
}

export function addDispatchCommand(job: Command): void {
  withClusterFlags(
    job
      .command("dispatch")
      .description("run a parameterized job with meta and an optional payload")
      .argument("<job>", "job ID")
      .argument("[payload]", "file whose content is the payload, or - for standard input")
      .addOption(
        new Option("--meta <key=value>", "meta for the dispatched job; repeatable").argParser(
          (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
        ),
      )
      .option("--idempotency-token <token>", "dispatch at most once per token"),
  ).action(async (arg: string, payloadFile: string | undefined, flags: DispatchFlags) => {
    const meta = parseMetaFlags(flags.meta ?? []);
    if (!meta.ok) throw new UsageError(meta.error);
    const kc = loadKubeConfig(flags.kubeconfig);
    const parent = await findJob(kc, flags.namespace, arg);
    const name = parent.metadata.name;
    if (flags.idempotencyToken) {
      const children = await getJson<{ items: NomadJob[] }>(
        kc,
        collectionPath(jobs, flags.namespace),
        { labelSelector: `${parentLabel}=${name}` },
      );
      const same = children.items.find(
        (c) => c.spec.dispatchIdempotencyToken === flags.idempotencyToken && !c.spec.stop,
      );
      if (same) {
        process.stdout.write(
          `Dispatched Job ID = ${same.spec.id}\n(idempotency token already used)\n`,
        );
        return;
      }
    }
    const payload = readPayload(payloadFile);
    const result = dispatchJob(parent, {
      meta: meta.meta,
      ...(payload ? { payload } : {}),
      ...(flags.idempotencyToken ? { idempotencyToken: flags.idempotencyToken } : {}),
      now: Date.now(),
      id: randomUUID(),
    });
    if (!result.ok) throw new UsageError(result.errors.join("; "));
    await createObject(kc, jobs, result.child);
    process.stdout.write(
      `Dispatched Job ID = ${result.child.spec.id}\nJob Name          = ${result.child.metadata.name}\n`,
    );
  });
}
