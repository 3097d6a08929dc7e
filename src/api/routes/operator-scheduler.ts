// /v1/operator/scheduler/configuration: Nomad's scheduler configuration, kept
// in the one NomadSchedulerConfiguration object (named "cluster"). GET answers
// Nomad's defaults while none is stored; PUT/POST replaces the whole
// configuration, with `?cas=<ModifyIndex>` as a check-and-set on the object's
// resourceVersion (0: only if none is stored yet).
import type { NomadSchedulerConfiguration } from "../../crds/objects.js";
import { schedulerConfigurationName } from "../../crds/scheduler-config.js";
import type { Ctx, Reply, Route } from "../../http/context.js";
import { badRequest } from "../../http/errors.js";
import { applyObject, createObject } from "../../kube/apply.js";
import { caravanResource } from "../../kube/resources.js";
import { ApiError, getObject } from "../../kube/rest.js";
import { schedulerConfigIn, schedulerConfigOut } from "../convert/scheduler-config.js";
import type { RouteDeps } from "./deps.js";
import { apiFieldManager, seen } from "./writes.js";

const ref = caravanResource("NomadSchedulerConfiguration");
const path = "/v1/operator/scheduler/configuration";

export function operatorSchedulerRoutes(deps: RouteDeps): Route[] {
  const { state, kc } = deps;

  function read(): Reply {
    const stored = state.schedulerConfigurationObject();
    const index = state.index(["schedulerConfigurations"]);
    return {
      body: {
        SchedulerConfig: schedulerConfigOut(stored?.spec, stored && state.indexesOf(stored)),
        Index: index,
        KnownLeader: true,
        LastContact: 0,
        NextToken: "",
      },
      index,
    };
  }

  async function write(ctx: Ctx): Promise<Reply> {
    if (ctx.body === undefined)
      throw badRequest("Error parsing scheduler config: Request body is empty");
    const input = schedulerConfigIn(ctx.body);
    if (!input.ok)
      throw badRequest(
        input.error.startsWith("json:")
          ? `Error parsing scheduler config: ${input.error}`
          : input.error,
      );
    const cas = casOf(ctx);
    const object = {
      metadata: { name: schedulerConfigurationName },
      spec: input.spec,
    };
    let written: NomadSchedulerConfiguration | undefined;
    if (cas === undefined) {
      written = await applyObject<NomadSchedulerConfiguration>(kc, ref, object, apiFieldManager);
    } else {
      written = await checkAndSet(object, cas);
    }
    if (!written) {
      const index = state.index(["schedulerConfigurations"]);
      return { body: { Updated: false, Index: index }, index };
    }
    const index = await seen(state, "schedulerConfigurations", written.metadata.resourceVersion);
    return { body: { Updated: true, Index: index }, index };
  }

  /** Writes only if the stored configuration's ModifyIndex is `cas`; undefined when it is not. */
  async function checkAndSet(
    object: Pick<NomadSchedulerConfiguration, "metadata" | "spec">,
    cas: number,
  ): Promise<NomadSchedulerConfiguration | undefined> {
    const current = await getObject<NomadSchedulerConfiguration>(
      kc,
      ref,
      schedulerConfigurationName,
    ).catch((err: unknown) => {
      if (err instanceof ApiError && err.statusCode === 404) return undefined;
      throw err;
    });
    try {
      if (!current)
        return cas === 0
          ? await createObject(kc, ref, object as NomadSchedulerConfiguration)
          : undefined;
      const rv = current.metadata.resourceVersion;
      if (String(cas) !== rv) return undefined;
      // The resourceVersion makes the write conditional: a change in between is a 409.
      return await applyObject<NomadSchedulerConfiguration>(
        kc,
        ref,
        { ...object, metadata: { ...object.metadata, resourceVersion: rv } },
        apiFieldManager,
      );
    } catch (err) {
      if (err instanceof ApiError && err.statusCode === 409) return undefined;
      throw err;
    }
  }

  return [
    {
      method: "GET",
      path,
      acl: "operator:read",
      watch: ["schedulerConfigurations"],
      handle: read,
    },
    { method: "PUT", path, acl: "operator:write", handle: write },
    { method: "POST", path, acl: "operator:write", handle: write },
  ];
}

/** ?cas=, parsed as Go's strconv.ParseUint; undefined when absent. */
function casOf(ctx: Ctx): number | undefined {
  if (!ctx.query.has("cas")) return undefined;
  const raw = ctx.query.get("cas") ?? "";
  if (!/^[0-9]+$/.test(raw))
    throw badRequest(
      `Error parsing cas value: strconv.ParseUint: parsing "${raw}": invalid syntax`,
    );
  return Number(raw);
}
