// nomad operator snapshot save / restore and raft list-peers over real API
// servers: a snapshot taken with the controllers running holds the job, its
// version, evaluation, allocations and the ACL objects with their Secrets;
// restored into a second, fresh control plane it gives every object back with
// its spec byte for byte and the status that carries state (job version, token
// accessor, allocations' client status), replacing what was there but the
// nodes of live clients; a damaged archive is refused and changes nothing.
// The Raft peers are the controller replicas' Leases, the leader marked.
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type RunningApi, startApi } from "../../src/api/index.js";
import { readArchive } from "../../src/api/snapshot/archive.js";
import { decodeState } from "../../src/api/snapshot/state.js";
import { createLogger } from "../../src/common/log.js";
import { defaultAgentConfig } from "../../src/config/agent-config.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { repoRoot } from "../../src/controlplane/binary.js";
import { type ControlPlane, startControlPlane } from "../../src/controlplane/start.js";
import type { ApiObject } from "../../src/crds/meta.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import type { KubeConfig } from "../../src/kube/kubeconfig.js";
import { announceReplica, listReplicas } from "../../src/kube/replicas.js";
import {
  caravanResource,
  controllerRevisionResource,
  namespaceResource,
  type ResourceRef,
  secretResource,
} from "../../src/kube/resources.js";
import { getObject, listObjects, microTime } from "../../src/kube/rest.js";
import { createControllerMetrics } from "../../src/metrics/registry.js";
import { createNamespace, eventually, kubectlOk } from "../support/kubectl.js";
import { type NodeHandle, registerNode } from "../support/nodes.js";
import { type SimulatedAgent, simulateAgent } from "../support/simulated-agent.js";
import { apiClient, applyToken } from "./api-client.js";

const kubeconfig = inject("kubeconfig");
const run = Math.random().toString(36).slice(2, 7);
const dc = `snap-${run}`;
const election = `snap-election-${run}`;
type Obj = ApiObject & Record<string, unknown>;

describe("Nomad HTTP API: operator snapshot save and restore, raft peers", () => {
  const log = createLogger({ level: "warn", json: false });
  let ns: string;
  let kc: KubeConfig;
  let api: RunningApi;
  let controllers: Controllers;
  let node: NodeHandle;
  let agent: SimulatedAgent;
  let call: ReturnType<typeof apiClient>;
  // The fresh cluster a snapshot is restored into.
  let fresh: ControlPlane;
  let freshDir: string;
  let freshKc: KubeConfig;
  let freshApi: RunningApi;
  let freshCall: ReturnType<typeof apiClient>;
  const management = randomUUID();
  const freshManagement = randomUUID();
  const policy = `snap-readers-${run}`;
  const role = `snap-devs-${run}`;
  let alice = { accessor: "", secret: "" };
  let archive: Buffer;
  let archived: Obj[] = [];
  const q = () => `namespace=${ns}`;

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "snap");
    kc = loadKubeConfig(kubeconfig);
    node = await registerNode(kubeconfig, { name: `snap-node-${run}`, datacenter: dc });
    controllers = await startControllers(kc, log, { namespace: ns });
    agent = simulateAgent(kubeconfig, ns);
    const config = { ...defaultAgentConfig(), ports: { http: 0 }, acl: { enabled: true } };
    api = await startApi(kc, config, log, {
      registry: createControllerMetrics().registry,
      secretNamespace: ns,
      namespace: ns,
      replicas: () => listReplicas(kc, ns, election, Date.now()),
    });
    call = apiClient(api.url);
    await applyToken(kubeconfig, {
      name: `snap-mgmt-${run}`,
      namespace: ns,
      secretID: management,
      spec: { type: "management" },
    });

    freshDir = mkdtempSync(path.join(os.tmpdir(), "caravan-snapshot-"));
    fresh = await startControlPlane({
      dataDir: freshDir,
      log,
      crds: [path.join(repoRoot, "charts/caravan/crds")],
    });
    freshKc = loadKubeConfig(fresh.kubeconfigPath);
    await kubectlOk(fresh.kubeconfigPath, ["create", "namespace", ns]);
    freshApi = await startApi(freshKc, config, log, {
      registry: createControllerMetrics().registry,
      secretNamespace: ns,
      namespace: ns,
    });
    freshCall = apiClient(freshApi.url);
    await applyToken(fresh.kubeconfigPath, {
      name: `fresh-mgmt-${run}`,
      namespace: ns,
      secretID: freshManagement,
      spec: { type: "management" },
    });
    for (const [c, secret] of [
      [call, management],
      [freshCall, freshManagement],
    ] as const)
      await eventually(async () => {
        const r = await c("GET", "/v1/acl/token/self", undefined, secret);
        return r.status === 200 ? r : undefined;
      }, "the management token");
  }, 120_000);

  afterAll(async () => {
    agent?.stop();
    node?.stopHeartbeat();
    await controllers?.stop();
    await api?.close();
    await freshApi?.close();
    await fresh?.stop();
    if (freshDir) rmSync(freshDir, { recursive: true, force: true });
  });

  it("saves every object in Nomad's archive, with the digest the CLI checks", async () => {
    const reg = await call(
      "POST",
      `/v1/jobs?${q()}`,
      {
        Job: {
          ID: "web",
          Datacenters: [dc],
          TaskGroups: [
            {
              Name: "g",
              Count: 2,
              Tasks: [{ Name: "t", Driver: "docker", Config: { image: "nginx:1.25" } }],
            },
          ],
        },
      },
      management,
    );
    expect(reg.status, reg.text).toBe(200);
    const rules = `namespace "${ns}" { policy = "read" }`;
    expect(
      (await call("POST", `/v1/acl/policy/${policy}`, { Rules: rules }, management)).status,
    ).toBe(200);
    const r = await call(
      "PUT",
      "/v1/acl/role",
      { Name: role, Policies: [{ Name: policy }] },
      management,
    );
    expect(r.status, r.text).toBe(200);
    const t = await call(
      "PUT",
      "/v1/acl/token",
      { Name: `alice-${run}`, Type: "client", Roles: [{ Name: role }] },
      management,
    );
    expect(t.status, t.text).toBe(200);
    alice = { accessor: t.json.AccessorID, secret: t.json.SecretID };
    await eventually(async () => {
      const allocs = await call("GET", `/v1/job/web/allocations?${q()}`, undefined, management);
      const running = (allocs.json ?? []).filter(
        (a: { ClientStatus: string }) => a.ClientStatus === "running",
      );
      return running.length === 2 ? running : undefined;
    }, "the job's allocations running");

    const res = await fetch(`${api.url}/v1/operator/snapshot`, {
      headers: { "X-Nomad-Token": management },
    });
    expect(res.status).toBe(200);
    archive = Buffer.from(await res.arrayBuffer());
    const digest = createHash("sha256").update(archive).digest("base64");
    expect(res.headers.get("digest")).toBe(`sha-256=${digest}`);

    const read = readArchive(archive);
    if (!read.ok) throw new Error(read.error);
    const state = decodeState(read.state);
    if (!state.ok) throw new Error(state.error);
    archived = state.records.map((r) => r.object as Obj);
    const names = (kind: string) =>
      archived.filter((o) => o.kind === kind).map((o) => o.metadata.name);
    expect(names("NomadJob")).toEqual(["web"]);
    expect(names("Namespace")).toEqual([ns]);
    expect(names("ControllerRevision")).toEqual(["web-v0"]);
    expect(names("NomadAllocation")).toHaveLength(2);
    expect(names("NomadEvaluation").length).toBeGreaterThan(0);
    expect(names("NomadACLPolicy")).toContain(policy);
    expect(names("NomadACLRole")).toContain(role);
    const tokens = archived.filter((o) => o.kind === "NomadACLToken");
    const aliceToken = tokens.find(
      (o) => (o.status as { accessorID?: string }).accessorID === alice.accessor,
    ) as Obj & { spec: { secretRef: { name: string } } };
    expect(aliceToken).toBeDefined();
    expect(names("Secret")).toContain(aliceToken.spec.secretRef.name);

    // What was saved is what the cluster holds.
    const job = await getObject<Obj>(kc, caravanResource("NomadJob"), "web", ns);
    expect(JSON.stringify(archived.find((o) => o.kind === "NomadJob")?.spec)).toBe(
      JSON.stringify(job.spec),
    );

    const reader = await call(
      "PUT",
      "/v1/acl/token",
      { Name: `reader-${run}`, Type: "client", Policies: [policy] },
      management,
    );
    const denied = await call("GET", "/v1/operator/snapshot", undefined, reader.json.SecretID);
    expect([denied.status, denied.text]).toEqual([403, "Permission denied"]);
  });

  it("refuses a damaged archive and changes nothing", async () => {
    const before = await listObjects<Obj>(freshKc, caravanResource("NomadACLToken"));
    const garbage = await freshCall(
      "PUT",
      "/v1/operator/snapshot",
      undefined,
      freshManagement,
      "{}",
    );
    expect(garbage.status).toBe(400);
    expect(garbage.text).toMatch(
      /^failed to restore from snapshot: failed to decompress snapshot: /,
    );
    // One byte changed inside the compressed archive.
    const damaged = Buffer.from(archive);
    damaged[damaged.length - 12] = ((damaged[damaged.length - 12] as number) + 1) % 256;
    const bad = await freshCall(
      "PUT",
      "/v1/operator/snapshot",
      undefined,
      freshManagement,
      damaged,
    );
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/^failed to restore from snapshot: /);
    const after = await listObjects<Obj>(freshKc, caravanResource("NomadACLToken"));
    expect(after.map((t) => t.metadata.uid)).toEqual(before.map((t) => t.metadata.uid));
  });

  it("restores into a fresh cluster: every spec byte for byte, state-carrying status, owners", async () => {
    // A client registered here before the restore: its live agent keeps its node.
    await kubectlOk(
      fresh.kubeconfigPath,
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadNode",
        metadata: { name: `live-${run}` },
        spec: { eligibility: "eligible" },
      }),
    );
    const live = await getObject<Obj>(freshKc, caravanResource("NomadNode"), `live-${run}`);
    // Only a management token may restore.
    const client = await freshCall("PUT", "/v1/operator/snapshot", undefined, undefined, archive);
    expect(client.status).toBe(403);
    const restored = await freshCall(
      "PUT",
      "/v1/operator/snapshot",
      undefined,
      freshManagement,
      archive,
    );
    expect(restored.status, restored.text).toBe(200);

    const refOf = (o: Obj): ResourceRef =>
      ({
        Secret: secretResource,
        ControllerRevision: controllerRevisionResource,
        Namespace: namespaceResource,
      })[o.kind as string] ?? caravanResource(o.kind as string);
    const uids = new Map<string, string>();
    const mismatched: string[] = [];
    for (const o of archived) {
      const now = await getObject<Obj>(freshKc, refOf(o), o.metadata.name, o.metadata.namespace);
      uids.set(o.metadata.uid ?? "", now.metadata.uid ?? "");
      for (const field of ["spec", "data", "revision", "type"])
        if (JSON.stringify(o[field]) !== JSON.stringify(now[field]))
          mismatched.push(`${o.kind} ${o.metadata.name} ${field}`);
      expect(now.metadata.labels, o.metadata.name).toEqual(o.metadata.labels);
    }
    expect(mismatched).toEqual([]);

    const kept = await getObject<Obj>(freshKc, caravanResource("NomadNode"), `live-${run}`);
    expect(kept.metadata.uid).toBe(live.metadata.uid);
    const job = await getObject<Obj>(freshKc, caravanResource("NomadJob"), "web", ns);
    const archivedJob = archived.find((o) => o.kind === "NomadJob") as Obj;
    expect((job.status as { version: number }).version).toBe(
      (archivedJob.status as { version: number }).version,
    );
    expect((job.status as { observedGeneration: number }).observedGeneration).toBe(
      job.metadata.generation,
    );
    for (const a of archived.filter((o) => o.kind === "NomadAllocation")) {
      const now = await getObject<Obj>(freshKc, refOf(a), a.metadata.name, ns);
      expect((now.status as { clientStatus: string }).clientStatus).toBe("running");
      // Owned by the restored job, by its new UID.
      expect(now.metadata.ownerReferences?.map((o) => o.uid)).toEqual([job.metadata.uid]);
    }
    const version = await getObject<Obj>(freshKc, controllerRevisionResource, "web-v0", ns);
    expect(version.metadata.ownerReferences?.map((o) => o.uid)).toEqual([job.metadata.uid]);

    // Through the API: the archive's tokens, with their accessors; what was here is gone.
    const self = await freshCall("GET", "/v1/acl/token/self", undefined, alice.secret);
    expect(self.status, self.text).toBe(200);
    expect(self.json.AccessorID).toBe(alice.accessor);
    expect(self.json.Roles.map((r: { Name: string }) => r.Name)).toEqual([role]);
    // The role keeps its ID (its UID in the source cluster).
    const sourceRoles = await call("GET", "/v1/acl/roles", undefined, management);
    const roleID = sourceRoles.json.find((r: { Name: string }) => r.Name === role).ID;
    expect(self.json.Roles[0].ID).toBe(roleID);
    const byID = await freshCall("GET", `/v1/acl/role/${roleID}`, undefined, management);
    expect([byID.status, byID.json?.Name]).toEqual([200, role]);
    const replaced = await freshCall("GET", "/v1/acl/token/self", undefined, freshManagement);
    expect([replaced.status, replaced.text]).toEqual([403, "ACL token not found"]);
    const read = await freshCall("GET", `/v1/job/web?${q()}`, undefined, management);
    expect(read.status, read.text).toBe(200);
    const source = await call("GET", `/v1/job/web?${q()}`, undefined, management);
    expect(read.json.TaskGroups).toEqual(source.json.TaskGroups);
    expect(read.json.Version).toBe(source.json.Version);
    // Nomad's times are the originals', not the restore's.
    expect(read.json.SubmitTime).toBe(source.json.SubmitTime);
    const allocTimes = async (c: typeof call) =>
      (
        (await c("GET", `/v1/job/web/allocations?${q()}`, undefined, management)).json as {
          ID: string;
          CreateTime: number;
        }[]
      )
        .map((a) => `${a.ID} ${a.CreateTime}`)
        .sort();
    expect(await allocTimes(freshCall)).toEqual(await allocTimes(call));
    const submitTimes = async (c: typeof call) =>
      (
        (await c("GET", `/v1/job/web/versions?${q()}`, undefined, management)).json as {
          Versions: { Version: number; SubmitTime: number }[];
        }
      ).Versions.map((v) => [v.Version, v.SubmitTime]);
    expect(await submitTimes(freshCall)).toEqual(await submitTimes(call));
    const policies = await freshCall("GET", "/v1/acl/policies", undefined, management);
    expect(policies.json.map((p: { Name: string }) => p.Name)).toContain(policy);
  });

  it("lists the live controller replicas as Raft peers, the leader marked", async () => {
    const replica = (identity: string) =>
      announceReplica(kc, {
        namespace: ns,
        election,
        identity,
        node: `${identity}.global`,
        address: `10.0.0.${identity.slice(-1)}:4646`,
        log,
      });
    const one = replica("replica-1");
    const two = replica("replica-2");
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: election, namespace: ns },
        spec: {
          holderIdentity: "replica-2",
          leaseDurationSeconds: 60,
          renewTime: microTime(Date.now()),
        },
      }),
    );
    const config = await eventually(async () => {
      const r = await call("GET", "/v1/operator/raft/configuration", undefined, management);
      return r.json?.Servers?.length === 2 ? r : undefined;
    }, "both replicas");
    expect(config.json.Servers).toEqual([
      {
        ID: "replica-1",
        Node: "replica-1.global",
        Address: "10.0.0.1:4646",
        Leader: false,
        Voter: true,
        RaftProtocol: "unknown",
      },
      {
        ID: "replica-2",
        Node: "replica-2.global",
        Address: "10.0.0.2:4646",
        Leader: true,
        Voter: true,
        RaftProtocol: "unknown",
      },
    ]);
    expect(config.json.Index).toBeGreaterThan(0);
    // A stopped replica leaves the list.
    await one.stop();
    const after = await call("GET", "/v1/operator/raft/configuration", undefined, management);
    expect(after.json.Servers.map((s: { ID: string }) => s.ID)).toEqual(["replica-2"]);
    await two.stop();

    const denied = await call("GET", "/v1/operator/raft/configuration", undefined, alice.secret);
    expect(denied.status).toBe(403);
    const noId = await call("DELETE", "/v1/operator/raft/peer", undefined, management);
    expect([noId.status, noId.text]).toEqual([400, "Must specify the peer's ID to remove"]);
    const byId = await call("DELETE", "/v1/operator/raft/peer?id=replica-2", undefined, management);
    expect(byId.status).toBe(400);
    expect(byId.text).toMatch(/controller replicas, not Raft peers/);
  });
});
