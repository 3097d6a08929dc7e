// The one node-wide iptables rule `bridge` mode needs besides what the CNI
// plugins add per allocation: in the firewall plugin's admin chain, traffic
// forwarded out of the bridge to the allocations' subnet is accepted (Nomad's
// ensureForwardingRules). It stays when allocations go, as Nomad's does.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { adminChainName } from "./conflist.js";
import { stderrOf } from "./netns.js";

const run = promisify(execFile);

export async function ensureForwardingRule(bridgeName: string, subnet: string): Promise<void> {
  const rule = ["-o", bridgeName, "-d", subnet, "-j", "ACCEPT"];
  try {
    await run("iptables", ["-w", "-t", "filter", "-N", adminChainName]).catch(async (err) => {
      // It exists already: fine; any other failure is the same failure again.
      await run("iptables", ["-w", "-t", "filter", "-S", adminChainName]).catch(() => {
        throw err;
      });
    });
    const exists = await run("iptables", ["-w", "-t", "filter", "-C", adminChainName, ...rule])
      .then(() => true)
      .catch(() => false);
    if (!exists) await run("iptables", ["-w", "-t", "filter", "-A", adminChainName, ...rule]);
  } catch (err) {
    throw new Error(`failed to initialize table forwarding rules: ${stderrOf(err)}`);
  }
}
