/**
 * Statistics across seeds: per (condition, model, selector) cell, and paired comparisons of two
 * selectors on the same seeds (they judged the same simulated curves: common random numbers).
 *
 * Every interval is a seeded percentile bootstrap whose seed is the identity of the quantity
 * (study, condition, model, selector, measures); shares use Wilson's interval. The measures of
 * one cell (k*, C, T, A and balance at each seed's pick) share one resampling of its seeds, as
 * do the paired measures of two selectors (see Statistician.summaries).
 */
import type { Json } from '../../../harness/experiment.js';
import {
  bootstrapJointMeanIntervals,
  bootstrapMeanInterval,
  bootstrapMeans,
  bootstrapClusteredMeanInterval,
  bootstrapStratifiedMeanInterval,
  describeSample,
  modeOf,
  pairByKey,
  pairedDeltas,
  sampleSd,
  signFlipPValue,
  wilsonInterval,
  type Interval,
  type Pairs,
  type ShareInterval,
} from '../../../harness/stats/index.js';
import type { Condition, Pick, StudyData } from './data.js';
import { ACCURACY_MAX } from './selectors.js';

export const BOOTSTRAP_RESAMPLES = 2000;
export const CONFIDENCE = 0.95;

export interface Summary {
  n: number;
  mean: number | null;
  sd: number | null;
  lo: number | null;
  hi: number | null;
}

export interface KSpread {
  mode: number | null;
  /** Share of the seeds with a pick whose k* is the mode. */
  modeShare: number | null;
  q25: number | null;
  median: number | null;
  q75: number | null;
  iqr: number | null;
  min: number | null;
  max: number | null;
}

export interface CellStats {
  condition: string;
  model: string;
  selector: string;
  /** Successful trials (seeds). */
  trials: number;
  /** Seeds with a pick. */
  picks: number;
  none: ShareInterval | null;
  kStar: Summary;
  spread: KSpread;
  cost: Summary;
  latency: Summary;
  accuracy: Summary;
  balance: Summary;
  /** Share of picks whose mean latency exceeds T_max. */
  breaksLatency: ShareInterval | null;
  /** Share of trials whose pick lies outside the 3D feasible set (the 1D baseline's test). */
  infeasible: ShareInterval | null;
}

export type PairedMeasure = 'costSaved' | 'latencySaved' | 'accuracyLost';

export interface PairedStats {
  condition: string;
  model: string;
  selector: string;
  reference: string;
  /** Seeds where both selectors picked a k. */
  pairs: number;
  /** % of the reference's cost saved; % of its latency saved; accuracy points (x100) given up. */
  costSaved: Summary;
  latencySaved: Summary;
  accuracyLost: Summary;
}

/** Per-seed value of a paired measure, or null when it is undefined (e.g. a zero reference). */
export function pairedValue(measure: PairedMeasure, x: Pick, ref: Pick): number | null {
  const pct = (a: number | null, r: number | null) => (a === null || r === null || r === 0 ? null : (100 * (r - a)) / r);
  if (measure === 'costSaved') return pct(x.cost, ref.cost);
  if (measure === 'latencySaved') return pct(x.latency, ref.latency);
  return x.accuracy === null || ref.accuracy === null ? null : 100 * (ref.accuracy - x.accuracy);
}

/** Picks by cell, each cell's picks keyed by replicate. */
export class PickIndex {
  private readonly cells = new Map<string, Map<number, Pick>>();

  constructor(picks: readonly Pick[]) {
    for (const p of picks) {
      const key = PickIndex.key(p.condition, p.model, p.selector);
      let cell = this.cells.get(key);
      if (!cell) this.cells.set(key, (cell = new Map()));
      cell.set(p.replicate, p);
    }
  }

  static key(condition: string, model: string, selector: string): string {
    return `${condition}\u0000${model}\u0000${selector}`;
  }

  /** Sorted by replicate. */
  cell(condition: string, model: string, selector: string): Pick[] {
    const cell = this.cells.get(PickIndex.key(condition, model, selector));
    return cell ? [...cell.values()].sort((a, b) => a.replicate - b.replicate) : [];
  }

  has(condition: string, model: string, selector: string): boolean {
    return this.cells.has(PickIndex.key(condition, model, selector));
  }

  /** The picks of each replicate in both cells, `[x, ref]`, by replicate. */
  pairs(condition: string, model: string, selector: string, reference: string): [Pick, Pick][] {
    const { left, right } = this.pairedCells(PickIndex.key(condition, model, selector), PickIndex.key(condition, model, reference));
    return left.map((x, i) => [x, right[i] as Pick]);
  }

  /** `f(x, ref)` for each replicate in both cells, by replicate; null and non-finite results left out. */
  paired(condition: string, model: string, selector: string, reference: string, f: (x: Pick, ref: Pick) => number | null): number[] {
    return measured(pairedDeltas(this.pairedCells(PickIndex.key(condition, model, selector), PickIndex.key(condition, model, reference)), f));
  }

  /** The same for one selector under two conditions (e.g. an ablation's level and its baseline). */
  pairedConditions(condition: string, reference: string, model: string, selector: string, f: (x: Pick, ref: Pick) => number | null): number[] {
    return measured(pairedDeltas(this.pairedCells(PickIndex.key(condition, model, selector), PickIndex.key(reference, model, selector)), f));
  }

  private pairedCells(key: string, referenceKey: string): Pairs<number, Pick> {
    const none = new Map<number, Pick>();
    return pairByKey(this.cells.get(key) ?? none, this.cells.get(referenceKey) ?? none);
  }
}

/**
 * Per model, per seed: `f(x, ref)` in each of `conditions` where both selectors picked. The
 * conditions of one model and seed simulate from the same random numbers (the experiment names
 * its streams by model and seed alone), so their values are not independent: a seed's values are
 * one cluster, which the bootstrap draws whole.
 */
function pairedSeedClusters(
  models: readonly { id: string }[],
  index: PickIndex,
  conditions: readonly Condition[],
  selector: string,
  reference: string,
  f: (x: Pick, ref: Pick) => number | null,
): number[][][] {
  return models.map((m) => {
    const bySeed = new Map<number, number[]>();
    for (const c of conditions) {
      for (const [x, ref] of index.pairs(c.id, m.id, selector, reference)) {
        const v = f(x, ref);
        if (v === null || !Number.isFinite(v)) continue;
        const values = bySeed.get(x.replicate);
        if (values) values.push(v);
        else bySeed.set(x.replicate, [v]);
      }
    }
    return [...bySeed.keys()].sort((a, b) => a - b).map((seed) => bySeed.get(seed)!);
  });
}

/**
 * `f` of a selector's pick against accuracy-max's, per seed, pooled over `conditions` and the
 * models. Its bootstrap is seeded by what it measures (`name`) alone, so that every table and
 * claim that shows this quantity shows the same interval.
 */
export function pairedAgainstAccuracyMax(
  ctx: { data: StudyData; index: PickIndex; stats: Statistician },
  conditions: readonly Condition[],
  selector: string,
  name: string,
  f: (x: Pick, ref: Pick) => number | null,
): Summary {
  const clusters = pairedSeedClusters(ctx.data.models, ctx.index, conditions, selector, ACCURACY_MAX, f);
  return ctx.stats.pooledClusters(clusters, { savings: name, conditions: conditions.map(conditionIdentity), selector, reference: ACCURACY_MAX });
}

/** A selector's saving against accuracy-max (pairedAgainstAccuracyMax of a paired measure). */
export function savingAgainstAccuracyMax(ctx: Parameters<typeof pairedAgainstAccuracyMax>[0], conditions: readonly Condition[], selector: string, measure: PairedMeasure): Summary {
  return pairedAgainstAccuracyMax(ctx, conditions, selector, measure, (x, r) => pairedValue(measure, x, r));
}

export class Statistician {
  constructor(
    private readonly study: string,
    private readonly resamples = BOOTSTRAP_RESAMPLES,
  ) {}

  /**
   * Mean, standard deviation and bootstrap interval of each of several measures of the same units
   * (e.g. seeds), where null or a non-finite value means "not measured on that unit". The measures
   * measured on every unit share one resampling of the units (bootstrapJointMeanIntervals, seeded
   * from `identity` and their names); any other is resampled alone, over the units it has.
   */
  summaries<K extends string>(measures: Readonly<Record<K, readonly (number | null)[]>>, identity: Json): Record<K, Summary> {
    const names = Object.keys(measures) as K[];
    const complete = names.filter((name) => measures[name].every(isMeasured));
    const joint = bootstrapJointMeanIntervals(
      complete.map((name) => measures[name] as number[]),
      this.options({ of: identity, measures: complete }),
    );
    const out = {} as Record<K, Summary>;
    for (const name of names) {
      const at = complete.indexOf(name);
      const values = at >= 0 ? (measures[name] as number[]) : measured(measures[name]);
      const interval = at >= 0 ? joint[at] : bootstrapMeanInterval(values, this.options({ of: identity, measure: name }));
      out[name] = { n: values.length, mean: interval?.estimate ?? null, sd: sampleSd(values), lo: interval?.lo ?? null, hi: interval?.hi ?? null };
    }
    return out;
  }

  /** Mean over strata (e.g. models) with a bootstrap that resamples within each stratum. */
  pooled(strata: readonly (readonly number[])[], identity: Json): Summary {
    const nonEmpty = strata.filter((s) => s.length > 0);
    const all = nonEmpty.flat();
    const interval = nonEmpty.length ? bootstrapStratifiedMeanInterval(nonEmpty, this.options(identity)) : null;
    return { n: all.length, mean: interval?.estimate ?? null, sd: sampleSd(all), lo: interval?.lo ?? null, hi: interval?.hi ?? null };
  }

  /**
   * Mean over strata (e.g. models) of clustered values (`strata[s][c]`: e.g. one seed's values in
   * several conditions, which share its random numbers), with a bootstrap that resamples whole
   * clusters within each stratum.
   */
  pooledClusters(strata: readonly (readonly (readonly number[])[])[], identity: Json): Summary {
    const all = strata.flat(2);
    const interval = bootstrapClusteredMeanInterval(strata, this.options(identity));
    return { n: all.length, mean: interval?.estimate ?? null, sd: sampleSd(all), lo: interval?.lo ?? null, hi: interval?.hi ?? null };
  }

  /** The sign-flip test's two-sided p-value of paired differences' mean against 0 (signFlipPValue). */
  signFlip(differences: readonly number[], identity: Json): number | null {
    return signFlipPValue(differences, { study: this.study, quantity: identity });
  }

  /** A statistic of two independent samples' means (e.g. their difference or ratio). */
  twoSample(a: readonly number[], b: readonly number[], statistic: (meanA: number, meanB: number) => number, identity: Json): Interval | null {
    return bootstrapMeans([a, b], (m) => statistic(m[0] as number, m[1] as number), this.options(identity));
  }

  options(identity: Json): { identity: Json; resamples: number; level: number } {
    return { identity: { study: this.study, quantity: identity }, resamples: this.resamples, level: CONFIDENCE };
  }
}

function isMeasured(value: number | null): value is number {
  return value !== null && Number.isFinite(value);
}

function measured(values: readonly (number | null)[]): number[] {
  return values.filter(isMeasured);
}

export function conditionIdentity(c: Condition): Json {
  return { scenario: c.scenario, variant: c.variant };
}

export function share(successes: number, n: number): ShareInterval | null {
  return wilsonInterval(successes, n, CONFIDENCE);
}

export function breaksLatency(p: Pick, condition: Condition): boolean | null {
  if (p.kStar === null) return null;
  if (p.breaksLatency !== null) return p.breaksLatency;
  return condition.constraints && p.latency !== null ? p.latency > condition.constraints.T_max : null;
}

export function cellStats(data: StudyData, index: PickIndex, stats: Statistician, progress?: (done: number, total: number) => void): CellStats[] {
  const out: CellStats[] = [];
  const total = data.conditions.length;
  data.conditions.forEach((condition, i) => {
    for (const model of data.models) {
      for (const selector of data.selectors) {
        if (!index.has(condition.id, model.id, selector)) continue;
        out.push(oneCell(condition, model.id, selector, index.cell(condition.id, model.id, selector), stats));
      }
    }
    progress?.(i + 1, total);
  });
  return out;
}

function oneCell(condition: Condition, model: string, selector: string, picks: Pick[], stats: Statistician): CellStats {
  const chosen = picks.filter((p) => p.kStar !== null);
  const ks = chosen.map((p) => p.kStar as number);
  const summaries = stats.summaries(
    { kStar: ks, cost: chosen.map((p) => p.cost), latency: chosen.map((p) => p.latency), accuracy: chosen.map((p) => p.accuracy), balance: chosen.map((p) => p.balance) },
    { cell: { condition: conditionIdentity(condition), model, selector } },
  );
  const spread = describeSample(ks);
  const mode = modeOf(ks);
  const breaks = chosen.map((p) => breaksLatency(p, condition)).filter((b): b is boolean => b !== null);
  const feasibility = picks.map((p) => p.feasible).filter((f): f is boolean => f !== null);
  return {
    condition: condition.id,
    model,
    selector,
    trials: picks.length,
    picks: chosen.length,
    none: share(picks.length - chosen.length, picks.length),
    kStar: summaries.kStar,
    spread: { mode: mode?.value ?? null, modeShare: mode?.share ?? null, q25: spread.q25, median: spread.median, q75: spread.q75, iqr: spread.iqr, min: spread.min, max: spread.max },
    cost: summaries.cost,
    latency: summaries.latency,
    accuracy: summaries.accuracy,
    balance: summaries.balance,
    breaksLatency: share(breaks.filter(Boolean).length, breaks.length),
    infeasible: share(feasibility.filter((f) => !f).length, feasibility.length),
  };
}

/** Every selector other than the reference (accuracy-max) against the reference, per cell. */
export function pairedStats(data: StudyData, index: PickIndex, stats: Statistician): PairedStats[] {
  const reference = ACCURACY_MAX;
  const out: PairedStats[] = [];
  for (const condition of data.conditions) {
    for (const model of data.models) {
      if (!index.has(condition.id, model.id, reference)) continue;
      for (const selector of data.selectors) {
        if (selector === reference || !index.has(condition.id, model.id, selector)) continue;
        // The seeds where both selectors picked a k: the units of the paired measures.
        const both = index.pairs(condition.id, model.id, selector, reference).filter(([x, r]) => x.kStar !== null && r.kStar !== null);
        const measure = (m: PairedMeasure) => both.map(([x, r]) => pairedValue(m, x, r));
        const summaries = stats.summaries(
          { costSaved: measure('costSaved'), latencySaved: measure('latencySaved'), accuracyLost: measure('accuracyLost') },
          { paired: { condition: conditionIdentity(condition), model: model.id, selector, reference } },
        );
        out.push({ condition: condition.id, model: model.id, selector, reference, pairs: both.length, ...summaries });
      }
    }
  }
  return out;
}
