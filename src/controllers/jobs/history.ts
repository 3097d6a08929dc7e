// Nomad's `job history`: a job's kept versions, newest first, with whether
// each is stable and when it was submitted. Pure: versions in, rows out.
import { isStable, type JobVersion } from "./versions.js";

export interface HistoryEntry {
  version: number;
  stable: boolean;
  submitTime: string;
  /** The version's spec stops the job. */
  stop: boolean;
}

export function jobHistory(versions: readonly JobVersion[]): HistoryEntry[] {
  return [...versions]
    .sort((a, b) => b.revision - a.revision)
    .map((v) => ({
      version: v.revision,
      stable: isStable(v),
      submitTime: v.metadata.creationTimestamp ?? "",
      stop: v.data.spec.stop === true,
    }));
}

export function formatHistory(entries: readonly HistoryEntry[]): string {
  return entries
    .map((e) =>
      [
        `Version     = ${e.version}`,
        `Stable      = ${e.stable}`,
        `Submit Date = ${e.submitTime}`,
        ...(e.stop ? ["Stopped     = true"] : []),
      ].join("\n"),
    )
    .join("\n\n")
    .concat(entries.length > 0 ? "\n" : "");
}
