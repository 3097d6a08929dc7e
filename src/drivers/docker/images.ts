// Images for docker tasks: pulled when absent (or always with force_pull),
// counted while tasks use them, and removed image_delay after the last one
// stops when the plugin's gc.image is on, as Nomad's docker driver does.
import { createReadStream, existsSync } from "node:fs";
import type Docker from "dockerode";
import type { Logger } from "../../common/log.js";
import type { DockerAuth } from "./config.js";

export class ImageCoordinator {
  private readonly refs = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly docker: Docker,
    private readonly gc: { image: boolean; imageDelayMs: number },
    private readonly log: Logger,
  ) {}

  /** Makes sure the image is present; returns its ID. Errors say the image could not be had. */
  async ensure(
    image: string,
    opts: {
      forcePull: boolean;
      /** Credentials, looked up only when a pull is needed. */
      auth: () => Promise<DockerAuth | undefined>;
      timeoutMs: number;
    },
  ): Promise<string> {
    if (!opts.forcePull) {
      const id = await this.inspect(image);
      if (id) return id;
    }
    try {
      await this.pull(image, await opts.auth(), opts.timeoutMs);
    } catch (err) {
      throw new Error(`Failed to pull image "${image}": ${(err as Error).message}`);
    }
    const id = await this.inspect(image);
    if (!id) throw new Error(`Failed to pull image "${image}": image not found after pull`);
    return id;
  }

  /** Loads an image archive (`docker save` output) into the engine. */
  async load(archive: string): Promise<void> {
    if (!existsSync(archive)) throw new Error(`config.load: no image archive at "${archive}"`);
    try {
      const stream = await this.docker.loadImage(createReadStream(archive));
      await new Promise<void>((resolve, reject) => {
        this.docker.modem.followProgress(
          stream,
          (err: Error | null, output: { error?: string }[]) => {
            const failed = output?.find((o) => o.error);
            if (err || failed) reject(err ?? new Error(failed?.error));
            else resolve();
          },
        );
      });
    } catch (err) {
      throw new Error(`Failed to load image archive "${archive}": ${(err as Error).message}`);
    }
  }

  /** A task started with the image: it is not collected while in use. */
  acquire(imageId: string): void {
    this.refs.set(imageId, (this.refs.get(imageId) ?? 0) + 1);
    const timer = this.timers.get(imageId);
    if (timer) clearTimeout(timer);
    this.timers.delete(imageId);
  }

  /** A task with the image ended: remove it after image_delay unless used again. */
  release(imageId: string): void {
    const left = Math.max(0, (this.refs.get(imageId) ?? 1) - 1);
    this.refs.set(imageId, left);
    if (left > 0 || !this.gc.image) return;
    const timer = setTimeout(() => {
      this.timers.delete(imageId);
      if ((this.refs.get(imageId) ?? 0) > 0) return;
      this.refs.delete(imageId);
      this.docker
        .getImage(imageId)
        .remove()
        .catch((err: unknown) =>
          // Still used by a container outside this agent's tasks: keep it.
          this.log.debug({ err, image: imageId }, "image not removed"),
        );
    }, this.gc.imageDelayMs);
    timer.unref();
    this.timers.set(imageId, timer);
  }

  private async inspect(image: string): Promise<string | undefined> {
    try {
      const info = await this.docker.getImage(image).inspect();
      return info.Id;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }

  private async pull(image: string, auth: DockerAuth | undefined, timeoutMs: number) {
    // Without a tag the Engine API pulls every tag of the repository: ask for :latest, as docker pull does.
    const stream = await this.docker.pull(withTag(image), auth ? { authconfig: auth } : {});
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no progress within ${Math.round(timeoutMs / 1000)}s`)),
        timeoutMs,
      );
      this.docker.modem.followProgress(
        stream,
        (err: Error | null, output: { error?: string }[]) => {
          clearTimeout(timer);
          const failed = output?.find((o) => o.error);
          if (err || failed) reject(err ?? new Error(failed?.error));
          else resolve();
        },
      );
    });
  }
}

/** The image reference with ":latest" when it names no tag or digest. Pure. */
export function withTag(image: string): string {
  const last = image.slice(image.lastIndexOf("/") + 1);
  return last.includes(":") || last.includes("@") ? image : `${image}:latest`;
}
