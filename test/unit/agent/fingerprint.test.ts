import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { driverInfo, fingerprintNode } from "../../../src/agent/fingerprint/fingerprint.js";
import {
  parseCpuInfo,
  parseMemTotal,
  parseOsRelease,
  totalCompute,
} from "../../../src/agent/fingerprint/parse.js";
import { rawExecDriver } from "../../../src/drivers/raw_exec/index.js";

const cpuinfo = `processor	: 0
vendor_id	: GenuineIntel
model name	: Intel(R) Xeon(R) CPU @ 2.20GHz
cpu MHz		: 2199.998

processor	: 1
vendor_id	: GenuineIntel
model name	: Intel(R) Xeon(R) CPU @ 2.20GHz
cpu MHz		: 2199.998
`;

describe("fingerprint parsers", () => {
  it("reads cores, model and clock from /proc/cpuinfo, and Nomad's total compute", () => {
    const cpu = parseCpuInfo(cpuinfo);
    expect(cpu).toEqual({ cores: 2, modelName: "Intel(R) Xeon(R) CPU @ 2.20GHz", mhz: 2200 });
    expect(totalCompute(cpu)).toBe(4400);
    expect(totalCompute({ ...cpu, mhz: 0 })).toBe(2000); // a VM that hides its clock still schedules
  });

  it("reads MemTotal in bytes and os-release fields", () => {
    expect(parseMemTotal("MemTotal:       24576000 kB\nMemFree:  1 kB\n")).toBe(24576000 * 1024);
    expect(parseOsRelease('NAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n')).toMatchObject({
      ID: "debian",
      VERSION_ID: "12",
      NAME: "Debian GNU/Linux",
    });
  });

  it("offers raw_exec only when enabled, as Nomad does", async () => {
    const raw = (options: Record<string, string>) =>
      rawExecDriver({ options, pluginConfig: {}, dataDir: "/tmp", log: pino({ level: "silent" }) });
    expect(await raw({}).fingerprint()).toMatchObject({ detected: false });
    expect(await raw({ "driver.raw_exec.enable": "1" }).fingerprint()).toMatchObject({
      detected: true,
      healthy: true,
    });
  });

  it("publishes each detected driver and its attributes on the node", () => {
    const drivers = {
      raw_exec: { detected: true, healthy: true, healthDescription: "Healthy", attributes: {} },
      java: {
        detected: true,
        healthy: true,
        healthDescription: "Healthy",
        attributes: { version: "17.0.15" },
      },
      qemu: { detected: false, healthy: false, healthDescription: "not found", attributes: {} },
    };
    expect(driverInfo(drivers).qemu).toMatchObject({ detected: false, healthy: false });
    const node = fingerprintNode(
      {
        name: "n1",
        datacenter: "dc1",
        nodePool: "default",
        meta: {},
        dataDir: "/tmp",
        reserved: {},
        version: "0.1.0",
      },
      drivers,
    );
    expect(node.attributes).toMatchObject({
      "driver.raw_exec": "1",
      "driver.java": "1",
      "driver.java.version": "17.0.15",
    });
    expect(node.attributes?.["driver.qemu"]).toBeUndefined();
  });
});
