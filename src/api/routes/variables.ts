// Nomad Variables: GET /v1/vars (metadata, by prefix, namespace=* too),
// GET/PUT/DELETE /v1/var/:path (with ?cas=<index> check-and-set), each
// variable a Secret (src/crds/variable.ts). ACL: Nomad's variables path rules
// in the namespace (list, read, write, destroy): the routes declare them
// ("var:…"), the list shows the paths the token may list. Locks
// (?lock-acquire, ?lock-renew, ?lock-release) live in an annotation of the
// Secret with their expiry.
import { randomUUID } from "node:crypto";
import { formatGoDurationMs, parseGoDuration } from "../../common/duration.js";
import {
  defaultLockMs,
  isVariableSecret,
  lockTtlBoundsMs,
  maxVariableSize,
  type VariableLock,
  type VariableMetadata,
  type VariableSecret,
  variableLockState,
  variableMetadata,
  variableOf,
  variablePathError,
  variableSecret,
  variableSecretName,
  variableSize,
  withVariableLock,
} from "../../crds/variable.js";
import type { Ctx, Reply, Route } from "../../http/context.js";
import { badRequest, HttpError, permissionDenied } from "../../http/errors.js";
import { paginate } from "../../http/query.js";
import { createObject, deleteObject, replaceObject } from "../../kube/apply.js";
import { secretResource } from "../../kube/resources.js";
import { ApiError } from "../../kube/rest.js";
import type { RouteDeps } from "./deps.js";
import { seen } from "./writes.js";

const lockParams = ["lock-acquire", "lock-release", "lock-renew"];

export function variableRoutes(deps: RouteDeps): Route[] {
  const { kc, state } = deps;
  const nowMs = () => (deps.now ?? Date.now)();

  function find(namespace: string, path: string): VariableSecret | undefined {
    const s = state.variables.store.get(`${namespace}/${variableSecretName(path)}`);
    return s && isVariableSecret(s) && variableMetadata(s).Path === path ? s : undefined;
  }

  function list(ctx: Ctx): Reply {
    const prefix = ctx.opts.prefix;
    const all = ctx.opts.allNamespaces;
    const found = state.variables.store
      .list()
      .filter(isVariableSecret)
      .map((s) => shape(ctx, s, undefined, false) as VariableMetadata)
      .filter(
        (m) =>
          (all || m.Namespace === ctx.opts.namespace) &&
          m.Path.startsWith(prefix) &&
          ctx.acl.allowVariable(m.Namespace, m.Path, "list"),
      );
    const key = (m: VariableMetadata) => `${m.Namespace}.${m.Path}`;
    found.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    if (ctx.opts.reverse) found.reverse();
    const filter = ctx.opts.filter;
    const kept = filter ? found.filter((m) => filter(m)) : found;
    const { page, nextToken } = paginate(kept, key, ctx.opts);
    return {
      body: page,
      index: state.index(["variables"]),
      ...(nextToken ? { headers: { "X-Nomad-NextToken": nextToken } } : {}),
    };
  }

  function pathOf(ctx: Ctx): string {
    const path = ctx.params.path ?? "";
    if (!path) throw badRequest("missing variable path");
    return path;
  }

  function read(ctx: Ctx): Reply {
    const path = pathOf(ctx);
    const s = find(ctx.opts.namespace, path);
    if (!s) throw new HttpError(404, "variable not found");
    return { body: shape(ctx, s), index: variableMetadata(s).ModifyIndex };
  }

  /** ?cas=<index>: undefined without one; Nomad's 400 when it is not an unsigned integer. */
  function casOf(ctx: Ctx): number | undefined {
    const cas = ctx.query.get("cas");
    if (!cas) return undefined;
    if (!/^\d+$/.test(cas))
      throw badRequest(`can not parse cas: strconv.ParseUint: parsing "${cas}": invalid syntax`);
    return Number(cas);
  }

  /** Nomad's 409 answer: the conflicting variable (its items only for a token that may read it). */
  function conflict(
    ctx: Ctx,
    namespace: string,
    path: string,
    current: VariableSecret | undefined,
  ): Reply {
    if (!current)
      return {
        status: 409,
        body: zeroVariable(namespace, path),
        index: state.index(["variables"]),
      };
    if (!ctx.acl.allowVariable(namespace, path, "read")) {
      const m = variableMetadata(current);
      return { status: 409, body: m, index: m.ModifyIndex };
    }
    const v = variableOf(current);
    return { status: 409, body: v, index: v.ModifyIndex };
  }

  /** The request body as Nomad's VariableDecrypted: Namespace, Items, Lock. */
  function bodyOf(ctx: Ctx): { namespace: string; items?: Record<string, string>; lock?: LockIn } {
    const body = (ctx.body ?? {}) as { Namespace?: unknown; Items?: unknown; Lock?: unknown };
    if (typeof body !== "object" || Array.isArray(body))
      throw badRequest("json: cannot unmarshal into Go value of type structs.VariableDecrypted");
    const items = body.Items;
    if (
      items !== undefined &&
      items !== null &&
      (typeof items !== "object" ||
        Array.isArray(items) ||
        Object.values(items).some((v) => typeof v !== "string"))
    )
      throw badRequest("Items: values must be strings (a JSON object of string to string)");
    const namespace =
      typeof body.Namespace === "string" && body.Namespace ? body.Namespace : ctx.opts.namespace;
    // The route checked the request's namespace; a body may name another.
    if (namespace !== ctx.opts.namespace && !ctx.acl.allowVariable(namespace, pathOf(ctx), "write"))
      throw permissionDenied();
    return {
      namespace,
      ...(items ? { items: items as Record<string, string> } : {}),
      ...(body.Lock !== undefined && body.Lock !== null ? { lock: lockIn(body.Lock) } : {}),
    };
  }

  /** Nomad's checks of a variable to store (wildcard namespace, size, path). */
  function validate(namespace: string, path: string, items: Record<string, string>): void {
    if (namespace === "*") throw badRequest('can not target wildcard ("*")namespace');
    if (variableSize(items) > maxVariableSize)
      throw badRequest("variables are limited to 64KiB in total size");
    const pathError = variablePathError(path);
    if (pathError) throw badRequest(pathError);
  }

  /** Creates the Secret, or replaces `current` (a 409 when it changed since it was read). */
  async function write(secret: VariableSecret, current: VariableSecret | undefined) {
    const written = current
      ? await replaceObject(kc, secretResource, secret)
      : await createObject(kc, secretResource, secret);
    const index = await seen(state, "variables", written.metadata.resourceVersion);
    return { written, index };
  }

  /** A variable as a reply: its Lock only for a management token or the lock's holder. */
  function shape(ctx: Ctx, s: VariableSecret, holder?: string, withItems = true): unknown {
    const v = withItems ? variableOf(s) : variableMetadata(s);
    const held = variableLockState(s, nowMs());
    if (!held || !(ctx.acl.management || held.lock.id === holder)) return v;
    return { ...v, Lock: lockOut(held.lock) };
  }

  async function put(ctx: Ctx): Promise<Reply> {
    const path = pathOf(ctx);
    const lockOps = lockParams.filter((p) => ctx.query.has(p));
    if (lockOps.length > 1) throw badRequest("multiple lock operations");
    const cas = casOf(ctx);
    if (lockOps.length && cas !== undefined)
      throw badRequest("CAS can't be used with lock operations");
    const op = lockOps[0];
    if (op === "lock-acquire") return acquire(ctx, path);
    if (op === "lock-release") return release(ctx, path);
    if (op === "lock-renew") return renew(ctx, path);
    const { namespace, items: given, lock } = bodyOf(ctx);
    const items = given ?? {};
    if (Object.keys(items).length === 0) throw badRequest("variable missing required Items object");
    if (lock && (lock.ttlMs !== undefined || lock.lockDelayMs !== undefined))
      throw badRequest("variable should not contain lock definition");
    validate(namespace, path, items);

    for (let attempt = 0; ; attempt++) {
      const current = find(namespace, path);
      if (cas !== undefined) {
        if (cas === 0 ? current : !current || variableMetadata(current).ModifyIndex !== cas)
          return conflict(ctx, namespace, path, current);
      }
      // A locked variable changes only for the holder of its lock (the lock's ID in the body).
      const held = current && variableLockState(current, nowMs());
      if (held && held.lock.id !== lock?.id) return conflict(ctx, namespace, path, undefined);
      try {
        const { written, index } = await write(
          variableSecret(namespace, path, items, nowMs() * 1e6, current),
          current,
        );
        return { body: shape(ctx, written, lock?.id), index };
      } catch (err) {
        // Another writer got there first (create: the name exists; replace: a newer
        // resourceVersion): with cas that is the caller's conflict, otherwise try again.
        if (!(err instanceof ApiError && err.statusCode === 409) || attempt >= 4) throw err;
        await state.variables.waitForSync();
        await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
        if (cas !== undefined) return conflict(ctx, namespace, path, find(namespace, path));
      }
    }
  }

  /**
   * ?lock-acquire: stores the variable (its items as given, as Nomad) with a
   * new lock, unless another holds it or its lock delay runs: then Nomad's 409
   * with only the namespace and path.
   */
  async function acquire(ctx: Ctx, path: string): Promise<Reply> {
    const { namespace, items = {}, lock } = bodyOf(ctx);
    const ttlMs = lock?.ttlMs || defaultLockMs.ttl;
    const lockDelayMs = lock?.lockDelayMs || defaultLockMs.delay;
    if (namespace === "*") throw badRequest('can not target wildcard ("*")namespace');
    if (variableSize(items) > maxVariableSize)
      throw badRequest("variables are limited to 64KiB in total size");
    const pathError = variablePathError(path);
    if (pathError) throw badRequest(pathError);
    if (ttlMs < 0 || lockDelayMs < 0) throw badRequest("Lock delay and TTL must be positive");
    if (ttlMs < lockTtlBoundsMs.min || ttlMs > lockTtlBoundsMs.max)
      throw badRequest("TTL must be between 10 seconds and 24 hours");
    const current = find(namespace, path);
    const held = current && variableLockState(current, nowMs());
    if (held && held.lock.id !== lock?.id) return conflict(ctx, namespace, path, undefined);
    const id = lock?.id || randomUUID();
    const next = withVariableLock(variableSecret(namespace, path, items, nowMs() * 1e6, current), {
      id,
      ttlMs,
      lockDelayMs,
      expiresAtMs: nowMs() + ttlMs,
    });
    try {
      const { written, index } = await write(next, current);
      return { body: shape(ctx, written, id), index };
    } catch (err) {
      // Someone else wrote it meanwhile: the lock goes to whoever wrote first.
      if (err instanceof ApiError && err.statusCode === 409)
        return conflict(ctx, namespace, path, undefined);
      throw err;
    }
  }

  /** ?lock-renew: the holder's lock lives another TTL; the variable's metadata is the answer. */
  async function renew(ctx: Ctx, path: string): Promise<Reply> {
    const { namespace, lock } = bodyOf(ctx);
    if (!lock?.id) throw badRequest("missing lock ID");
    const current = find(namespace, path);
    if (!current) throw new HttpError(404, "variable doesn't exist");
    const held = variableLockState(current, nowMs());
    if (!held) throw new HttpError(409, "variable doesn't hold a lock");
    if (held.state !== "held" || held.lock.id !== lock.id)
      throw new HttpError(409, "attempting to modify locked variable");
    const renewed = { ...held.lock, expiresAtMs: nowMs() + held.lock.ttlMs };
    try {
      const { written, index } = await write(withVariableLock(current, renewed), current);
      return { body: shape(ctx, written, lock.id, false), index };
    } catch (err) {
      if (err instanceof ApiError && err.statusCode === 409)
        throw new HttpError(409, "attempting to modify locked variable");
      throw err;
    }
  }

  /** ?lock-release: the holder gives the lock up; the items stay. */
  async function release(ctx: Ctx, path: string): Promise<Reply> {
    const { namespace, items, lock } = bodyOf(ctx);
    if (!lock?.id) throw badRequest("missing lock information");
    if (items) throw badRequest("lock release operation doesn't take variable items");
    const pathError = variablePathError(path);
    if (pathError) throw badRequest(pathError);
    const current = find(namespace, path);
    if (!current) throw new HttpError(404, "variable doesn't exist");
    const held = variableLockState(current, nowMs());
    if (!held) throw new HttpError(409, "variable doesn't hold a lock");
    if (held.lock.id !== lock.id) {
      return {
        status: 409,
        body: zeroVariable(namespace, path),
        index: state.index(["variables"]),
      };
    }
    try {
      const { written, index } = await write(withVariableLock(current, undefined), current);
      return { body: shape(ctx, written, undefined, false), index };
    } catch (err) {
      if (err instanceof ApiError && err.statusCode === 409)
        throw new HttpError(409, "attempting to modify locked variable");
      throw err;
    }
  }

  async function remove(ctx: Ctx): Promise<Reply> {
    const path = pathOf(ctx);
    const namespace = ctx.opts.namespace;
    const cas = casOf(ctx);
    const current = find(namespace, path);
    if (cas !== undefined) {
      if (cas === 0 ? current : !current || variableMetadata(current).ModifyIndex !== cas)
        return conflict(ctx, namespace, path, current);
    }
    if (!current) return { status: 204, index: state.index(["variables"]) };
    // A locked variable is deleted by nobody (a delete carries no lock ID), as in Nomad.
    if (variableLockState(current, nowMs())) return conflict(ctx, namespace, path, undefined);
    try {
      // The resourceVersion precondition makes a concurrent change a 409, as cas asks.
      await deleteObject(kc, secretResource, current, cas !== undefined);
    } catch (err) {
      if (err instanceof ApiError && err.statusCode === 404 && cas === undefined)
        return { status: 204, index: state.index(["variables"]) };
      if (err instanceof ApiError && cas !== undefined && [404, 409].includes(err.statusCode)) {
        await state.variables.waitForSync();
        return conflict(ctx, namespace, path, find(namespace, path));
      }
      throw err;
    }
    return { status: 204, index: state.index(["variables"]) + 1 };
  }

  return [
    // Nomad's Variables.List: every variable the token may list (no 403: a filtered list).
    { method: "GET", path: "/v1/vars", acl: "filtered", watch: ["variables"], handle: list },
    // Variables.Read needs read on the path, Apply write (destroy to delete); a
    // write naming another Namespace in its body is checked there too.
    { method: "GET", path: "/v1/var/:path*", acl: "var:read", watch: ["variables"], handle: read },
    { method: "PUT", path: "/v1/var/:path*", acl: "var:write", handle: put },
    { method: "POST", path: "/v1/var/:path*", acl: "var:write", handle: put },
    { method: "DELETE", path: "/v1/var/:path*", acl: "var:destroy", handle: remove },
  ];
}

function zeroVariable(namespace: string, path: string) {
  return {
    Namespace: namespace,
    Path: path,
    CreateIndex: 0,
    CreateTime: 0,
    ModifyIndex: 0,
    ModifyTime: 0,
  };
}

/** A Lock as a request gives it: durations as Go strings ("15s") or nanoseconds. */
interface LockIn {
  id?: string;
  ttlMs?: number;
  lockDelayMs?: number;
}

function lockIn(raw: unknown): LockIn {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw badRequest("Lock: must be an object");
  const { ID, TTL, LockDelay } = raw as Record<string, unknown>;
  const ms = (v: unknown, field: string): number | undefined => {
    if (v === undefined || v === null || v === "" || v === 0) return undefined;
    if (typeof v === "number") return v / 1e6;
    if (typeof v === "string") {
      const d = parseGoDuration(v);
      if (d.ok) return Number(d.nanos) / 1e6;
      throw badRequest(`Lock.${field}: ${d.error}`);
    }
    throw badRequest(`Lock.${field}: must be a duration string or nanoseconds`);
  };
  if (ID !== undefined && ID !== null && typeof ID !== "string")
    throw badRequest("Lock.ID: must be a string");
  const ttlMs = ms(TTL, "TTL");
  const lockDelayMs = ms(LockDelay, "LockDelay");
  return {
    ...(ID ? { id: ID } : {}),
    ...(ttlMs !== undefined ? { ttlMs } : {}),
    ...(lockDelayMs !== undefined ? { lockDelayMs } : {}),
  };
}

/** Nomad's JSON of a lock: its ID and Go duration strings. */
function lockOut(lock: VariableLock) {
  return {
    ID: lock.id,
    TTL: formatGoDurationMs(lock.ttlMs),
    LockDelay: formatGoDurationMs(lock.lockDelayMs),
  };
}
