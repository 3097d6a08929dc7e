// Nomad's `job history`: a job's kept versions, newest first, with whether
// each is stable and when it was submitted. Pure: versions in, rows out.
import { isStable, type JobVersion } from "../../crds/job-version.js";
import { createdAt } from "../../crds/meta.js";
import { diffSpecs, type FieldDiff, formatDiff } from "./diff.js";

export interface HistoryEntry {
  version: number;
  stable: boolean;
  submitTime: string;
  /** The version's spec stops the job. */
  stop: boolean;
  /** What changed from the version before it (absent for the oldest kept). */
  diff?: FieldDiff[];
}

export function jobHistory(versions: readonly JobVersion[]): HistoryEntry[] {
  const sorted = [...versions].sort((a, b) => b.revision - a.revision);
  return sorted.map((v, i) => {
    const before = sorted[i + 1];
    return {
      version: v.revision,
      stable: isStable(v),
      submitTime: createdAt(v.metadata) ?? "",
      stop: v.data.spec.stop === true,
      ...(before ? { diff: diffSpecs(before.data.spec, v.data.spec) } : {}),
    };
  });
}

/** With `diffs`, each version shows what changed from the one before (`job history -p`). */
export function formatHistory(entries: readonly HistoryEntry[], diffs = false): string {
  return entries
    .map((e) =>
      [
        `Version     = ${e.version}`,
        `Stable      = ${e.stable}`,
        `Submit Date = ${e.submitTime}`,
        ...(e.stop ? ["Stopped     = true"] : []),
        ...(diffs && e.diff ? [`Diff        =\n${formatDiff(e.diff) || "  (no changes)"}`] : []),
      ].join("\n"),
    )
    .join("\n\n")
    .concat(entries.length > 0 ? "\n" : "");
}
