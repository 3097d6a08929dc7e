// NomadAllocation → api.Allocation and AllocationListStub.

import { goDurationMs } from "../../common/duration.js";
import type { AllocationTaskEvent, AllocationTaskState } from "../../crds/allocation.js";
import type { AllocationMetric } from "../../crds/evaluation.js";
import { createdAt } from "../../crds/meta.js";
import type { NomadAllocation } from "../../crds/objects.js";
import type { ObjectIndexes } from "../state.js";
import { allocatedNetworks } from "./alloc-network.js";
import { metricOut } from "./eval.js";
import { nanos, zeroTime } from "./time.js";

type Obj = Record<string, unknown>;

function event(e: AllocationTaskEvent): Obj {
  return {
    Type: e.type,
    Time: nanos(e.time),
    Message: e.message ?? "",
    DisplayMessage: e.displayMessage ?? e.message ?? "",
    Details: e.details ?? {},
    FailsTask: e.failsTask ?? false,
    ExitCode: e.exitCode ?? 0,
    Signal: e.signal ?? 0,
    RestartReason: e.restartReason ?? "",
    KillReason: e.killReason ?? "",
    KillTimeout: Math.round((goDurationMs(e.killTimeout ?? "0s") ?? 0) * 1e6),
    KillError: e.killError ?? "",
    StartDelay: Math.round((goDurationMs(e.startDelay ?? "0s") ?? 0) * 1e6),
    DriverError: e.driverError ?? "",
    SetupError: e.setupError ?? "",
    DownloadError: e.downloadError ?? "",
    ValidationError: e.validationError ?? "",
    FailedSibling: e.failedSibling ?? "",
  };
}

function taskState(s: AllocationTaskState): Obj {
  return {
    State: s.state,
    Failed: s.failed ?? false,
    Restarts: s.restarts ?? 0,
    LastRestart: s.lastRestart ?? zeroTime,
    StartedAt: s.startedAt ?? zeroTime,
    FinishedAt: s.finishedAt ?? zeroTime,
    Events: (s.events ?? []).map(event),
  };
}

export interface AllocContext {
  /** The Nomad job ID of the allocation's job. */
  jobID: string;
  nodeID: string;
  nodeName: string;
  /** The node's address on its default host network, where ports without a host_network are bound. */
  nodeAddress?: string;
}

export function allocStub(a: NomadAllocation, idx: ObjectIndexes, c: AllocContext): Obj {
  const s = a.status ?? {};
  const states: Record<string, Obj> = {};
  for (const [name, st] of Object.entries(s.taskStates ?? {})) states[name] = taskState(st);
  const ds = s.deploymentStatus;
  return {
    ID: a.metadata.name,
    EvalID: a.spec.evalName,
    Name: a.spec.name,
    Namespace: a.metadata.namespace ?? "default",
    NodeID: c.nodeID,
    NodeName: c.nodeName,
    JobID: c.jobID,
    JobType: "",
    JobVersion: a.spec.jobVersion,
    TaskGroup: a.spec.group,
    DeploymentID: a.spec.deploymentName ?? "",
    DesiredStatus: a.spec.desiredStatus,
    DesiredDescription: a.spec.desiredDescription ?? "",
    ClientStatus: s.clientStatus ?? "pending",
    ClientDescription: s.clientDescription ?? "",
    TaskStates: states,
    DeploymentStatus: ds
      ? {
          Healthy: ds.healthy ?? null,
          Timestamp: ds.timestamp ?? zeroTime,
          Canary: ds.canary ?? false,
          ModifyIndex: ds.modifyIndex ?? 0,
        }
      : null,
    FollowupEvalID: a.spec.followupEvalName ?? "",
    PreviousAllocation: a.spec.previousAllocation ?? "",
    NextAllocation: a.spec.nextAllocation ?? "",
    RescheduleTracker: a.spec.rescheduleTracker
      ? {
          Events: (a.spec.rescheduleTracker.events ?? []).map((e) => ({
            RescheduleTime: nanos(e.rescheduleTime),
            PrevAllocID: e.prevAllocation,
            PrevNodeID: e.prevNodeName ?? "",
            Delay: Math.round((goDurationMs(e.delay ?? "0s") ?? 0) * 1e6),
          })),
        }
      : null,
    PreemptedAllocations: a.spec.preemptedAllocations ?? null,
    PreemptedByAllocation: a.spec.preemptedByAllocation ?? "",
    CreateIndex: idx.create,
    ModifyIndex: idx.modify,
    AllocModifyIndex: idx.specModify,
    CreateTime: nanos(createdAt(a.metadata)),
    ModifyTime: nanos(s.modifyTime ?? createdAt(a.metadata)),
  };
}

/** GET /v1/allocation/:id: the stub's fields, the resources, and the job when it is known. */
export function allocOut(
  a: NomadAllocation,
  idx: ObjectIndexes,
  c: AllocContext,
  job: Obj | null,
  metrics: AllocationMetric | undefined,
): Obj {
  const tasks: Record<string, Obj> = {};
  for (const [name, r] of Object.entries(a.spec.resources.tasks ?? {}))
    tasks[name] = {
      Cpu: { CpuShares: r.cpu ?? 0, ReservedCores: r.reservedCores ?? null },
      Memory: { MemoryMB: r.memoryMB ?? 0, MemoryMaxMB: r.memoryMaxMB ?? 0 },
      Devices: null,
      Networks: null,
    };
  const shared = a.spec.resources.shared ?? {};
  // Nomad's older per-allocation and per-task Resources, which it still fills
  // (`nomad node status` adds up Resources of the node's allocations).
  const legacy = (cpu: number, memoryMB: number, memoryMaxMB: number, diskMB: number) => ({
    CPU: cpu,
    Cores: 0,
    MemoryMB: memoryMB,
    MemoryMaxMB: memoryMaxMB,
    DiskMB: diskMB,
    IOPS: 0,
    SecretsMB: 0,
    Networks: null as unknown,
    Devices: null,
    NUMA: null,
  });
  const taskResources: Record<string, Obj> = {};
  let cpu = 0;
  let memory = 0;
  let memoryMax = 0;
  for (const [name, r] of Object.entries(a.spec.resources.tasks ?? {})) {
    taskResources[name] = legacy(r.cpu ?? 0, r.memoryMB ?? 0, r.memoryMaxMB ?? 0, 0);
    cpu += r.cpu ?? 0;
    memory += r.memoryMB ?? 0;
    memoryMax += Math.max(r.memoryMaxMB ?? 0, r.memoryMB ?? 0);
  }
  const ports = shared.ports ?? [];
  const networks = ports.length
    ? [
        {
          IP: ports[0]?.hostIP || shared.networks?.[0]?.ip || c.nodeAddress || "",
          DynamicPorts: ports.map((p) => ({
            Label: p.label,
            Value: p.value,
            To: p.to ?? 0,
            HostNetwork: "default",
          })),
        },
      ]
    : null;
  const total = legacy(cpu, memory, memoryMax, shared.diskMB ?? 0);
  total.Networks = networks;
  const sharedResources = legacy(0, 0, 0, shared.diskMB ?? 0);
  sharedResources.Networks = networks;
  const net = a.status?.networkStatus;
  return {
    ...allocStub(a, idx, c),
    Job: job,
    // The namespace the agent made for a bridge or CNI group; null otherwise, as Nomad's.
    NetworkStatus: net
      ? {
          InterfaceName: net.interfaceName ?? "",
          Address: net.address ?? "",
          AddressIPv6: net.addressIPv6 ?? "",
          DNS: net.dns
            ? {
                Servers: net.dns.servers ?? [],
                Searches: net.dns.searches ?? [],
                Options: net.dns.options ?? [],
              }
            : null,
        }
      : null,
    Resources: total,
    TaskResources: taskResources,
    SharedResources: sharedResources,
    AllocatedResources: {
      Tasks: tasks,
      Shared: {
        DiskMB: shared.diskMB ?? 0,
        Networks: allocatedNetworks(shared, job, a.spec.group, c.nodeAddress ?? ""),
        Ports: (shared.ports ?? []).map((p) => ({
          Label: p.label,
          Value: p.value,
          To: p.to ?? 0,
          HostIP: p.hostIP || c.nodeAddress || "",
        })),
      },
    },
    Metrics: metrics ? metricOut(metrics) : null,
  };
}
