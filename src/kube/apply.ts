// Writes through server-side apply, so each writer owns only its fields
// (the user owns spec, Caravan owns status) and kubectl shows who set what.
import type { KubeConfig, KubernetesObject } from "@kubernetes/client-node";
import { fieldManager } from "./client.js";
import { collectionPath, type ResourceRef } from "./resources.js";
import { requestJson } from "./rest.js";

function objectPath(ref: ResourceRef, obj: KubernetesObject): string {
  const name = obj.metadata?.name;
  if (!name) throw new Error(`${ref.kind} without metadata.name`);
  return `${collectionPath(ref, obj.metadata?.namespace)}/${name}`;
}

const applyPatch = "application/apply-patch+yaml";

/** Server-side apply of a whole object (create or update the fields we own). */
export function applyObject<T extends KubernetesObject = KubernetesObject>(
  kc: KubeConfig,
  ref: ResourceRef,
  obj: KubernetesObject & Record<string, unknown>,
  manager = fieldManager,
): Promise<T> {
  return requestJson<T>(kc, {
    method: "PATCH",
    path: objectPath(ref, obj),
    query: { fieldManager: manager, force: true },
    body: { ...obj, apiVersion: ref.apiVersion, kind: ref.kind },
    contentType: applyPatch,
  });
}

/** Server-side apply of the status subresource. */
export function applyStatus<T extends KubernetesObject>(
  kc: KubeConfig,
  ref: ResourceRef,
  obj: KubernetesObject,
  status: unknown,
  manager = fieldManager,
): Promise<T> {
  const { name, namespace } = obj.metadata ?? {};
  return requestJson<T>(kc, {
    method: "PATCH",
    path: `${objectPath(ref, obj)}/status`,
    query: { fieldManager: manager, force: true },
    body: { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name, namespace }, status },
    contentType: applyPatch,
  });
}

/** A JSON merge patch (for small changes such as finalizers, with a resourceVersion precondition). */
export function mergePatch<T extends KubernetesObject>(
  kc: KubeConfig,
  ref: ResourceRef,
  obj: KubernetesObject,
  patch: unknown,
): Promise<T> {
  return requestJson<T>(kc, {
    method: "PATCH",
    path: objectPath(ref, obj),
    body: patch,
    contentType: "application/merge-patch+json",
  });
}

export function createObject<T extends KubernetesObject>(
  kc: KubeConfig,
  ref: ResourceRef,
  obj: T,
): Promise<T> {
  return requestJson<T>(kc, {
    method: "POST",
    path: collectionPath(ref, obj.metadata?.namespace),
    body: { ...obj, apiVersion: ref.apiVersion, kind: ref.kind },
  });
}

export function deleteObject(
  kc: KubeConfig,
  ref: ResourceRef,
  obj: KubernetesObject,
): Promise<unknown> {
  return requestJson(kc, { method: "DELETE", path: objectPath(ref, obj) });
}
