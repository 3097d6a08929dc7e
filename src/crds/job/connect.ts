// Consul service mesh for a group service (`connect` block): the Envoy
// sidecar, its upstreams, and gateways.
import type { Duration, Integer, StringMap } from "../common.js";
import type { LogConfig } from "./logs.js";
import type { Resources } from "./resources.js";
import type { VolumeMount } from "./volumes.js";

/** A mesh gateway choice for an upstream (`mesh_gateway` block). */
export interface ConsulMeshGateway {
  /** "local", "remote" or "none". */
  mode?: "local" | "remote" | "none";
}

/** A service the task reaches through the sidecar on a local port (`upstreams` block). */
export interface ConsulUpstream {
  /**
   * The upstream service's name.
   * @minLength 1
   */
  destinationName: string;
  /** The upstream's Consul namespace (Consul Enterprise). */
  destinationNamespace?: string;
  /** The cluster peer the upstream lives in. */
  destinationPeer?: string;
  /** The upstream's admin partition (Consul Enterprise). */
  destinationPartition?: string;
  /** "service" or "prepared_query". Consul's default is "service". */
  destinationType?: "service" | "prepared_query";
  /**
   * The local port the task connects to.
   * @minimum 0
   * @maximum 65535
   */
  localBindPort?: Integer;
  /** The local address the sidecar listens on. Consul's default is "127.0.0.1". */
  localBindAddress?: string;
  /** A Unix socket path to listen on instead of a port. */
  localBindSocketPath?: string;
  /** File mode of the socket, e.g. "0700". */
  localBindSocketMode?: string;
  /** The datacenter of the upstream. */
  datacenter?: string;
  /** How traffic to the upstream uses mesh gateways. */
  meshGateway?: ConsulMeshGateway;
  /**
   * Envoy settings for this upstream, passed to Consul as given.
   * @preserveUnknownFields
   */
  config?: Record<string, unknown>;
}

/** A path of the service the sidecar exposes without mTLS, e.g. for checks (`path` block in `expose`). */
export interface ConsulExposePath {
  /**
   * The HTTP path to expose.
   * @minLength 1
   */
  path: string;
  /** "http" or "http2". */
  protocol: "http" | "http2";
  /**
   * The port the service listens on inside the allocation.
   * @minimum 1
   * @maximum 65535
   */
  localPathPort: Integer;
  /** The label of the group port the sidecar listens on for this path. */
  listenerPort: string;
}

/** Paths the sidecar exposes outside the mesh (`expose` block). */
export interface ConsulExposeConfig {
  /** The exposed paths (`path` blocks). */
  paths?: ConsulExposePath[];
}

/** Transparent proxying: the allocation's traffic is redirected through Envoy (`transparent_proxy` block). */
export interface ConsulTransparentProxy {
  /** The user ID Envoy runs as, whose traffic is not redirected. Nomad's default is "101". */
  uid?: string;
  /**
   * The port Envoy receives redirected outbound traffic on. Nomad's default is 15001.
   * @minimum 1
   * @maximum 65535
   */
  outboundPort?: Integer;
  /** Inbound ports (numbers or port labels) not redirected. */
  excludeInboundPorts?: string[];
  /** Outbound port numbers not redirected. */
  excludeOutboundPorts?: Integer[];
  /** Outbound CIDR ranges not redirected. */
  excludeOutboundCidrs?: string[];
  /** User IDs whose outbound traffic is not redirected. */
  excludeUids?: string[];
  /** Whether DNS queries are left alone instead of going to Consul DNS. Nomad's default is false. */
  noDns?: boolean;
}

/** The Envoy proxy of a sidecar service (`proxy` block). */
export interface ConsulProxy {
  /** The address the proxy forwards inbound traffic to. Nomad's default is "127.0.0.1". */
  localServiceAddress?: string;
  /**
   * The port the proxy forwards inbound traffic to; defaults to the service's port.
   * @minimum 0
   * @maximum 65535
   */
  localServicePort?: Integer;
  /**
   * Services the task reaches through the proxy.
   * @listMapKeys destinationName
   */
  upstreams?: ConsulUpstream[];
  /** Paths exposed outside the mesh. */
  expose?: ConsulExposeConfig;
  /** Transparent proxy settings. */
  transparentProxy?: ConsulTransparentProxy;
  /**
   * Envoy proxy settings, passed to Consul as given (e.g. envoy_prometheus_bind_addr).
   * @preserveUnknownFields
   */
  config?: Record<string, unknown>;
}

/** The sidecar proxy's own Consul registration (`sidecar_service` block). */
export interface ConsulSidecarService {
  /** Tags of the sidecar service; defaults to the parent service's tags. */
  tags?: string[];
  /** The port label the sidecar listens on; defaults to a dynamic port Nomad adds. */
  port?: string;
  /** The proxy's configuration. */
  proxy?: ConsulProxy;
  /** Whether the default TCP check on the sidecar is skipped. Nomad's default is false. */
  disableDefaultTcpCheck?: boolean;
  /** Metadata of the sidecar service. */
  meta?: StringMap;
}

/** Overrides for the sidecar task Nomad injects to run Envoy (`sidecar_task` block). */
export interface SidecarTask {
  /** The task's name. Nomad's default is "connect-proxy-<service>". */
  name?: string;
  /** The driver that runs Envoy. Nomad's default is "docker". */
  driver?: string;
  /** The user the task runs as. */
  user?: string;
  /**
   * Driver configuration, merged over Nomad's default (validated by the driver).
   * @preserveUnknownFields
   */
  config?: Record<string, unknown>;
  /** Environment variables. */
  env?: StringMap;
  /** Resources for the sidecar. Nomad's default is 250 MHz and 128 MB. */
  resources?: Resources;
  /** Task metadata. */
  meta?: StringMap;
  /** How long to wait after the kill signal before force-killing. Nomad's default is "5s". */
  killTimeout?: Duration;
  /** Log rotation of the sidecar. */
  logs?: LogConfig;
  /** Delay between deregistering and killing the sidecar. Nomad's default is "5s". */
  shutdownDelay?: Duration;
  /** The signal that stops the sidecar. Nomad's default is "SIGINT". */
  killSignal?: string;
  /** Volumes mounted into the sidecar. */
  volumeMounts?: VolumeMount[];
}

/** An address an Envoy gateway listens on (`envoy_gateway_bind_addresses "<name>"` block). */
export interface ConsulGatewayBindAddress {
  /**
   * The address's name.
   * @minLength 1
   */
  name: string;
  /** The IP address. */
  address?: string;
  /**
   * The port.
   * @minimum 0
   * @maximum 65535
   */
  port?: Integer;
}

/** Envoy settings of a gateway (`proxy` block in `gateway`). */
export interface ConsulGatewayProxy {
  /** Timeout for connections to upstreams. Nomad's default is "5s". */
  connectTimeout?: Duration;
  /** Whether Envoy binds to the service's tagged addresses. */
  envoyGatewayBindTaggedAddresses?: boolean;
  /**
   * Extra addresses Envoy binds to.
   * @listMapKeys name
   */
  envoyGatewayBindAddresses?: ConsulGatewayBindAddress[];
  /** Whether Envoy skips binding to the default address. */
  envoyGatewayNoDefaultBind?: boolean;
  /** How Envoy resolves DNS names of terminating gateway services: "LOGICAL_DNS" or "STRICT_DNS". */
  envoyDnsDiscoveryType?: "LOGICAL_DNS" | "STRICT_DNS";
  /**
   * Further Envoy settings, passed to Consul as given.
   * @preserveUnknownFields
   */
  config?: Record<string, unknown>;
}

/** Secret Discovery Service settings for a gateway certificate (`sds` block). */
export interface ConsulGatewayTlsSds {
  /** The SDS cluster name. */
  clusterName?: string;
  /** The certificate resource name. */
  certResource?: string;
}

/** TLS settings of an ingress gateway or one of its services (`tls` block). */
export interface ConsulGatewayTlsConfig {
  /** Whether TLS is on. */
  enabled?: boolean;
  /** Minimum TLS version, e.g. "TLSv1_2". */
  tlsMinVersion?: string;
  /** Maximum TLS version, e.g. "TLSv1_3". */
  tlsMaxVersion?: string;
  /** Allowed cipher suites (TLS 1.2 and below). */
  cipherSuites?: string[];
  /** Certificates from a Secret Discovery Service. */
  sds?: ConsulGatewayTlsSds;
}

/** HTTP header changes on an ingress service (`request_headers`/`response_headers` blocks). */
export interface ConsulHttpHeaderModifiers {
  /** Headers to add (existing values are kept). */
  add?: StringMap;
  /** Headers to set (existing values are replaced). */
  set?: StringMap;
  /** Headers to remove. */
  remove?: string[];
}

/** A mesh service an ingress listener routes to (`service` block in `listener`). */
export interface ConsulIngressService {
  /**
   * The service's name, or "*" for every service (http listeners).
   * @minLength 1
   */
  name: string;
  /** Host names routed to the service (http listeners). */
  hosts?: string[];
  /** TLS for this service. */
  tls?: ConsulGatewayTlsConfig;
  /** Changes to request headers. */
  requestHeaders?: ConsulHttpHeaderModifiers;
  /** Changes to response headers. */
  responseHeaders?: ConsulHttpHeaderModifiers;
  /**
   * Maximum connections to the service.
   * @minimum 0
   */
  maxConnections?: Integer;
  /**
   * Maximum pending requests to the service.
   * @minimum 0
   */
  maxPendingRequests?: Integer;
  /**
   * Maximum concurrent requests to the service.
   * @minimum 0
   */
  maxConcurrentRequests?: Integer;
}

/** A port an ingress gateway listens on (`listener` block). */
export interface ConsulIngressListener {
  /**
   * The port.
   * @minimum 1
   * @maximum 65535
   */
  port: Integer;
  /** "tcp", "http", "http2" or "grpc". Consul's default is "tcp". */
  protocol?: "tcp" | "http" | "http2" | "grpc";
  /**
   * Services reached through this listener (`service` blocks).
   * @minItems 1
   */
  services: ConsulIngressService[];
}

/** An ingress gateway: traffic from outside the mesh into mesh services (`ingress` block). */
export interface ConsulIngressConfigEntry {
  /** TLS for every listener. */
  tls?: ConsulGatewayTlsConfig;
  /** The gateway's listeners (`listener` blocks). */
  listeners?: ConsulIngressListener[];
}

/** A service outside the mesh a terminating gateway reaches (`service` block in `terminating`). */
export interface ConsulLinkedService {
  /**
   * The service's name.
   * @minLength 1
   */
  name: string;
  /** CA file to verify the service. */
  caFile?: string;
  /** Client certificate file. */
  certFile?: string;
  /** Client key file. */
  keyFile?: string;
  /** SNI host name to use. */
  sni?: string;
}

/** A terminating gateway: traffic from the mesh to services outside it (`terminating` block). */
export interface ConsulTerminatingConfigEntry {
  /** The services reached (`service` blocks). */
  services?: ConsulLinkedService[];
}

/** A mesh gateway between datacenters or partitions (`mesh` block; it has no settings). */
// biome-ignore lint/suspicious/noEmptyInterface: Nomad's mesh block is empty; the type documents it.
export interface ConsulMeshConfigEntry {}

/**
 * A Consul gateway run by this service (`gateway` block): set exactly one of
 * ingress, terminating or mesh.
 * @validation {"rule": "(has(self.ingress) ? 1 : 0) + (has(self.terminating) ? 1 : 0) + (has(self.mesh) ? 1 : 0) == 1", "message": "set exactly one of ingress, terminating or mesh"}
 */
export interface ConsulGateway {
  /** Envoy settings of the gateway. */
  proxy?: ConsulGatewayProxy;
  /** Ingress gateway configuration. */
  ingress?: ConsulIngressConfigEntry;
  /** Terminating gateway configuration. */
  terminating?: ConsulTerminatingConfigEntry;
  /** Mesh gateway (empty object). */
  mesh?: ConsulMeshConfigEntry;
}

/**
 * Consul service mesh settings of a group service (`connect` block): a
 * sidecar proxy, native integration, or a gateway.
 * @validation {"rule": "!(has(self.native) && self.native && (has(self.sidecarService) || has(self.gateway)))", "message": "a native Connect service has no sidecar or gateway"}
 */
export interface ConsulConnect {
  /** Whether the application speaks Connect itself, with no sidecar. Nomad's default is false. */
  native?: boolean;
  /** Registers an Envoy sidecar for the service; an empty object uses Nomad's defaults. */
  sidecarService?: ConsulSidecarService;
  /** Overrides for the injected sidecar task. */
  sidecarTask?: SidecarTask;
  /** Runs the service as a Consul gateway. */
  gateway?: ConsulGateway;
}
