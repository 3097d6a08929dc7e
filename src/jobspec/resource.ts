// The NomadJob custom resource for a job: what `kubectl apply` and GitOps
// tools take. metadata.name is the job ID when Kubernetes accepts it as a
// name; otherwise a deterministic DNS-safe form, and spec.id keeps the exact ID.
import { createHash } from "node:crypto";
import { stringify } from "yaml";
import type { NomadJobSpec } from "../crds/job/index.js";
import { apiVersion } from "../crds/registry.js";

export interface NomadJobResource {
  apiVersion: string;
  kind: "NomadJob";
  metadata: { name: string; namespace?: string };
  spec: NomadJobSpec;
}

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A Kubernetes object name for a Nomad job ID; the same ID always gives the same name. */
export function resourceName(id: string): string {
  if (id.length <= 253 && dnsSubdomain.test(id)) return id;
  const hash = createHash("sha256").update(id).digest("hex").slice(0, 8);
  const base = id
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .replace(/\.{2,}/g, ".")
    .replace(/^[-.]+|[-.]+$/g, "")
    .replace(/-?\.-?/g, ".")
    .slice(0, 200)
    .replace(/[-.]+$/, "");
  return base ? `${base}-${hash}` : `job-${hash}`;
}

// Keys people look for first; everything else keeps decode order, with the
// nested lists (groups, tasks) last so a resource reads top-down.
const first = [
  "id",
  "name",
  "label",
  "value",
  "type",
  "region",
  "datacenters",
  "nodePool",
  "priority",
  "count",
  "driver",
];
const last = ["groups", "tasks"];

const opaque = new Set(["config", "policy", "meta", "env", "options", "headers"]);

function ordered(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(ordered);
  if (v === null || typeof v !== "object") return v;
  const keys = Object.keys(v);
  const rank = (k: string) =>
    first.includes(k) ? first.indexOf(k) - 100 : last.includes(k) ? 100 + last.indexOf(k) : 0;
  const sorted = keys
    .map((k, i) => [k, i] as const)
    .sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1])
    .map(([k]) => k);
  const out: Record<string, unknown> = {};
  for (const k of sorted) {
    const x = (v as Record<string, unknown>)[k];
    out[k] = opaque.has(k) ? x : ordered(x);
  }
  return out;
}

/** Orders a job's keys for reading (values untouched); driver config keeps its own order. */
export function orderJob(job: NomadJobSpec): NomadJobSpec {
  return ordered(job) as NomadJobSpec;
}

/**
 * YAML for kubectl. Written with YAML 1.1 quoting because the API server reads
 * YAML 1.1, where an unquoted y, on or no is a boolean: a driver's
 * `command = "y"` must not arrive as true.
 */
export function toYaml(value: unknown): string {
  return stringify(value, { version: "1.1", lineWidth: 0 });
}

export function toResource(job: NomadJobSpec, namespace?: string): NomadJobResource {
  const metadata: NomadJobResource["metadata"] = { name: resourceName(job.id ?? job.name ?? "") };
  if (namespace && namespace !== "default") metadata.namespace = namespace;
  return { apiVersion, kind: "NomadJob", metadata, spec: orderJob(job) };
}
