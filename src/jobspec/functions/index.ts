// The HCL functions Nomad's jobspec2 offers (go-cty's stdlib plus Nomad's
// filesystem and encoding additions), over plain JS values. I/O and the clock
// come in as parameters so the parser stays pure.
import { constants, createHash, createPrivateKey, privateDecrypt, randomUUID } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";
import bcryptjs from "bcryptjs";
import { Document, parse as parseYaml, Scalar, visit } from "yaml";
import { goDurationMs } from "../../common/duration.js";
import { type Fn, type FunctionEnv, toNumber, toStringValue } from "../expressions/eval.js";
import { typeName } from "../expressions/types.js";
import { HclError, type Pos } from "../hcl/ast.js";

export type { FunctionEnv };

const str = (v: unknown, pos: Pos) => toStringValue(v, pos);
const num = (v: unknown, pos: Pos) => toNumber(v, pos);
function list(v: unknown, pos: Pos): unknown[] {
  if (Array.isArray(v)) return v;
  throw new HclError(`a list is required, not ${typeName(v)}`, pos);
}
function map(v: unknown, pos: Pos): Record<string, unknown> {
  if (v !== null && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  throw new HclError(`a map or object is required, not ${typeName(v)}`, pos);
}
function arity(name: string, args: unknown[], min: number, max: number, pos: Pos): void {
  if (args.length < min || args.length > max)
    throw new HclError(
      `${name}() takes ${min === max ? min : `${min} to ${max === Infinity ? "any number of" : max}`} arguments, got ${args.length}`,
      pos,
    );
}
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
function uniq(items: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const i of items) if (!out.some((o) => same(o, i))) out.push(i);
  return out;
}

/** Go's fmt verbs as HCL's format() accepts them: %s %d %f %q %v %t %x %o %b %e, width and precision. */
function format(spec: string, args: unknown[], pos: Pos): string {
  let n = 0;
  return spec.replace(
    /%([-+ 0#]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g,
    (_m, flags: string, width?: string, prec?: string, verb?: string) => {
      if (verb === "%") return "%";
      if (n >= args.length) throw new HclError(`format(): not enough arguments for "${spec}"`, pos);
      const a = args[n++];
      let s: string;
      switch (verb) {
        case "s":
        case "v":
          s = typeof a === "object" && a !== null ? JSON.stringify(a) : str(a, pos);
          break;
        case "q":
          s = JSON.stringify(str(a, pos));
          break;
        case "d":
          s = String(Math.trunc(num(a, pos)));
          if (flags.includes("+") && num(a, pos) >= 0) s = `+${s}`;
          break;
        case "f":
          s = num(a, pos).toFixed(prec === undefined ? 6 : Number(prec));
          break;
        case "e":
          s = num(a, pos).toExponential(prec === undefined ? 6 : Number(prec));
          break;
        case "t":
          if (typeof a !== "boolean") throw new HclError("format(): %t needs a bool", pos);
          s = String(a);
          break;
        case "x":
          s =
            typeof a === "string"
              ? Buffer.from(a).toString("hex")
              : Math.trunc(num(a, pos)).toString(16);
          break;
        case "X":
          s = Math.trunc(num(a, pos)).toString(16).toUpperCase();
          break;
        case "o":
          s = Math.trunc(num(a, pos)).toString(8);
          break;
        case "b":
          s = Math.trunc(num(a, pos)).toString(2);
          break;
        default:
          throw new HclError(`format(): unsupported verb %${verb}`, pos);
      }
      if (verb === "s" && prec !== undefined) s = s.slice(0, Number(prec));
      const w = width ? Number(width) : 0;
      if (s.length < w)
        s = flags.includes("-")
          ? s.padEnd(w)
          : s.padStart(w, flags.includes("0") && verb !== "s" ? "0" : " ");
      return s;
    },
  );
}

/** Go's reference-time layout of formatdate(), e.g. "YYYY-MM-DD'T'hh:mm:ssZ". */
function formatDate(layout: string, ts: string, pos: Pos): string {
  const d = new Date(ts);
  if (Number.isNaN(d.getTime()))
    throw new HclError(`formatdate(): "${ts}" is not an RFC 3339 timestamp`, pos);
  const p2 = (n: number) => String(n).padStart(2, "0");
  const months = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
  ];
  const days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  const tokens: Record<string, () => string> = {
    YYYY: () => String(d.getUTCFullYear()),
    YY: () => String(d.getUTCFullYear()).slice(2),
    MMMM: () => months[d.getUTCMonth()] as string,
    MMM: () => (months[d.getUTCMonth()] as string).slice(0, 3),
    MM: () => p2(d.getUTCMonth() + 1),
    M: () => String(d.getUTCMonth() + 1),
    DD: () => p2(d.getUTCDate()),
    D: () => String(d.getUTCDate()),
    EEEE: () => days[d.getUTCDay()] as string,
    EEE: () => (days[d.getUTCDay()] as string).slice(0, 3),
    hh: () => p2(d.getUTCHours()),
    h: () => String(d.getUTCHours()),
    HH: () => p2(d.getUTCHours() % 12 || 12),
    H: () => String(d.getUTCHours() % 12 || 12),
    AA: () => (d.getUTCHours() < 12 ? "AM" : "PM"),
    aa: () => (d.getUTCHours() < 12 ? "am" : "pm"),
    mm: () => p2(d.getUTCMinutes()),
    m: () => String(d.getUTCMinutes()),
    ss: () => p2(d.getUTCSeconds()),
    s: () => String(d.getUTCSeconds()),
    ZZZZZ: () => "+00:00",
    ZZZZ: () => "+0000",
    ZZZ: () => "UTC",
    Z: () => "Z",
  };
  return layout.replace(
    /'([^']*)'|YYYY|YY|MMMM|MMM|MM|M|DD|D|EEEE|EEE|hh|h|HH|H|AA|aa|mm|m|ss|s|ZZZZZ|ZZZZ|ZZZ|Z/g,
    (t, lit?: string) => (lit !== undefined ? lit : (tokens[t] as () => string)()),
  );
}

/** An IP prefix as a number, its family's width (32 or 128) and its length. */
interface Prefix {
  ip: bigint;
  width: 32 | 128;
  bits: number;
}

function parseIp(text: string): { ip: bigint; width: 32 | 128 } | undefined {
  if (isIPv4(text))
    return { ip: text.split(".").reduce((a, o) => a * 256n + BigInt(o), 0n), width: 32 };
  if (!isIPv6(text) || text.includes(".")) return undefined;
  const [head = "", tail] = text.split("::");
  const groups = (t: string) => (t ? t.split(":") : []);
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return { ip: all.reduce((a, g) => a * 65536n + BigInt(`0x${g}`), 0n), width: 128 };
}

function parseCidr(prefix: string, pos: Pos): Prefix {
  const [addr = "", len] = prefix.split("/");
  const parsed = parseIp(addr);
  const bits = len !== undefined && /^\d+$/.test(len) ? Number(len) : -1;
  if (!parsed || bits < 0 || bits > parsed.width)
    throw new HclError(`"${prefix}" is not an IP prefix such as "10.0.0.0/16" or "fd00::/8"`, pos);
  const span = 1n << BigInt(parsed.width - bits);
  return { ip: (parsed.ip / span) * span, width: parsed.width, bits };
}

/** IPv4 dotted, IPv6 in its shortest form (RFC 5952). */
function ipString(n: bigint, width: 32 | 128): string {
  if (width === 32) return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join(".");
  const groups = Array.from({ length: 8 }, (_, i) =>
    ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16),
  );
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j > i ? j : i + 1;
  }
  if (best.at < 0) return groups.join(":");
  return `${groups.slice(0, best.at).join(":")}::${groups.slice(best.at + best.len).join(":")}`;
}

function cidrHost(prefix: string, host: number, pos: Pos): string {
  const p = parseCidr(prefix, pos);
  const size = 1n << BigInt(p.width - p.bits);
  const h = host < 0 ? size + BigInt(host) : BigInt(host);
  if (h < 0n || h >= size) throw new HclError(`cidrhost(): host ${host} is outside ${prefix}`, pos);
  return ipString(p.ip + h, p.width);
}

function cidrSubnet(prefix: string, newbits: number, netnum: number, pos: Pos): string {
  const p = parseCidr(prefix, pos);
  const size = p.bits + newbits;
  if (size > p.width) throw new HclError(`cidrsubnet(): ${size} bits is more than ${p.width}`, pos);
  if (netnum < 0 || BigInt(netnum) >= 1n << BigInt(newbits))
    throw new HclError(`cidrsubnet(): netnum ${netnum} does not fit in ${newbits} bits`, pos);
  return `${ipString(p.ip + (BigInt(netnum) << BigInt(p.width - size)), p.width)}/${size}`;
}

const uuidNamespaces: Record<string, string> = {
  dns: "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
  url: "6ba7b811-9dad-11d1-80b4-00c04fd430c8",
  oid: "6ba7b812-9dad-11d1-80b4-00c04fd430c8",
  x500: "6ba7b814-9dad-11d1-80b4-00c04fd430c8",
};
/** RFC 4122 name-based UUID (SHA-1). */
function uuidv5(namespace: string, name: string, pos: Pos): string {
  const ns = (uuidNamespaces[namespace] ?? namespace).replace(/-/g, "");
  if (!/^[0-9a-f]{32}$/i.test(ns))
    throw new HclError(`uuidv5(): "${namespace}" is not dns, url, oid, x500 or a UUID`, pos);
  const h = createHash("sha1").update(Buffer.from(ns, "hex")).update(name).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x50;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** A glob as fileset() reads it: *, ** (any depth), ?, [class] and {a,b}. */
function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*" && glob[i + 1] === "*") {
      re += glob[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += glob[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = glob.indexOf("]", i);
      if (end < 0) re += "\\[";
      else {
        re += `[${glob
          .slice(i + 1, end)
          .replace(/^!/, "^")
          .replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else if (c === "{") {
      const end = glob.indexOf("}", i);
      if (end < 0) re += "\\{";
      else {
        re += `(?:${glob
          .slice(i + 1, end)
          .split(",")
          .map((alt) => alt.replace(/[.+^$()|\\]/g, "\\$&"))
          .join("|")})`;
        i = end;
      }
    } else re += c.replace(/[.+^$()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

function toGoRegex(re: string, pos: Pos): RegExp {
  try {
    // RE2 named groups (?P<name>) are (?<name>) in JS.
    return new RegExp(re.replace(/\(\?P</g, "(?<"));
  } catch {
    throw new HclError(`invalid regular expression "${re}"`, pos);
  }
}

function readWith(env: FunctionEnv, p: string, pos: Pos): string {
  const text = env.readFile?.(p);
  if (text === undefined) throw new HclError(`file "${p}" cannot be read`, pos);
  return text;
}

let table: Record<string, Fn> | undefined;

/** The function table; built once, as the functions read files and the clock from their env argument. */
/**
 * yamlencode as Nomad's (go-cty-yaml) writes it: keys in sorted order, every
 * string double-quoted (keys too) or, when it spans lines, a literal block;
 * numbers, booleans and null plain; block-style lists and maps.
 */
function yamlEncode(v: unknown): string {
  const doc = new Document(v, { sortMapEntries: true });
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === "string")
        node.type = node.value.includes("\n") ? Scalar.BLOCK_LITERAL : Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ lineWidth: 0, indentSeq: false });
}

export function functions(): Record<string, Fn> {
  table ??= build();
  return table;
}

function build(): Record<string, Fn> {
  const f: Record<string, Fn> = {
    // Strings.
    upper: ([s], pos) => str(s, pos).toUpperCase(),
    lower: ([s], pos) => str(s, pos).toLowerCase(),
    title: ([s], pos) => str(s, pos).replace(/\b\w/g, (c) => c.toUpperCase()),
    trimspace: ([s], pos) => str(s, pos).trim(),
    trim: ([s, cut], pos) => {
      const chars = [...str(cut, pos)];
      let t = str(s, pos);
      while (t && chars.includes(t[0] as string)) t = t.slice(1);
      while (t && chars.includes(t[t.length - 1] as string)) t = t.slice(0, -1);
      return t;
    },
    trimprefix: ([s, p], pos) =>
      str(s, pos).startsWith(str(p, pos)) ? str(s, pos).slice(str(p, pos).length) : str(s, pos),
    trimsuffix: ([s, p], pos) =>
      str(s, pos).endsWith(str(p, pos)) && str(p, pos)
        ? str(s, pos).slice(0, -str(p, pos).length)
        : str(s, pos),
    chomp: ([s], pos) => str(s, pos).replace(/(\r?\n)+$/, ""),
    indent: ([n, s], pos) => str(s, pos).replace(/\n/g, `\n${" ".repeat(num(n, pos))}`),
    strrev: ([s], pos) => [...str(s, pos)].reverse().join(""),
    substr: ([s, off, len], pos) => {
      const chars = [...str(s, pos)];
      let o = num(off, pos);
      if (o < 0) o += chars.length;
      const l = num(len, pos);
      return chars.slice(o, l < 0 ? undefined : o + l).join("");
    },
    split: ([sep, s], pos) => str(s, pos).split(str(sep, pos)),
    join: (args, pos) => {
      arity("join", args, 2, Infinity, pos);
      const [sep, ...lists] = args;
      return lists.flatMap((l) => list(l, pos).map((i) => str(i, pos))).join(str(sep, pos));
    },
    replace: ([s, search, rep], pos) => {
      const needle = str(search, pos);
      const m = /^\/(.*)\/$/.exec(needle);
      const r = str(rep, pos).replace(/\$\{(\w+)\}/g, "$<$1>");
      return m
        ? str(s, pos).replace(new RegExp(toGoRegex(m[1] as string, pos), "g"), r)
        : str(s, pos).split(needle).join(str(rep, pos));
    },
    format: (args, pos) => format(str(args[0], pos), args.slice(1), pos),
    formatlist: (args, pos) => {
      const lists = args.slice(1).filter(Array.isArray) as unknown[][];
      const n = lists.length ? Math.min(...lists.map((l) => l.length)) : 1;
      return Array.from({ length: n }, (_, i) =>
        format(
          str(args[0], pos),
          args.slice(1).map((a) => (Array.isArray(a) ? a[i] : a)),
          pos,
        ),
      );
    },
    // Collections.
    length: ([v], pos) => {
      if (typeof v === "string") return [...v].length;
      if (Array.isArray(v)) return v.length;
      return Object.keys(map(v, pos)).length;
    },
    concat: (args, pos) => args.flatMap((l) => list(l, pos)),
    contains: ([l, v], pos) => list(l, pos).some((i) => same(i, v)),
    distinct: ([l], pos) => uniq(list(l, pos)),
    element: ([l, i], pos) => {
      const xs = list(l, pos);
      if (!xs.length) throw new HclError("element(): the list is empty", pos);
      return xs[((num(i, pos) % xs.length) + xs.length) % xs.length];
    },
    index: ([l, v], pos) => {
      const i = list(l, pos).findIndex((x) => same(x, v));
      if (i < 0) throw new HclError("index(): the value is not in the list", pos);
      return i;
    },
    flatten: ([l], pos) => {
      const flat = (xs: unknown[]): unknown[] =>
        xs.flatMap((x) => (Array.isArray(x) ? flat(x) : [x]));
      return flat(list(l, pos));
    },
    keys: ([m], pos) => Object.keys(map(m, pos)).sort(),
    values: ([m], pos) =>
      Object.entries(map(m, pos))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([, v]) => v),
    lookup: (args, pos) => {
      arity("lookup", args, 2, 3, pos);
      const m = map(args[0], pos);
      const k = str(args[1], pos);
      if (Object.hasOwn(m, k)) return m[k];
      if (args.length === 3) return args[2];
      throw new HclError(`lookup(): no key "${k}" and no default`, pos);
    },
    merge: (args, pos) =>
      Object.assign({}, ...args.filter((a) => a !== null).map((a) => map(a, pos))),
    range: (args, pos) => {
      arity("range", args, 1, 3, pos);
      const [a, b, c] = args.map((x) => num(x, pos));
      const [start, end, step] =
        args.length === 1
          ? [0, a as number, 1]
          : [a as number, b as number, c ?? ((a as number) <= (b as number) ? 1 : -1)];
      if (step === 0) throw new HclError("range(): step cannot be zero", pos);
      const out: number[] = [];
      for (let i = start; step > 0 ? i < end : i > end; i += step) {
        out.push(i);
        if (out.length > 1024) throw new HclError("range(): more than 1024 elements", pos);
      }
      return out;
    },
    reverse: ([l], pos) => [...list(l, pos)].reverse(),
    slice: ([l, a, b], pos) => {
      const xs = list(l, pos);
      const s = num(a, pos);
      const e = num(b, pos);
      if (s < 0 || e > xs.length || s > e)
        throw new HclError(`slice(): indexes ${s}..${e} are out of range`, pos);
      return xs.slice(s, e);
    },
    sort: ([l], pos) =>
      list(l, pos)
        .map((x) => str(x, pos))
        .sort(),
    zipmap: ([k, v], pos) =>
      Object.fromEntries(list(k, pos).map((key, i) => [str(key, pos), list(v, pos)[i]])),
    // cty's coalesce: the first argument that is not null ("" counts, unlike Terraform's).
    coalesce: (args, pos) => {
      const v = args.find((a) => a !== null && a !== undefined);
      if (v === undefined) throw new HclError("coalesce(): every argument is null", pos);
      return v;
    },
    coalescelist: (args, pos) => args.map((a) => list(a, pos)).find((l) => l.length) ?? [],
    compact: ([l], pos) => list(l, pos).filter((x) => x !== null && x !== ""),
    chunklist: ([l, n], pos) => {
      const xs = list(l, pos);
      const size = num(n, pos);
      if (size <= 0) return [xs];
      const out: unknown[][] = [];
      for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
      return out;
    },
    setunion: (args, pos) => uniq(args.flatMap((a) => list(a, pos))),
    setintersection: (args, pos) =>
      uniq(
        list(args[0], pos).filter((x) => args.every((a) => list(a, pos).some((y) => same(x, y)))),
      ),
    setproduct: (args, pos) =>
      args.reduce<unknown[][]>(
        (acc, l) => acc.flatMap((p) => list(l, pos).map((x) => [...p, x])),
        [[]],
      ),
    // Numbers.
    abs: ([n], pos) => Math.abs(num(n, pos)),
    ceil: ([n], pos) => Math.ceil(num(n, pos)),
    floor: ([n], pos) => Math.floor(num(n, pos)),
    max: (args, pos) => Math.max(...args.map((a) => num(a, pos))),
    min: (args, pos) => Math.min(...args.map((a) => num(a, pos))),
    pow: ([a, b], pos) => num(a, pos) ** num(b, pos),
    log: ([a, b], pos) => Math.log(num(a, pos)) / Math.log(num(b, pos)),
    signum: ([n], pos) => Math.sign(num(n, pos)),
    parseint: ([s, b], pos) => {
      const v = Number.parseInt(str(s, pos), num(b, pos));
      if (Number.isNaN(v))
        throw new HclError(
          `parseint(): "${str(s, pos)}" is not a number in base ${num(b, pos)}`,
          pos,
        );
      return v;
    },
    // Encoding.
    base64encode: ([s], pos) => Buffer.from(str(s, pos)).toString("base64"),
    base64decode: ([s], pos) => Buffer.from(str(s, pos), "base64").toString("utf8"),
    jsonencode: ([v]) => JSON.stringify(v),
    jsondecode: ([s], pos) => {
      try {
        return JSON.parse(str(s, pos));
      } catch {
        throw new HclError("jsondecode(): the argument is not valid JSON", pos);
      }
    },
    urlencode: ([s], pos) => encodeURIComponent(str(s, pos)).replace(/%20/g, "+"),
    csvdecode: ([s], pos) => {
      const [head, ...rows] = str(s, pos)
        .trim()
        .split(/\r?\n/)
        .map((l) => l.split(","));
      return rows.map((r) => Object.fromEntries((head ?? []).map((h, i) => [h, r[i] ?? ""])));
    },
    // Hashes.
    md5: ([s], pos) => createHash("md5").update(str(s, pos)).digest("hex"),
    sha1: ([s], pos) => createHash("sha1").update(str(s, pos)).digest("hex"),
    sha256: ([s], pos) => createHash("sha256").update(str(s, pos)).digest("hex"),
    sha512: ([s], pos) => createHash("sha512").update(str(s, pos)).digest("hex"),
    bcrypt: (args, pos) => {
      arity("bcrypt", args, 1, 2, pos);
      return bcrypt(str(args[0], pos), args[1] === undefined ? 10 : num(args[1], pos), pos);
    },
    rsadecrypt: ([ct, key], pos) => rsaDecrypt(str(ct, pos), str(key, pos), pos),
    // Date and time.
    formatdate: ([layout, ts], pos) => formatDate(str(layout, pos), str(ts, pos), pos),
    timeadd: ([ts, dur], pos) => {
      const d = new Date(str(ts, pos));
      const ms = goDurationMs(str(dur, pos));
      if (Number.isNaN(d.getTime()) || ms === undefined)
        throw new HclError("timeadd(): needs an RFC 3339 timestamp and a duration", pos);
      return new Date(d.getTime() + ms).toISOString().replace(/\.\d{3}Z$/, "Z");
    },
    strlen: ([s], pos) => [...str(s, pos)].length,
    regex_replace: ([s, re, rep], pos) =>
      str(s, pos).replace(
        new RegExp(toGoRegex(str(re, pos), pos), "g"),
        str(rep, pos).replace(/\$\{(\w+)\}/g, "$<$1>"),
      ),
    yamlencode: ([v]) => yamlEncode(v),
    yamldecode: ([s], pos) => {
      try {
        return parseYaml(str(s, pos));
      } catch (err) {
        throw new HclError(`yamldecode(): ${(err as Error).message}`, pos);
      }
    },
    uuidv4: (_args, _pos, env) => (env.uuid ?? randomUUID)(),
    uuidv5: ([ns, name], pos) => uuidv5(str(ns, pos), str(name, pos), pos),
    cidrhost: ([prefix, host], pos) => cidrHost(str(prefix, pos), num(host, pos), pos),
    cidrnetmask: ([prefix], pos) => {
      const p = parseCidr(str(prefix, pos), pos);
      if (p.width !== 32)
        throw new HclError("cidrnetmask(): only IPv4 prefixes have a netmask", pos);
      return ipString(((1n << 32n) - 1n) ^ ((1n << BigInt(32 - p.bits)) - 1n), 32);
    },
    cidrsubnet: ([prefix, newbits, netnum], pos) =>
      cidrSubnet(str(prefix, pos), num(newbits, pos), num(netnum, pos), pos),
    cidrsubnets: ([prefix, ...newbits], pos) => {
      // Consecutive subnets, each aligned to its own size, as HashiCorp's cidrsubnets allocates them.
      const base = parseCidr(str(prefix, pos), pos);
      const end = base.ip + (1n << BigInt(base.width - base.bits));
      let next = base.ip;
      return newbits.map((nb) => {
        const size = base.bits + num(nb, pos);
        if (size > base.width)
          throw new HclError(`cidrsubnets(): ${size} bits is more than ${base.width}`, pos);
        const span = 1n << BigInt(base.width - size);
        next = ((next + span - 1n) / span) * span;
        if (next + span > end)
          throw new HclError("cidrsubnets(): not enough room in the prefix", pos);
        const out = `${ipString(next, base.width)}/${size}`;
        next += span;
        return out;
      });
    },
    // Files.
    file: ([p], pos, env) => readWith(env, str(p, pos), pos),
    fileexists: ([p], pos, env) => env.readFile?.(str(p, pos)) !== undefined,
    filebase64: ([p], pos, env) => Buffer.from(readWith(env, str(p, pos), pos)).toString("base64"),
    abspath: ([p], pos) => (str(p, pos).startsWith("/") ? str(p, pos) : `/${str(p, pos)}`),
    pathexpand: ([p], pos, env) => str(p, pos).replace(/^~(?=\/|$)/, env.home ?? "~"),
    fileset: ([dir, pattern], pos, env) => {
      const d = str(dir, pos);
      const files = env.listFiles?.(d);
      if (!files) throw new HclError(`fileset(): folder "${d}" cannot be read`, pos);
      const re = globToRegExp(str(pattern, pos));
      return files.filter((f) => re.test(f)).sort();
    },
    basename: ([p], pos) => str(p, pos).replace(/\/+$/, "").split("/").pop() ?? "",
    dirname: ([p], pos) => {
      const parts = str(p, pos).split("/");
      parts.pop();
      return parts.join("/") || (str(p, pos).startsWith("/") ? "/" : ".");
    },
  };
  return f;
}

/**
 * bcrypt(str, cost = 10) as go-cty-funcs computes it with Go's
 * golang.org/x/crypto/bcrypt: a cost below 4 means the default 10, above 31
 * is an error, a password over 72 bytes is refused, and the hash carries Go's
 * "$2a$" prefix (bcryptjs writes "$2b$"; the algorithm is the same). The salt
 * is random, so the result differs on every run, as in Nomad.
 */
function bcrypt(password: string, cost: number, pos: Pos): string {
  if (!Number.isInteger(cost)) throw new HclError("bcrypt(): the cost must be a whole number", pos);
  if (cost > 31)
    throw new HclError(`bcrypt(): cost ${cost} is outside the allowed range (4,31)`, pos);
  if (Buffer.byteLength(password) > 72)
    throw new HclError("bcrypt(): the password is longer than 72 bytes", pos);
  const hash = bcryptjs.hashSync(password, cost < 4 ? 10 : cost);
  return hash.replace(/^\$2b\$/, "$2a$");
}

/**
 * rsadecrypt(base64 ciphertext, PEM private key): RSA PKCS #1 v1.5, as
 * go-cty-funcs decrypts. Node 20 refuses RSA_PKCS1_PADDING for private
 * decryption (CVE-2023-46809, the Marvin timing attack) unless started with
 * --security-revert, so the raw RSA operation runs without padding and the
 * v1.5 padding is checked and removed here. The timing attack needs a remote
 * decryption oracle; a job file converted on the user's machine offers none.
 */
function rsaDecrypt(ciphertext: string, pem: string, pos: Pos): string {
  const data = Buffer.from(ciphertext, "base64");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(ciphertext.replace(/\s/g, "")) || !data.length)
    throw new HclError(
      `rsadecrypt(): failed to decode input "${ciphertext}": cipher text must be base64-encoded`,
      pos,
    );
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new HclError(
      "rsadecrypt(): invalid private key: a PEM RSA private key (PKCS #1 or PKCS #8) is required",
      pos,
    );
  }
  if (key.asymmetricKeyType !== "rsa")
    throw new HclError("rsadecrypt(): invalid private key: not an RSA key", pos);
  let raw: Buffer;
  try {
    raw = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, data);
  } catch (err) {
    throw new HclError(`rsadecrypt(): failed to decrypt: ${(err as Error).message}`, pos);
  }
  // EM = 0x00 || 0x02 || PS (at least 8 non-zero bytes) || 0x00 || M
  const sep = raw.indexOf(0, 2);
  if (raw[0] !== 0 || raw[1] !== 2 || sep < 10)
    throw new HclError("rsadecrypt(): failed to decrypt: crypto/rsa: decryption error", pos);
  return raw.subarray(sep + 1).toString("utf8");
}
