// A group's network (`network` block): its mode, ports and DNS.
import type { Integer, StringMap } from "../common.js";

/**
 * A port the allocation needs (`port "<label>"` block). Tasks, services and
 * checks refer to it by label; the task sees it as NOMAD_PORT_<label>.
 */
export interface Port {
  /**
   * The port's name.
   * @minLength 1
   */
  label: string;
  /**
   * A fixed host port; unset (or 0) lets Nomad pick a free dynamic port.
   * @minimum 0
   * @maximum 65535
   */
  static?: Integer;
  /**
   * The port inside the allocation's network namespace (bridge and CNI modes) or container that the host port maps to; unset or -1 maps to the same number as the host port.
   * @minimum -1
   * @maximum 65535
   */
  to?: Integer;
  /** The client's named host network (host_network in the client config) to take the port from. */
  hostNetwork?: string;
  /** Whether a static port may be shared with other allocations (host mode only). Nomad's default is false. */
  ignoreCollision?: boolean;
}

/** DNS settings written into the allocation's resolv.conf (`dns` block). */
export interface DnsConfig {
  /** Nameserver IP addresses. */
  servers?: string[];
  /** Search domains. */
  searches?: string[];
  /** resolv.conf options, e.g. "ndots:2". */
  options?: string[];
}

/** Extra CNI settings (`cni` block, Nomad 1.8 and later). */
export interface CniConfig {
  /** Values passed to the CNI plugins as CNI_ARGS; neither keys nor values may contain ";". */
  args?: StringMap;
}

/**
 * The group's network (`network` block): every task of the allocation shares
 * it.
 */
export interface NetworkResource {
  /**
   * "host" shares the node's network, "bridge" gives the allocation its own network namespace behind a bridge, "none" isolates it with no interface, "cni/<name>" uses the named CNI network. Nomad's default is "host".
   * @pattern ^(host|bridge|none|cni/[^/]+)$
   */
  mode?: string;
  /**
   * The ports the allocation needs (`port` blocks).
   * @listMapKeys label
   */
  ports?: Port[];
  /** Hostname of the allocation's network namespace (bridge and CNI modes); may interpolate, e.g. "${NOMAD_ALLOC_INDEX}". */
  hostname?: string;
  /** DNS configuration (bridge and CNI modes). */
  dns?: DnsConfig;
  /** CNI arguments. */
  cni?: CniConfig;
  /**
   * Deprecated since Nomad 0.12 and ignored by the scheduler, as by Nomad's: bandwidth in Mbit/s. Kept so the job reads back as written.
   * @minimum 0
   */
  mbits?: Integer;
}
