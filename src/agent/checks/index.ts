// The allocation runner's entry to Nomad service checks: the checks of an
// allocation, interpolated with its environment, ready to start.
import type { TaskGroup } from "../../crds/job/index.js";
import type { NomadAllocation, NomadNode } from "../../crds/objects.js";
import { groupInterpolation } from "../taskenv.js";
import { nomadChecks } from "./definitions.js";
import { type CheckHooks, CheckRunner } from "./runner.js";

export { CheckRunner } from "./runner.js";

export function allocationChecks(
  alloc: NomadAllocation,
  group: TaskGroup,
  node: NomadNode | undefined,
  region: string,
  hooks: CheckHooks,
): CheckRunner {
  // Services interpolate like tasks do (NOMAD_* of the allocation and its ports).
  return new CheckRunner(
    nomadChecks(alloc, group, node, groupInterpolation(alloc, group.meta ?? {}, node, region)),
    hooks,
  );
}
