import { describe, expect, it } from "vitest";
import { fingerprintDrivers } from "../../../src/agent/fingerprint/fingerprint.js";
import {
  parseCpuInfo,
  parseMemTotal,
  parseOsRelease,
  totalCompute,
} from "../../../src/agent/fingerprint/parse.js";

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

  it("offers raw_exec only when enabled, as Nomad does", () => {
    expect(fingerprintDrivers({})).toEqual({});
    expect(fingerprintDrivers({ "driver.raw_exec.enable": "1" }).raw_exec).toMatchObject({
      detected: true,
      healthy: true,
    });
  });
});
