// Starts the embedded control plane and waits until kube-apiserver is ready.
// The Go supervisor owns its children (they die with it), so stopping it is
// one signal; we wait for its exit so nothing is left behind.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { Logger } from "../common/log.js";
import { ensureControlPlaneBinary } from "./binary.js";

export interface ControlPlaneOptions {
  dataDir: string;
  /** kube-apiserver's port; a free one when unset. */
  port?: number;
  /** kube-controller-manager controllers; default garbagecollector and namespace. */
  controllers?: readonly string[];
  log: Logger;
  /** CRD manifests (files or directories) installed before ready, so the garbage collector knows them at once. */
  crds?: readonly string[];
  /** How long to wait for readiness. */
  timeoutMs?: number;
}

export interface ControlPlane {
  kubeconfigPath: string;
  server: string;
  dataDir: string;
  /** Resolves when the control plane has exited, for any reason. */
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

interface ReadyLine {
  ready: true;
  kubeconfig: string;
  server: string;
  pid: number;
}

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const { log } = options;
  const binary = await ensureControlPlaneBinary(log);
  const dataDir = path.resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  // --exit-with-parent: if this process dies without stopping it, the control plane follows.
  const args = ["up", "--data-dir", dataDir, "--exit-with-parent"];
  if (options.crds?.length) args.push("--crds", options.crds.join(","));
  if (options.port) args.push("--port", String(options.port));
  if (options.controllers) args.push("--controllers", options.controllers.join(",") || "none");

  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  const stderrTail: string[] = [];
  createInterface({ input: child.stderr }).on("line", (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 40) stderrTail.shift();
    log.debug({ component: "controlplane" }, line);
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

  const ready = await waitForReady(child.stdout, exited, options.timeoutMs ?? 120_000).catch(
    (err: Error) => {
      child.kill("SIGKILL");
      throw new Error(`${err.message}\n${stderrTail.join("\n")}`.trim());
    },
  );
  log.debug({ server: ready.server, pid: ready.pid }, "control plane ready");

  let stopping: Promise<void> | undefined;
  return {
    kubeconfigPath: ready.kubeconfig,
    server: ready.server,
    dataDir,
    exited,
    stop: () => {
      stopping ??= stopProcess(child, exited);
      return stopping;
    },
  };
}

function waitForReady(
  stdout: Readable,
  exited: Promise<number | null>,
  timeoutMs: number,
): Promise<ReadyLine> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`control plane not ready after ${timeoutMs / 1000}s`)),
      timeoutMs,
    );
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`control plane exited (code ${code}) before it was ready`));
    });
    createInterface({ input: stdout }).on("line", (line) => {
      try {
        const parsed = JSON.parse(line) as Partial<ReadyLine>;
        if (parsed.ready && parsed.kubeconfig && parsed.server) {
          clearTimeout(timer);
          resolve(parsed as ReadyLine);
        }
      } catch {
        // Not the ready line.
      }
    });
  });
}

async function stopProcess(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 15_000).unref());
  if ((await Promise.race([exited, timeout])) === "timeout") {
    child.kill("SIGKILL");
    await exited;
  }
}
