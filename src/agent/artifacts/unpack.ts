// Unpacks tar, tar.gz and zip archives into a directory, refusing entries
// that would land outside it (absolute paths, "..", links pointing out).
import { createWriteStream, mkdirSync } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import * as tar from "tar";
import yauzl from "yauzl";

export async function unpack(
  file: string,
  format: "tar" | "tar.gz" | "zip",
  dir: string,
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  if (format === "zip") return unzip(file, dir);
  const refused: string[] = [];
  await tar.x({
    file,
    cwd: dir,
    // tar already strips leading "/" and refuses ".." paths; be strict and say which.
    strict: true,
    preservePaths: false,
    filter: (p) => {
      const ok = inside(dir, p);
      if (!ok) refused.push(p);
      return ok;
    },
  });
  if (refused.length) throw new Error(`archive entry "${refused[0]}" escapes the destination`);
}

function inside(dir: string, entry: string): boolean {
  const target = path.resolve(dir, entry);
  return target === dir || target.startsWith(dir + path.sep);
}

function unzip(file: string, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error("cannot open zip"));
      const fail = (e: Error) => {
        zip.close();
        reject(e);
      };
      zip.on("error", fail);
      zip.on("end", () => resolve());
      zip.on("entry", (entry: yauzl.Entry) => {
        if (!inside(dir, entry.fileName))
          return fail(new Error(`archive entry "${entry.fileName}" escapes the destination`));
        const target = path.resolve(dir, entry.fileName);
        if (entry.fileName.endsWith("/")) {
          mkdirSync(target, { recursive: true });
          zip.readEntry();
          return;
        }
        mkdirSync(path.dirname(target), { recursive: true });
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return fail(e ?? new Error(`cannot read ${entry.fileName}`));
          // Unix permission bits live in the high half of the external attributes.
          const mode = (entry.externalFileAttributes >>> 16) & 0o777 || 0o644;
          pipeline(stream, createWriteStream(target, { mode })).then(
            () => zip.readEntry(),
            (pe: Error) => fail(pe),
          );
        });
      });
      zip.readEntry();
    });
  });
}
