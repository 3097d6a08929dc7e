// Which statuses are final, as Nomad's structs define them: an allocation is
// terminal on the client (Allocation.ClientTerminalStatus: complete, failed,
// lost), on the server (ServerTerminalStatus: told to stop or evict), or
// either (TerminalStatus); an evaluation is terminal once complete, failed or
// canceled (Evaluation.TerminalStatus). Pick the one Nomad uses at the same
// place. Which deployments are active (Deployment.Active) is in deployment.ts.
import type { AllocationClientStatus, AllocationDesiredStatus } from "./allocation.js";
import type { EvaluationStatusValue } from "./evaluation.js";

const clientTerminalStatuses: ReadonlySet<string> = new Set<AllocationClientStatus>([
  "complete",
  "failed",
  "lost",
]);
const serverTerminalStatuses: ReadonlySet<string> = new Set<AllocationDesiredStatus>([
  "stop",
  "evict",
]);
const terminalEvaluationStatuses: ReadonlySet<string> = new Set<EvaluationStatusValue>([
  "complete",
  "failed",
  "canceled",
]);
/** An allocation's two statuses, flat (as the scheduler holds them) or as the object has them. */
export type AllocationStatuses =
  | { desiredStatus: string; clientStatus?: string | undefined }
  | { spec: { desiredStatus: string }; status?: { clientStatus?: string | undefined } | undefined };

function statusesOf(a: AllocationStatuses): { desired: string; client: string | undefined } {
  return "spec" in a
    ? { desired: a.spec.desiredStatus, client: a.status?.clientStatus }
    : { desired: a.desiredStatus, client: a.clientStatus };
}

/**
 * The node agent is done with the allocation: complete, failed or lost
 * (Nomad's ClientTerminalStatus). Unset means the agent has not reported yet.
 */
export function isClientTerminal(clientStatus: string | undefined): boolean {
  return clientStatus !== undefined && clientTerminalStatuses.has(clientStatus);
}

/** The scheduler has told the allocation to stop or be evicted (Nomad's ServerTerminalStatus). */
export function isServerTerminal(desiredStatus: string): boolean {
  return serverTerminalStatuses.has(desiredStatus);
}

/** Terminal on the server or on the client: it will run no more (Nomad's Allocation.TerminalStatus). */
export function isTerminal(a: AllocationStatuses): boolean {
  const { desired, client } = statusesOf(a);
  return isServerTerminal(desired) || isClientTerminal(client);
}

/** Meant to run and not finished: it holds its node's resources. */
export function isActive(a: AllocationStatuses): boolean {
  return !isTerminal(a);
}

/** Complete, failed or canceled: the evaluation will not be scheduled again (Nomad's Evaluation.TerminalStatus). */
export function isEvaluationTerminal(status: string): boolean {
  return terminalEvaluationStatuses.has(status);
}
