// What the client endpoints serve: the allocations this node keeps, their
// directories (<root>/<allocation ID>), and the runners of those that run.

import type { NomadAllocation } from "../../crds/objects.js";
import { isClientTerminal } from "../../crds/terminal.js";
import type { AllocRunner } from "../allocrunner.js";
import type { AgentClient } from "../client.js";

export interface ClientAlloc {
  alloc: NomadAllocation;
  /** The names of the allocation's tasks. */
  tasks: readonly string[];
  /** Its runner while it runs on this node; restart, signal and stats need one. */
  runner: AllocRunner | undefined;
}

export interface AllocSource {
  /** The directory holding every allocation's directory. */
  root: string;
  find(id: string): ClientAlloc | undefined;
}

/** The node agent's own allocations. */
export function agentSource(client: AgentClient): AllocSource {
  return {
    root: client.allocRoot,
    find(id) {
      const found = client.allocation(id);
      if (!found) return undefined;
      const tasks = new Set([
        ...(found.runner?.taskNames() ?? []),
        ...Object.keys(found.alloc.status?.taskStates ?? {}),
      ]);
      return { alloc: found.alloc, tasks: [...tasks], runner: found.runner };
    },
  };
}

/** Allocations that no longer run on this node (finished, or never started) report no new output. */
export function finished(a: ClientAlloc | undefined): boolean {
  return !a || isClientTerminal(a.alloc.status?.clientStatus);
}
