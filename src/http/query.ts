// Nomad's query options: namespace, region, prefix, filter, pagination and
// blocking (index, wait). Wait is capped at 10 minutes, 5 by default, with a
// sixteenth of jitter as Nomad adds, so many watchers do not all return at once.

import { goDurationMs } from "../common/duration.js";
import { HttpError } from "./errors.js";
import { type FilterResult, parseFilter } from "./filter.js";

export interface QueryOptions {
  namespace: string;
  /** namespace=* */
  allNamespaces: boolean;
  region?: string;
  prefix: string;
  filter?: (obj: unknown) => boolean;
  perPage?: number;
  nextToken?: string;
  minIndex?: number;
  waitMs: number;
  reverse: boolean;
}

const maxWaitMs = 10 * 60_000;
const defaultWaitMs = 5 * 60_000;

export function parseQuery(q: URLSearchParams, random: () => number = Math.random): QueryOptions {
  const namespace = q.get("namespace") || "default";
  const opts: QueryOptions = {
    namespace,
    allNamespaces: namespace === "*",
    prefix: q.get("prefix") ?? "",
    waitMs: defaultWaitMs,
    reverse: queryBool(q, "reverse") ?? false,
  };
  const region = q.get("region");
  if (region) opts.region = region;
  const filter = q.get("filter");
  if (filter) {
    const f: FilterResult = parseFilter(filter);
    // Nomad's words: its paginator refuses the expression (clients look for them).
    if (!f.ok)
      throw new HttpError(
        400,
        `failed to create result paginator: failed to read filter expression: ${f.error}`,
      );
    // As Nomad's paginator: an object the expression cannot be evaluated on fails the page.
    opts.filter = (obj) => {
      const r = f.evaluate(obj);
      if (!r.ok) throw new HttpError(400, `failed to read result page: ${r.error}`);
      return r.match;
    };
  }
  const perPage = q.get("per_page");
  if (perPage !== null && perPage !== "") {
    const n = Number(perPage);
    if (!Number.isInteger(n) || n < 0)
      throw new HttpError(400, `Invalid per_page value: ${perPage}`);
    if (n > 0) opts.perPage = n;
  }
  const next = q.get("next_token");
  if (next) opts.nextToken = next;
  const index = q.get("index");
  if (index !== null && index !== "") {
    const n = Number(index);
    if (!Number.isInteger(n) || n < 0) throw new HttpError(400, `Invalid index: ${index}`);
    opts.minIndex = n;
  }
  const wait = q.get("wait");
  if (wait) {
    const ms = /^[0-9]+$/.test(wait) ? Number(wait) : goDurationMs(wait);
    if (ms === undefined || ms < 0) throw new HttpError(400, `Invalid wait time: ${wait}`);
    opts.waitMs = Math.min(ms, maxWaitMs);
  }
  opts.waitMs += Math.floor((random() * opts.waitMs) / 16);
  return opts;
}

/**
 * One page of items sorted by key: items from next_token on, at most per_page;
 * the next page's token is the first key left over, as Nomad paginates.
 */
export function paginate<T>(
  items: readonly T[],
  key: (item: T) => string,
  opts: QueryOptions,
): { page: T[]; nextToken?: string } {
  let start = 0;
  if (opts.nextToken) {
    const token = opts.nextToken;
    start = items.findIndex((i) => key(i) >= token);
    if (start < 0) return { page: [] };
  }
  if (!opts.perPage) return { page: items.slice(start) };
  const end = start + opts.perPage;
  const page = items.slice(start, end);
  const next = items[end];
  return next === undefined ? { page } : { page, nextToken: key(next) };
}

const goTrue = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const goFalse = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/**
 * A boolean query parameter read as Nomad reads one (Go's strconv.ParseBool:
 * 1, t, T, TRUE, true, True and their false forms; python-nomad sends
 * "True"): undefined when absent or empty, 400 with Nomad's message when it
 * is not a boolean.
 */
export function queryBool(q: URLSearchParams, field: string): boolean | undefined {
  const value = q.get(field);
  if (value === null || value === "") return undefined;
  if (goTrue.has(value)) return true;
  if (goFalse.has(value)) return false;
  throw new HttpError(
    400,
    `Failed to parse value of "${field}" (${value}) as a bool: strconv.ParseBool: parsing "${value}": invalid syntax`,
  );
}
