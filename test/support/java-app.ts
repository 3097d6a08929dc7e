// A small Java program for the java driver's tests, compiled here with the
// machine's JDK: demo.Main prints its arguments, the system property
// caravan.marker and $GREETING, and with "wait" as its first argument stays
// up for ten minutes.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

const source = `package demo;
public class Main {
  public static void main(String[] args) throws Exception {
    System.out.println("hello from main: " + String.join(",", args) + " marker=" + System.getProperty("caravan.marker") + " greeting=" + System.getenv("GREETING"));
    System.out.flush();
    if (args.length > 0 && args[0].equals("wait")) Thread.sleep(600_000);
  }
}
`;

export interface JavaApp {
  /** The compiled classes: a class_path for class = "demo.Main". */
  classes: string;
  /** The same as an executable jar. */
  jar: string;
}

export async function buildJavaApp(): Promise<JavaApp> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "caravan-java-"));
  const src = path.join(dir, "src", "demo");
  mkdirSync(src, { recursive: true });
  writeFileSync(path.join(src, "Main.java"), source);
  const classes = path.join(dir, "classes");
  await run("javac", ["-d", classes, path.join(src, "Main.java")]);
  const jar = path.join(dir, "app.jar");
  await run("jar", ["--create", "--file", jar, "--main-class", "demo.Main", "-C", classes, "."]);
  return { classes, jar };
}

export interface Jvm {
  pid: number;
  argv: string[];
}

/** Running JVMs started with -Dcaravan.marker=<marker>. */
export function jvmsWithMarker(marker: string): Jvm[] {
  const found: Jvm[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").filter(Boolean);
      if (argv[0]?.endsWith("java") && argv.includes(`-Dcaravan.marker=${marker}`))
        found.push({ pid: Number(entry), argv });
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}
