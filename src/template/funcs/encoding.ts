// Parsing, encoding and hashing functions of consul-template (pure: hashes
// come from node:crypto, which does no I/O).
import { createHash, createHmac } from "node:crypto";
import { GoFloat } from "../values.js";
import { marshalJSON, parseJSONValue } from "./json.js";
import { type FuncMap, fn } from "./types.js";

const syntaxError = (fnName: string, s: string): Error =>
  new Error(
    `${fnName}: strconv.${fnName === "parseBool" ? "ParseBool" : fnName === "parseFloat" ? "ParseFloat" : fnName === "parseUint" ? "ParseUint" : "ParseInt"}: parsing ${JSON.stringify(s)}: invalid syntax`,
  );
const rangeError = (fnName: string, goName: string, s: string): Error =>
  new Error(`${fnName}: strconv.${goName}: parsing ${JSON.stringify(s)}: value out of range`);

function parseBool(s: string): boolean {
  if (s === "") return false;
  if (["1", "t", "T", "TRUE", "true", "True"].includes(s)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(s)) return false;
  throw syntaxError("parseBool", s);
}

function parseInt64(s: string, unsigned: boolean): number {
  if (s === "") return 0;
  const name = unsigned ? "parseUint" : "parseInt";
  const goName = unsigned ? "ParseUint" : "ParseInt";
  if (!(unsigned ? /^\d+$/ : /^[+-]?\d+$/).test(s)) throw syntaxError(name, s);
  const big = BigInt(s);
  const [min, max] = unsigned ? [0n, 2n ** 64n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
  if (big < min || big > max) throw rangeError(name, goName, s);
  return Number(big);
}

function parseFloat64(s: string): GoFloat {
  if (s === "") return new GoFloat(0);
  const t = s.replace(/^[+-]/, "").toLowerCase();
  const sign = s.startsWith("-") ? -1 : 1;
  if (t === "inf" || t === "infinity") return new GoFloat(sign * Number.POSITIVE_INFINITY);
  if (t === "nan") return new GoFloat(Number.NaN);
  if (/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) {
    const v = Number(s);
    if (!Number.isFinite(v)) throw rangeError("parseFloat", "ParseFloat", s);
    return new GoFloat(v);
  }
  throw syntaxError("parseFloat", s);
}

/** base64 decoding as strict as Go's (padding required, no stray characters). */
function base64Decode(s: string, url: boolean, fnName: string): string {
  const clean = s.replace(/[\r\n]/g, "");
  const alphabet = url ? /[A-Za-z0-9\-_]/ : /[A-Za-z0-9+/]/;
  let i = 0;
  while (i < clean.length && alphabet.test(clean[i] as string)) i++;
  let pad = 0;
  while (i + pad < clean.length && clean[i + pad] === "=") pad++;
  const ok =
    i + pad === clean.length && clean.length % 4 === 0 && pad <= 2 && (pad === 0 || i % 4 !== 0);
  if (!ok) {
    const at =
      i + pad < clean.length ? i + pad : Math.max(0, clean.length - (clean.length % 4 || 4));
    throw new Error(`${fnName}: illegal base64 data at input byte ${Math.min(at, clean.length)}`);
  }
  return Buffer.from(clean, url ? "base64url" : "base64").toString("utf8");
}

function base64Encode(s: string, url: boolean): string {
  const b = Buffer.from(s, "utf8").toString("base64");
  return url ? b.replace(/\+/g, "-").replace(/\//g, "_") : b;
}

export const ENCODING_FUNCS: FuncMap = {
  parseBool: fn(["string"], (_, [s]) => parseBool(s as string)),
  parseInt: fn(["string"], (_, [s]) => parseInt64(s as string, false)),
  parseUint: fn(["string"], (_, [s]) => parseInt64(s as string, true)),
  parseFloat: fn(["string"], (_, [s]) => parseFloat64(s as string)),
  parseJSON: fn(["string"], (_, [s]) => ((s as string) === "" ? {} : parseJSONValue(s as string))),
  toJSON: fn(["any"], (_, [v]) => marshalJSON(v, "", true)),
  toJSONPretty: fn(["any"], (_, [v]) => marshalJSON(v, "  ", true)),
  toUnescapedJSON: fn(["any"], (_, [v]) => marshalJSON(v, "", false)),
  toUnescapedJSONPretty: fn(["any"], (_, [v]) => marshalJSON(v, "  ", false)),
  base64Encode: fn(["string"], (_, [s]) => base64Encode(s as string, false)),
  base64Decode: fn(["string"], (_, [s]) => base64Decode(s as string, false, "base64Decode")),
  base64URLEncode: fn(["string"], (_, [s]) => base64Encode(s as string, true)),
  base64URLDecode: fn(["string"], (_, [s]) => base64Decode(s as string, true, "base64URLDecode")),
  sha256Hex: fn(["string"], (_, [s]) =>
    createHash("sha256")
      .update(s as string, "utf8")
      .digest("hex"),
  ),
  md5sum: fn(["string"], (_, [s]) =>
    createHash("md5")
      .update(s as string, "utf8")
      .digest("hex"),
  ),
  hmacSHA256Hex: fn(["string", "string"], (_, [msg, key]) =>
    createHmac("sha256", key as string)
      .update(msg as string, "utf8")
      .digest("hex"),
  ),
};
