// A group's migrate block with Nomad's defaults, as the health rules the
// drainer judges replacements by. Pure.
import type { MigrateStrategy, NomadJobSpec } from "../../crds/job/index.js";
import { durationMs } from "../../scheduler/duration.js";
import { type HealthStrategy, nomadCheckCount } from "../deployments/health.js";

export function migrateStrategy(job: NomadJobSpec | undefined, group: string): HealthStrategy {
  const tg = job?.groups.find((g) => g.name === group);
  const m: MigrateStrategy = { ...job?.migrate, ...tg?.migrate };
  return {
    healthCheck: m.healthCheck ?? "checks",
    minHealthyMs: durationMs(m.minHealthyTime, 10_000),
    healthyDeadlineMs: durationMs(m.healthyDeadline, 300_000),
    progressDeadlineMs: 0,
    autoRevert: false,
    autoPromote: false,
    canary: 0,
    checks: nomadCheckCount(tg),
  };
}
