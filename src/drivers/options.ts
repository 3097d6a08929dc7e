// Reading Nomad's client options ("driver.raw_exec.enable" = "1").

export function isEnabled(options: Record<string, string>, key: string): boolean {
  return ["1", "true"].includes((options[key] ?? "").toLowerCase());
}
