import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadAgentConfig } from "../../../src/config/load.js";

function file(text: string): string {
  const f = path.join(mkdtempSync(path.join(os.tmpdir(), "caravan-gc-config-")), "agent.hcl");
  writeFileSync(f, text);
  return f;
}

describe("client gc settings", () => {
  it("reads gc_interval, gc_max_allocs, gc_disk_usage_threshold, gc_inode_usage_threshold and gc_parallel_destroys", async () => {
    const result = await loadAgentConfig({
      files: [
        file(`client {
  enabled = true
  gc_interval = "30s"
  gc_max_allocs = 20
  gc_disk_usage_threshold = 70
  gc_inode_usage_threshold = 70
  gc_parallel_destroys = 2
}`),
      ],
    });
    expect(result.ok && result.config.client.gc).toEqual({
      interval: "30s",
      maxAllocs: 20,
      diskUsageThreshold: 70,
      inodeUsageThreshold: 70,
      parallelDestroys: 2,
    });
  });

  it("names the setting of a bad value", async () => {
    const result = await loadAgentConfig({
      files: [file(`client {\n  gc_interval = "soon"\n  gc_disk_usage_threshold = 120\n}`)],
    });
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors.join("\n");
    expect(errors).toMatch(/client.gc_interval: expected a duration such as "1m", got "soon"/);
    expect(errors).toMatch(/client.gc_disk_usage_threshold/);
  });
});
