// Builds the embedded control plane once (cached by source hash) and prints its path.
import { createLogger } from "../src/common/log.js";
import { ensureControlPlaneBinary } from "../src/controlplane/binary.js";

const binary = await ensureControlPlaneBinary(createLogger({ level: "info", json: false }));
console.log(binary);
