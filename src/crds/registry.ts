// Every Caravan custom resource: its names, scope and the columns `kubectl get`
// shows. The CRD generator and the runtime (informers, clients) both read this
// table, so a kind's names are written down exactly once.

import { schedulerConfigurationName } from "./scheduler-config.js";

export const group = "caravan.dev";
export const version = "v1alpha1";
export const apiVersion = `${group}/${version}`;
/** `kubectl get nomad` lists every kind in this category. */
export const category = "nomad";

export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  description?: string;
  /** 0 shows in `kubectl get`, 1 only with `-o wide`. */
  priority?: 0 | 1;
}

export interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  scope: "Namespaced" | "Cluster";
  /** Names of the TypeScript types (in src/crds/) the schema is generated from. */
  specType: string;
  statusType: string;
  /** What the kind is, for `kubectl explain`. */
  description: string;
  printerColumns: PrinterColumn[];
  /** The one name an object of this kind may have (a cluster-wide singleton). */
  singletonName?: string;
}

const age: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };

export const kinds: readonly KindDefinition[] = [
  {
    kind: "NomadJob",
    plural: "nomadjobs",
    singular: "nomadjob",
    shortNames: ["njob", "nj"],
    scope: "Namespaced",
    specType: "NomadJobSpec",
    statusType: "NomadJobStatus",
    description:
      "A Nomad job: task groups to run, where and how, in Nomad's job specification (camelCase). The namespace is the Nomad namespace; metadata.name is the job ID unless spec.id gives it. The controller schedules it into NomadAllocations and reports Nomad's job status and per-group summary.",
    printerColumns: [
      { name: "Type", type: "string", jsonPath: ".spec.type" },
      { name: "Status", type: "string", jsonPath: ".status.status" },
      { name: "Desired", type: "integer", jsonPath: ".status.desired" },
      { name: "Running", type: "integer", jsonPath: ".status.running" },
      { name: "Version", type: "integer", jsonPath: ".status.version", priority: 1 },
      age,
    ],
  },
  {
    kind: "NomadEvaluation",
    plural: "nomadevaluations",
    singular: "nomadevaluation",
    shortNames: ["neval", "ne"],
    scope: "Namespaced",
    specType: "NomadEvaluationSpec",
    statusType: "NomadEvaluationStatus",
    description:
      "A Nomad evaluation: a request for the scheduler to reconcile one job (after a job change, a node change, a failure…), with its outcome and, when placements failed, why.",
    printerColumns: [
      { name: "Job", type: "string", jsonPath: ".spec.jobName" },
      { name: "Triggered By", type: "string", jsonPath: ".spec.triggeredBy" },
      { name: "Priority", type: "integer", jsonPath: ".spec.priority", priority: 1 },
      { name: "Status", type: "string", jsonPath: ".status.status" },
      age,
    ],
  },
  {
    kind: "NomadAllocation",
    plural: "nomadallocations",
    singular: "nomadallocation",
    shortNames: ["nalloc", "na"],
    scope: "Namespaced",
    specType: "NomadAllocationSpec",
    statusType: "NomadAllocationStatus",
    description:
      "A Nomad allocation: one instance of a job's task group placed on a node, with the resources and ports reserved for it. The scheduler writes spec; the node agent runs it and reports status.",
    printerColumns: [
      { name: "Job", type: "string", jsonPath: ".spec.jobName" },
      { name: "Version", type: "integer", jsonPath: ".spec.jobVersion", priority: 1 },
      { name: "Group", type: "string", jsonPath: ".spec.group" },
      { name: "Node", type: "string", jsonPath: ".spec.nodeName" },
      { name: "Desired", type: "string", jsonPath: ".spec.desiredStatus" },
      { name: "Status", type: "string", jsonPath: ".status.clientStatus" },
      age,
    ],
  },
  {
    kind: "NomadDeployment",
    plural: "nomaddeployments",
    singular: "nomaddeployment",
    shortNames: ["ndeploy", "nd"],
    scope: "Namespaced",
    specType: "NomadDeploymentSpec",
    statusType: "NomadDeploymentStatus",
    description:
      "A Nomad deployment: the rolling update or canary rollout of one job version, driven by the groups' update blocks. Set spec.promote, spec.paused or spec.fail to act on it.",
    printerColumns: [
      { name: "Job", type: "string", jsonPath: ".spec.jobName" },
      { name: "Version", type: "integer", jsonPath: ".spec.jobVersion" },
      { name: "Status", type: "string", jsonPath: ".status.status" },
      {
        name: "Description",
        type: "string",
        jsonPath: ".status.statusDescription",
        priority: 1,
      },
      age,
    ],
  },
  {
    kind: "NomadNode",
    plural: "nomadnodes",
    singular: "nomadnode",
    shortNames: ["nnode", "nn"],
    scope: "Cluster",
    specType: "NomadNodeSpec",
    statusType: "NomadNodeStatus",
    description:
      "A Nomad client node: its fingerprinted attributes, resources, drivers and devices, and the operator's eligibility and drain settings. The node agent registers it and heartbeats by renewing a coordination.k8s.io Lease named after the node, as kubelets do.",
    printerColumns: [
      { name: "Datacenter", type: "string", jsonPath: ".status.datacenter" },
      { name: "Pool", type: "string", jsonPath: ".status.nodePool" },
      { name: "Class", type: "string", jsonPath: ".status.nodeClass", priority: 1 },
      { name: "Eligibility", type: "string", jsonPath: ".spec.eligibility" },
      { name: "Status", type: "string", jsonPath: ".status.status" },
      age,
    ],
  },
  {
    kind: "NomadNodePool",
    plural: "nomadnodepools",
    singular: "nomadnodepool",
    shortNames: ["nnp", "nodepool"],
    scope: "Cluster",
    specType: "NomadNodePoolSpec",
    statusType: "NomadNodePoolStatus",
    description:
      "A Nomad node pool: a named set of client nodes that jobs select with node_pool, with its own scheduler configuration.",
    printerColumns: [
      {
        name: "Algorithm",
        type: "string",
        jsonPath: ".spec.schedulerConfiguration.schedulerAlgorithm",
      },
      { name: "Description", type: "string", jsonPath: ".spec.description", priority: 1 },
      age,
    ],
  },
  {
    kind: "NomadSchedulerConfiguration",
    plural: "nomadschedulerconfigurations",
    singular: "nomadschedulerconfiguration",
    shortNames: ["nschedconfig"],
    scope: "Cluster",
    specType: "NomadSchedulerConfigurationSpec",
    statusType: "NomadSchedulerConfigurationStatus",
    singletonName: schedulerConfigurationName,
    description:
      "Nomad's scheduler configuration (nomad operator scheduler set-config): algorithm, preemption per job type, memory oversubscription, registration and eval broker switches. There is one object, named cluster; without it Nomad's defaults apply.",
    printerColumns: [
      { name: "Algorithm", type: "string", jsonPath: ".spec.schedulerAlgorithm" },
      {
        name: "Oversubscription",
        type: "boolean",
        jsonPath: ".spec.memoryOversubscriptionEnabled",
      },
      age,
    ],
  },
  {
    kind: "NomadServiceRegistration",
    plural: "nomadserviceregistrations",
    singular: "nomadserviceregistration",
    shortNames: ["nsvc"],
    scope: "Namespaced",
    specType: "NomadServiceRegistrationSpec",
    statusType: "NomadServiceRegistrationStatus",
    description:
      'A Nomad-native service registration: one instance of a provider = "nomad" service of one allocation, with the address and port it is reached at (nomad service info). The node agent writes it while the allocation\'s tasks run; it is owned by its NomadAllocation.',
    printerColumns: [
      { name: "Service", type: "string", jsonPath: ".spec.serviceName" },
      { name: "Address", type: "string", jsonPath: ".spec.address" },
      { name: "Port", type: "integer", jsonPath: ".spec.port" },
      { name: "Job", type: "string", jsonPath: ".spec.jobID", priority: 1 },
      { name: "Alloc", type: "string", jsonPath: ".spec.allocID", priority: 1 },
      { name: "Checks", type: "string", jsonPath: ".status.checkStatus" },
      age,
    ],
  },
  {
    kind: "NomadACLPolicy",
    plural: "nomadaclpolicies",
    singular: "nomadaclpolicy",
    shortNames: ["naclpolicy"],
    scope: "Cluster",
    specType: "NomadACLPolicySpec",
    statusType: "NomadACLPolicyStatus",
    description:
      "A Nomad ACL policy: rules in Nomad's policy language that tokens (or, with jobACL, a job's workload identity) are granted.",
    printerColumns: [{ name: "Description", type: "string", jsonPath: ".spec.description" }, age],
  },
  {
    kind: "NomadACLRole",
    plural: "nomadaclroles",
    singular: "nomadaclrole",
    shortNames: ["naclrole"],
    scope: "Cluster",
    specType: "NomadACLRoleSpec",
    statusType: "NomadACLRoleStatus",
    description:
      "A Nomad ACL role: a named set of NomadACLPolicies. Tokens linking the role (spec.roles) get the policies it names, as they are at each request. Its Nomad ID is the object's UID.",
    printerColumns: [
      { name: "Policies", type: "string", jsonPath: ".spec.policies" },
      { name: "Description", type: "string", jsonPath: ".spec.description", priority: 1 },
      age,
    ],
  },
  {
    kind: "NomadACLToken",
    plural: "nomadacltokens",
    singular: "nomadacltoken",
    shortNames: ["nacltoken"],
    scope: "Cluster",
    specType: "NomadACLTokenSpec",
    statusType: "NomadACLTokenStatus",
    description:
      "A Nomad ACL token: its type, policies and expiry. The secret ID is kept in a Secret (spec.secretRef); this object holds only its accessor ID and a hash of the secret.",
    printerColumns: [
      { name: "Type", type: "string", jsonPath: ".spec.type" },
      { name: "Global", type: "boolean", jsonPath: ".spec.global" },
      { name: "Expires", type: "date", jsonPath: ".status.expirationTime", priority: 1 },
      age,
    ],
  },
];

export function kindDefinition(kind: string): KindDefinition {
  const found = kinds.find((k) => k.kind === kind);
  if (!found) throw new Error(`unknown kind ${kind}`);
  return found;
}
