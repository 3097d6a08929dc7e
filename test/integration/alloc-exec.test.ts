// `nomad alloc exec` with the API server and the node agent as separate parts:
// the websocket goes through the API server (which checks alloc-exec and joins
// it to the agent) or straight to the agent (as Nomad's CLI tries first), and
// runs the command in a raw_exec task (a host process with the task's
// environment and directory) or an exec task (inside its namespaces and
// chroot, as its user): output, stdin, exit codes, a terminal with its size,
// Nomad's ACL rule (alloc-node-exec for tasks without isolation), and hostile
// input that is refused cleanly and changes nothing.

import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type RunningAgent, startAgent } from "../../src/agent/agent.js";
import { type RunningApi, startApi } from "../../src/api/index.js";
import { createLogger } from "../../src/common/log.js";
import { defaultAgentConfig } from "../../src/config/agent-config.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { createControllerMetrics } from "../../src/metrics/registry.js";
import { runningOf } from "../support/allocations.js";
import { endBytes, hostileStep, processesMarked, sessionEnd } from "../support/exec-fuzz.js";
import { createNamespace, eventually } from "../support/kubectl.js";
import { dial, dialRaw, type ExecOutcome, execUrl, type Session } from "../support/websocket.js";
import { applyJob, shTask } from "./agent-harness.js";
import { apiClient, applyToken } from "./api-client.js";

const kubeconfig = inject("kubeconfig");
const kc = loadKubeConfig(kubeconfig);
const log = createLogger({ level: "warn", json: false });
const run = Math.random().toString(36).slice(2, 7);
const dc = `exec-ws-${run}`;
const nodeName = `exec-ws-${run}-node`;
const managementSecret = crypto.randomUUID();

describe("nomad alloc exec over a websocket", () => {
  let ns: string;
  let controllers: Controllers;
  let api: RunningApi;
  let agent: RunningAgent;
  let call: ReturnType<typeof apiClient>;
  let alloc = "";
  let agentBase = "";

  /** Runs a command to its end: input messages are sent once the websocket is open. */
  async function exec(
    opts: { task: string; command: string[]; tty?: boolean; token?: string; base?: string },
    input: (s: Session) => void = () => {},
  ): Promise<ExecOutcome> {
    const d = await dial(execUrl(opts.base ?? api.url, alloc, opts.task, opts.command, opts.tty), {
      "X-Nomad-Token": opts.token ?? managementSecret,
    });
    if (!d.ok) throw new Error(`exec answered ${d.status}: ${d.body}`);
    input(d);
    return d.outcome;
  }

  /** A client token with these capabilities in the test's namespace. */
  async function tokenWith(name: string, capabilities: string[]): Promise<string> {
    const rules = `namespace "${ns}" { capabilities = ${JSON.stringify(capabilities)} }`;
    const p = await call(
      "POST",
      `/v1/acl/policy/${name}-${run}`,
      { Name: `${name}-${run}`, Rules: rules },
      managementSecret,
    );
    expect(p.status, p.text).toBe(200);
    const t = await call(
      "POST",
      "/v1/acl/token",
      { Name: name, Type: "client", Policies: [`${name}-${run}`] },
      managementSecret,
    );
    expect(t.status, t.text).toBe(200);
    return t.json.SecretID;
  }

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "exec-ws");
    await applyToken(kubeconfig, {
      name: `mgmt-${run}`,
      namespace: ns,
      secretID: managementSecret,
      spec: { name: "management", type: "management" },
    });
    controllers = await startControllers(kc, log, { namespace: ns });
    const acl = { enabled: true };
    api = await startApi(kc, { ...defaultAgentConfig(), ports: { http: 0 }, acl }, log, {
      registry: createControllerMetrics().registry,
      secretNamespace: ns,
      namespace: ns,
    });
    const base = defaultAgentConfig();
    agent = await startAgent(
      kc,
      {
        ...base,
        name: nodeName,
        datacenter: dc,
        ports: { http: 0 },
        acl,
        client: {
          ...base.client,
          enabled: true,
          options: { "driver.raw_exec.enable": "1", "driver.allowlist": "raw_exec,exec" },
        },
      },
      log,
      "0.1.0",
      mkdtempSync(path.join(os.tmpdir(), "caravan-alloc-exec-")),
    );
    agentBase = `http://${agent.httpAddr}`;
    call = apiClient(api.url);
    await eventually(
      async () =>
        (await call("GET", "/v1/acl/token/self", undefined, managementSecret)).status === 200 ||
        undefined,
      "the management token to be usable",
    );
    const loop = "while true; do sleep 0.2; done";
    await applyJob(kubeconfig, ns, "shell", {
      datacenters: [dc],
      groups: [
        {
          name: "g",
          tasks: [
            shTask("raw", loop, { env: { GREETING: "hola" } }),
            { ...shTask("jailed", loop, { env: { GREETING: "salut" } }), driver: "exec" },
          ],
        },
      ],
    });
    const [running] = await eventually(async () => {
      const r = await runningOf(kubeconfig, ns, "shell");
      return r.length === 1 && r[0]?.status?.taskStates?.jailed?.state === "running"
        ? r
        : undefined;
    }, "the allocation to run");
    alloc = running?.metadata.name;
  });
  afterAll(async () => {
    await agent?.stop(true);
    await api?.close();
    await controllers?.stop();
  });

  it("runs a command in a raw_exec task with its environment and directory, through the server and at the agent", async () => {
    const command = ["/bin/sh", "-c", 'echo "$GREETING from $(pwd)"; echo oops >&2; exit 7'];
    for (const base of [api.url, agentBase]) {
      const out = await exec({ task: "raw", command, base });
      expect(out.stdout).toMatch(new RegExp(`^hola from .*/${alloc}/raw\\n$`));
      expect(out.stderr).toBe("oops\n");
      expect([out.exitCode, out.closeCode]).toEqual([7, 1000]);
    }
  });

  it("passes stdin to the command until it is closed", async () => {
    for (const task of ["raw", "jailed"]) {
      const out = await exec({ task, command: ["cat"] }, (s) => {
        s.stdin("line one\n");
        s.stdin("line two\n", true);
      });
      expect([task, out.stdout, out.exitCode, out.closeReason]).toEqual([
        task,
        "line one\nline two\n",
        0,
        "",
      ]);
    }
  });

  it("runs a command inside an exec task: its chroot, its user, its environment", async () => {
    const out = await exec({
      task: "jailed",
      command: [
        "/bin/sh",
        "-c",
        'echo "$GREETING $(id -u) $(ls /local >/dev/null && echo jailed)"; exit 3',
      ],
    });
    expect([out.stdout, out.closeReason]).toEqual(["salut 65534 jailed\n", ""]);
    expect(out.exitCode).toBe(3);
  });

  it("gives the command a terminal of the size the client asks for", async () => {
    for (const task of ["raw", "jailed"]) {
      const out = await exec(
        {
          task,
          command: ["/bin/sh", "-c", "sleep 0.5; stty size; test -t 0 && echo on-a-tty; exit 5"],
          tty: true,
        },
        (s) => s.send({ tty_size: { height: 33, width: 101 } }),
      );
      // A terminal turns "\n" into "\r\n".
      expect([task, out.stdout, out.exitCode]).toEqual([task, "33 101\r\non-a-tty\r\n", 5]);
    }
  });

  it("asks for alloc-node-exec besides alloc-exec for a task without isolation, as Nomad does", async () => {
    const execOnly = await tokenWith("exec-only", ["alloc-exec"]);
    const refused = await exec({ task: "raw", command: ["/bin/true"], token: execOnly });
    expect([refused.closeCode, refused.closeReason, refused.exitCode]).toEqual([
      1011,
      "Permission denied",
      undefined,
    ]);
    const jailed = await exec({ task: "jailed", command: ["/bin/echo", "ok"], token: execOnly });
    expect([jailed.stdout, jailed.exitCode]).toEqual(["ok\n", 0]);
    const nodeExec = await tokenWith("node-exec", ["alloc-exec", "alloc-node-exec"]);
    const host = await exec({
      task: "raw",
      command: ["/bin/echo", "ok"],
      token: nodeExec,
      base: agentBase,
    });
    expect([host.stdout, host.exitCode]).toEqual(["ok\n", 0]);

    const reader = await tokenWith("reader", ["read-job", "read-logs"]);
    for (const base of [api.url, agentBase]) {
      const d = await dial(execUrl(base, alloc, "raw", ["/bin/true"]), { "X-Nomad-Token": reader });
      expect(d.ok ? 101 : [d.status, d.body]).toEqual([403, "Permission denied"]);
    }
  });

  it("refuses hostile input with Nomad's 4xx or a clean close, and the task keeps running untouched", async () => {
    const m = { "X-Nomad-Token": managementSecret };
    const q = (query: string) => `${api.url}/v1/client/allocation/${alloc}/exec?${query}`;
    // Before the switch: plain HTTP answers.
    const plain = await call(
      "GET",
      `/v1/client/allocation/${alloc}/exec?task=raw&command=%5B%22true%22%5D`,
      undefined,
      managementSecret,
    );
    expect([plain.status, plain.text]).toEqual([
      400,
      "websocket: the client is not using the websocket protocol: 'upgrade' token not found in 'Connection' header",
    ]);
    for (const [query, status, text] of [
      ["task=raw&command=echo", 400, "failed to marshal command into json"],
      ["task=raw&command=%5B1%5D", 400, "failed to marshal command into json"],
      ["task=raw&command=%5B%22true%22%5D&tty=maybe", 400, "tty value is not a boolean"],
    ] as const) {
      const d = await dial(q(query), m);
      expect(d.ok ? 101 : [d.status, d.body.slice(0, text.length)]).toEqual([status, text]);
    }
    const unknown = await dial(execUrl(api.url, "no-such-alloc", "raw", ["true"]), m);
    expect(unknown.ok ? 101 : unknown.status).toBe(404);

    // After it: a close frame with the reason.
    const closes: Array<[ExecOutcome, number, string]> = [
      [await exec({ task: "nope", command: ["true"] }), 1008, 'unknown task name "nope"'],
      [await exec({ task: "", command: ["true"] }), 1008, "must provide task name"],
      [await exec({ task: "raw", command: [] }), 1008, "command is not present"],
      [
        await exec({ task: "raw", command: ["/no/such/program"] }),
        1011,
        "failed to start command: spawn /no/such/program ENOENT",
      ],
      [
        await exec({ task: "raw", command: ["cat"] }, (s) => s.send("{not json")),
        1008,
        "invalid exec input",
      ],
      [
        await exec({ task: "raw", command: ["cat"] }, (s) => s.send({ stdin: { data: "%%%" } })),
        1008,
        "invalid exec input: stdin.data must be base64",
      ],
      [
        await exec({ task: "raw", command: ["cat"] }, (s) =>
          s.send(`{"stdin":{"data":"${"A".repeat(2 << 20)}"}}`),
        ),
        1009,
        "",
      ],
    ];
    for (const [out, code, reason] of closes) {
      expect([out.closeCode, out.closeReason.slice(0, reason.length)]).toEqual([code, reason]);
      expect(out.exitCode).toBeUndefined();
    }

    // Frames a client never sends: unmasked, then garbage bytes.
    for (const bytes of [
      Buffer.from([0x81, 0x02, ...Buffer.from("{}")]),
      Buffer.from([0xff, 0xff, 0xff, 0xff]),
    ]) {
      const raw = await dialRaw(execUrl(api.url, alloc, "raw", ["sleep", "30"]), m);
      raw.socket.write(bytes);
      expect(await raw.closeCode).toBe(1002);
    }

    // Nothing changed: the same allocation runs, no task restarted, and the agent still serves.
    const [a] = await runningOf(kubeconfig, ns, "shell");
    expect(a?.metadata.name).toBe(alloc);
    expect([
      a?.status.taskStates.raw.restarts ?? 0,
      a?.status.taskStates.jailed.restarts ?? 0,
    ]).toEqual([0, 0]);
    const again = await exec({ task: "raw", command: ["/bin/echo", "still here"] });
    expect(again.stdout).toBe("still here\n");
  });

  it("survives random and malformed frames: never a 500, a clean close, no process left, the task untouched", async () => {
    const m = { "X-Nomad-Token": managementSecret };
    const taskStates = async () => {
      const [a] = await runningOf(kubeconfig, ns, "shell");
      return JSON.stringify([a?.metadata.name, a?.status.clientStatus, a?.status.taskStates]);
    };
    const before = await taskStates();
    // What a session may end with: normally, or refusing the input (protocol
    // error, bad UTF-8, bad input, too big). Never 1011 or a dropped connection.
    const clean = [1000, 1002, 1007, 1008, 1009];
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(hostileStep, { maxLength: 6 }),
        sessionEnd,
        fc.integer({ min: 0, max: 300 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom("raw", "raw", "raw", "nope"),
        async (steps, end, waitMs, tty, viaApi, task) => {
          n += 1;
          const marker = `caravan-fuzz-${run}-${n}`;
          // cat under a shell, both marked by their environment (the shell stays their parent).
          const command = ["/usr/bin/env", `CARAVAN_FUZZ=${marker}`, "/bin/sh", "-c", "cat; true"];
          const base = viaApi ? api.url : agentBase;
          // dialRaw refuses anything but the switch: no 500, no 4xx for a good request.
          // An unknown task is refused after the switch (1008), with the input still coming.
          const raw = await dialRaw(execUrl(base, alloc, task, command, tty), m);
          for (const step of steps) raw.socket.write(step);
          await new Promise((r) => setTimeout(r, waitMs));
          if (end === "disconnect") raw.socket.destroy();
          else raw.socket.write(endBytes(end));
          const code = await raw.closeCode;
          if (end !== "disconnect") expect(clean).toContain(code);
          await eventually(
            async () => processesMarked(marker).length === 0 || undefined,
            `no process of session ${marker} to be left`,
            5_000,
          );
        },
      ),
      { numRuns: 40, interruptAfterTimeLimit: 60_000 },
    );
    // Nothing changed: the same allocation runs as it did, and the agent still serves.
    expect(await taskStates()).toBe(before);
    const again = await exec({
      task: "raw",
      command: ["/bin/echo", "still here"],
      base: agentBase,
    });
    expect([again.stdout, again.exitCode]).toEqual(["still here\n", 0]);
  }, 120_000);
});
