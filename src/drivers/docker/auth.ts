// Registry credentials for pulls when the task has no `auth` block: the
// plugin's auth.config (a Docker config.json) and auth.helper (a
// docker-credential-<helper> program), as Nomad's docker driver looks them up.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import type { DockerAuth } from "./config.js";

const dockerHub = "https://index.docker.io/v1/";

/** The registry an image reference names; Docker Hub when it names none. Pure. */
export function registryOf(image: string): string {
  const first = image.split("/")[0] ?? "";
  const named =
    image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  return named ? first : dockerHub;
}

/** Credentials for the image's registry in a Docker config.json's "auths". Pure. */
export function authFromDockerConfig(configJson: string, image: string): DockerAuth | undefined {
  const auths =
    (JSON.parse(configJson) as { auths?: Record<string, { auth?: string }> }).auths ?? {};
  const registry = registryOf(image);
  const strip = (k: string) => k.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
  const entry = Object.entries(auths).find(
    ([key]) => key === registry || strip(key) === strip(registry),
  )?.[1];
  if (!entry?.auth) return undefined;
  const decoded = Buffer.from(entry.auth, "base64").toString();
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return {
    username: decoded.slice(0, colon),
    password: decoded.slice(colon + 1),
    serveraddress: registry,
  };
}

/** Looks credentials up as the plugin config says; undefined when it says nothing for this image. */
export async function pluginAuth(
  plugin: { config?: string; helper?: string } | undefined,
  image: string,
): Promise<DockerAuth | undefined> {
  if (plugin?.config) {
    const found = authFromDockerConfig(readFileSync(plugin.config, "utf8"), image);
    if (found) return found;
  }
  if (plugin?.helper) return helperAuth(plugin.helper, registryOf(image));
  return undefined;
}

function helperAuth(helper: string, registry: string): Promise<DockerAuth | undefined> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      `docker-credential-${helper}`,
      ["get"],
      { timeout: 30_000 },
      (err, stdout) => {
        // Helpers exit non-zero for "no credentials for this registry".
        if (err) return /credentials not found/i.test(stdout) ? resolve(undefined) : reject(err);
        const creds = JSON.parse(stdout) as { Username?: string; Secret?: string };
        resolve(
          creds.Username
            ? { username: creds.Username, password: creds.Secret ?? "", serveraddress: registry }
            : undefined,
        );
      },
    );
    child.stdin?.end(registry);
  });
}
