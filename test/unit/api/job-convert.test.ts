// The API's job converter is the exact inverse of the jobspec's Nomad JSON
// output: every canonical job of the jobspec corpus survives the round trip
// Nomad JSON → NomadJob spec unchanged.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fromNomadApi } from "../../../src/api/convert/job-in.js";
import { compactGoDuration as goDuration, goDurationMs } from "../../../src/common/duration.js";
import { parseJob, toNomadApi } from "../../../src/jobspec/index.js";

const root = path.resolve(import.meta.dirname, "../../jobspec/valid");
const files = readdirSync(root)
  .filter((f) => f.endsWith(".nomad.hcl"))
  .sort();

/** Durations compare by length of time: "300s" and "5m" are the same wait. */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => [k, normalize(x)]),
    );
  if (typeof v === "string" && /^([0-9.]+(ns|us|µs|ms|s|m|h))+$/.test(v))
    return `${goDurationMs(v)}ms`;
  return v;
}

describe("Nomad API job → NomadJob spec", () => {
  it.each(files)("%s round-trips", (file) => {
    const source = readFileSync(path.join(root, file), "utf8");
    const result = parseJob({
      file,
      source,
      readFile: (p) => {
        const full = path.join(root, p);
        return existsSync(full) ? readFileSync(full, "utf8") : undefined;
      },
      validation: "warn",
    });
    if (!result.ok) return; // files that need variables from outside are covered elsewhere
    const back = fromNomadApi(JSON.parse(JSON.stringify(toNomadApi(result.job).Job)));
    expect(back.ok).toBe(true);
    if (back.ok) expect(normalize(back.spec)).toEqual(normalize(result.job));
  });

  it("formats nanoseconds as Go durations", () => {
    expect(goDuration(30e9)).toBe("30s");
    expect(goDuration(90e9)).toBe("1m30s");
    expect(goDuration(3600e9 + 5e9)).toBe("1h5s");
    expect(goDuration(250e6)).toBe("250ms");
    expect(goDuration(0)).toBe("0s");
  });

  it("ignores server-owned fields and Go's nulls", () => {
    const r = fromNomadApi({
      ID: "web",
      Status: "running",
      CreateIndex: 10,
      Version: 3,
      Namespace: "apps",
      Affinities: null,
      TaskGroups: [
        {
          Name: "g",
          Count: 2,
          Tasks: [{ Name: "t", Driver: "raw_exec", Config: { Command: "x" }, KillTimeout: 5e9 }],
        },
      ],
    });
    expect(r).toEqual({
      ok: true,
      namespace: "apps",
      spec: {
        id: "web",
        groups: [
          {
            name: "g",
            count: 2,
            tasks: [{ name: "t", driver: "raw_exec", config: { Command: "x" }, killTimeout: "5s" }],
          },
        ],
      },
    });
  });

  it("reads Go's unset strings and a port's To 0 as unset, but keeps the user's empty values", () => {
    const r = fromNomadApi({
      ID: "web",
      ParentID: "",
      Meta: { empty: "" },
      TaskGroups: [
        {
          Name: "g",
          Networks: [
            {
              Mode: "",
              Device: "",
              CIDR: "",
              IP: "",
              Hostname: "",
              DynamicPorts: [{ Label: "http", Value: 0, To: 0, HostNetwork: "" }],
              ReservedPorts: [{ Label: "db", Value: 5432, To: 5433, HostNetwork: "" }],
            },
          ],
          Services: [
            { Name: "web", PortLabel: "http", AddressMode: "", OnUpdate: "", Provider: "nomad" },
          ],
          Tasks: [
            { Name: "t", Driver: "raw_exec", User: "", Env: { EMPTY: "" }, Config: { a: "" } },
          ],
        },
      ],
    });
    expect(r).toEqual({
      ok: true,
      spec: {
        id: "web",
        meta: { empty: "" },
        groups: [
          {
            name: "g",
            networks: [{ ports: [{ label: "db", static: 5432, to: 5433 }, { label: "http" }] }],
            services: [{ name: "web", port: "http", provider: "nomad" }],
            tasks: [{ name: "t", driver: "raw_exec", env: { EMPTY: "" }, config: { a: "" } }],
          },
        ],
      },
    });
  });

  it.each([
    [[], /Job must be an object/],
    [{ ID: 5 }, /Job.ID must be a string, got 5/],
    [{ ID: "x", TaskGroups: {} }, /Job.TaskGroups must be a list/],
  ])("refuses %j", (input, message) => {
    const r = fromNomadApi(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });
});
