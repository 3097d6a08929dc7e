// Nomad HCL2 job files → Nomad's job model (NomadJobSpec), and the three
// outputs: the NomadJob resource (YAML or JSON) and Nomad's API JSON.

export { formatErrors } from "./format.js";
export type { Positioned } from "./hcl/ast.js";
export { toNomadApi, toNomadRunOutput } from "./nomad-api.js";
export { type JobspecInput, type JobspecResult, parseJob } from "./parse.js";
export { type NomadJobResource, orderJob, resourceName, toResource, toYaml } from "./resource.js";
