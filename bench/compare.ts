// Runs one benchmark on this checkout and on an earlier commit, alternating
// rounds in one invocation so both see the same machine, and prints each
// shape's median per side, their ratio, and one JSON line. Used to show that a
// change does not slow the scheduler or the control loop down.
//
//   npm run bench:compare -- --base HEAD~5 --bench scheduler [--rounds 3] [-- ARGS for the bench]
//   npm run bench:compare -- --base main --bench e2e --rounds 3 -- --runs 1 --shapes 100x1000
//
// The earlier commit is checked out in a temporary git worktree that borrows
// this checkout's node_modules and .cache (the control plane is cached by the
// hash of its sources, so both sides use the same binary when it is unchanged).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

/** What identifies a shape in a bench's JSON lines, and the figures compared. */
const benches: Record<string, { shape: string[]; metrics: string[] }> = {
  scheduler: { shape: ["nodes", "racks", "allocs", "spread"], metrics: ["msPerEval"] },
  e2e: {
    shape: ["nodes", "allocations"],
    metrics: [
      "secondsToCommitted",
      "secondsToFirstAllocation",
      "allocationsPerSecond",
      "ceilingAllocationsPerSecond",
      "ratioToCeiling",
      "controllerPeakMemoryMB",
    ],
  },
};

const split = process.argv.indexOf("--");
const own = split >= 0 ? process.argv.slice(2, split) : process.argv.slice(2);
const passed = split >= 0 ? process.argv.slice(split + 1) : [];
const { values } = parseArgs({
  args: own,
  options: {
    base: { type: "string" },
    bench: { type: "string", default: "scheduler" },
    rounds: { type: "string", default: "3" },
  },
});
const bench = values.bench ?? "scheduler";
const spec = benches[bench];
if (!values.base || !spec) {
  console.error(
    `usage: bench:compare --base REV --bench ${Object.keys(benches).join("|")} [--rounds N] [-- bench args]`,
  );
  process.exit(2);
}
const rounds = Number(values.rounds);
const head = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const baseRev = execFileSync("git", ["rev-parse", "--short", values.base], { cwd: head })
  .toString()
  .trim();

const baseDir = mkdtempSync(path.join(os.tmpdir(), "caravan-bench-base-"));
execFileSync("git", ["worktree", "add", "--detach", baseDir, baseRev], {
  cwd: head,
  stdio: "ignore",
});
for (const shared of ["node_modules", ".cache"]) {
  symlinkSync(path.join(head, shared), path.join(baseDir, shared));
}

type Row = Record<string, unknown>;
/** Shape key → metric → one value per round. */
type Results = Map<string, Map<string, number[]>>;

function runOnce(dir: string, into: Results): void {
  const out = spawnSync("npm", ["run", "--silent", `bench:${bench}`, "--", ...passed], {
    cwd: dir,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (out.status !== 0) throw new Error(`bench:${bench} in ${dir} exited ${out.status}`);
  for (const line of out.stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const row = JSON.parse(line) as Row;
    const key = spec?.shape.map((k) => `${k}=${row[k]}`).join(" ") ?? "";
    const metrics = into.get(key) ?? new Map<string, number[]>();
    for (const m of spec?.metrics ?? []) {
      const v = row[m];
      if (typeof v === "number") metrics.set(m, [...(metrics.get(m) ?? []), v]);
    }
    into.set(key, metrics);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

const base: Results = new Map();
const current: Results = new Map();
try {
  for (let r = 0; r < rounds; r++) {
    // Alternate which side goes first, so a warming or cooling machine favours neither.
    const order: [string, Results][] =
      r % 2 === 0
        ? [
            [baseDir, base],
            [head, current],
          ]
        : [
            [head, current],
            [baseDir, base],
          ];
    for (const [dir, into] of order) {
      console.error(`round ${r + 1}/${rounds}: ${dir === head ? "this checkout" : baseRev}`);
      runOnce(dir, into);
    }
  }
} finally {
  execFileSync("git", ["worktree", "remove", "--force", baseDir], { cwd: head, stdio: "ignore" });
  rmSync(baseDir, { recursive: true, force: true });
}

const summary: Row[] = [];
console.log(`bench:${bench}, ${rounds} rounds, medians: ${baseRev} → this checkout (ratio)`);
for (const [key, metrics] of current) {
  for (const [metric, values] of metrics) {
    const before = median(base.get(key)?.get(metric) ?? []);
    const after = median(values);
    const ratio = after / before;
    console.log(
      `${key.padEnd(44)} ${metric.padEnd(24)} ${before.toFixed(3).padStart(10)} → ${after.toFixed(3).padStart(10)}  (${ratio.toFixed(2)})`,
    );
    summary.push({ shape: key, metric, base: before, current: after, ratio });
  }
}
/** Each metric's geometric mean of the ratios over every shape: one number a side. */
const overall: Record<string, number> = {};
for (const metric of spec.metrics) {
  const ratios = summary.filter((s) => s.metric === metric).map((s) => Number(s.ratio));
  if (!ratios.length) continue;
  overall[metric] = Math.exp(ratios.reduce((sum, r) => sum + Math.log(r), 0) / ratios.length);
  console.log(
    `${metric}: geometric mean of the ratios over ${ratios.length} shapes ${overall[metric].toFixed(3)}`,
  );
}
console.log(
  JSON.stringify({
    bench: `compare-${bench}`,
    base: baseRev,
    rounds,
    geomeanRatio: overall,
    results: summary,
  }),
);
