import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { driverInfo, fingerprintNode } from "../../../src/agent/fingerprint/fingerprint.js";
import { parseNvidiaSmi } from "../../../src/agent/fingerprint/nvidia.js";
import {
  parseCpuInfo,
  parseMemTotal,
  parseOsRelease,
  totalCompute,
} from "../../../src/agent/fingerprint/parse.js";
import { fingerprinterFilter } from "../../../src/agent/fingerprint/select.js";
import { mountOf, readMounts } from "../../../src/agent/mounts.js";
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

describe("NVIDIA GPUs", () => {
  const smi = [
    "GPU-1111, Tesla T4, 15360, 70.00, 1590, 5001, 535.104.05, 00000000:00:1E.0, Disabled, Enabled",
    "GPU-2222, Tesla T4, 15360, 70.00, 1590, 5001, 535.104.05, 00000000:00:1F.0, Disabled, Enabled",
    "GPU-3333, NVIDIA A100-SXM4-40GB, 40960, [N/A], 1410, 1215, 535.104.05, 00000000:10:1C.0, Enabled, Disabled",
  ].join("\n");

  it("groups GPUs by model, with their UUIDs as instances and Nomad's attribute names", () => {
    const devices = parseNvidiaSmi(smi);
    expect(devices).toHaveLength(2);
    expect(devices[0]).toMatchObject({
      vendor: "nvidia",
      type: "gpu",
      name: "Tesla T4",
      instances: [
        { id: "GPU-1111", healthy: true, locality: { pciBusID: "00000000:00:1E.0" } },
        { id: "GPU-2222", healthy: true },
      ],
      attributes: {
        memory: { int: 15360, unit: "MiB" },
        power: { int: 70, unit: "W" },
        cores_clock: { int: 1590, unit: "MHz" },
        driver_version: { string: "535.104.05" },
      },
    });
    // A value nvidia-smi does not know is left out, not made a number.
    expect(devices[1]?.attributes).not.toHaveProperty("power");
    expect(devices[1]?.attributes?.memory).toEqual({ int: 40960, unit: "MiB" });
  });

  it("asks nvidia-smi on the PATH and reports its GPUs on the node; none without it", () => {
    const input = {
      name: "n1",
      datacenter: "dc1",
      nodePool: "default",
      meta: {},
      dataDir: "/tmp",
      reserved: {},
      version: "0.1.0",
      hostVolumes: { certs: { path: "/etc/ssl/certs", readOnly: true } },
    };
    const bin = mkdtempSync(path.join(os.tmpdir(), "caravan-nvidia-"));
    const savedPath = process.env.PATH;
    try {
      process.env.PATH = bin;
      expect(fingerprintNode(input, {}).resources?.devices).toBeUndefined();
      writeFileSync(
        path.join(bin, "nvidia-smi"),
        `#!/bin/sh\ncase "$1" in --query-gpu=uuid,name,memory.total*) printf '%s\\n' '${smi.split("\n")[0]}';; *) exit 9;; esac\n`,
        { mode: 0o755 },
      );
      const node = fingerprintNode(input, {});
      expect(node.resources?.devices?.[0]?.instances?.[0]?.id).toBe("GPU-1111");
      expect(node.hostVolumes).toEqual({ certs: { path: "/etc/ssl/certs", readOnly: true } });
    } finally {
      process.env.PATH = savedPath;
    }
  });
});

describe("fingerprint allow and deny lists", () => {
  const input = {
    name: "n1",
    datacenter: "dc1",
    nodePool: "default",
    meta: {},
    dataDir: "/tmp",
    reserved: {},
    version: "0.1.0",
  };

  it("runs only the allowed fingerprinters, less the denied ones, as the client options say", () => {
    const node = fingerprintNode(
      {
        ...input,
        fingerprinters: fingerprinterFilter({
          "fingerprint.allowlist": " cpu, memory,storage ,network",
          "fingerprint.denylist": "storage,env_aws",
        }),
      },
      {},
    );
    expect(node.attributes?.["cpu.numcores"]).toBeDefined();
    expect(node.attributes?.["memory.totalbytes"]).toBeDefined();
    expect(node.attributes?.["kernel.name"]).toBeUndefined();
    expect(node.attributes?.["cpu.arch"]).toBeUndefined();
    expect(node.attributes?.["unique.storage.bytestotal"]).toBeUndefined();
    expect(node.resources?.disk?.diskMB).toBe(0);
    expect(node.resources?.cpu?.cpuShares).toBeGreaterThan(0);
  });

  it("takes cpu_total_compute, memory_total_mb, disk_total_mb and disk_free_mb over what it finds", () => {
    const node = fingerprintNode(
      {
        ...input,
        overrides: {
          cpuTotalCompute: 1234,
          memoryTotalMB: 2048,
          diskTotalMB: 500,
          diskFreeMB: 300,
        },
      },
      {},
    );
    expect(node.attributes).toMatchObject({
      "cpu.totalcompute": "1234",
      "memory.totalbytes": String(2048 * 1024 * 1024),
      "unique.storage.bytestotal": String(500 * 1024 * 1024),
      "unique.storage.bytesfree": String(300 * 1024 * 1024),
    });
    expect(node.resources).toMatchObject({
      cpu: { cpuShares: 1234 },
      memory: { memoryMB: 2048 },
      disk: { diskMB: 300 },
    });
  });

  it("offers the address of network_interface when one is named", () => {
    const node = fingerprintNode({ ...input, networkInterface: "lo" }, {});
    expect(node.attributes?.["unique.network.ip-address"]).toBe("127.0.0.1");
    expect(node.resources?.networks?.[0]).toMatchObject({
      device: "lo",
      addresses: [{ address: "127.0.0.1" }],
    });
  });

  it("reads the older whitelist and blacklist names, and runs everything without a list", () => {
    const runs = fingerprinterFilter({ "fingerprint.blacklist": "host" });
    expect(runs("host")).toBe(false);
    expect(runs("cpu")).toBe(true);
    expect(fingerprinterFilter({ "fingerprint.whitelist": "arch" })("cpu")).toBe(false);
    const all = fingerprintNode(input, {});
    expect(all.attributes?.["kernel.name"]).toBe(os.platform());
    // The storage fingerprinter ran: the device holding the data dir, as Nomad's names it.
    expect(all.attributes?.["unique.storage.volume"]).toBe(
      mountOf(readMounts(), "/tmp")?.device ?? "/tmp",
    );
  });
});
