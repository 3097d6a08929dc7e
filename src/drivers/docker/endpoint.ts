// Where the Docker Engine API answers: the plugin config's `endpoint`, else
// DOCKER_HOST, else Docker's default socket.
import Docker from "dockerode";

export function endpointOf(configured: string | undefined): string {
  return configured || process.env.DOCKER_HOST || "unix:///var/run/docker.sock";
}

export function dockerClient(endpoint: string): Docker {
  if (endpoint.startsWith("unix://")) return new Docker({ socketPath: endpoint.slice(7) });
  if (endpoint.startsWith("/")) return new Docker({ socketPath: endpoint });
  const url = new URL(endpoint.replace(/^tcp:/, "http:"));
  return new Docker({
    host: url.hostname,
    port: url.port || (url.protocol === "https:" ? 2376 : 2375),
    protocol: url.protocol === "https:" ? "https" : "http",
  });
}
