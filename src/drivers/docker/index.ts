// docker: runs each task in a container through the Docker Engine API (Docker
// itself, or Podman's compatible service), as Nomad's docker driver does. The
// endpoint comes from the plugin config or DOCKER_HOST; the plugin config also
// decides what tasks may ask for (privileged, capabilities, host volumes) and
// how containers and images are collected.
import { statSync } from "node:fs";
import path from "node:path";
import { goDurationMs } from "../../common/duration.js";
import type {
  DriverContext,
  DriverFactory,
  DriverFingerprint,
  TaskHandle,
  TaskStart,
} from "../driver.js";
import { isEnabled } from "../options.js";
import { invalidPluginConfig, invalidPluginFingerprint } from "../plugin-config.js";
import { pluginAuth } from "./auth.js";
import {
  type DockerPluginConfig,
  policyErrors,
  readPluginConfig,
  readTaskConfig,
} from "./config.js";
import { createOptions } from "./container.js";
import { dockerClient, endpointOf } from "./endpoint.js";
import { containerHandle, type DockerRecovery } from "./handle.js";
import { ImageCoordinator } from "./images.js";

export const dockerDriver: DriverFactory = (ctx: DriverContext) => {
  const pluginRead = readPluginConfig(ctx.pluginConfig);
  // A bad plugin config leaves the driver unhealthy rather than guessing.
  const plugin: DockerPluginConfig | undefined = pluginRead.ok
    ? withClientOptions(pluginRead.config, ctx.options)
    : undefined;
  const endpoint = endpointOf(plugin?.endpoint);
  const docker = dockerClient(endpoint);
  const images = new ImageCoordinator(
    docker,
    plugin?.gc ?? { image: true, imageDelayMs: 180_000 },
    ctx.log,
  );
  const handleDeps = {
    docker,
    log: ctx.log,
    removeContainer: plugin?.gc.container ?? true,
    releaseImage: (id: string) => images.release(id),
  };

  return {
    name: "docker",

    async fingerprint(): Promise<DriverFingerprint> {
      if (!pluginRead.ok) return invalidPluginFingerprint(pluginRead.errors);
      try {
        const version = await withTimeout(docker.version(), 5000);
        const info = (await withTimeout(docker.info(), 5000)) as {
          Runtimes?: Record<string, unknown>;
          OSType?: string;
        };
        return {
          detected: true,
          healthy: true,
          healthDescription: "Healthy",
          attributes: {
            version: version.Version,
            runtimes: Object.keys(info.Runtimes ?? {})
              .sort()
              .join(","),
            os_type: info.OSType ?? version.Os ?? "linux",
            "volumes.enabled": String(plugin?.volumesEnabled ?? false),
            "privileged.enabled": String(plugin?.allowPrivileged ?? false),
          },
        };
      } catch (err) {
        return {
          detected: false,
          healthy: false,
          healthDescription: `Failed to connect to docker daemon at ${endpoint}: ${(err as Error).message}`,
          attributes: {},
        };
      }
    },

    validate(config, options) {
      const read = readTaskConfig(config);
      if (!read.ok) return read;
      const errors =
        plugin && options?.nodePolicy !== false ? policyErrors(read.config, plugin) : [];
      return errors.length ? { ok: false, errors } : { ok: true };
    },

    async start(task: TaskStart): Promise<TaskHandle> {
      if (!plugin) throw new Error(invalidPluginConfig(pluginRead.ok ? [] : pluginRead.errors));
      const read = readTaskConfig(task.config);
      if (!read.ok) throw new Error(read.errors.join("; "));
      const config = read.config;
      const denied = policyErrors(config, plugin);
      if (denied.length) throw new Error(denied.join("; "));
      const create = createOptions(task, config, plugin);
      if (!create.ok) throw new Error(create.errors.join("; "));

      if (config.load) {
        // An image archive the task brought (an artifact), loaded instead of pulled.
        const archive = path.isAbsolute(config.load)
          ? config.load
          : path.join(task.taskDir, config.load);
        await images.load(archive);
      }
      const imageId = await images.ensure(config.image, {
        forcePull: config.forcePull,
        auth: async () => {
          if (config.auth) return config.auth;
          try {
            return await pluginAuth(plugin.auth, config.image);
          } catch (err) {
            // auth_soft_fail: pull without credentials rather than fail the task.
            if (config.authSoftFail) return undefined;
            throw new Error(`registry credentials: ${(err as Error).message}`);
          }
        },
        timeoutMs: config.imagePullTimeoutMs,
      });
      images.acquire(imageId);
      try {
        const existing = docker.getContainer(create.options.name ?? "");
        const found = await existing.inspect().catch(() => undefined);
        if (found && config.containerExistsOk) {
          // container_exists_ok: use the container that is there, started.
          if (!found.State.Running) await existing.start();
          return await containerHandle(
            handleDeps,
            {
              containerId: found.Id,
              imageId,
              stdoutPath: task.stdoutPath,
              stderrPath: task.stderrPath,
            },
            Math.floor(Date.now() / 1000),
          );
        }
        // A container left by an earlier run of this task (a restart) goes first.
        if (found) await existing.remove({ force: true }).catch(() => undefined);
        const container = await docker.createContainer(create.options);
        const state: DockerRecovery = {
          containerId: container.id,
          imageId,
          stdoutPath: task.stdoutPath,
          stderrPath: task.stderrPath,
        };
        try {
          await container.start();
        } catch (err) {
          await container.remove({ force: true }).catch(() => undefined);
          throw new Error(`Failed to start container: ${(err as Error).message}`);
        }
        return await containerHandle(handleDeps, state, 0);
      } catch (err) {
        images.release(imageId);
        throw err;
      }
    },

    async recover(recovery): Promise<TaskHandle> {
      const state = recovery as DockerRecovery;
      images.acquire(state.imageId);
      // The earlier agent copied output up to its last write into the log
      // files (or the log monitor's FIFOs): go on from there, so what the
      // container wrote while no agent ran is kept.
      return containerHandle(handleDeps, state, lastWrite(state) ?? Math.floor(Date.now() / 1000));
    },
  };
};

/**
 * Nomad's older client options for docker (docker.volumes.enabled,
 * docker.privileged.enabled, docker.cleanup.image[.delay]) still turn the
 * same switches on.
 */
function withClientOptions(
  plugin: DockerPluginConfig,
  options: Record<string, string>,
): DockerPluginConfig {
  const delay = options["docker.cleanup.image.delay"];
  const delayMs = delay ? goDurationMs(delay) : undefined;
  return {
    ...plugin,
    volumesEnabled: plugin.volumesEnabled || isEnabled(options, "docker.volumes.enabled"),
    allowPrivileged: plugin.allowPrivileged || isEnabled(options, "docker.privileged.enabled"),
    gc: {
      ...plugin.gc,
      ...(options["docker.cleanup.image"] !== undefined
        ? { image: isEnabled(options, "docker.cleanup.image") }
        : {}),
      ...(delayMs !== undefined ? { imageDelayMs: delayMs } : {}),
    },
  };
}

/** When the task's output was last written (whole seconds, as the Engine API's logs `since` takes). */
function lastWrite(state: DockerRecovery): number | undefined {
  const times = [state.stdoutPath, state.stderrPath].flatMap((p) => {
    try {
      return [statSync(p).mtimeMs];
    } catch {
      return [];
    }
  });
  return times.length ? Math.floor(Math.max(...times) / 1000) : undefined;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer within ${ms / 1000}s`)), ms).unref(),
    ),
  ]);
}
