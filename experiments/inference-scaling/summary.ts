/**
 * Streaming summaries of many series at once: each `add` brings one new value for every series
 * (one Monte Carlo trial for every candidate k and metric). Memory depends on the number of
 * series, never on the number of rows.
 *
 * Moments: sums of deviations from each series' first value. The shift keeps the sums free of
 * cancellation when the spread is tiny next to the mean (as for the cost of 128 calls), at the
 * price of two additions per value.
 *
 * Quantiles: a fixed histogram per series. The first `pilotRows` rows are kept; the range they
 * span (widened by half its width on each side) fixes the bins, the pilot rows are replayed
 * into them, and later rows only increment a count — one comparison pair and one increment
 * per value, several times cheaper than a P-square marker update, which is what lets the
 * kernel run near the speed of its random number generator. Values beyond the range are
 * counted below or above it, and the exact minimum and maximum are kept. If all rows fit in
 * the pilot the range is their exact span. The k-th order statistic is placed evenly within
 * its bin, so each reported quantile is within one bin width (`resolution`) of the exact
 * sample quantile (R type 7, numpy's default) whenever it falls inside the range.
 */

export const QUANTILE_LEVELS = [0.025, 0.5, 0.975] as const;

export interface SeriesSummary {
  count: number;
  mean: Float64Array;
  /** Sample standard deviation (divisor count - 1; 0 for a single row). */
  sd: Float64Array;
  /** Estimates at QUANTILE_LEVELS, in that order. */
  quantiles: [Float64Array, Float64Array, Float64Array];
  min: Float64Array;
  max: Float64Array;
  /** Bin width per series: the quantiles' error bound inside the binned range. */
  resolution: Float64Array;
}

export interface SummaryOptions {
  pilotRows?: number;
  bins?: number;
}

export class StreamingSummary {
  private rows = 0;
  private readonly shift: Float64Array;
  private readonly sum: Float64Array;
  private readonly sumSq: Float64Array;
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  private readonly pilot: Float64Array;
  private readonly pilotRows: number;
  private readonly bins: number;
  private binned = false;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly scale: Float64Array;
  private readonly counts: Uint32Array;
  private readonly below: Float64Array;
  private readonly above: Float64Array;

  constructor(
    readonly series: number,
    options: SummaryOptions = {},
  ) {
    const { pilotRows = 64, bins = 256 } = options;
    for (const [name, value, min] of [['series', series, 1], ['pilotRows', pilotRows, 1], ['bins', bins, 1]] as const) {
      if (!Number.isInteger(value) || value < min) {
        throw new RangeError(`StreamingSummary: ${name} must be an integer >= ${min}, received ${value}`);
      }
    }
    this.pilotRows = pilotRows;
    this.bins = bins;
    this.shift = new Float64Array(series);
    this.sum = new Float64Array(series);
    this.sumSq = new Float64Array(series);
    this.min = new Float64Array(series).fill(Infinity);
    this.max = new Float64Array(series).fill(-Infinity);
    this.pilot = new Float64Array(series * pilotRows);
    this.lo = new Float64Array(series);
    this.hi = new Float64Array(series);
    this.scale = new Float64Array(series);
    this.counts = new Uint32Array(series * bins);
    this.below = new Float64Array(series);
    this.above = new Float64Array(series);
  }

  get count(): number {
    return this.rows;
  }

  /** Adds one row: `row[s]` is the new value of series s. */
  add(row: Float64Array): void {
    this.addRows(row, 1);
  }

  /**
   * Adds `count` rows stored row after row (`rows[r * series + s]`). Equivalent to `add` on
   * each row in turn, bit for bit, but works series by series so each series' accumulators
   * stay in registers across the rows.
   */
  addRows(rows: Float64Array, count: number): void {
    const n = this.series;
    if (count <= 0) return;
    if (this.rows === 0) this.shift.set(rows.subarray(0, n));
    this.moments(rows, count);
    let r = 0;
    for (; r < count && !this.binned; r++) {
      const index = this.rows + r;
      if (index < this.pilotRows) this.pilot.set(rows.subarray(r * n, (r + 1) * n), index * n);
      else {
        this.fixBins(0.5, this.pilotRows);
        break;
      }
    }
    this.rows += count;
    if (r < count) this.bin(rows, r, count);
  }

  private moments(rows: Float64Array, count: number): void {
    const n = this.series;
    const { shift, sum, sumSq, min, max } = this;
    for (let s = 0; s < n; s++) {
      const origin = shift[s]!;
      let total = sum[s]!, squares = sumSq[s]!, least = min[s]!, most = max[s]!;
      for (let i = s, end = count * n; i < end; i += n) {
        const x = rows[i]!;
        const d = x - origin;
        total += d;
        squares += d * d;
        if (x < least) least = x;
        if (x > most) most = x;
      }
      sum[s] = total;
      sumSq[s] = squares;
      min[s] = least;
      max[s] = most;
    }
  }

  /** Fixes each series' bins from the range of the first `kept` rows (the pilot), then bins them. */
  private fixBins(margin: number, kept: number): void {
    const n = this.series;
    for (let s = 0; s < n; s++) {
      let least = Infinity;
      let most = -Infinity;
      for (let i = s, end = kept * n; i < end; i += n) {
        const x = this.pilot[i]!;
        if (x < least) least = x;
        if (x > most) most = x;
      }
      const width = most - least;
      this.lo[s] = least - margin * width;
      this.hi[s] = most + margin * width;
      this.scale[s] = width > 0 ? this.bins / (this.hi[s]! - this.lo[s]!) : 0;
    }
    this.binned = true;
    this.bin(this.pilot, 0, kept);
  }

  /** Counts rows [from, to) of a row-after-row block into the bins. */
  private bin(rows: Float64Array, from: number, to: number): void {
    const n = this.series;
    const bins = this.bins;
    const counts = this.counts;
    for (let s = 0; s < n; s++) {
      const lo = this.lo[s]!;
      const hi = this.hi[s]!;
      const scale = this.scale[s]!;
      const base = s * bins;
      let below = 0;
      let above = 0;
      for (let i = from * n + s, end = to * n; i < end; i += n) {
        const x = rows[i]!;
        if (x < lo) below++;
        else if (x > hi) above++;
        else {
          const b = ((x - lo) * scale) | 0;
          counts[base + (b < bins ? b : bins - 1)]!++;
        }
      }
      this.below[s]! += below;
      this.above[s]! += above;
    }
  }

  finish(): SeriesSummary {
    if (this.rows === 0) throw new RangeError('StreamingSummary: no rows were added');
    if (!this.binned) this.fixBins(0, this.rows);
    const n = this.series;
    const rows = this.rows;
    const mean = new Float64Array(n);
    const sd = new Float64Array(n);
    const quantiles: [Float64Array, Float64Array, Float64Array] = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
    const resolution = new Float64Array(n);
    for (let s = 0; s < n; s++) {
      const sum = this.sum[s]!;
      mean[s] = this.shift[s]! + sum / rows;
      sd[s] = rows > 1 ? Math.sqrt(Math.max(0, this.sumSq[s]! - (sum * sum) / rows) / (rows - 1)) : 0;
      resolution[s] = (this.hi[s]! - this.lo[s]!) / this.bins;
      QUANTILE_LEVELS.forEach((p, i) => {
        const h = (rows - 1) * p;
        const r = Math.floor(h);
        const low = this.orderStatistic(s, r);
        quantiles[i]![s] = r + 1 < rows ? low + (h - r) * (this.orderStatistic(s, r + 1) - low) : low;
      });
    }
    return { count: rows, mean, sd, quantiles, min: this.min.slice(), max: this.max.slice(), resolution };
  }

  /** The r-th smallest value (0-based), exact at the ends and placed evenly within its bin elsewhere. */
  private orderStatistic(s: number, r: number): number {
    const min = this.min[s]!;
    const max = this.max[s]!;
    if (r <= 0) return min;
    if (r >= this.rows - 1) return max;
    const lo = this.lo[s]!;
    const hi = this.hi[s]!;
    let seen = this.below[s]!;
    if (r < seen) return spread(min, lo, r, seen);
    const width = (hi - lo) / this.bins;
    const base = s * this.bins;
    for (let b = 0; b < this.bins; b++) {
      const c = this.counts[base + b]!;
      // The widened range reaches past the data; no value lies outside [min, max].
      if (r < seen + c) return Math.min(max, Math.max(min, spread(lo + b * width, lo + (b + 1) * width, r - seen, c)));
      seen += c;
    }
    return spread(hi, max, r - seen, this.above[s]!);
  }
}

/** Position of the j-th of c values spread evenly over [a, b]. */
function spread(a: number, b: number, j: number, c: number): number {
  return a + ((j + 0.5) / c) * (b - a);
}
