// What a Nomad service looks like mirrored into Kubernetes: a Service without
// a selector (so kube-proxy and cluster DNS serve `<service>.<namespace>.svc`)
// and EndpointSlices holding the registrations' addresses, one slice per port
// number, since a slice's ports apply to all its endpoints and dynamic ports
// differ per allocation. An endpoint is ready while its service's checks
// pass (or it has none). Pure: registrations in, objects out.
import { isIP } from "node:net";
import { nomadServiceLabel } from "../../crds/names.js";
import type { NomadServiceRegistration } from "../../crds/objects.js";
import { serviceNameLabel } from "../../kube/resources.js";

export { serviceNameLabel };
/** Kubernetes' label naming who manages an EndpointSlice. */
export const managedByLabel = "endpointslice.kubernetes.io/managed-by";
export const managedBy = "caravan.dev";
/** The one port of a mirrored Service. */
export const mirroredPortName = "nomad";

export interface MirrorObjects {
  service: Record<string, unknown> & { metadata: { name: string; namespace: string } };
  slices: (Record<string, unknown> & { metadata: { name: string; namespace: string } })[];
  /** Registrations left out, and why (an address that is not an IP, no port). */
  skipped: string[];
}

const dnsLabel = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Why a Nomad service name cannot name a Kubernetes Service, or undefined when it can. */
export function serviceNameProblem(name: string): string | undefined {
  return dnsLabel.test(name)
    ? undefined
    : `service "${name}" cannot be mirrored as a Kubernetes Service: its name must be a DNS-1035 label (lower case letters, digits and "-", starting with a letter, at most 63 characters)`;
}

/**
 * The Service and EndpointSlices of one Nomad service in one namespace. The
 * Service's port is the registrations' port when they share one, else the
 * lowest: a client reaching the Service's port is sent to each endpoint's own.
 */
export function mirrorObjects(
  namespace: string,
  name: string,
  regs: readonly NomadServiceRegistration[],
): MirrorObjects {
  const skipped: string[] = [];
  const byPort = new Map<number, NomadServiceRegistration[]>();
  for (const r of [...regs].sort((a, b) => (a.spec.id < b.spec.id ? -1 : 1))) {
    if (!isIP(r.spec.address)) {
      skipped.push(`${r.spec.id}: address "${r.spec.address}" is not an IP address`);
      continue;
    }
    if (r.spec.port <= 0) {
      skipped.push(`${r.spec.id}: no port`);
      continue;
    }
    byPort.set(r.spec.port, [...(byPort.get(r.spec.port) ?? []), r]);
  }
  const ports = [...byPort.keys()].sort((a, b) => a - b);
  const labels = { [nomadServiceLabel]: name };
  const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace, labels },
    spec: {
      type: "ClusterIP",
      ports: [{ name: mirroredPortName, port: ports[0] ?? 80, protocol: "TCP" }],
    },
  };
  const slices = ports.map((port) => {
    const members = byPort.get(port) ?? [];
    const v6 = members.filter((r) => isIP(r.spec.address) === 6);
    const family = v6.length > members.length / 2 ? "IPv6" : "IPv4";
    return {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: {
        name: `${name}-nomad-${port}`,
        namespace,
        labels: { ...labels, [serviceNameLabel]: name, [managedByLabel]: managedBy },
      },
      addressType: family,
      ports: [{ name: mirroredPortName, port, protocol: "TCP" }],
      endpoints: members
        .filter((r) => (isIP(r.spec.address) === 6) === (family === "IPv6"))
        .map((r) => {
          const ready = (r.status?.checkStatus ?? "passing") === "passing";
          return {
            addresses: [r.spec.address],
            conditions: { ready, serving: ready, terminating: false },
            targetRef: {
              apiVersion: "caravan.dev/v1alpha1",
              kind: "NomadAllocation",
              namespace,
              name: r.spec.allocID,
            },
          };
        }),
    };
  });
  return { service, slices, skipped };
}
