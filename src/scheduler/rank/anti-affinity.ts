// Job anti-affinity: a node already running allocations of the same group
// scores lower, −(collisions + 1) / count, so a group spreads over nodes
// unless packing wins clearly. No score at all without collisions (Nomad
// only averages in scores that apply).

/** The penalty, or 0 when there are no collisions (and nothing to average in). */
export function antiAffinityScore(collisions: number, desiredCount: number): number {
  if (collisions <= 0) return 0;
  return (-1 * (collisions + 1)) / Math.max(1, desiredCount);
}
