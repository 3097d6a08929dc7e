// Whole objects of each kind, as controllers read them from informers.

import type {
  NomadACLPolicySpec,
  NomadACLPolicyStatus,
  NomadACLRoleSpec,
  NomadACLRoleStatus,
  NomadACLTokenSpec,
  NomadACLTokenStatus,
} from "./acl.js";
import type { NomadAllocationSpec, NomadAllocationStatus } from "./allocation.js";
import type { NomadDeploymentSpec, NomadDeploymentStatus } from "./deployment.js";
import type { NomadEvaluationSpec, NomadEvaluationStatus } from "./evaluation.js";
import type { NomadJobSpec, NomadJobStatus } from "./job/index.js";
import type { ObjectMeta } from "./meta.js";
import type { NomadNodeSpec, NomadNodeStatus } from "./node.js";
import type { NomadNodePoolSpec, NomadNodePoolStatus } from "./nodepool.js";
import type {
  NomadSchedulerConfigurationSpec,
  NomadSchedulerConfigurationStatus,
} from "./scheduler-config.js";
import type {
  NomadServiceRegistrationSpec,
  NomadServiceRegistrationStatus,
} from "./service-registration.js";

export interface Resource<Kind extends string, Spec, Status> {
  apiVersion?: string;
  kind?: Kind;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}

export type NomadJob = Resource<"NomadJob", NomadJobSpec, NomadJobStatus>;
export type NomadEvaluation = Resource<
  "NomadEvaluation",
  NomadEvaluationSpec,
  NomadEvaluationStatus
>;
export type NomadAllocation = Resource<
  "NomadAllocation",
  NomadAllocationSpec,
  NomadAllocationStatus
>;
export type NomadDeployment = Resource<
  "NomadDeployment",
  NomadDeploymentSpec,
  NomadDeploymentStatus
>;
export type NomadNode = Resource<"NomadNode", NomadNodeSpec, NomadNodeStatus>;
export type NomadNodePool = Resource<"NomadNodePool", NomadNodePoolSpec, NomadNodePoolStatus>;
export type NomadSchedulerConfiguration = Resource<
  "NomadSchedulerConfiguration",
  NomadSchedulerConfigurationSpec,
  NomadSchedulerConfigurationStatus
>;
export type NomadACLPolicy = Resource<"NomadACLPolicy", NomadACLPolicySpec, NomadACLPolicyStatus>;
export type NomadACLRole = Resource<"NomadACLRole", NomadACLRoleSpec, NomadACLRoleStatus>;
export type NomadACLToken = Resource<"NomadACLToken", NomadACLTokenSpec, NomadACLTokenStatus>;
export type NomadServiceRegistration = Resource<
  "NomadServiceRegistration",
  NomadServiceRegistrationSpec,
  NomadServiceRegistrationStatus
>;
