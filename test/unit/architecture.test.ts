// The layering of src/ as docs/architecture.md's table states it: no file
// imports a higher layer or a sibling folder of its own layer, no import
// cycle, and the pure layers import no I/O module.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const src = path.join(root, "src");

/** Folder → layer, read from the table in docs/architecture.md. */
function layerTable(): { layers: Map<string, number>; pure: Set<string> } {
  const doc = readFileSync(path.join(root, "docs/architecture.md"), "utf8");
  const layers = new Map<string, number>();
  const pure = new Set<string>();
  for (const line of doc.split("\n")) {
    const m = /^\| (\d+) \| ([a-z, ]+) \|.*\| ([^|]+) \|$/.exec(line);
    if (!m) continue;
    for (const folder of (m[2] ?? "").split(",").map((f) => f.trim())) {
      layers.set(folder, Number(m[1]));
      if ((m[3] ?? "").trim().startsWith("no")) pure.add(folder);
    }
  }
  return { layers, pure };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Every module specifier a file imports or re-exports, type-only imports included. */
function specifiers(text: string): string[] {
  const found: string[] = [];
  const forms = [
    /^\s*(?:import|export)\s[^;]*?\sfrom\s+["']([^"']+)["']/gms,
    /^\s*import\s+["']([^"']+)["']/gm,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const re of forms) for (const m of text.matchAll(re)) if (m[1]) found.push(m[1]);
  return found;
}

interface Edge {
  from: string;
  to: string;
}

function importGraph(): { files: string[]; edges: Edge[]; external: Map<string, string[]> } {
  const files = sourceFiles(src);
  const edges: Edge[] = [];
  const external = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    for (const spec of specifiers(text)) {
      if (spec.startsWith(".")) {
        const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, ".ts");
        edges.push({ from: path.relative(src, file), to: path.relative(src, target) });
      } else {
        external.set(path.relative(src, file), [
          ...(external.get(path.relative(src, file)) ?? []),
          spec,
        ]);
      }
    }
  }
  return { files: files.map((f) => path.relative(src, f)), edges, external };
}

const folderOf = (file: string) => file.split(path.sep)[0] ?? "";

describe("the layers of src/", () => {
  const { layers, pure } = layerTable();
  const { files, edges, external } = importGraph();

  it("has a layer in docs/architecture.md for every folder", () => {
    const folders = [...new Set(files.filter((f) => f.includes(path.sep)).map(folderOf))].sort();
    expect(folders.filter((f) => !layers.has(f))).toEqual([]);
    expect(layers.get("common")).toBe(0);
    expect(layers.get("cli")).toBeGreaterThan(layers.get("controllers") ?? 99);
  });

  it("imports only downward, never a sibling folder of the same layer", () => {
    const wrong = edges
      .filter((e) => folderOf(e.from) !== folderOf(e.to))
      .filter((e) => (layers.get(folderOf(e.to)) ?? 99) >= (layers.get(folderOf(e.from)) ?? -1))
      .map((e) => `${e.from} -> ${e.to}`);
    expect(wrong).toEqual([]);
  });

  it("has no import cycle between files", () => {
    const next = new Map<string, string[]>();
    for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const trail: string[] = [];
    const visit = (file: string) => {
      state.set(file, "open");
      trail.push(file);
      for (const to of next.get(file) ?? []) {
        if (state.get(to) === "open")
          cycles.push([...trail.slice(trail.indexOf(to)), to].join(" -> "));
        else if (!state.has(to)) visit(to);
      }
      trail.pop();
      state.set(file, "done");
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it("leaves the Kubernetes API's paths to src/kube", () => {
    const kubePath = /["'`}]\/apis?\/|\/api\/v1\b/;
    const wrong = files
      .filter((f) => folderOf(f) !== "kube")
      .filter((f) => kubePath.test(readFileSync(path.join(src, f), "utf8")));
    expect(wrong).toEqual([]);
  });

  it("keeps the pure layers free of I/O modules", () => {
    const io = /^node:(fs|fs\/promises|http|https|http2|child_process|dgram|dns|tls)$/;
    const wrong = [...external]
      .filter(([file]) => pure.has(folderOf(file)))
      .flatMap(([file, specs]) => specs.filter((s) => io.test(s)).map((s) => `${file}: ${s}`));
    expect(wrong).toEqual([]);
  });
});

describe("reading imports", () => {
  it("finds static, re-exported, side-effect, multi-line, type-only and dynamic imports", () => {
    const text = [
      'import { a } from "./a.js";',
      'import type { B } from "../b.js";',
      "import {",
      "  c,",
      "  d,",
      '} from "./c.js";',
      'export { e } from "./e.js";',
      'export * from "./f.js";',
      'import "./g.js";',
      'const h = await import("./h.js");',
      '// "./not-an-import.js"',
    ].join("\n");
    expect(specifiers(text).sort()).toEqual(
      ["../b.js", "./a.js", "./c.js", "./e.js", "./f.js", "./g.js", "./h.js"].sort(),
    );
  });
});
