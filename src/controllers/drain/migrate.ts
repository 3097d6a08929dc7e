// A group's migrate block with Nomad's defaults, as the health rules the
// drainer judges replacements by. Pure.
import { defaultMigrateStrategy } from "../../crds/job/defaults.js";
import type { MigrateStrategy, NomadJobSpec } from "../../crds/job/index.js";
import { type HealthStrategy, healthRules } from "../deployments/health.js";

export function migrateStrategy(job: NomadJobSpec | undefined, group: string): HealthStrategy {
  const tg = job?.groups.find((g) => g.name === group);
  const m: Required<MigrateStrategy> = {
    ...defaultMigrateStrategy,
    ...job?.migrate,
    ...tg?.migrate,
  };
  return {
    ...healthRules(m, tg),
    progressDeadlineMs: 0,
    autoRevert: false,
    autoPromote: false,
    canary: 0,
  };
}
