// Each task's driver config checked as its driver will check it at start, so
// `caravan job validate` tells a user about an unknown option or a missing
// image before the job is placed. Config that interpolates ${…} is checked
// on the node, once the values are known; so are the node's plugin rules
// (allow_privileged, allow_caps…), which only the node's agent knows.
import { pino } from "pino";
import type { NomadJobSpec } from "../crds/job/index.js";
import type { TaskDriver } from "./driver.js";
import { driverFactories } from "./registry.js";

export function driverConfigErrors(spec: NomadJobSpec): string[] {
  const drivers = new Map<string, TaskDriver>();
  const driver = (name: string) => {
    const factory = driverFactories[name];
    if (!factory) return undefined;
    let d = drivers.get(name);
    if (!d) {
      d = factory({
        options: {},
        pluginConfig: {},
        dataDir: "/nonexistent",
        log: pino({ level: "silent" }),
      });
      drivers.set(name, d);
    }
    return d;
  };
  const errors: string[] = [];
  for (const group of spec.groups) {
    for (const task of group.tasks) {
      const config = task.config ?? {};
      if (JSON.stringify(config).includes("${")) continue;
      // The node's plugin rules are its own: checked when the task starts there.
      const check = driver(task.driver)?.validate(config, { nodePolicy: false });
      if (check && !check.ok)
        for (const e of check.errors)
          errors.push(`group "${group.name}" task "${task.name}" (${task.driver}): ${e}`);
    }
  }
  return errors;
}
