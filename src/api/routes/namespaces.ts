// /v1/namespaces and /v1/namespace/:name: Nomad namespaces are Kubernetes
// namespaces (every one but kube-* and Caravan's own). `nomad namespace apply` creates the
// Kubernetes Namespace when it is missing, labelled as Caravan's, and keeps the
// Nomad description and meta as annotations on it; `nomad namespace delete`
// deletes only a Namespace Caravan created, and, as Nomad, none that still
// holds unfinished jobs or allocations. Nomad's messages, with 400 or 404
// where Nomad answers its refusals with a 500.
import {
  descriptionAnnotation,
  managedByLabel,
  metaAnnotation,
  partOfLabel,
} from "../../crds/names.js";
import { isTerminal } from "../../crds/terminal.js";
import type { Ctx, Reply, Route } from "../../http/context.js";
import { badRequest, HttpError, multiError } from "../../http/errors.js";
import { createObject, deleteObject, mergePatch } from "../../kube/apply.js";
import { namespaceResource } from "../../kube/resources.js";
import { listObjects } from "../../kube/rest.js";
import { bodyObject, descriptionAndMeta } from "./common.js";
import type { RouteDeps } from "./deps.js";

interface Namespace {
  metadata: {
    name: string;
    uid?: string;
    resourceVersion?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
}

const caravan = "caravan";
/** Kubernetes namespace names (DNS-1123 labels), narrower than Nomad's ^[a-zA-Z0-9-]{1,128}$. */
const kubernetesName = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const nomadName = /^[a-zA-Z0-9-]{1,128}$/;

/** The Nomad namespace a Kubernetes Namespace is (api.Namespace). */
function namespaceOut(n: Namespace): Record<string, unknown> {
  const a = n.metadata.annotations ?? {};
  let meta: unknown = null;
  try {
    meta = a[metaAnnotation] ? JSON.parse(a[metaAnnotation]) : null;
  } catch {
    meta = null;
  }
  const index = Number(n.metadata.resourceVersion) || 0;
  return {
    Name: n.metadata.name,
    Description: a[descriptionAnnotation] ?? "",
    Quota: "",
    Capabilities: null,
    NodePoolConfiguration: null,
    VaultConfiguration: null,
    ConsulConfiguration: null,
    Meta: meta,
    CreateIndex: index,
    ModifyIndex: index,
  };
}

export function namespaceRoutes(deps: RouteDeps): Route[] {
  const { kc, state } = deps;
  const region = deps.config.region;

  async function kubeNamespaces(): Promise<Namespace[]> {
    const list = await listObjects<Namespace>(kc, namespaceResource);
    // Neither Kubernetes' own namespaces nor those Caravan keeps for itself
    // (node leases) are Nomad namespaces; nor one being deleted.
    return list.filter(
      (n) =>
        !n.metadata.name.startsWith("kube-") &&
        n.metadata.labels?.[partOfLabel] !== caravan &&
        !n.metadata.deletionTimestamp,
    );
  }

  /** PUT /v1/namespace[/:name]: Nomad's Namespace.UpsertNamespaces. */
  async function upsert(ctx: Ctx): Promise<Reply> {
    const body = bodyObject(ctx);
    const name = typeof body.Name === "string" ? body.Name : "";
    if (ctx.params.name !== undefined && name !== ctx.params.name)
      throw badRequest("Namespace name does not match request path");
    const { description, meta } = namespaceSpec(name, body);
    if (deps.namespace && name !== deps.namespace)
      throw badRequest(
        `this Caravan API serves only namespace "${deps.namespace}": it cannot make namespace "${name}"`,
      );
    const annotations = {
      [descriptionAnnotation]: description || null,
      [metaAnnotation]: meta ? JSON.stringify(meta) : null,
    };
    const existing = (await kubeNamespaces()).find((n) => n.metadata.name === name);
    const written = existing
      ? await mergePatch<Namespace & { metadata: { name: string } }>(
          kc,
          namespaceResource,
          existing,
          { metadata: { annotations } },
        )
      : await createObject<Namespace & { metadata: { name: string } }>(kc, namespaceResource, {
          metadata: {
            name,
            labels: { [managedByLabel]: caravan },
            annotations: Object.fromEntries(
              Object.entries(annotations).filter((e): e is [string, string] => e[1] !== null),
            ),
          },
        });
    return { body: null, index: Number(written.metadata.resourceVersion) || 0 };
  }

  /** DELETE /v1/namespace/:name: Nomad's Namespace.DeleteNamespaces. */
  async function remove(ctx: Ctx): Promise<Reply> {
    const name = ctx.params.name ?? "";
    if (name === "default") throw badRequest("can not delete default namespace");
    if (deps.namespace && name !== deps.namespace)
      throw badRequest(`this Caravan API serves only namespace "${deps.namespace}"`);
    const found = (await kubeNamespaces()).find((n) => n.metadata.name === name);
    if (!found) throw new HttpError(404, "namespace not found");
    const inUse: string[] = [];
    const inNamespace = <T extends { metadata: { namespace?: string } }>(list: T[]) =>
      list.filter((o) => (o.metadata.namespace ?? "default") === name);
    if (inNamespace(state.jobs.store.list()).some((j) => j.status?.status !== "dead"))
      inUse.push(`namespace "${name}" has non-terminal jobs in regions: [${region}]`);
    if (inNamespace(state.allocations.store.list()).some((a) => !isTerminal(a)))
      inUse.push(`namespace "${name}" has non-terminal allocations in regions: [${region}]`);
    if (inUse.length) throw badRequest(multiError(inUse));
    if (found.metadata.labels?.[managedByLabel] !== caravan)
      throw badRequest(
        `namespace "${name}" is a Kubernetes namespace Caravan did not create; Caravan deletes only namespaces made with nomad namespace apply (delete it with kubectl if you mean to)`,
      );
    const deleted = (await deleteObject(kc, namespaceResource, found)) as Namespace;
    return { body: null, index: Number(deleted.metadata?.resourceVersion) || 0 };
  }

  return [
    {
      method: "GET",
      path: "/v1/namespaces",
      acl: "filtered",
      handle: async (ctx) => ({
        body: (await kubeNamespaces())
          .filter((n) => ctx.acl.anyInNamespace(n.metadata.name))
          .map(namespaceOut),
        index: 1,
      }),
    },
    {
      method: "GET",
      path: "/v1/namespace/:name",
      acl: "ns:any",
      aclNamespace: (ctx) => ctx.params.name ?? "",
      handle: async (ctx) => {
        const found = (await kubeNamespaces()).find((n) => n.metadata.name === ctx.params.name);
        if (!found) throw new HttpError(404, "Namespace not found");
        const out = namespaceOut(found);
        return { body: out, index: out.ModifyIndex as number };
      },
    },
    // Nomad's Namespace.UpsertNamespaces and DeleteNamespaces need a management token.
    { method: "POST", path: "/v1/namespace", acl: "management", handle: upsert },
    { method: "POST", path: "/v1/namespace/:name", acl: "management", handle: upsert },
    { method: "DELETE", path: "/v1/namespace/:name", acl: "management", handle: remove },
  ];
}

/** What an api.Namespace asks for, or Nomad's error naming what is wrong (nothing is written). */
function namespaceSpec(
  name: string,
  body: Record<string, unknown>,
): { description: string; meta: Record<string, string> | null } {
  const errors: string[] = [];
  if (!nomadName.test(name))
    errors.push(`invalid name ${JSON.stringify(name)}. Must match regex ${nomadName.source}`);
  else if (!kubernetesName.test(name))
    errors.push(
      `invalid name ${JSON.stringify(name)}: a Caravan namespace is a Kubernetes namespace, so its name is lowercase letters, digits and "-", at most 63, starting and ending with a letter or digit`,
    );
  const { description, meta } = descriptionAndMeta(body, errors);
  // What Caravan cannot honour yet is refused rather than stored and ignored.
  const unsupported: Record<string, string> = {
    Capabilities: "task driver and network mode capabilities are not enforced yet in Caravan",
    NodePoolConfiguration: "invalid node pool configuration: Node Pools Governance is unlicensed.",
    VaultConfiguration: "Vault configuration is not supported yet in Caravan",
    ConsulConfiguration: "Consul configuration is not supported yet in Caravan",
  };
  for (const [field, message] of Object.entries(unsupported)) {
    const v = body[field];
    if (v !== undefined && v !== null && !(typeof v === "object" && isEmpty(v)))
      errors.push(message);
  }
  if (errors.length)
    throw badRequest(`Invalid namespace ${JSON.stringify(name)}: ${multiError(errors)}`);
  // Caravan has no quotas: every quota name is one that does not exist, as Nomad says.
  if (typeof body.Quota === "string" && body.Quota)
    throw badRequest(
      `namespace ${JSON.stringify(name)} using non-existent quota ${JSON.stringify(body.Quota)}`,
    );
  return { description, meta: meta ?? null };
}

/** An object whose fields are all empty (the CLI sends Capabilities: {} and such). */
function isEmpty(v: object): boolean {
  return Object.values(v).every(
    (x) => x === null || x === "" || x === false || (Array.isArray(x) && x.length === 0),
  );
}
