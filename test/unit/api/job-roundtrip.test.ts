// Both directions of the job converter come from one field table
// (src/jobspec/nomad-fields.ts); these round trips hold them to each other.
// Our spec → Nomad JSON → our spec gives the same spec for every job of the
// jobspec corpus (test/jobspec/valid and the seed jobs in test/jobspec/seeds).
// Nomad JSON → our spec → Nomad JSON keeps every field Nomad's Go client
// sends, checked on an api.Job with every field set (go-client-job.json,
// written by test/conformance/cmd/job-fixture), but for the few the server
// owns or the job model has no place for.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fromNomadApi } from "../../../src/api/convert/job-in.js";
import { goDurationMs } from "../../../src/common/duration.js";
import type { NomadJobSpec } from "../../../src/crds/job/index.js";
import { parseJob, toNomadApi, toNomadRunOutput } from "../../../src/jobspec/index.js";

type Json = Record<string, unknown>;
const corpus = path.resolve(import.meta.dirname, "../../jobspec");
const goClientJob = JSON.parse(
  readFileSync(path.join(import.meta.dirname, "go-client-job.json"), "utf8"),
) as Json;

/**
 * Durations compare by length of time: "300s" and "5m" are the same wait. A
 * port with static 0 is a dynamic port, as Nomad reads it. A network's ports
 * are keyed by label: Nomad's JSON lists the reserved ones before the
 * dynamic ones, whatever order the file wrote them in.
 */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k, x]) => x !== undefined && !(k === "static" && x === 0))
        .map(([k, x]) => [k, normalize(k === "ports" && Array.isArray(x) ? byLabel(x) : x)]),
    );
  if (typeof v === "string" && /^([0-9.]+(ns|us|µs|ms|s|m|h))+$/.test(v))
    return `${goDurationMs(v)}ms`;
  return v;
}

const byLabel = (ports: unknown[]) =>
  [...ports].sort((a, b) =>
    String((a as { label?: string }).label).localeCompare(String((b as { label?: string }).label)),
  );

/** Every value of a JSON document by its path, e.g. `.TaskGroups[0].Name`. */
function leaves(v: unknown, at = "", out = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(v)) for (const [i, x] of v.entries()) leaves(x, `${at}[${i}]`, out);
  else if (v !== null && typeof v === "object")
    for (const [k, x] of Object.entries(v)) leaves(x, `${at}.${k}`, out);
  else out.set(at, v);
  return out;
}

function specOf(json: unknown): NomadJobSpec {
  const r = fromNomadApi(JSON.parse(JSON.stringify(json)));
  if (!r.ok) throw new Error(r.error);
  return r.spec;
}

const jobs = ["valid", "seeds", "nomad"].flatMap((kind) => {
  const dir = path.join(corpus, kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".nomad.hcl"))
    .sort()
    .map((file) => {
      const r = parseJob({
        file,
        source: readFileSync(path.join(dir, file), "utf8"),
        readFile: (p) => {
          const full = path.join(dir, p);
          return existsSync(full) ? readFileSync(full, "utf8") : undefined;
        },
        validation: "warn",
      });
      return [`${kind}/${file}`, r] as const;
    });
});

describe("Nomad job JSON ⇄ NomadJob spec", () => {
  it("reads the corpus", () => {
    expect(jobs.filter(([, r]) => r.ok).length).toBeGreaterThanOrEqual(100);
  });

  it.each(jobs.filter(([, r]) => r.ok))("%s: spec → Nomad JSON → spec is the same spec", (_, r) => {
    if (!r.ok) return;
    expect(normalize(specOf(toNomadApi(r.job).Job))).toEqual(normalize(r.job));
    expect(normalize(specOf(toNomadRunOutput(r.parsed).Job))).toEqual(normalize(r.parsed));
  });

  it("keeps every field Nomad's Go client sends, but those the server owns", () => {
    const r = fromNomadApi(goClientJob);
    if (!r.ok) throw new Error(r.error);
    const back = leaves(JSON.parse(JSON.stringify(toNomadApi(r.spec, r.namespace).Job)));
    const sent = leaves(goClientJob);
    const lost = [...sent.keys()].filter((p) => !back.has(p));
    const changed = [...sent].filter(([p, v]) => back.has(p) && back.get(p) !== v);
    const added = [...back.keys()].filter((p) => !sent.has(p));
    // Each with the reason it is not kept; every one must still be needed.
    const dropped: [RegExp, string][] = [
      [
        /^\.(Status|StatusDescription|Stable|Version|SubmitTime|CreateIndex|ModifyIndex|JobModifyIndex|NomadTokenID|ConsulNamespace|VaultNamespace|Dispatched|Payload)$/,
        "set by the server, not by a submission",
      ],
      [/\.Resources\.(DiskMB|IOPS|Networks\[0\]\..*)$/, "deprecated in api.Resources"],
      [
        /\.(Scaling|ScalingPolicies\[0\])\.(ID|CreateIndex|ModifyIndex|Target\..*)$/,
        "the server's scaling policy object",
      ],
      [/\.DynamicPorts\[0\]\.Value$/, "assigned at placement"],
    ];
    expect(lost.filter((p) => !dropped.some(([re]) => re.test(p)))).toEqual([]);
    for (const [re, why] of dropped)
      expect(
        lost.some((p) => re.test(p)),
        why,
      ).toBe(true);
    expect(changed).toEqual([]);
    // Nomad's task scaling policy has no name (its Type says which resource), nor does ours in its JSON.
    expect(added).toEqual([]);
  });

  it("gives back the same spec for a job with every field Nomad's Go client sends", () => {
    const spec = specOf(goClientJob);
    expect(specOf(toNomadApi(spec).Job)).toEqual(spec);
  });

  it("reads a UI link's URL under Nomad's name", () => {
    const spec = specOf({
      ID: "ui",
      UI: { Links: [{ Label: "Runbook", URL: "https://wiki.example.com" }] },
    });
    expect(spec.ui).toEqual({ links: [{ label: "Runbook", url: "https://wiki.example.com" }] });
    expect(toNomadApi(spec).Job.UI).toEqual({
      Links: [{ Label: "Runbook", URL: "https://wiki.example.com" }],
    });
  });

  it("keeps a dynamic port dynamic whatever number it carries", () => {
    const spec = specOf({
      ID: "web",
      TaskGroups: [
        {
          Name: "g",
          Networks: [
            {
              ReservedPorts: [{ Label: "admin", Value: 9000 }],
              DynamicPorts: [{ Label: "http", Value: 23456, To: 8080 }],
            },
          ],
        },
      ],
    });
    expect(spec.groups[0]?.networks).toEqual([
      {
        ports: [
          { label: "admin", static: 9000 },
          { label: "http", to: 8080 },
        ],
      },
    ]);
    const back = toNomadApi(spec).Job.TaskGroups as Json[];
    expect(back[0]?.Networks).toEqual([
      {
        ReservedPorts: [{ Label: "admin", Value: 9000 }],
        DynamicPorts: [{ Label: "http", To: 8080 }],
      },
    ]);
  });

  it("passes fields it does not know through in camelCase, for the schema to judge", () => {
    const spec = specOf({
      ID: "web",
      FutureField: { InnerField: 1, Meta: { KeepCase: "x" } },
      TaskGroups: [
        { Name: "g", Tasks: [{ Name: "t", Driver: "exec", Secrets: [{ Name: "db" }] }] },
      ],
    });
    expect(spec).toMatchObject({
      futureField: { innerField: 1, meta: { KeepCase: "x" } },
      groups: [{ tasks: [{ secrets: [{ name: "db" }] }] }],
    });
  });

  it("does not crash on lists that are not lists", () => {
    const r = fromNomadApi({
      ID: "web",
      TaskGroups: [{ Name: "g", Networks: {}, Tasks: [{ Name: "t", ScalingPolicies: 5 }] }],
    });
    expect(r.ok).toBe(true);
  });
});
