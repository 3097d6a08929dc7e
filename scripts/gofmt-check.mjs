// Fails when the Go control plane's sources are not gofmt-formatted.
import { execFileSync } from "node:child_process";

const unformatted = execFileSync("gofmt", ["-l", "src/controlplane/go"], {
  encoding: "utf8",
}).trim();
if (unformatted) {
  console.error(`gofmt: these files need formatting (gofmt -w):\n${unformatted}`);
  process.exit(1);
}
