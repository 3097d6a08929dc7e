// Writes one allocation's service registrations to the Kubernetes API (as
// Nomad's client upserts them to its servers) and takes them away when the
// allocation stops. Each registration is a NomadServiceRegistration owned by
// the allocation, labelled with it, its job and its node, so a stopped or
// garbage-collected allocation, or a lost node, takes its services with it.
import type { Logger } from "../../common/log.js";
import { allocationLabel, jobLabel, nodeLabel } from "../../crds/names.js";
import type { NomadAllocation } from "../../crds/objects.js";
import {
  type NomadServiceRegistrationSpec,
  type NomadServiceRegistrationStatus,
  serviceRegistrationName,
} from "../../crds/service-registration.js";
import { applyObject, applyStatus, deleteCollection, deleteObject } from "../../kube/apply.js";
import type { KubeConfig } from "../../kube/kubeconfig.js";
import { caravanResource } from "../../kube/resources.js";
import { ApiError } from "../../kube/rest.js";

const registrations = caravanResource("NomadServiceRegistration");

export class ServiceRegistrar {
  private readonly written = new Map<string, NomadServiceRegistrationSpec>();
  private readonly checkStatus = new Map<string, NomadServiceRegistrationStatus["checkStatus"]>();
  private closed = false;
  /** Writes in order: a deregistration never overtakes a registration. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly kc: KubeConfig,
    private readonly log: Logger,
    private readonly alloc: NomadAllocation,
    private readonly fieldManager: string,
  ) {}

  /** Registers (or updates) these registrations, unless the allocation is stopping. */
  register(specs: readonly NomadServiceRegistrationSpec[]): Promise<void> {
    return this.enqueue(async () => {
      for (const spec of specs) {
        if (this.closed) return;
        await applyObject(this.kc, registrations, this.object(spec), this.fieldManager);
        this.written.set(spec.id, spec);
        const status = this.checkStatus.get(spec.serviceName);
        if (status) await this.writeStatus(spec, status);
      }
    });
  }

  /** The check status of the registrations of one service name ("passing", "critical", "pending"). */
  setCheckStatus(
    service: string,
    status: NonNullable<NomadServiceRegistrationStatus["checkStatus"]>,
  ): void {
    if (this.checkStatus.get(service) === status) return;
    this.checkStatus.set(service, status);
    void this.enqueue(async () => {
      for (const spec of this.written.values())
        if (spec.serviceName === service && !this.closed) await this.writeStatus(spec, status);
    });
  }

  /** Removes the registrations of one task's services (the task exited). */
  deregisterTask(task: string): Promise<void> {
    return this.enqueue(async () => {
      for (const [id, spec] of [...this.written]) {
        if (spec.task !== task) continue;
        this.written.delete(id);
        await deleteObject(this.kc, registrations, {
          metadata: { name: serviceRegistrationName(id), namespace: this.namespace },
        }).catch((err: unknown) => {
          if (!(err instanceof ApiError && err.statusCode === 404)) throw err;
        });
      }
    });
  }

  /** Removes every registration of the allocation (also those an earlier agent process wrote). */
  deregisterAll(): Promise<void> {
    this.closed = true;
    return this.enqueue(async () => {
      const ns = this.alloc.metadata.namespace ?? "default";
      await deleteCollection(
        this.kc,
        registrations,
        ns,
        `${allocationLabel}=${this.alloc.metadata.name}`,
      );
      this.written.clear();
    });
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work).catch((err: unknown) => {
      if (err instanceof ApiError && err.statusCode === 404) return;
      this.log.warn(
        { err, alloc: this.alloc.metadata.name },
        "could not write the allocation's service registrations",
      );
    });
    this.queue = next;
    return next;
  }

  private async writeStatus(
    spec: NomadServiceRegistrationSpec,
    checkStatus: NomadServiceRegistrationStatus["checkStatus"],
  ): Promise<void> {
    await applyStatus(
      this.kc,
      registrations,
      { metadata: { name: serviceRegistrationName(spec.id), namespace: this.namespace } },
      { checkStatus },
      this.fieldManager,
    );
  }

  private get namespace(): string {
    return this.alloc.metadata.namespace ?? "default";
  }

  private object(spec: NomadServiceRegistrationSpec) {
    const { metadata } = this.alloc;
    return {
      metadata: {
        name: serviceRegistrationName(spec.id),
        namespace: this.namespace,
        labels: {
          [allocationLabel]: metadata.name,
          [nodeLabel]: this.alloc.spec.nodeName,
          [jobLabel]: this.alloc.spec.jobName,
        },
        ...(metadata.uid
          ? {
              ownerReferences: [
                {
                  apiVersion: registrations.apiVersion,
                  kind: "NomadAllocation",
                  name: metadata.name,
                  uid: metadata.uid,
                },
              ],
            }
          : {}),
      },
      spec,
    };
  }
}
