// One run of a Nomad service check, as Nomad's client runs it: a tcp check
// passes when a connection opens; an http check passes on a status below 400
// (the body of a non-200 answer is kept as output), fails otherwise, on a
// connection error or at its timeout.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect } from "node:net";
import type { CheckDefinition } from "./definitions.js";

export interface ProbeResult {
  status: "success" | "failure";
  statusCode?: number;
  output: string;
}

/** Nomad keeps at most 3 KiB of an http check's output. */
const outputLimit = 3 * 1024;

export async function probe(def: CheckDefinition): Promise<ProbeResult> {
  if (!def.address.ok) return { status: "failure", output: def.address.error };
  return def.type === "http" ? probeHttp(def, def.address) : probeTcp(def, def.address);
}

function probeTcp(
  def: CheckDefinition,
  addr: { host: string; port: number },
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: addr.host, port: addr.port });
    const done = (r: ProbeResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(
      () => done({ status: "failure", output: `dial tcp ${hostPort(addr)}: i/o timeout` }),
      def.timeoutMs,
    );
    socket.once("connect", () => done({ status: "success", output: "nomad: tcp ok" }));
    socket.once("error", (err) =>
      done({ status: "failure", output: `dial tcp ${hostPort(addr)}: ${err.message}` }),
    );
  });
}

function probeHttp(
  def: CheckDefinition,
  addr: { host: string; port: number },
): Promise<ProbeResult> {
  let url: URL;
  try {
    url = new URL(def.path, `${def.protocol}://${hostPort(addr)}`);
  } catch (err) {
    return Promise.resolve({ status: "failure", output: `nomad: ${(err as Error).message}` });
  }
  const headers: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(def.headers)) headers[name.toLowerCase()] = values;
  headers["user-agent"] ??= ["Nomad"];
  const send = def.protocol === "https" ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(r);
    };
    const req = send(
      url,
      {
        method: def.method,
        headers,
        // Per request, so skipping verification for one check touches nothing else.
        ...(def.protocol === "https" ? { rejectUnauthorized: !def.tlsSkipVerify } : {}),
      },
      (res) => {
        const code = res.statusCode ?? 0;
        if (code === 200) {
          res.resume();
          return done({ status: "success", statusCode: 200, output: "nomad: http ok" });
        }
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (body.length < outputLimit) body += chunk;
        });
        res.on("error", () => undefined);
        res.on("end", () =>
          done({
            status: code < 400 ? "success" : "failure",
            statusCode: code,
            output: body.slice(0, outputLimit),
          }),
        );
      },
    );
    const timer = setTimeout(
      () => done({ status: "failure", output: `nomad: ${url.href}: context deadline exceeded` }),
      def.timeoutMs,
    );
    req.on("error", (err) => done({ status: "failure", output: `nomad: ${err.message}` }));
    req.end(def.body);
  });
}

const hostPort = (a: { host: string; port: number }) =>
  a.host.includes(":") ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
