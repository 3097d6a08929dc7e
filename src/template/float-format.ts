// Go's float formatting (strconv.FormatFloat as fmt uses it) for %e %f %g %v:
// exact decimal rounding, half to even, from the binary value itself.

/** x (finite, > 0) as an exact fraction num/den. */
function toFraction(x: number): { num: bigint; den: bigint } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exponent = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & 0xfffffffffffffn;
  let e: number;
  if (exponent === 0) {
    e = -1074;
  } else {
    mantissa |= 1n << 52n;
    e = exponent - 1075;
  }
  return e >= 0
    ? { num: mantissa << BigInt(e), den: 1n }
    : { num: mantissa, den: 1n << BigInt(-e) };
}

/** round(num/den) half to even. */
function roundDiv(num: bigint, den: bigint): bigint {
  const q = num / den;
  const r2 = (num % den) * 2n;
  if (r2 > den || (r2 === den && q % 2n === 1n)) return q + 1n;
  return q;
}

/** Decimal digits of x with `decimalPoint`: value = 0.digits × 10^decimalPoint. */
interface Decimal {
  digits: string;
  decimalPoint: number;
}

/** The shortest digits that read back as x (what Go's -1 precision means). */
function shortest(x: number): Decimal {
  const [mant, exp] = x.toExponential().split("e") as [string, string];
  const digits = mant.replace(".", "");
  return { digits, decimalPoint: Number(exp) + 1 };
}

/** x rounded to n significant digits. */
function significant(x: number, n: number): Decimal {
  const { num, den } = toFraction(x);
  let e = Math.floor(Math.log10(x));
  for (;;) {
    const shift = n - 1 - e;
    const scaled =
      shift >= 0
        ? roundDiv(num * 10n ** BigInt(shift), den)
        : roundDiv(num, den * 10n ** BigInt(-shift));
    const s = scaled.toString();
    if (s.length > n) {
      if (s.length === n + 1 && /^10*$/.test(s))
        return { digits: s.slice(0, n), decimalPoint: e + 2 };
      e++;
      continue;
    }
    if (s.length < n) {
      e--;
      continue;
    }
    return { digits: s, decimalPoint: e + 1 };
  }
}

/** x rounded to `prec` digits after the point. */
function fixed(x: number, prec: number): Decimal {
  const { num, den } = toFraction(x);
  const q = roundDiv(num * 10n ** BigInt(prec), den);
  const s = q.toString();
  return { digits: s, decimalPoint: s.length - prec };
}

function formatE(d: Decimal, prec: number, upper: boolean): string {
  const digits = d.digits.padEnd(prec + 1, "0");
  const exp = d.digits === "0" || /^0+$/.test(d.digits) ? 0 : d.decimalPoint - 1;
  const mant = prec > 0 ? `${digits[0]}.${digits.slice(1, prec + 1)}` : (digits[0] as string);
  const sign = exp < 0 ? "-" : "+";
  const abs = Math.abs(exp);
  return `${mant}${upper ? "E" : "e"}${sign}${abs < 10 ? `0${abs}` : abs}`;
}

function formatF(d: Decimal, prec: number): string {
  let { digits } = d;
  let point = d.decimalPoint;
  if (point <= 0) {
    digits = "0".repeat(1 - point) + digits;
    point = 1;
  }
  digits = digits.padEnd(point + prec, "0");
  const intPart = digits.slice(0, point);
  const frac = digits.slice(point, point + prec);
  return prec > 0 ? `${intPart}.${frac}` : intPart;
}

/**
 * Format a non-negative finite float like strconv.FormatFloat(x, verb, prec, 64).
 * prec -1 means the shortest representation.
 */
export function formatFloat(x: number, verb: "e" | "E" | "f" | "g" | "G", prec: number): string {
  const zero = x === 0;
  switch (verb) {
    case "e":
    case "E": {
      if (zero) return formatE({ digits: "0", decimalPoint: 1 }, prec < 0 ? 0 : prec, verb === "E");
      if (prec < 0) {
        const d = shortest(x);
        return formatE(d, d.digits.length - 1, verb === "E");
      }
      return formatE(significant(x, prec + 1), prec, verb === "E");
    }
    case "f": {
      if (prec < 0) {
        if (zero) return "0";
        const d = shortest(x);
        return formatF(d, Math.max(d.digits.length - d.decimalPoint, 0));
      }
      return zero ? formatF({ digits: "0", decimalPoint: 1 }, prec) : formatF(fixed(x, prec), prec);
    }
    default: {
      const upper = verb === "G";
      let d: Decimal;
      let eprec: number;
      if (zero) {
        d = { digits: "0", decimalPoint: 1 };
        eprec = prec < 0 ? 6 : prec === 0 ? 1 : prec;
      } else if (prec < 0) {
        d = shortest(x);
        eprec = 6;
      } else {
        d = significant(x, prec === 0 ? 1 : prec);
        d = { ...d, digits: d.digits.replace(/0+$/, "") || "0" };
        eprec = prec === 0 ? 1 : prec;
        if (eprec > d.digits.length && d.digits.length >= d.decimalPoint) eprec = d.digits.length;
      }
      const exp = d.decimalPoint - 1;
      if (!zero && (exp < -4 || exp >= eprec)) return formatE(d, d.digits.length - 1, upper);
      if (zero) return "0";
      return formatF(d, Math.max(d.digits.length - d.decimalPoint, 0));
    }
  }
}
