// Allocations as a test reads and drives them: listed with kubectl, and their
// client status written through the status subresource exactly as an agent would.
import { kubectlOk } from "./kubectl.js";

// biome-ignore lint/suspicious/noExplicitAny: objects read back from kubectl as JSON
export type Obj = Record<string, any>;

export async function allocationsOf(
  kubeconfig: string,
  ns: string,
  jobName: string,
): Promise<Obj[]> {
  const out = await kubectlOk(kubeconfig, [
    "get",
    "nomadallocations",
    "-n",
    ns,
    "-l",
    `caravan.dev/job=${jobName}`,
    "-o",
    "json",
  ]);
  return JSON.parse(out).items as Obj[];
}

/** The job's allocations that should run (desired status run). */
export async function runningOf(kubeconfig: string, ns: string, jobName: string): Promise<Obj[]> {
  return (await allocationsOf(kubeconfig, ns, jobName)).filter(
    (a) => a.spec.desiredStatus === "run",
  );
}

export async function setClientStatus(
  kubeconfig: string,
  ns: string,
  name: string,
  clientStatus: string,
): Promise<void> {
  await kubectlOk(kubeconfig, [
    "patch",
    "nomadallocation",
    name,
    "-n",
    ns,
    "--subresource=status",
    "--type=merge",
    "-p",
    JSON.stringify({ status: { clientStatus } }),
  ]);
}
