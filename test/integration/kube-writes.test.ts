// Writing through src/kube on a real API server: server-side apply of objects
// and of status (the user's spec untouched), Events that `kubectl describe`
// shows, with repeats counted in one Event, and patches of objects holding
// raw JSON.
import { describe, expect, inject, it } from "vitest";
import { parse } from "yaml";
import { createLogger } from "../../src/common/log.js";
import { setCondition } from "../../src/crds/conditions.js";
import { applyObject, applyStatus, createObject, mergePatch } from "../../src/kube/apply.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { EventRecorder } from "../../src/kube/events.js";
import { caravanResource, controllerRevisionResource } from "../../src/kube/resources.js";
import { createNamespace, kubectlOk } from "../support/kubectl.js";

const kubeconfig = inject("kubeconfig");
const kc = loadKubeConfig(kubeconfig);
const log = createLogger({ level: "warn", json: false });
const pools = caravanResource("NomadNodePool");
const name = `writes-${Math.random().toString(36).slice(2, 8)}`;

describe("writes through src/kube", () => {
  it("applies an object, then its status without touching the spec", async () => {
    const created = await applyObject(kc, pools, {
      metadata: { name },
      spec: {
        description: "batch nodes <cpu> && gpu",
        schedulerConfiguration: { schedulerAlgorithm: "spread" },
      },
    });
    expect(created.metadata?.uid).toBeTruthy();
    const conditions = setCondition(
      undefined,
      { type: "Ready", status: "True", reason: "Valid", message: "pool is usable" },
      "2026-11-22T10:00:00Z",
    );
    await applyStatus(kc, pools, created, { observedGeneration: 1, conditions });

    const back = parse(
      await kubectlOk(kubeconfig, [
        "get",
        "nomadnodepool",
        name,
        "-o",
        "yaml",
        "--show-managed-fields",
      ]),
    );
    expect(back.spec.description).toBe("batch nodes <cpu> && gpu");
    expect(back.status.conditions[0]).toMatchObject({
      type: "Ready",
      status: "True",
      reason: "Valid",
    });
    const managers = back.metadata.managedFields.map(
      (f: { manager: string; subresource?: string }) => `${f.manager}:${f.subresource ?? ""}`,
    );
    expect(managers).toContain("caravan:status");
  });

  it("applies text YAML refuses (DEL, C1 controls, U+FFFE) and reads it back unchanged", async () => {
    // Such text reaches statuses from users and tasks (descriptions, driver errors).
    const text = "out\u007f\u0080\u0085\u009f\ufffe\u2028 <&> done";
    const pool = await applyObject(kc, pools, {
      metadata: { name: `${name}-text` },
      spec: { description: text },
    });
    await applyStatus(kc, pools, pool, {
      conditions: setCondition(
        undefined,
        { type: "Ready", status: "False", reason: "Invalid", message: text },
        "2026-11-22T10:00:00Z",
      ),
    });
    const back = JSON.parse(
      await kubectlOk(kubeconfig, ["get", "nomadnodepool", `${name}-text`, "-o", "json"]),
    );
    expect(back.spec.description).toBe(text);
    expect(back.status.conditions[0].message).toBe(text);
  });

  it("records events that kubectl describe shows, counting repeats in one Event", async () => {
    const pool = parse(await kubectlOk(kubeconfig, ["get", "nomadnodepool", name, "-o", "yaml"]));
    const recorder = new EventRecorder(kc, "caravan.dev/test", log);
    await recorder.record(pool, "Warning", "NoNodes", "no ready nodes in this pool");
    await recorder.record(pool, "Warning", "NoNodes", "no ready nodes in this pool");
    await recorder.record(pool, "Normal", "NodeJoined", "node n1 joined");
    const events = JSON.parse(
      await kubectlOk(kubeconfig, ["get", "events.events.k8s.io", "-n", "default", "-o", "json"]),
    ).items.filter((e: { regarding: { name: string } }) => e.regarding.name === name);
    expect(events).toHaveLength(2);
    const noNodes = events.find((e: { reason: string }) => e.reason === "NoNodes");
    expect(noNodes.series.count).toBe(2);
    const described = await kubectlOk(kubeconfig, ["describe", "nomadnodepool", name]);
    expect(described).toMatch(/Warning\s+NoNodes\s+.*no ready nodes in this pool/);
    expect(described).toMatch(/Normal\s+NodeJoined\s+.*node n1 joined/);
  });

  it("patches the metadata of a ControllerRevision whose data holds <, > and &", async () => {
    // A job version: shell commands are full of these characters.
    const ns = await createNamespace(kubeconfig, "writes");
    const data = { spec: { args: ["-c", "test -f x && echo <ok> => done"] } };
    const created = await createObject(kc, controllerRevisionResource, {
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      metadata: { name: "job-v0", namespace: ns },
      revision: 0,
      data,
    } as never);
    await mergePatch(kc, controllerRevisionResource, created, {
      metadata: { annotations: { "caravan.dev/stable": "true" } },
    });
    const back = JSON.parse(
      await kubectlOk(kubeconfig, ["get", "controllerrevision", "job-v0", "-n", ns, "-o", "json"]),
    );
    expect(back.metadata.annotations["caravan.dev/stable"]).toBe("true");
    expect(back.data).toEqual(data);
  });
});
