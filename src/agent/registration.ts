// The agent's side of node liveness: it registers its NomadNode, reports its
// fingerprint in the node's status (server-side apply, as the "caravan-agent"
// field manager), refreshes it periodically, and renews its heartbeat Lease in
// caravan-node-lease. The controller marks the node down when the lease lapses.

import type { Logger } from "../common/log.js";
import { datacenterLabel } from "../crds/names.js";
import type { NomadNode } from "../crds/objects.js";
import type { DriverFingerprint } from "../drivers/driver.js";
import { applyStatus, createObject } from "../kube/apply.js";
import type { KubeConfig } from "../kube/kubeconfig.js";
import { caravanResource } from "../kube/resources.js";
import { ApiError } from "../kube/rest.js";
import { type FingerprintInput, fingerprintNode } from "./fingerprint/fingerprint.js";
import { renewNodeLease } from "./heartbeat.js";

export const agentFieldManager = "caravan-agent";

export interface RegistrationOptions {
  leaseSeconds?: number;
  fingerprintIntervalMs?: number;
  /** Where the agent serves Nomad's client endpoints, recorded as the node's HTTPAddr. */
  http?: { httpAddr: string; tlsEnabled: boolean };
}

export class NodeRegistration {
  private heartbeat: NodeJS.Timeout | undefined;
  private refresh: NodeJS.Timeout | undefined;
  private readonly leaseSeconds: number;
  private readonly nodes = caravanResource("NomadNode");

  constructor(
    private readonly kc: KubeConfig,
    private readonly log: Logger,
    private readonly input: FingerprintInput,
    private readonly drivers: () => Promise<Record<string, DriverFingerprint>>,
    private readonly options: RegistrationOptions = {},
  ) {
    this.leaseSeconds = options.leaseSeconds ?? 30;
  }

  get nodeName(): string {
    return this.input.name;
  }

  async start(): Promise<void> {
    await this.renewLease();
    await this.register();
    await this.report();
    this.heartbeat = setInterval(
      () =>
        void this.renewLease().catch((err: unknown) => this.log.warn({ err }, "heartbeat failed")),
      (this.leaseSeconds * 1000) / 3,
    );
    this.refresh = setInterval(
      () =>
        void this.report().catch((err: unknown) =>
          this.log.warn({ err }, "fingerprint update failed"),
        ),
      this.options.fingerprintIntervalMs ?? 30_000,
    );
    this.log.info({ node: this.input.name, datacenter: this.input.datacenter }, "node registered");
  }

  /** Stops heartbeating; the node is marked down when its lease lapses, as with Nomad. */
  stop(): void {
    clearInterval(this.heartbeat);
    clearInterval(this.refresh);
  }

  private async register(): Promise<void> {
    try {
      await createObject(this.kc, this.nodes, {
        metadata: {
          name: this.input.name,
          labels: { [datacenterLabel]: this.input.datacenter },
        },
        spec: { eligibility: "eligible" },
      });
    } catch (err) {
      if (!(err instanceof ApiError && err.statusCode === 409)) throw err;
    }
  }

  private async report(): Promise<void> {
    const status = fingerprintNode(this.input, await this.drivers());
    const node: NomadNode = { metadata: { name: this.input.name }, spec: {} };
    await applyStatus(
      this.kc,
      this.nodes,
      node,
      {
        ...status,
        ...this.options.http,
        status: "ready",
        statusDescription: "node is ready",
        statusUpdatedAt: new Date().toISOString(),
      },
      agentFieldManager,
    );
  }

  private renewLease(): Promise<void> {
    return renewNodeLease(this.kc, this.input.name, this.leaseSeconds);
  }
}
