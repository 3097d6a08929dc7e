// The NomadJob kind: Nomad's job specification as TypeScript types.
export * from "./connect.js";
export * from "./group.js";
export * from "./integrations.js";
export * from "./job.js";
export * from "./logs.js";
export * from "./multiregion.js";
export * from "./network.js";
export * from "./periodic.js";
export * from "./policies.js";
export * from "./resources.js";
export * from "./scaling.js";
export * from "./scheduling.js";
export * from "./service.js";
export * from "./status.js";
export * from "./task.js";
export * from "./template.js";
export * from "./volumes.js";
