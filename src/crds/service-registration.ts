// A Nomad-native service registration (Nomad's ServiceRegistration): one
// instance of a `provider = "nomad"` service of one allocation, with the
// address and port other tasks reach it at. The node agent running the
// allocation writes it when the allocation's tasks run and deletes it when
// they stop; the object is owned by its NomadAllocation, so it also goes
// with the allocation.
import { createHash } from "node:crypto";
import type { CommonStatus, Integer } from "./common.js";
import { derivedName } from "./object-name.js";

/** NomadServiceRegistration spec: what Nomad's ServiceRegistration holds. */
export interface NomadServiceRegistrationSpec {
  /**
   * Nomad's registration ID, "_nomad-task-<alloc>-<task or group-<group>>-<service>-<port label>".
   * @minLength 1
   */
  id: string;
  /**
   * The service's name, as `nomad service info` takes it.
   * @minLength 1
   */
  serviceName: string;
  /** The Nomad node ID of the node running the allocation. */
  nodeID: string;
  /** The name of that node's NomadNode object. */
  nodeName: string;
  /** The node's datacenter. */
  datacenter: string;
  /** The Nomad job ID. */
  jobID: string;
  /** The allocation's ID (its NomadAllocation's metadata.name). */
  allocID: string;
  /** The task group the allocation runs. */
  group: string;
  /** The task whose service this is; absent for a group service. */
  task?: string;
  /** The service's tags (canary_tags while the allocation is an unpromoted canary). */
  tags?: string[];
  /** The address the service is reached at (resolved by address_mode). */
  address: string;
  /**
   * The port the service is reached at; 0 when the service names no port.
   * @minimum 0
   * @maximum 65535
   */
  port: Integer;
}

/** Observed state of a registration: the status of its service's Nomad checks, from the agent. */
export interface NomadServiceRegistrationStatus extends CommonStatus {
  /**
   * "passing" when every check of the service passes (or it has none), "critical"
   * when one fails, "pending" before they have run.
   */
  checkStatus?: "passing" | "critical" | "pending";
}

/** The object name of a registration: its Nomad ID made DNS-safe (it starts with "_"). */
export function serviceRegistrationName(id: string): string {
  return derivedName(id.replace(/^_+/, ""));
}

/** The fields of a registration Nomad's `choose` hashes, in Nomad's API names. */
export interface ChoosableRegistration {
  ID: string;
  ServiceName: string;
  Namespace: string;
  AllocID: string;
  Address: string;
  Port: number;
  Tags: readonly string[];
}

/**
 * Nomad's `choose=<n>|<key>`: a stable subset of n registrations by
 * rendezvous hashing (ServiceRegistration.HashWith): each is ranked by the
 * SHA-256 of its port (8 bytes, big-endian), alloc ID, ID, namespace,
 * address, service name and tags, then the key; the n lowest hashes win, so
 * one key (an allocation ID) keeps the same upstreams while the set changes
 * little.
 */
export function chooseRegistrations<T extends ChoosableRegistration>(
  all: readonly T[],
  n: number,
  key: string,
): T[] {
  const hash = (r: T) => {
    const port = Buffer.alloc(8);
    port.writeBigUInt64BE(BigInt(Math.max(0, r.Port)));
    const h = createHash("sha256").update(port);
    for (const part of [r.AllocID, r.ID, r.Namespace, r.Address, r.ServiceName, ...r.Tags, key])
      h.update(part);
    return h.digest("hex");
  };
  return all
    .map((r) => ({ r, h: hash(r) }))
    .sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0))
    .slice(0, Math.max(0, Math.min(n, all.length)))
    .map((x) => x.r);
}

/** Parses `choose`'s "<number>|<key>"; undefined when malformed (Nomad's 400). */
export function parseChoose(parameter: string): { n: number; key: string } | undefined {
  const bar = parameter.indexOf("|");
  if (bar < 0) return undefined;
  const count = parameter.slice(0, bar);
  const key = parameter.slice(bar + 1);
  if (!/^[+-]?[0-9]+$/.test(count) || key === "") return undefined;
  return { n: Number(count), key };
}
