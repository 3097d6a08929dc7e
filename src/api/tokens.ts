// NomadACLTokens applied with kubectl (GitOps) come without status: this fills
// it. The secret ID is read from the token's Secret, or created there (a random
// UUID) when the key is missing; the status gets its sha256 hash and the
// accessor ID, which is the object's UID. Every step is deterministic or
// guarded by create/resourceVersion, so API replicas doing it at once agree.
import { randomUUID } from "node:crypto";
import { goDurationMs } from "../common/duration.js";
import type { Logger } from "../common/log.js";
import type { ApiObject } from "../crds/meta.js";
import type { NomadACLToken } from "../crds/objects.js";
import { secretHash } from "../http/acl-objects.js";
import { applyStatus, createObject, mergePatch } from "../kube/apply.js";
import { fieldManager } from "../kube/client.js";
import type { KubeConfig } from "../kube/kubeconfig.js";
import { caravanResource, secretResource } from "../kube/resources.js";
import { ApiError, getObject } from "../kube/rest.js";
import type { ApiState } from "./state.js";

const tokensRef = caravanResource("NomadACLToken");

interface Secret extends ApiObject {
  data?: Record<string, string>;
}

/**
 * The secret ID a token's Secret holds, when it is the one the token's status
 * hashes (Nomad answers a token update with the secret, as its create).
 */
export async function storedSecret(
  kc: KubeConfig,
  token: NomadACLToken,
): Promise<string | undefined> {
  const ref = token.spec.secretRef;
  if (!ref?.name) return undefined;
  let secret: Secret;
  try {
    secret = await getObject<Secret>(kc, secretResource, ref.name, ref.namespace);
  } catch (err) {
    if (err instanceof ApiError && err.statusCode === 404) return undefined;
    throw err;
  }
  const data = secret.data?.[ref.key ?? "secretID"];
  if (!data) return undefined;
  const value = Buffer.from(data, "base64").toString("utf8").trim();
  return secretHash(value) === token.status?.secretHash ? value : undefined;
}

/** The token's secret ID, creating it in the Secret when it is not there yet. */
async function ensureSecret(kc: KubeConfig, token: NomadACLToken): Promise<string> {
  const ref = token.spec.secretRef;
  const key = ref.key ?? "secretID";
  for (let attempt = 0; attempt < 5; attempt++) {
    let secret: Secret | undefined;
    try {
      secret = await getObject<Secret>(kc, secretResource, ref.name, ref.namespace);
    } catch (err) {
      if (!(err instanceof ApiError && err.statusCode === 404)) throw err;
    }
    const existing = secret?.data?.[key];
    if (existing) return Buffer.from(existing, "base64").toString("utf8").trim();
    const fresh = randomUUID();
    try {
      if (!secret)
        await createObject(kc, secretResource, {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: ref.name, namespace: ref.namespace },
          type: "Opaque",
          stringData: { [key]: fresh },
        } as ApiObject);
      else
        await mergePatch(kc, secretResource, secret, {
          metadata: { resourceVersion: secret.metadata.resourceVersion },
          stringData: { [key]: fresh },
        });
      return fresh;
    } catch (err) {
      // Another replica got there first: read what it wrote.
      if (!(err instanceof ApiError && err.statusCode === 409)) throw err;
    }
  }
  throw new Error(`could not settle the secret of token ${token.metadata.name}`);
}

export function fillTokenStatus(kc: KubeConfig, state: ApiState, log: Logger): void {
  const pending = new Set<string>();
  const reconcile = async (token: NomadACLToken) => {
    if (token.status?.secretHash || !token.spec.secretRef?.name || pending.has(token.metadata.name))
      return;
    pending.add(token.metadata.name);
    try {
      const secret = await ensureSecret(kc, token);
      const created = token.metadata.creationTimestamp ?? new Date().toISOString();
      const ttl = token.spec.expirationTTL ? goDurationMs(token.spec.expirationTTL) : undefined;
      const expirationTime =
        token.spec.expirationTime ??
        (ttl ? new Date(Date.parse(created) + ttl).toISOString() : undefined);
      // Only on the token as it was read: a status written meanwhile (a
      // snapshot restore's, with the token's original accessor ID) stays.
      await applyStatus(
        kc,
        tokensRef,
        token,
        {
          accessorID: token.metadata.uid,
          secretHash: secretHash(secret),
          createTime: created,
          ...(expirationTime ? { expirationTime } : {}),
        },
        fieldManager,
        true,
      );
    } catch (err) {
      if (err instanceof ApiError && err.statusCode === 409) return;
      log.warn({ err, token: token.metadata.name }, "could not fill in the ACL token's status");
    } finally {
      pending.delete(token.metadata.name);
    }
  };
  state.tokens.addHandlers({
    onAdd: (t) => void reconcile(t),
    onUpdate: (_, t) => void reconcile(t),
  });
}
