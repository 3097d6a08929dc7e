// The host processes `nomad alloc exec` starts for raw_exec and exec tasks:
// arguments reach the program unchanged (no shell in between, or one that
// quotes them back exactly), on pipes or on a terminal of the asked size.
import { describe, expect, it } from "vitest";
import type { ExecProcess } from "../../../src/drivers/driver.js";
import { scriptCommand, shellQuote, spawnExec } from "../../../src/drivers/exec-process.js";

function collect(p: ExecProcess): Promise<{ out: string; err: string; code: number }> {
  let out = "";
  let err = "";
  p.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  p.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return p.exited.then((code) => ({ out, err, code }));
}

const env = { PATH: "/usr/bin:/bin", GREETING: "hi" };

describe("exec processes", () => {
  it("quotes words so the shell reads them back unchanged", () => {
    expect(shellQuote("it's $HOME")).toBe(`'it'\\''s $HOME'`);
    expect(scriptCommand(["echo", "a b"], undefined)).toBe("unset SHELL; exec 'echo' 'a b'");
    expect(scriptCommand(["x"], "/bin/bash")).toBe("SHELL='/bin/bash'; exec 'x'");
  });

  it("runs a program on pipes with the given environment and directory", async () => {
    const p = await spawnExec({
      argv: [
        "/bin/sh",
        "-c",
        'read x; echo "$x $GREETING $(pwd) $1"; echo e >&2; exit 3',
        "sh",
        "it's $HOME",
      ],
      env,
      cwd: "/tmp",
      tty: false,
    });
    const done = collect(p);
    p.stdin.end("in\n");
    expect(await done).toEqual({ out: "in hi /tmp it's $HOME\n", err: "e\n", code: 3 });
  });

  it("refuses a program that does not exist", async () => {
    await expect(spawnExec({ argv: ["/no/such/program"], env, tty: false })).rejects.toThrow(
      /ENOENT/,
    );
  });

  it("gives the program a terminal, sized as asked, with its arguments and SHELL intact", async () => {
    const p = await spawnExec({
      argv: [
        "/bin/sh",
        "-c",
        'sleep 0.3; stty size; test -t 0 && echo "tty $SHELL $1"; exit 4',
        "sh",
        "a 'b'",
      ],
      env: { ...env, SHELL: "/bin/mysh" },
      tty: true,
    });
    p.resize(12, 34);
    expect(await collect(p)).toEqual({ out: "12 34\r\ntty /bin/mysh a 'b'\r\n", err: "", code: 4 });
  });

  it("reports a killed command as 128 + the signal", async () => {
    const p = await spawnExec({ argv: ["/bin/sleep", "30"], env, tty: false });
    p.kill();
    expect((await collect(p)).code).toBe(137);
  });
});
