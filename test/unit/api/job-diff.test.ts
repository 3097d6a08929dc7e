// `nomad job history -p` reads Nomad's JobDiff: what changed from one version
// to the next, by field, block, group and task, as Nomad's contextual diff.
import { describe, expect, it } from "vitest";
import { jobDiff } from "../../../src/api/convert/job-diff.js";

const restart = (attempts: number) => ({
  Attempts: attempts,
  Delay: 15_000_000_000,
  Mode: "fail",
});
const job = (count: number, attempts: number, args: string[], meta: Record<string, string>) => ({
  ID: "web",
  Version: count,
  Datacenters: ["*"],
  Meta: meta,
  TaskGroups: [
    {
      Name: "web",
      Count: count,
      RestartPolicy: restart(attempts),
      Tasks: [
        {
          Name: "server",
          Driver: "raw_exec",
          Config: { command: "/bin/sh", args },
          RestartPolicy: restart(attempts),
        },
      ],
    },
  ],
});

describe("job diff", () => {
  it("shows a changed block whole, with its unchanged fields, and a task whose group policy changed as edited", () => {
    const d = jobDiff(job(2, 2, ["-c", "x"], {}), job(2, 5, ["-c", "x"], {}));
    expect(d).toEqual({
      Type: "Edited",
      ID: "web",
      Fields: null,
      Objects: null,
      TaskGroups: [
        {
          Type: "Edited",
          Name: "web",
          Fields: null,
          Objects: [
            {
              Type: "Edited",
              Name: "RestartPolicy",
              Fields: [
                { Type: "Edited", Name: "Attempts", Old: "2", New: "5", Annotations: null },
                {
                  Type: "None",
                  Name: "Delay",
                  Old: "15000000000",
                  New: "15000000000",
                  Annotations: null,
                },
                { Type: "None", Name: "Mode", Old: "fail", New: "fail", Annotations: null },
              ],
              Objects: null,
            },
          ],
          Tasks: [
            { Type: "Edited", Name: "server", Fields: null, Objects: null, Annotations: null },
          ],
          Updates: null,
        },
      ],
    });
  });

  it("shows a count, a task's config and meta as fields, and leaves unchanged tasks unmarked", () => {
    const d = jobDiff(
      job(2, 2, ["-c", "x"], { a: "1" }),
      job(3, 2, ["-c", "y"], { a: "1", b: "2" }),
    );
    expect(d.Fields).toEqual([
      { Type: "Added", Name: "Meta[b]", Old: "", New: "2", Annotations: null },
    ]);
    const [group] = d.TaskGroups as {
      Fields: unknown;
      Tasks: { Type: string; Objects: unknown }[];
    }[];
    expect(group?.Fields).toEqual([
      { Type: "Edited", Name: "Count", Old: "2", New: "3", Annotations: null },
    ]);
    expect(group?.Tasks[0]?.Objects).toEqual([
      {
        Type: "Edited",
        Name: "Config",
        Fields: [
          { Type: "None", Name: "args[0]", Old: "-c", New: "-c", Annotations: null },
          { Type: "Edited", Name: "args[1]", Old: "x", New: "y", Annotations: null },
          { Type: "None", Name: "command", Old: "/bin/sh", New: "/bin/sh", Annotations: null },
        ],
        Objects: null,
      },
    ]);
    const same = jobDiff(job(2, 2, ["-c", "x"], {}), job(2, 2, ["-c", "x"], {}));
    expect(same.Type).toBe("None");
    expect((same.TaskGroups as { Tasks: { Type: string }[] }[])[0]?.Tasks[0]?.Type).toBe("None");
  });
});
