// Builds what the tests run besides Node (cached by version or source hash):
// the embedded control plane and helm. Prints their paths.
import { createLogger } from "../src/common/log.js";
import { ensureControlPlaneBinary } from "../src/controlplane/binary.js";
import { ensureHelm } from "../test/support/helm.js";

console.log(await ensureControlPlaneBinary(createLogger({ level: "info", json: false })));
console.log(await ensureHelm());
