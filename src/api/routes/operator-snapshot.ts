// /v1/operator/snapshot: GET saves a snapshot of every Caravan object and the
// Secrets they own (nomad operator snapshot save), PUT restores one in place
// of what is here (nomad operator snapshot restore). What is in it and how it
// comes back: src/api/snapshot/.
import { createHash } from "node:crypto";
import type { Route } from "../../http/context.js";
import { HttpError } from "../../http/errors.js";
import { restoreSnapshot } from "../snapshot/restore.js";
import { saveSnapshot } from "../snapshot/save.js";
import type { RouteDeps } from "./deps.js";

/** The largest archive a restore reads (gzipped JSON: some hundreds of thousands of objects). */
export const maxArchiveBytes = 64 * 1024 * 1024;

export function operatorSnapshotRoutes(deps: RouteDeps): Route[] {
  const { kc, log } = deps;
  const scope = {
    secretNamespace: deps.secretNamespace,
    ...(deps.namespace ? { namespace: deps.namespace } : {}),
  };
  const now = deps.now ?? Date.now;
  return [
    {
      method: "GET",
      path: "/v1/operator/snapshot",
      // Nomad: operator write, or the operator snapshot-save capability.
      acl: "operator:write",
      handle: async () => {
        const archive = await saveSnapshot(kc, scope, now());
        // The CLI checks the body against this digest before it keeps the file.
        const digest = createHash("sha256").update(archive).digest("base64");
        return {
          bytes: archive,
          headers: { "Content-Type": "application/x-gzip", Digest: `sha-256=${digest}` },
          index: deps.state.index(["jobs"]),
        };
      },
    },
    {
      method: "PUT",
      path: "/v1/operator/snapshot",
      acl: "management",
      rawBody: maxArchiveBytes,
      handle: async (ctx) => {
        const archive = ctx.body as Buffer;
        if (archive.length === 0)
          throw new HttpError(400, "failed to restore from snapshot: the request has no body");
        const result = await restoreSnapshot(kc, archive, scope, log).catch((err: unknown) => {
          // Part of the snapshot may be in place: say so, as Nomad's 500 does.
          log.error({ err }, "snapshot restore failed");
          throw new HttpError(500, `failed to restore from snapshot: ${(err as Error).message}`);
        });
        if (!result.ok)
          throw new HttpError(400, `failed to restore from snapshot: ${result.error}`);
        log.info({ objects: result.restored }, "snapshot restored");
        return { body: null, index: result.index };
      },
    },
  ];
}
