// Templates rendered by the agent from ConfigMaps and Secrets in the job's
// namespace: files and env before the task starts, and on a ConfigMap change
// a re-render with the template's change_mode (restart or signal).
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { readLogs } from "../../src/agent/logs/reader.js";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { type VariableSecret, variableSecret } from "../../src/crds/variable.js";
import { createObject, replaceObject } from "../../src/kube/apply.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { secretResource } from "../../src/kube/resources.js";
import { allocationsOf, runningOf } from "../support/allocations.js";
import { createNamespace, eventually, kubectlOk } from "../support/kubectl.js";
import {
  applyJob,
  environOf,
  eventTypes,
  marker,
  shTask,
  sleepers,
  startTestAgent,
  type TestAgent,
} from "./agent-harness.js";

const kubeconfig = inject("kubeconfig");
const kc = loadKubeConfig(kubeconfig);
const log = createLogger({ level: "warn", json: false });
const run = Math.random().toString(36).slice(2, 7);
const dc = `tmpl-${run}`;

describe("agent templates", () => {
  let ns: string;
  let controllers: Controllers;
  let agent: TestAgent;
  const taskFile = (alloc: string, task: string, rel: string) =>
    path.join(agent.dataDir, "alloc", alloc, task, rel);
  const configMap = (name: string, data: Record<string, string>) =>
    kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name, namespace: ns },
        data,
      }),
    );

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "agenttmpl");
    controllers = await startControllers(kc, log, { namespace: ns });
    agent = await startTestAgent(kc, log, { name: `tmpl-${run}-node`, datacenter: dc });
  });
  afterAll(async () => {
    await agent?.stop(true);
    await controllers?.stop();
  });

  it("renders files and env from a ConfigMap and a Secret into three tasks, and restarts them when the ConfigMap changes", async () => {
    const m = marker();
    await configMap("app", { greeting: "hello", port: "8080" });
    await kubectlOk(kubeconfig, [
      "create",
      "secret",
      "generic",
      "db",
      "-n",
      ns,
      "--from-literal=password=s3cret",
    ]);
    await applyJob(kubeconfig, ns, "templated", {
      datacenters: [dc],
      groups: [
        {
          name: "g",
          count: 3,
          tasks: [
            {
              name: "t",
              driver: "raw_exec",
              config: { command: "/bin/sleep", args: [m] },
              resources: { cpu: 50, memory: 32 },
              templates: [
                {
                  data: 'greeting={{ key "app/greeting" }} from {{ env "NOMAD_TASK_NAME" }}\n{{ with secret "db" }}password={{ .Data.password }}{{ end }}\n',
                  destination: "local/app.conf",
                  perms: "0600",
                  changeMode: "restart",
                  splay: "0s",
                },
                {
                  data: 'PORT=[[ key "app/port" ]]\n',
                  destination: "secrets/app.env",
                  env: true,
                  leftDelimiter: "[[",
                  rightDelimiter: "]]",
                  changeMode: "restart",
                  splay: "0s",
                },
              ],
            },
          ],
        },
      ],
    });
    const pids = await eventually(
      async () => (sleepers(m).length === 3 ? sleepers(m) : undefined),
      "three processes",
    );
    for (const pid of pids) expect(environOf(pid).PORT).toBe("8080");
    const allocs = await runningOf(kubeconfig, ns, "templated");
    for (const a of allocs) {
      const file = taskFile(a.metadata.name, "t", "local/app.conf");
      expect(readFileSync(file, "utf8")).toBe("greeting=hello from t\npassword=s3cret\n");
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }

    await configMap("app", { greeting: "bonjour", port: "9090" });
    const restarted = await eventually(async () => {
      const now = sleepers(m);
      return now.length === 3 && now.every((p) => !pids.includes(p)) ? now : undefined;
    }, "all three tasks to restart");
    for (const pid of restarted) expect(environOf(pid).PORT).toBe("9090");
    for (const a of await runningOf(kubeconfig, ns, "templated")) {
      expect(readFileSync(taskFile(a.metadata.name, "t", "local/app.conf"), "utf8")).toBe(
        "greeting=bonjour from t\npassword=s3cret\n",
      );
    }
    const [a] = await allocationsOf(kubeconfig, ns, "templated");
    expect(eventTypes(a, "t")).toEqual(
      expect.arrayContaining(["Template Rendered", "Restart Signaled", "Restarting", "Started"]),
    );
    expect(a?.status.taskStates.t.state).toBe("running");
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "templated", "-n", ns, "--timeout=60s"]);
  });

  it("signals the task on a change with change_mode signal, and waits for a missing ConfigMap", async () => {
    await applyJob(kubeconfig, ns, "reloader", {
      datacenters: [dc],
      groups: [
        {
          name: "g",
          tasks: [
            shTask(
              "t",
              `trap 'echo "reloaded: $(cat local/level)"' HUP; echo "started: $(cat local/level)"; while true; do sleep 0.1; done`,
              {
                templates: [
                  {
                    data: '{{ key "levels/level" }}',
                    destination: "local/level",
                    changeMode: "signal",
                    changeSignal: "SIGHUP",
                    splay: "0s",
                  },
                ],
              },
            ),
          ],
        },
      ],
    });
    // No ConfigMap yet: the task waits, and says for what.
    const waiting = await eventually(async () => {
      const [x] = await allocationsOf(kubeconfig, ns, "reloader");
      return eventTypes(x, "t").includes("Template") ? x : undefined;
    }, "the template to report what it misses");
    const events = waiting.status.taskStates.t.events as { type: string; message: string }[];
    expect(events.find((e) => e.type === "Template")?.message).toBe("Missing: key(levels/level)");
    expect(waiting.status.taskStates.t.state).toBe("pending");

    await configMap("levels", { level: "info" });
    const name = waiting.metadata.name as string;
    const stdout = () =>
      readLogs(
        path.join(agent.dataDir, "alloc", name, "alloc", "logs"),
        "t",
        "stdout",
      ).data.toString();
    await eventually(async () => stdout() === "started: info\n" || undefined, "the task to start");
    await configMap("levels", { level: "debug" });
    await eventually(
      async () => stdout() === "started: info\nreloaded: debug\n" || undefined,
      "the task to reload on SIGHUP",
    );
    const [after] = await allocationsOf(kubeconfig, ns, "reloader");
    expect(eventTypes(after, "t")).toContain("Signaling");
    expect(after?.status.taskStates.t).toMatchObject({ state: "running", restarts: 0 });
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "reloader", "-n", ns, "--timeout=60s"]);
  });

  it("lists a Kubernetes Service's ready endpoints with k8sService, and re-renders as they change", async () => {
    // A Service without a selector and its EndpointSlice, as pods or a user would have them.
    const slice = (readyB: boolean) =>
      JSON.stringify({
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: { name: "db-1", namespace: ns, labels: { "kubernetes.io/service-name": "db" } },
        addressType: "IPv4",
        ports: [{ name: "pg", port: 5432, protocol: "TCP" }],
        endpoints: [
          { addresses: ["10.1.0.4"], conditions: { ready: true } },
          { addresses: ["10.1.0.5"], conditions: { ready: readyB } },
        ],
      });
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "db", namespace: ns },
        spec: { ports: [{ name: "pg", port: 5432 }] },
      }),
    );
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], slice(false));
    await applyJob(kubeconfig, ns, "k8sreader", {
      datacenters: [dc],
      groups: [
        {
          name: "g",
          tasks: [
            shTask("t", "while true; do sleep 0.1; done", {
              templates: [
                {
                  data: '{{ range k8sService "db" }}{{ .PortName }} {{ .Address }}:{{ .Port }}\n{{ end }}',
                  destination: "local/db",
                  changeMode: "noop",
                  splay: "0s",
                },
              ],
            }),
          ],
        },
      ],
    });
    const [alloc] = await eventually(async () => {
      const xs = await runningOf(kubeconfig, ns, "k8sreader");
      return xs.length ? xs : undefined;
    }, "the reader to run");
    const file = taskFile(alloc?.metadata.name as string, "t", "local/db");
    await eventually(async () => existsSync(file) || undefined, "the template to render");
    expect(readFileSync(file, "utf8")).toBe("pg 10.1.0.4:5432\n");
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], slice(true));
    await eventually(
      async () =>
        readFileSync(file, "utf8") === "pg 10.1.0.4:5432\npg 10.1.0.5:5432\n" || undefined,
      "the template to list both endpoints",
    );
    await kubectlOk(kubeconfig, ["delete", "endpointslice", "db-1", "-n", ns]);
    await eventually(
      async () => readFileSync(file, "utf8") === "" || undefined,
      "the template to list none",
    );
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "k8sreader", "-n", ns, "--timeout=60s"]);
  });

  it("stops a task still waiting for its template's ConfigMap at once when the job is deleted", async () => {
    await applyJob(kubeconfig, ns, "blocked", {
      datacenters: [dc],
      groups: [
        {
          name: "g",
          tasks: [
            shTask("t", "sleep 600", {
              templates: [{ data: '{{ key "never/there" }}', destination: "local/x" }],
            }),
          ],
        },
      ],
    });
    const waiting = await eventually(async () => {
      const [x] = await allocationsOf(kubeconfig, ns, "blocked");
      return eventTypes(x, "t").includes("Template") ? x : undefined;
    }, "the template to wait");
    const started = Date.now();
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "blocked", "-n", ns, "--timeout=60s"]);
    await eventually(
      async () => (agent.client.running === 0 ? true : undefined),
      "the allocation's runner to end",
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(waiting.status.taskStates.t.state).toBe("pending");
  });

  it("renders the job's Nomad Variables with nomadVar and nomadVarExists, restarts on a change, and refuses another job's", async () => {
    const m = marker();
    const path = "nomad/jobs/vars-job";
    const stored = await createObject<VariableSecret>(
      kc,
      secretResource,
      variableSecret(ns, path, { user: "app", password: "first" }, Date.now() * 1e6),
    );
    await applyJob(kubeconfig, ns, "vars-job", {
      datacenters: [dc],
      groups: [
        {
          name: "g",
          count: 1,
          tasks: [
            {
              name: "t",
              driver: "raw_exec",
              config: { command: "/bin/sleep", args: [m] },
              resources: { cpu: 50, memory: 32 },
              templates: [
                {
                  data: `{{ with nomadVar "${path}" }}{{ .user }}:{{ .password }}{{ end }} {{ nomadVarExists "nomad/jobs/vars-job/g/t" }}\n`,
                  destination: "secrets/creds",
                  changeMode: "restart",
                  splay: "0s",
                },
              ],
            },
          ],
        },
      ],
    });
    const [pid] = await eventually(
      async () => (sleepers(m).length === 1 ? sleepers(m) : undefined),
      "the task",
    );
    const [a] = await runningOf(kubeconfig, ns, "vars-job");
    const file = taskFile(a?.metadata.name ?? "", "t", "secrets/creds");
    expect(readFileSync(file, "utf8")).toBe("app:first false\n");

    await replaceObject(
      kc,
      secretResource,
      variableSecret(ns, path, { user: "app", password: "second" }, Date.now() * 1e6, stored),
    );
    await eventually(
      async () => (sleepers(m).length === 1 && sleepers(m)[0] !== pid ? true : undefined),
      "the task to restart with the new variable",
    );
    expect(readFileSync(file, "utf8")).toBe("app:second false\n");
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "vars-job", "-n", ns, "--timeout=60s"]);

    await applyJob(kubeconfig, ns, "nosy", {
      type: "batch",
      datacenters: [dc],
      groups: [
        {
          name: "g",
          restart: { attempts: 0, mode: "fail" },
          reschedule: { attempts: 0, unlimited: false },
          tasks: [
            shTask("t", "echo should not run", {
              templates: [{ data: `{{ nomadVar "${path}" }}`, destination: "local/x" }],
            }),
          ],
        },
      ],
    });
    const failed = await eventually(async () => {
      const [x] = await allocationsOf(kubeconfig, ns, "nosy");
      return x?.status?.clientStatus === "failed" ? x : undefined;
    }, "nosy to fail");
    const events = failed.status.taskStates.t.events as { type: string; message: string }[];
    expect(events.find((e) => e.type === "Killing")?.message).toMatch(
      /nomadVar "nomad\/jobs\/vars-job": a task reads only its own variables \(nomad\/jobs, nomad\/jobs\/nosy, /,
    );
  });

  it("fails the task, naming why, on a missing key with error_on_missing_key and on a destination outside the task dir", async () => {
    await kubectlOk(kubeconfig, [
      "create",
      "secret",
      "generic",
      "strict-db",
      "-n",
      ns,
      "--from-literal=user=app",
    ]);
    const failing = (name: string, template: Record<string, unknown>) =>
      applyJob(kubeconfig, ns, name, {
        type: "batch",
        datacenters: [dc],
        groups: [
          {
            name: "g",
            restart: { attempts: 0, mode: "fail" },
            reschedule: { attempts: 0, unlimited: false },
            tasks: [shTask("t", "echo should not run", { templates: [template] })],
          },
        ],
      });
    await failing("strict", {
      data: '{{ with secret "strict-db" }}{{ .Data.nokey }}{{ end }}',
      destination: "local/strict",
      errorOnMissingKey: true,
    });
    await failing("escaping", { data: "x", destination: "../../../etc/escaped" });
    for (const [job, reason] of [
      ["strict", /^Template failed: .*nokey/],
      [
        "escaping",
        /^Template failed: template.destination: "..\/..\/..\/etc\/escaped" escapes the task directory$/,
      ],
    ] as const) {
      const failed = await eventually(async () => {
        const [x] = await allocationsOf(kubeconfig, ns, job);
        return x?.status?.clientStatus === "failed" ? x : undefined;
      }, `${job} to fail`);
      const events = failed.status.taskStates.t.events as { type: string; message: string }[];
      expect(events.find((e) => e.type === "Killing")?.message).toMatch(reason);
      expect(events.at(-1)?.type).toBe("Not Restarting");
      expect(failed.status.taskStates.t).toMatchObject({ state: "dead", failed: true });
    }
    expect(existsSync(path.join(agent.dataDir, "etc"))).toBe(false);
  });

  it("renders a template from a source file an artifact fetched, after the artifact", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "caravan-tmpl-src-"));
    writeFileSync(
      path.join(dir, "app.tpl"),
      'mode={{ key "src/mode" }} task={{ env "NOMAD_TASK_NAME" }}\n',
    );
    await configMap("src", { mode: "fast" });
    await applyJob(kubeconfig, ns, "sourced", {
      type: "batch",
      datacenters: [dc],
      groups: [
        {
          name: "g",
          tasks: [
            shTask("t", "cat local/app.conf", {
              artifacts: [{ source: `file://${path.join(dir, "app.tpl")}` }],
              templates: [{ source: "local/app.tpl", destination: "local/app.conf" }],
            }),
          ],
        },
      ],
    });
    const done = await eventually(async () => {
      const [x] = await allocationsOf(kubeconfig, ns, "sourced");
      return x?.status?.clientStatus === "complete" ? x : undefined;
    }, "the job to complete");
    const logDir = path.join(agent.dataDir, "alloc", done.metadata.name, "alloc", "logs");
    expect(readLogs(logDir, "t", "stdout").data.toString()).toBe("mode=fast task=t\n");
    expect(eventTypes(done, "t")).toEqual([
      "Received",
      "Task Setup",
      "Downloading Artifacts",
      "Template Rendered",
      "Started",
      "Terminated",
    ]);
  });
});
