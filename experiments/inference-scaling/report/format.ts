/** How numbers are written in tables, claims and tooltips: fixed rules, so text is reproducible. */

export interface Estimated {
  mean?: number | null;
  estimate?: number;
  lo: number | null;
  hi: number | null;
  /** The values it was estimated from, where known: said when they are all alike. */
  n?: number;
  /** Their standard deviation, where known: above 0, they are not all alike, whatever the interval. */
  sd?: number | null;
}

export type Formatter = (x: number) => string;

/** Three significant digits without exponents for the magnitudes this study produces. */
export function significant(x: number): string {
  if (x === 0) return '0';
  if (Math.abs(x) >= 1000) return x.toFixed(0);
  return x.toPrecision(3);
}

/** `x.toFixed(digits)`, with a value that rounds to zero written as zero: never "-0.00". */
function fixed(x: number, digits: number): string {
  const text = x.toFixed(digits);
  return Number(text) === 0 ? (0).toFixed(digits) : text;
}

/** With its sign; a value that rounds to zero has none ("0.00": neither gain nor loss at this precision). */
function signedFixed(x: number, digits: number): string {
  const text = fixed(x, digits);
  return text.startsWith('-') || Number(text) === 0 ? text : `+${text}`;
}

export const fmt = {
  k: (x: number) => fixed(x, 1),
  cost: (x: number) => `$${significant(x)}`,
  /** A budget as set, in dollars and cents at least: $0.50, $1.00, $0.05, $0.001. */
  dollars: (x: number) => `$${Number(x.toFixed(2)) === x ? x.toFixed(2) : String(x)}`,
  latency: (x: number) => significant(x),
  accuracy: (x: number) => fixed(x, 4),
  balance: (x: number) => fixed(x, 3),
  percent: (x: number) => `${fixed(x, 1)}%`,
  /** Whole percents; a share that is not 0 or 1 never reads as one (1 of 270 is "<1%", not "0%"). */
  share: (x: number) => (x > 0 && x < 0.005 ? '<1%' : x < 1 && x >= 0.995 ? '>99%' : `${fixed(100 * x, 0)}%`),
  points: (x: number) => signedFixed(x, 2),
  signed: (x: number) => signedFixed(x, 3),
  ratio: (x: number) => fixed(x, 2),
} satisfies Record<string, Formatter>;

/** `v [lo, hi]unit`; `v unit` without an interval; `n/a` without a value. */
export function withInterval(e: Estimated | null, f: Formatter, unit = ''): string {
  const value = e === null ? null : (e.mean ?? e.estimate ?? null);
  if (value === null || value === undefined) return 'n/a';
  if (e === null || e.lo === null || e.hi === null) return `${f(value)}${unit}`;
  // An interval of no width, which no 95% interval is, is said as what it is: values all alike, or
  // values that differ, but not from seed to seed in what the bootstrap resamples: between the
  // models of a mean pooled over them (it resamples seeds within each model), or within each
  // seed's cluster of a mean pooled over conditions (it resamples seeds whole).
  if (e.lo === value && e.hi === value) {
    if ((e.sd ?? 0) > 0) return `${f(value)}${unit} (the same at every seed)`;
    return `${f(value)}${unit} (all ${e.n === undefined ? '' : `${e.n} `}alike)`;
  }
  return `${f(value)} [${f(e.lo)}, ${f(e.hi)}]${unit}`;
}

/** A share with its interval: `37% [31%, 43%] of 270`. */
export function shareText(s: { share: number; lo: number; hi: number; n: number } | null): string {
  return s === null ? 'n/a' : `${fmt.share(s.share)} [${fmt.share(s.lo)}, ${fmt.share(s.hi)}] of ${s.n}`;
}

/**
 * The fewest decimals, up to `most`, that write `x` exactly (0.9: 1; 0.035: 3; 2e-7: `most`):
 * counted on the number, not its text, which turns to exponent notation below 1e-6.
 */
export function decimalsOf(x: number, most = 6): number {
  let d = 0;
  while (d < most && Number(x.toFixed(d)) !== x) d++;
  return d;
}

/** The significant digits `round` keeps: the precision of the numbers figures and CSVs give. */
const ROUND_DIGITS = 6;

/** Rounds for data given to charts and CSV: keeps files small, and text stable. */
export function round(x: number | null, digits = ROUND_DIGITS): number | null {
  if (x === null) return null;
  return Number(x.toPrecision(digits));
}

/**
 * The least difference that `digits` significant digits resolve between numbers up to `scale`
 * in size: one unit in the last digit kept (0.0001 for 41.1234; 0 for a scale of 0). A smaller
 * difference, floating-point noise say (3.6e-15 between two savings of 40%), is none at that precision.
 */
export function leastDigit(scale: number, digits = ROUND_DIGITS): number {
  return scale === 0 ? 0 : 10 ** (Math.floor(Math.log10(Math.abs(scale))) - digits + 1);
}
