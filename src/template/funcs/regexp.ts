// Go's regexp (RE2 syntax) on JavaScript's engine: translate the syntax that
// differs (named groups, leading flags, \A \z, escaped punctuation) and expand
// replacement templates the way Go's Regexp.Expand does ($1, ${1}, $name, $$).

const JS_SYNTAX = new Set([..."^$\\.*+?()[]{}|/"]);

/** Compile a Go regular expression; throws Error("error parsing regexp: …"). */
export function compileGoRegexp(pattern: string, global: boolean): RegExp {
  let flags = global ? "gu" : "u";
  let src = pattern;
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[1] as string) {
      if (f === "U") throw new Error("error parsing regexp: ungreedy flag (?U) is not supported");
      if (!flags.includes(f)) flags += f;
    }
    src = src.slice(lead[0].length);
  }
  let out = "";
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (c === "\\") {
      const n = src[i + 1];
      if (n === undefined)
        throw new Error("error parsing regexp: trailing backslash at end of expression: ``");
      i++;
      if (n === "p" || n === "P") {
        // Go's \pL and \p{Greek}; JavaScript wants braces and Script= for scripts.
        const m = /^(?:\{(\^?)([A-Za-z_]+)\}|([A-Za-z]))/.exec(src.slice(i + 1));
        if (!m) throw new Error(`error parsing regexp: invalid character class range: \`\\${n}\``);
        const negate = (m[1] === "^") !== (n === "P");
        const name = (m[2] ?? m[3]) as string;
        const prop = /^(?:[LMNPSZC][a-z]?|Any)$/.test(name) ? name : `Script=${name}`;
        out += `\\${negate ? "P" : "p"}{${prop}}`;
        i += m[0].length;
        continue;
      }
      // RE2 has no backreferences: \1 alone is an error (\12 would be octal).
      if (/[1-9]/.test(n) && !/[0-7]/.test(src[i + 1] ?? ""))
        throw new Error(`error parsing regexp: invalid escape sequence: \`\\${n}\``);
      if (n === "A" && !inClass) out += "(?<![\\s\\S])";
      else if (n === "z" && !inClass) out += "(?![\\s\\S])";
      else if (n === "Q") {
        const end = src.indexOf("\\E", i + 1);
        const lit = end < 0 ? src.slice(i + 1) : src.slice(i + 1, end);
        out += lit.replace(/[\^$\\.*+?()[\]{}|/-]/g, "\\$&");
        i = end < 0 ? src.length : end + 1;
      } else if (/[\p{P}\p{S}]/u.test(n) && !JS_SYNTAX.has(n) && n !== "-") {
        out += `\\u{${(n.codePointAt(0) as number).toString(16)}}`;
      } else if (n === "-" && !inClass) out += "\\u{2d}";
      else out += `\\${n}`;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      if (c === "[" && src[i + 1] === ":") {
        const end = src.indexOf(":]", i);
        const name = end > 0 ? src.slice(i + 2, end) : "";
        const posix = POSIX_CLASSES[name];
        if (posix) {
          out += posix;
          i = end + 1;
          continue;
        }
      }
      out += c === "[" ? "\\[" : c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      if (src[i + 1] === "^") out += src[++i];
      if (src[i + 1] === "]") {
        out += "\\]";
        i++;
      }
      continue;
    }
    // Nor lookarounds.
    const look = /^\(\?<?[=!]/.exec(src.slice(i, i + 4));
    if (look)
      throw new Error(`error parsing regexp: invalid or unsupported Perl syntax: \`${look[0]}\``);
    if (c === "(" && src.startsWith("?P<", i + 1)) {
      out += "(?<";
      i += 3;
      continue;
    }
    if (c === "/") {
      out += "\\/";
      continue;
    }
    out += c;
  }
  try {
    return new RegExp(out, flags);
  } catch (e) {
    throw new Error(
      `error parsing regexp: ${(e as Error).message.replace(/^Invalid regular expression: /, "")}`,
    );
  }
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

/** Go's Regexp.Expand of `template` for one match. */
function expand(template: string, match: RegExpExecArray): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const c = template[i] as string;
    if (c !== "$") {
      out += c;
      continue;
    }
    const rest = template.slice(i + 1);
    if (rest.startsWith("$")) {
      out += "$";
      i++;
      continue;
    }
    const braced = /^\{([A-Za-z0-9_]+)\}/.exec(rest);
    const bare = /^[A-Za-z0-9_]+/.exec(rest);
    const m = braced ?? bare;
    if (!m) {
      out += "$";
      continue;
    }
    const name = braced ? (braced[1] as string) : m[0];
    i += m[0].length;
    if (/^\d+$/.test(name)) out += match[Number(name)] ?? "";
    else out += match.groups?.[name] ?? "";
  }
  return out;
}

/** Regexp.ReplaceAllString. */
export function regexReplaceAll(pattern: string, replacement: string, s: string): string {
  const re = compileGoRegexp(pattern, true);
  return s.replace(re, (...args) => {
    // Rebuild an exec-style match array from replace's callback arguments.
    const hasGroups = typeof args[args.length - 1] === "object";
    const groups = hasGroups ? (args[args.length - 1] as Record<string, string>) : undefined;
    const parts = args.slice(0, hasGroups ? -3 : -2) as string[];
    const match = Object.assign([...parts], {
      groups,
      index: 0,
      input: s,
    }) as unknown as RegExpExecArray;
    return expand(replacement, match);
  });
}

export function regexMatch(pattern: string, s: string): boolean {
  return compileGoRegexp(pattern, false).test(s);
}
