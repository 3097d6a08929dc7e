// Rescheduling penalty: a replacement for a failed allocation avoids the
// nodes where its predecessors failed (score −1 there, nothing elsewhere).

export function reschedulePenalty(
  penaltyNodes: ReadonlySet<string> | undefined,
  nodeId: string,
): number {
  return penaltyNodes?.has(nodeId) ? -1 : 0;
}
