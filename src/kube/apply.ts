// Writes through server-side apply, so each writer owns only its fields
// (the user owns spec, Caravan owns status) and kubectl shows who set what.

import type { ApiObject } from "../crds/meta.js";
import { fieldManager } from "./client.js";
import type { KubeConfig } from "./kubeconfig.js";
import { collectionPath, objectPath, type ResourceRef } from "./resources.js";
import { ApiError, getObject, requestJson } from "./rest.js";

function pathOf(ref: ResourceRef, obj: ApiObject): string {
  const { name, namespace } = obj.metadata;
  if (!name) throw new Error(`${ref.kind} without metadata.name`);
  return objectPath(ref, name, namespace);
}

const applyPatch = "application/apply-patch+yaml";

/** Server-side apply of a whole object (create or update the fields we own). */
export function applyObject<T extends ApiObject = ApiObject>(
  kc: KubeConfig,
  ref: ResourceRef,
  obj: ApiObject & Record<string, unknown>,
  manager = fieldManager,
): Promise<T> {
  return requestJson<T>(kc, {
    method: "PATCH",
    path: pathOf(ref, obj),
    query: { fieldManager: manager, force: true },
    body: { ...obj, apiVersion: ref.apiVersion, kind: ref.kind },
    contentType: applyPatch,
  });
}

/**
 * Server-side apply of the status subresource. With `precondition`, only if
 * the object is still at obj's resourceVersion (409 Conflict otherwise).
 */
export function applyStatus<T extends ApiObject>(
  kc: KubeConfig,
  ref: ResourceRef,
  obj: ApiObject,
  status: unknown,
  manager = fieldManager,
  precondition = false,
): Promise<T> {
  const { name, namespace, resourceVersion } = obj.metadata;
  return requestJson<T>(kc, {
    method: "PATCH",
    path: `${pathOf(ref, obj)}/status`,
    query: { fieldManager: manager, force: true },
    body: {
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      metadata: { name, namespace, ...(precondition ? { resourceVersion } : {}) },
      status: compact(status),
    },
    contentType: applyPatch,
  });
}

/** A JSON merge patch (for small changes such as finalizers, with a resourceVersion precondition). */
export function mergePatch<T extends ApiObject>(
  kc: KubeConfig,
  ref: ResourceRef,
  obj: ApiObject,
  patch: unknown,
): Promise<T> {
  return requestJson<T>(kc, {
    method: "PATCH",
    path: pathOf(ref, obj),
    body: patch,
    contentType: "application/merge-patch+json",
  });
}

/** A JSON merge patch of the status subresource (a few fields, as an agent reports them). */
export function mergePatchStatus<T extends ApiObject>(
  kc: KubeConfig,
  ref: ResourceRef,
  obj: ApiObject,
  status: unknown,
): Promise<T> {
  return requestJson<T>(kc, {
    method: "PATCH",
    path: `${pathOf(ref, obj)}/status`,
    body: { status },
    contentType: "application/merge-patch+json",
  });
}

export function createObject<T extends ApiObject>(
  kc: KubeConfig,
  ref: ResourceRef,
  obj: T,
): Promise<T> {
  return requestJson<T>(kc, {
    method: "POST",
    path: collectionPath(ref, obj.metadata.namespace),
    body: { ...obj, apiVersion: ref.apiVersion, kind: ref.kind },
  });
}

/**
 * Creates the object unless one of its name exists: a 409 AlreadyExists
 * answers with the object already there. With deterministic names, this makes
 * a retried create (or two writers creating the same thing) write it once.
 */
export async function createIfAbsent<T extends ApiObject>(
  kc: KubeConfig,
  ref: ResourceRef,
  obj: T,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createObject(kc, ref, obj);
    } catch (err) {
      if (!(err instanceof ApiError && err.statusCode === 409)) throw err;
    }
    try {
      return await getObject<T>(kc, ref, obj.metadata.name, obj.metadata.namespace);
    } catch (err) {
      // Deleted between the two requests: create it again (once).
      if (!(err instanceof ApiError && err.statusCode === 404) || attempt >= 2) throw err;
    }
  }
}

/** Replaces the object whole (PUT); its metadata.resourceVersion makes a concurrent change a 409. */
export function replaceObject<T extends ApiObject>(
  kc: KubeConfig,
  ref: ResourceRef,
  obj: T,
): Promise<T> {
  return requestJson<T>(kc, {
    method: "PUT",
    path: pathOf(ref, obj),
    body: { ...obj, apiVersion: ref.apiVersion, kind: ref.kind },
  });
}

/** Deletes the object; `ifUnchanged` makes a change since `obj` was read a 409 (a resourceVersion precondition). */
export function deleteObject(
  kc: KubeConfig,
  ref: ResourceRef,
  obj: ApiObject,
  ifUnchanged = false,
): Promise<unknown> {
  const rv = obj.metadata.resourceVersion;
  return requestJson(kc, {
    method: "DELETE",
    path: pathOf(ref, obj),
    ...(ifUnchanged && rv ? { body: { preconditions: { resourceVersion: rv } } } : {}),
  });
}

// Server-side apply turns an applied empty map that replaces a non-empty one
// into null, which the schema refuses; leaving the field out (dropping what we
// owned) has the intended effect.
function compact(status: unknown): unknown {
  if (status === null || typeof status !== "object" || Array.isArray(status)) return status;
  return Object.fromEntries(
    Object.entries(status).filter(
      ([, v]) =>
        v !== undefined &&
        !(v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0),
    ),
  );
}

/** Deletes every object of the kind in `namespace` whose labels match `labelSelector` (one request). */
export function deleteCollection(
  kc: KubeConfig,
  ref: ResourceRef,
  namespace: string | undefined,
  labelSelector: string,
): Promise<unknown> {
  return requestJson(kc, {
    method: "DELETE",
    path: collectionPath(ref, namespace),
    query: { labelSelector },
  });
}
