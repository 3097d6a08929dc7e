// A reconcile split in two around a finalizer, as kube-rs's finalizer helper
// does it: while the object lives, the finalizer is added before `apply` runs,
// so a deletion always waits for `cleanup`; once deletion starts, `cleanup`
// runs until it is done, and only then is the finalizer removed and the
// object let go.
import type { ApiObject } from "../crds/meta.js";
import { mergePatch } from "./apply.js";
import type { ReconcileContext, ReconcileResult } from "./controller.js";
import type { KubeConfig } from "./kubeconfig.js";
import type { ResourceRef } from "./resources.js";

export interface FinalizerHandlers<T extends ApiObject> {
  /** The object's normal reconcile; it runs only once the finalizer is on the object. */
  apply(obj: T, context: ReconcileContext): Promise<ReconcileResult | undefined>;
  /**
   * Undoes what the object caused, once its deletion started. A result with
   * requeueAfterMs means not done yet: the finalizer stays and cleanup runs
   * again then; anything else lets the object go.
   */
  cleanup(obj: T, context: ReconcileContext): Promise<ReconcileResult | undefined>;
}

export async function withFinalizer<T extends ApiObject>(
  kc: KubeConfig,
  resource: ResourceRef,
  obj: T,
  finalizer: string,
  context: ReconcileContext,
  handlers: FinalizerHandlers<T>,
): Promise<ReconcileResult | undefined> {
  const finalizers = obj.metadata.finalizers ?? [];
  const held = finalizers.includes(finalizer);
  if (obj.metadata.deletionTimestamp) {
    if (!held) return undefined;
    const result = await handlers.cleanup(obj, context);
    if (result?.requeueAfterMs !== undefined) return result;
    context.signal.throwIfAborted();
    await setFinalizers(
      kc,
      resource,
      obj,
      finalizers.filter((f) => f !== finalizer),
    );
    return undefined;
  }
  if (!held) {
    await setFinalizers(kc, resource, obj, [...finalizers, finalizer]);
    return undefined; // the update event brings the object back
  }
  return handlers.apply(obj, context);
}

/** A merge patch of the finalizers, refused (409) if the object changed since it was read. */
function setFinalizers(
  kc: KubeConfig,
  resource: ResourceRef,
  obj: ApiObject,
  finalizers: string[],
): Promise<unknown> {
  return mergePatch(kc, resource, obj, {
    metadata: { finalizers, resourceVersion: obj.metadata.resourceVersion },
  });
}
