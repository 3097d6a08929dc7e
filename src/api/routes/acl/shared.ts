// What the ACL routes share: their dependencies, the kinds they write, the
// "ACL support disabled" answer, and how a write's answer waits until this
// process's cache holds what was written.

import { goDurationMs } from "../../../common/duration.js";
import {
  defaultTokenMaxExpirationTTL,
  defaultTokenMinExpirationTTL,
} from "../../../config/agent-config.js";
import type { ApiObject } from "../../../crds/meta.js";
import type { NomadACLRole, NomadACLToken } from "../../../crds/objects.js";
import type { Reply, Route } from "../../../http/context.js";
import { badRequest } from "../../../http/errors.js";
import { caravanResource } from "../../../kube/resources.js";
import type { ApiState, ObjectIndexes } from "../../state.js";
import type { RouteDeps } from "../deps.js";
import { seen } from "../writes.js";

export const policiesRef = caravanResource("NomadACLPolicy");
export const tokensRef = caravanResource("NomadACLToken");
export const rolesRef = caravanResource("NomadACLRole");

export interface AclDeps extends RouteDeps {
  now: () => number;
  /** acl { token_min_expiration_ttl, token_max_expiration_ttl }, in milliseconds. */
  expirationBounds: { min: number; max: number };
}

export function aclDeps(deps: RouteDeps): AclDeps {
  const acl = deps.config.acl;
  return {
    ...deps,
    now: deps.now ?? Date.now,
    expirationBounds: {
      min: goDurationMs(acl?.tokenMinExpirationTTL ?? defaultTokenMinExpirationTTL) ?? 0,
      max:
        goDurationMs(acl?.tokenMaxExpirationTTL ?? defaultTokenMaxExpirationTTL) ??
        Number.POSITIVE_INFINITY,
    },
  };
}

/** The routes, each answering Nomad's 400 first when ACLs are off. */
export function whenEnabled(a: AclDeps, routes: Route[]): Route[] {
  return routes.map((r) => ({
    ...r,
    handle: (ctx) => {
      if (!a.auth.enabled) throw badRequest("ACL support disabled");
      return r.handle(ctx);
    },
  }));
}

const rv = (o: ApiObject | undefined) => Number(o?.metadata.resourceVersion) || 0;

type Written = { tokens: NomadACLToken; roles: NomadACLRole };

/** Waits (briefly) until this process's cache holds the written object, then answers its index. */
export async function cached<K extends keyof Written>(
  state: ApiState,
  kind: K,
  written: Written[K],
): Promise<number> {
  const index = await seen(state, kind, written.metadata.resourceVersion);
  const store = state[kind].store;
  const deadline = Date.now() + 5_000;
  const never = new AbortController().signal;
  while (rv(store.get(written.metadata.name)) < rv(written) && Date.now() < deadline)
    await state.trackers[kind].changed(Math.max(1, deadline - Date.now()), never);
  return index;
}

/**
 * The answer to a token or role write: the object as the cache holds it
 * unless the write's answer is newer (another object's deletion can move the
 * index past a write the cache has not seen yet), and the write's index.
 */
export async function writtenReply<K extends keyof Written>(
  state: ApiState,
  kind: K,
  written: Written[K],
  out: (o: Written[K]) => unknown,
): Promise<Reply> {
  const index = await cached(state, kind, written);
  const held = state[kind].store.get(written.metadata.name) as Written[K] | undefined;
  const newest = held && rv(held) >= rv(written) ? held : written;
  return { body: out(newest), index };
}

/** A read of one object: its Nomad shape, at its own modify index. */
export function objectReply<T extends ApiObject>(
  state: ApiState,
  o: T,
  out: (o: T, idx: ObjectIndexes) => unknown,
): Reply {
  const idx = state.indexesOf(o);
  return { body: out(o, idx), index: idx.modify };
}
