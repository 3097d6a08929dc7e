// Answers larger than 16 KiB are gzipped for clients that ask (Nomad's Go
// client does, through Go's transport), and sent as they are otherwise.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JsonPayload } from "../../../src/http/payload.js";
import { send } from "../../../src/http/send.js";

const big = Array.from({ length: 2000 }, (_, i) => ({ ID: `job-${i}`, Status: "running" }));
const small = { ID: "web" };

describe("sending answers", () => {
  let server: http.Server;
  let port = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const which = req.url ?? "";
      const reply = which.startsWith("/raw")
        ? { raw: new JsonPayload(Buffer.from(JSON.stringify(big))), index: 7 }
        : { body: which.startsWith("/big") ? big : small, index: 7 };
      send(res, reply, req.headers["accept-encoding"]);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const get = (p: string, gzip: boolean) =>
    new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      http
        .get(
          { port, host: "127.0.0.1", path: p, headers: gzip ? { "Accept-Encoding": "gzip" } : {} },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          },
        )
        .on("error", reject);
    });

  it.each(["/big", "/raw"])("%s: gzipped when asked, plain otherwise, same JSON", async (p) => {
    const zipped = await get(p, true);
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.headers["x-nomad-index"]).toBe("7");
    expect(JSON.parse(gunzipSync(zipped.body).toString())).toEqual(big);
    const plain = await get(p, false);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(JSON.parse(plain.body.toString())).toEqual(big);
    expect(zipped.body.length * 5).toBeLessThan(plain.body.length);
  });

  it("small answers are never gzipped", async () => {
    const r = await get("/small", true);
    expect(r.headers["content-encoding"]).toBeUndefined();
    expect(JSON.parse(r.body.toString())).toEqual(small);
    expect(r.headers["x-nomad-knownleader"]).toBe("true");
  });
});
