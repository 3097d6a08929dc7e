// Client endpoints served in this process from one allocation directory, for
// an API without node agents to forward to (tests of the API alone): the same
// handlers as a node agent's (src/agent/http), over loopback, so the request
// takes the same forwarding path. Without a task runner, restart and signal
// answer that nothing runs here.
import { type ClientServer, serveClient } from "../../agent/http/server.js";
import type { AllocSource } from "../../agent/http/source.js";
import type { Logger } from "../../common/log.js";
import type { Authorizer } from "../auth.js";
import type { ApiState } from "../state.js";
import { findByName } from "./common.js";

function stateSource(state: ApiState, root: string): AllocSource {
  return {
    root,
    find(id) {
      const alloc = findByName(state.allocations.store, id);
      if (!alloc) return undefined;
      const job = state.jobs.store.get(
        `${alloc.metadata.namespace ?? "default"}/${alloc.spec.jobName}`,
      );
      const group = job?.spec.groups.find((g) => g.name === alloc.spec.group);
      const tasks = new Set([
        ...Object.keys(alloc.status?.taskStates ?? {}),
        ...(group?.tasks.map((t) => t.name) ?? []),
      ]);
      return { alloc, tasks: [...tasks], runner: undefined };
    },
  };
}

export function serveLocalClient(
  state: ApiState,
  auth: Authorizer,
  log: Logger,
  allocDir: string,
): Promise<ClientServer> {
  return serveClient({ source: stateSource(state, allocDir), auth, log }, "127.0.0.1", 0);
}
