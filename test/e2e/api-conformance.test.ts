// Nomad's official Go API client (github.com/hashicorp/nomad/api, built from
// test/conformance) replays the `nomad` CLI's commands, each as the exact
// sequence of calls the CLI makes, against `bin/caravan dev`: once with ACLs
// off, once with ACLs on (bootstrap, the acl commands, and one call per area
// a read-only token is denied). Needs `npm run build` first.
import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { ensureConformanceBinary } from "../conformance/build.js";
import { type DevAgent, startDevAgent } from "../support/dev-agent.js";
import { collectOutput } from "../support/output.js";

// The replays in the order the program runs them (test/conformance/main.go).
const replays: readonly (readonly [string, "acl"?])[] = [
  ["acl bootstrap", "acl"],
  ["acl policy apply", "acl"],
  ["acl policy info", "acl"],
  ["acl policy list", "acl"],
  ["acl token create", "acl"],
  ["acl token self", "acl"],
  ["acl token list", "acl"],
  ["acl role create", "acl"],
  ["acl role list", "acl"],
  ["acl token create -role-name", "acl"],
  ["acl token update", "acl"],
  ["acl token list (denied)", "acl"],
  ["agent-info"],
  ["server members"],
  ["agent-info (denied)", "acl"],
  ["job validate"],
  ["job plan"],
  ["job run"],
  ["api event stream"],
  ["job status"],
  ["job status JOB"],
  ["job inspect"],
  ["job allocs"],
  ["job deployments"],
  ["job scale -verbose"],
  ["job scaling-events"],
  ["job history -p"],
  ["job revert"],
  ["job eval"],
  ["status JOB"],
  ["job run (denied)", "acl"],
  ["api jobs parse"],
  ["alloc status"],
  ["alloc logs"],
  ["alloc logs -f"],
  ["alloc fs"],
  ["alloc fs FILE"],
  ["alloc checks"],
  ["alloc signal"],
  ["alloc restart"],
  ["alloc restart (denied)", "acl"],
  ["alloc exec"],
  ["alloc exec (denied)", "acl"],
  ["alloc stop"],
  ["eval list"],
  ["eval list -job"],
  ["eval status"],
  ["job run -detach"],
  ["deployment list"],
  ["deployment status"],
  ["deployment pause"],
  ["deployment pause (denied)", "acl"],
  ["deployment resume"],
  ["deployment fail -detach"],
  ["job stop -detach -purge"],
  ["job run (parameterized)"],
  ["job dispatch -meta"],
  ["job run (periodic)"],
  ["job periodic force"],
  ["job stop"],
  ["job stop -purge"],
  ["node status"],
  ["node status NODE"],
  ["node status -self"],
  ["node status (denied)", "acl"],
  ["node eligibility -disable"],
  ["node eligibility -enable"],
  ["node drain -enable"],
  ["node drain -disable"],
  ["node pool list"],
  ["node pool info"],
  ["node pool apply"],
  ["node pool apply (denied)", "acl"],
  ["node pool delete"],
  ["namespace list"],
  ["namespace status"],
  ["namespace apply"],
  ["namespace apply (denied)", "acl"],
  ["namespace delete"],
  ["system gc"],
  ["system reconcile summaries"],
  ["system gc (denied)", "acl"],
  ["operator scheduler get-config"],
  ["operator scheduler set-config"],
  ["operator scheduler get-config (denied)", "acl"],
  ["operator raft list-peers"],
  ["operator snapshot save"],
  ["operator snapshot save (denied)", "acl"],
  ["acl role delete", "acl"],
  ["acl token delete", "acl"],
  ["acl policy delete", "acl"],
];

describe("the nomad CLI's call sequences through Nomad's official Go client", () => {
  let dev: DevAgent | undefined;
  afterEach(async () => {
    await dev?.stop();
    dev = undefined;
  });

  for (const acl of [false, true])
    it(`replays every command with ACLs ${acl ? "on" : "off"}`, { timeout: 600_000 }, async () => {
      const binary = await ensureConformanceBinary();
      dev = await startDevAgent({ acl });
      const client = spawn(binary, acl ? ["-acl"] : [], {
        env: { ...process.env, NOMAD_ADDR: dev.addr, NOMAD_TOKEN: "" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const result = collectOutput(client);
      const code = await new Promise<number | null>((resolve) => client.on("close", resolve));
      const steps = result.stdout.trim().split("\n");
      const expected = replays.filter(([, only]) => acl || only !== "acl").map(([n]) => `ok ${n}`);
      expect(steps, `${result.stdout}\n${result.stderr}`).toEqual(expected);
      expect(code).toBe(0);
    });
});
