// A serialized JSON answer kept across requests (a cached list), with its gzip
// form made on first demand.
import { gzipSync } from "node:zlib";

/**
 * Clients such as Nomad's Go client accept gzip, and a list of a thousand
 * jobs is twenty times smaller compressed.
 */
export class JsonPayload {
  private gz: Buffer | undefined;
  constructor(readonly json: Buffer) {}
  gzipped(): Buffer {
    this.gz ??= gzipSync(this.json, { level: 6 });
    return this.gz;
  }
}
