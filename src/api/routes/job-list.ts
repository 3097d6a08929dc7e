// GET /v1/jobs, the hot read. Its serialized answer (and gzip form) is kept
// per query and ACL scope until the jobs collection moves; when it moves,
// only the stubs of jobs that changed are serialized again.
import type { Acl } from "../../acl/acl.js";
import type { NomadJob } from "../../crds/objects.js";
import type { Ctx, Reply } from "../../http/context.js";
import { JsonPayload } from "../../http/payload.js";
import { jobFilterView, jobID, jobNamespace, jobStub } from "../convert/job-out.js";
import type { ApiState } from "../state.js";
import { listPage, namespaceScope } from "./common.js";

interface ListEntry {
  index: number;
  raw: JsonPayload;
  next?: string;
}

/** A job's list stub, as an object (for filters) and serialized. */
interface StubEntry {
  out: Record<string, unknown>;
  json: Buffer;
  create: number;
  specModify: number;
}

const maxCachedLists = 64;
const open = Buffer.from("[");
const comma = Buffer.from(",");
const close = Buffer.from("]");

/** The handler of GET /v1/jobs, with its caches. */
export function jobLister(state: ApiState): (ctx: Ctx) => Reply {
  const listCache = new Map<string, ListEntry>();
  const scopes = new WeakMap<Acl, number>();
  let scopesSeen = 0;
  const scopeID = (acl: Acl): number => {
    const known = scopes.get(acl);
    if (known !== undefined) return known;
    scopesSeen++;
    scopes.set(acl, scopesSeen);
    return scopesSeen;
  };
  const stubs = new WeakMap<NomadJob, StubEntry>();

  function stubOf(job: NomadJob): StubEntry {
    const idx = state.indexesOf(job);
    const hit = stubs.get(job);
    // The informer replaces a changed job's object; the indexes move with it except
    // CreateIndex, which a restart of this process may learn later.
    if (hit && hit.create === idx.create && hit.specModify === idx.specModify) return hit;
    const out = jobStub(job, idx);
    const entry = {
      out,
      json: Buffer.from(JSON.stringify(out)),
      create: idx.create,
      specModify: idx.specModify,
    };
    stubs.set(job, entry);
    return entry;
  }

  /** The answer's cache key: the query without blocking options, and the ACL scope for namespace=*. */
  function cacheKey(ctx: Ctx): string {
    // One namespace: the same answer for every token allowed to ask; namespace=*:
    // the namespaces this token's ACL may list. Blocking options change when the
    // answer is sent, not what it holds.
    const q = ctx.query;
    const query =
      q.has("index") || q.has("wait") || q.has("stale")
        ? new URLSearchParams(
            [...q].filter(([k]) => k !== "index" && k !== "wait" && k !== "stale"),
          )
        : q;
    return `${ctx.opts.allNamespaces ? scopeID(ctx.acl) : 0} ${query}`;
  }

  function remember(key: string, entry: ListEntry): void {
    // Bounded: the least recently refreshed answers go first.
    listCache.delete(key);
    if (listCache.size >= maxCachedLists) listCache.delete(listCache.keys().next().value ?? "");
    listCache.set(key, entry);
  }

  return function listJobs(ctx: Ctx): Reply {
    const inScope = namespaceScope(ctx, "list-jobs");
    const index = state.index(["jobs"]);
    const key = cacheKey(ctx);
    const hit = listCache.get(key);
    if (hit && hit.index === index)
      return {
        raw: hit.raw,
        index,
        ...(hit.next ? { headers: { "X-Nomad-NextToken": hit.next } } : {}),
      };
    const jobs = state.jobs.store.list().filter((j) => inScope(jobNamespace(j)));
    // As Nomad, a filter sees the stored job, not its stub.
    const { page, nextToken } = listPage(jobs, jobID, stubOf, ctx, (_, job) =>
      jobFilterView(job, state.indexesOf(job)),
    );
    const parts: Buffer[] = [open];
    for (const [i, p] of page.entries()) {
      if (i > 0) parts.push(comma);
      parts.push(p.out.json);
    }
    parts.push(close);
    const raw = new JsonPayload(Buffer.concat(parts));
    remember(key, { index, raw, ...(nextToken ? { next: nextToken } : {}) });
    return {
      raw,
      index,
      ...(nextToken ? { headers: { "X-Nomad-NextToken": nextToken } } : {}),
    };
  };
}
