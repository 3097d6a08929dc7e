// Jobspec throughput over the corpus: files/s and per-file latency for HCL
// text → canonical, validated job → NomadJob resource, on one core. Several
// runs; the median run is reported, then one JSON line for tooling.
// Usage: npm run bench:jobspec [-- --runs 7 --seconds 1]
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseJob, toNomadApi, toResource } from "../src/jobspec/index.js";

const args = process.argv.slice(2);
const flag = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const runs = flag("runs", 7);
const seconds = flag("seconds", 1);

const dir = path.resolve(import.meta.dirname, "../test/jobspec/valid");
const corpus = readdirSync(dir)
  .filter((f) => f.endsWith(".nomad.hcl"))
  .map((f) => ({ file: f, source: readFileSync(path.join(dir, f), "utf8") }));
const readFile = (p: string) => {
  try {
    return readFileSync(path.join(dir, p), "utf8");
  } catch {
    return undefined;
  }
};

function convert(file: string, source: string): void {
  const r = parseJob({ file, source, readFile });
  if (!r.ok) throw new Error(`${file}: ${r.errors[0]?.message}`);
  toResource(r.job);
  toNomadApi(r.job);
}

// A typical 100-line job: several corpus files' groups joined under one job.
const typical = (() => {
  const pick = ["24-service-http-check", "32-templates", "19-resources"].map(
    (n) => corpus.find((c) => c.file.startsWith(n))?.source ?? "",
  );
  const groups = pick.map((s, i) =>
    s
      .replace(/^job "[^"]+" \{\n/, "")
      .replace(/\}\n$/, "")
      .replace(/group "([^"]+)"/, `group "$1${i}"`),
  );
  return `job "typical" {\n  datacenters = ["dc1"]\n${groups.join("")}}\n`;
})();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] as number;

function run(files: { file: string; source: string }[]): {
  filesPerSec: number;
  p50: number;
  p99: number;
} {
  const lat: number[] = [];
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const start = performance.now();
  while (performance.now() < end)
    for (const f of files) {
      const t = performance.now();
      convert(f.file, f.source);
      lat.push(performance.now() - t);
      n++;
    }
  return {
    filesPerSec: n / ((performance.now() - start) / 1000),
    p50: median(lat),
    p99: pct(lat, 0.99),
  };
}

const t0 = performance.now();
convert("typical.nomad.hcl", typical);
const firstMs = performance.now() - t0;
run(corpus); // warm-up: JIT, caches

const results = { corpus: [] as ReturnType<typeof run>[], typical: [] as ReturnType<typeof run>[] };
for (let i = 0; i < runs; i++) {
  results.corpus.push(run(corpus));
  results.typical.push(run([{ file: "typical.nomad.hcl", source: typical }]));
}
const pickMedian = (rs: ReturnType<typeof run>[]) =>
  rs.slice().sort((a, b) => a.filesPerSec - b.filesPerSec)[Math.floor(rs.length / 2)] as ReturnType<
    typeof run
  >;
const c = pickMedian(results.corpus);
const t = pickMedian(results.typical);
const lines = typical.split("\n").length;
const f2 = (x: number) => x.toFixed(3);
process.stdout.write(
  [
    `jobspec bench: ${corpus.length} corpus files, ${runs} runs of ${seconds}s, median run`,
    `  corpus:  ${Math.round(c.filesPerSec)} files/s, latency p50 ${f2(c.p50)} ms, p99 ${f2(c.p99)} ms`,
    `  typical (${lines}-line job): ${Math.round(t.filesPerSec)} files/s, latency p50 ${f2(t.p50)} ms, p99 ${f2(t.p99)} ms`,
    `  first file in a fresh process (no WebAssembly to start): ${f2(firstMs)} ms`,
    "",
  ].join("\n"),
);
process.stdout.write(
  `${JSON.stringify({
    bench: "jobspec",
    files: corpus.length,
    runs,
    corpusFilesPerSec: Math.round(c.filesPerSec),
    corpusP50Ms: Number(f2(c.p50)),
    corpusP99Ms: Number(f2(c.p99)),
    typicalLines: lines,
    typicalFilesPerSec: Math.round(t.filesPerSec),
    typicalP50Ms: Number(f2(t.p50)),
    typicalP99Ms: Number(f2(t.p99)),
    firstFileMs: Number(f2(firstMs)),
  })}\n`,
);
