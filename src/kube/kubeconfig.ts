// Kubeconfig and in-cluster credentials: which API server, and how to
// authenticate to it (client certificates, bearer token or token file, basic
// auth). Replaces @kubernetes/client-node's KubeConfig, whose import alone
// cost the controller ~70 MB of memory for the two methods we used.
import { readFileSync } from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { parse } from "yaml";

interface NamedCluster {
  name: string;
  cluster: {
    server: string;
    "certificate-authority"?: string;
    "certificate-authority-data"?: string;
    "insecure-skip-tls-verify"?: boolean;
    "tls-server-name"?: string;
  };
}

interface NamedUser {
  name: string;
  user?: {
    "client-certificate"?: string;
    "client-certificate-data"?: string;
    "client-key"?: string;
    "client-key-data"?: string;
    token?: string;
    tokenFile?: string;
    username?: string;
    password?: string;
  };
}

interface NamedContext {
  name: string;
  context: { cluster: string; user?: string; namespace?: string };
}

interface KubeconfigFile {
  clusters?: NamedCluster[];
  users?: NamedUser[];
  contexts?: NamedContext[];
  "current-context"?: string;
}

const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

export interface Cluster {
  server: string;
  namespace?: string;
}

export class KubeConfig {
  private cluster: Cluster | undefined;
  private ca: Buffer | undefined;
  private cert: Buffer | undefined;
  private key: Buffer | undefined;
  private token: string | undefined;
  private tokenFile: string | undefined;
  private cachedToken: string | undefined;
  private tokenReadAt = 0;
  private basicAuth: string | undefined;
  private insecure = false;
  private serverName: string | undefined;
  /** One keep-alive agent per config: requests reuse connections instead of a TLS handshake each. */
  private agent: https.Agent | undefined;

  /** KUBECONFIG (first file), else ~/.kube/config, else in-cluster credentials. */
  loadFromDefault(env: NodeJS.ProcessEnv = process.env): void {
    const fromEnv = env.KUBECONFIG?.split(path.delimiter).find(Boolean);
    const home = path.join(os.homedir(), ".kube", "config");
    for (const file of [fromEnv, home]) {
      if (!file) continue;
      try {
        this.loadFromString(readFileSync(file, "utf8"), path.dirname(file));
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
    }
    if (env.KUBERNETES_SERVICE_HOST) this.loadFromCluster(env);
    else
      throw new Error("no kubeconfig: set KUBECONFIG, create ~/.kube/config, or run in a cluster");
  }

  loadFromFile(file: string): void {
    this.loadFromString(readFileSync(file, "utf8"), path.dirname(file));
  }

  /** Relative certificate paths are resolved against `baseDir`, as kubectl does. */
  loadFromString(text: string, baseDir = process.cwd()): void {
    const config = (parse(text) ?? {}) as KubeconfigFile;
    const contextName = config["current-context"];
    const context = config.contexts?.find((c) => c.name === contextName)?.context;
    if (!context) throw new Error(`kubeconfig: current context "${contextName ?? ""}" not found`);
    const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
    if (!cluster?.server) throw new Error(`kubeconfig: cluster "${context.cluster}" not found`);
    const user = config.users?.find((u) => u.name === context.user)?.user ?? {};
    const file = (p: string) => readFileSync(path.resolve(baseDir, p));
    const data = (d: string) => Buffer.from(d, "base64");

    this.cluster = {
      server: cluster.server.replace(/\/+$/, ""),
      ...(context.namespace ? { namespace: context.namespace } : {}),
    };
    this.ca = cluster["certificate-authority-data"]
      ? data(cluster["certificate-authority-data"])
      : cluster["certificate-authority"]
        ? file(cluster["certificate-authority"])
        : undefined;
    this.insecure = cluster["insecure-skip-tls-verify"] === true;
    this.serverName = cluster["tls-server-name"];
    this.cert = user["client-certificate-data"]
      ? data(user["client-certificate-data"])
      : user["client-certificate"]
        ? file(user["client-certificate"])
        : undefined;
    this.key = user["client-key-data"]
      ? data(user["client-key-data"])
      : user["client-key"]
        ? file(user["client-key"])
        : undefined;
    this.token = user.token;
    this.tokenFile = user.tokenFile ? path.resolve(baseDir, user.tokenFile) : undefined;
    this.basicAuth =
      user.username !== undefined
        ? Buffer.from(`${user.username}:${user.password ?? ""}`).toString("base64")
        : undefined;
    this.agent = undefined;
  }

  /** A pod's service account: the token file is re-read, since kubelet rotates it. */
  loadFromCluster(env: NodeJS.ProcessEnv = process.env): void {
    const host = env.KUBERNETES_SERVICE_HOST ?? "";
    const port = env.KUBERNETES_SERVICE_PORT ?? "443";
    const hostPart = host.includes(":") ? `[${host}]` : host;
    let namespace: string | undefined;
    try {
      namespace = readFileSync(path.join(serviceAccountDir, "namespace"), "utf8").trim();
    } catch {
      // Not mounted.
    }
    this.cluster = { server: `https://${hostPart}:${port}`, ...(namespace ? { namespace } : {}) };
    this.ca = readFileSync(path.join(serviceAccountDir, "ca.crt"));
    this.tokenFile = path.join(serviceAccountDir, "token");
    this.agent = undefined;
  }

  private fileToken(): string {
    // Re-read once a minute: kubelet rotates projected tokens well before they expire.
    const now = Date.now();
    if (this.tokenFile && (this.cachedToken === undefined || now - this.tokenReadAt > 60_000)) {
      this.cachedToken = readFileSync(this.tokenFile, "utf8").trim();
      this.tokenReadAt = now;
    }
    return this.cachedToken ?? "";
  }

  getCurrentCluster(): Cluster | undefined {
    return this.cluster;
  }

  /** Sets TLS material, credentials and the shared keep-alive agent on a request's options. */
  applyToHTTPSOptions(options: https.RequestOptions): void {
    this.agent ??= new https.Agent({
      keepAlive: true,
      ...(this.ca ? { ca: this.ca } : {}),
      ...(this.cert ? { cert: this.cert } : {}),
      ...(this.key ? { key: this.key } : {}),
      ...(this.serverName ? { servername: this.serverName } : {}),
      rejectUnauthorized: !this.insecure,
    });
    options.agent = this.agent;
    const headers = (options.headers ?? {}) as Record<string, string>;
    const token = this.tokenFile ? this.fileToken() : this.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    else if (this.basicAuth) headers.Authorization = `Basic ${this.basicAuth}`;
    options.headers = headers;
  }
}
