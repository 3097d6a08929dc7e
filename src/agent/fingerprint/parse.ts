// Parsers for what Linux reports about the machine; pure, so they are tested
// against fixtures.

export interface CpuInfo {
  cores: number;
  modelName: string;
  /** MHz per core, as the CPU reports it (0 when unknown). */
  mhz: number;
}

export function parseCpuInfo(text: string): CpuInfo {
  let cores = 0;
  let modelName = "";
  let mhz = 0;
  for (const line of text.split("\n")) {
    const [rawKey, ...rest] = line.split(":");
    const key = rawKey?.trim();
    const value = rest.join(":").trim();
    if (key === "processor") cores++;
    else if (key === "model name" && !modelName) modelName = value;
    else if (key === "cpu MHz" && !mhz) mhz = Math.round(Number(value));
  }
  return { cores, modelName, mhz };
}

/** MemTotal in bytes, from /proc/meminfo. */
export function parseMemTotal(text: string): number {
  const kb = /^MemTotal:\s+(\d+)\s+kB/m.exec(text)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

/** /etc/os-release as a map (NAME, VERSION_ID, ID…). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m?.[1]) out[m[1]] = (m[2] ?? "").replace(/^"(.*)"$/, "$1");
  }
  return out;
}

/** Nomad's cpu.totalcompute: cores × MHz, with a floor so a VM that hides its clock still schedules. */
export function totalCompute(cpu: CpuInfo, fallbackMhz = 1000): number {
  return cpu.cores * (cpu.mhz > 0 ? cpu.mhz : fallbackMhz);
}
