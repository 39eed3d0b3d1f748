/**
 * The verdict on each claim of STUDY.md section 1, derived from the data by the rules written
 * here (each row carries its rule in words). Verdicts: `holds`, `does not hold`, `cannot tell`.
 *
 * Claims are judged per condition (a scenario, under any swept values) across seeds, then
 * overall. Differences between selectors, and a selector's k* between scenarios, are paired per
 * seed (common random numbers); differences between selectors are pooled over models with a
 * bootstrap stratified by model; comparisons between models are two-sample.
 */
import type { ShareInterval } from '../../../harness/stats/index.js';
import { countOf, listInWords } from '../../../harness/text.js';
import type { Condition, Pick, StudyData } from './data.js';
import { fmt, shareText, withInterval } from './format.js';
import {
  ACCURACY_COST_2D,
  ACCURACY_MAX,
  FEASIBLE_SET_SELECTORS,
  FIXED_K,
  KNEES,
  lacking,
  NON_KNEE_PAPER_SELECTORS,
  PAPER_KNEE,
  PAPER_SELECTORS,
  TWO_D_SELECTORS,
} from './selectors.js';
import { breaksLatency, conditionIdentity, CONFIDENCE, pairedAgainstAccuracyMax, pairedValue, savingAgainstAccuracyMax, share, type PairedMeasure, type PickIndex, type Statistician, type Summary } from './statistics.js';

export type Verdict = 'holds' | 'does not hold' | 'cannot tell';

export interface ClaimRow {
  claim: number;
  /** A condition's label, or `all`. */
  scope: string;
  /** What the row judges, e.g. a selector. */
  subject: string;
  measure: string;
  value: string;
  verdict: Verdict;
  rule: string;
  /** The row's numbers, for scripts and documents that quote them. */
  numbers: Record<string, number | null>;
  /** The claim's one summary row. */
  headline: boolean;
}

export interface ModelPairComparison {
  condition: string;
  smaller: string;
  smallerSize: string;
  large: string;
  /** Accuracy at accuracy-max's k*, smaller minus large, in points. */
  accuracyDiff: { estimate: number; lo: number | null; hi: number | null } | null;
  /** Cost at k*, smaller over large. */
  costRatio: { estimate: number; lo: number | null; hi: number | null } | null;
  status: 'matches at lower cost' | 'does not' | 'unclear' | 'not comparable';
  /** Both models at mean accuracy 1 in every seed: the accuracies tie at the ceiling. */
  atCeiling: boolean;
  note: string;
}

/** Claim 5 for one model and selector: does its k* move between the scenarios of one variant? */
export interface Adaptivity {
  /** The variant's label ('' without variants); its scenarios are the ones compared. */
  variant: string;
  /** The compared conditions' ids, in the study's order. */
  conditions: string[];
  model: string;
  selector: string;
  /**
   * Whether the mean per-seed difference in k* between some two scenarios differs from 0 (see
   * movesBetween). Only scenarios where the selector picks are compared: no pick in one (no
   * feasible k, or a knee's fewer than 3 Pareto points) is not k* moving. Null when not judged.
   */
  moves: boolean | null;
  /** Why `moves` is null (NOT_JUDGED): a pick in fewer than two scenarios, or too few seeds for the test to tell either way; null when judged. */
  notJudged: string | null;
  /** Seeds whose k* is not the same in every scenario with a pick, of the seeds with a pick in two or more. */
  differs: ShareInterval | null;
}

export interface Claims {
  rows: ClaimRow[];
  modelPairs: ModelPairComparison[];
  /** Claim 5 per model and selector, for every variant with two or more scenarios. */
  adaptivity: Adaptivity[];
}

export const CLAIM_STATEMENTS: Readonly<Record<number, string>> = {
  1: 'Knee-point selection gives the best balance of the three objectives.',
  2: 'Accuracy maximization is preferable when accuracy is the priority.',
  3: 'Smaller models with a well-chosen k can match or beat larger models at a fraction of the cost.',
  4: 'A k chosen by accuracy-vs-cost alone (2D) can break the latency budget; the 3D feasible space differs from what 1D/2D methods see.',
  // The paper has three scenarios; a study may have any number.
  5: 'The best k is environment-adaptive: it moves across the scenarios.',
};

/** The savings a third-party note quotes for the paper's v1 (knee vs accuracy-max). */
export const QUOTED = { latencySaved: 63, costSaved: 58, accuracyLostLo: 1, accuracyLostHi: 2 } as const;

const ACCURACY_CRITICAL = 'accuracy-critical';

/**
 * Below this many seeds a percentile bootstrap interval of a mean over the seeds is markedly
 * narrower than its nominal 95% (it resamples the few values seen as if they were all there is).
 */
export const FEW_SEEDS = 10;

/**
 * Said with the claims of a study of few seeds: with one, no verdict can rest on an interval;
 * with fewer than FEW_SEEDS, the intervals are too narrow to take at their word. Null otherwise.
 */
export function oneSeedNote(data: StudyData): string | null {
  const seeds = data.replicates.length;
  if (seeds < 2) return 'One seed: no interval can be computed across seeds, so a verdict that needs one is "cannot tell". Run more seeds (e.g. --set seeds=30) for verdicts.';
  if (seeds < FEW_SEEDS) {
    return `${seeds} seeds: bootstrap intervals from so few values are narrower than their nominal 95%, so the verdicts and intervals are provisional. Run ${FEW_SEEDS} or more (e.g. --set seeds=30) before quoting them.`;
  }
  return null;
}

interface Context {
  data: StudyData;
  index: PickIndex;
  stats: Statistician;
}

export function evaluateClaims(data: StudyData, index: PickIndex, stats: Statistician): Claims {
  const ctx: Context = { data, index, stats };
  const modelPairs = compareModelPairs(ctx);
  const adaptivity = measureAdaptivity(ctx);
  const rows = [...claim1(ctx), ...claim2(ctx), ...claim3(ctx, modelPairs), ...claim4(ctx), ...claim5(ctx, adaptivity)];
  return { rows, modelPairs, adaptivity };
}

const has = (ctx: Context, selector: string) => ctx.data.selectors.includes(selector);

/** Per-model samples of a per-seed quantity comparing `selector` with `reference`. */
function pairedStrata(ctx: Context, conditions: readonly Condition[], selector: string, reference: string, f: (x: Pick, ref: Pick) => number | null): number[][] {
  return conditions.flatMap((c) => ctx.data.models.map((m) => ctx.index.paired(c.id, m.id, selector, reference, f)));
}

function values(ctx: Context, condition: Condition, model: string, selector: string, f: (p: Pick) => number | null): number[] {
  return ctx.index
    .cell(condition.id, model, selector)
    .map(f)
    .filter((v): v is number => v !== null);
}

function num(prefix: string, s: Summary | { estimate: number; lo: number | null; hi: number | null } | null): Record<string, number | null> {
  const mean = s === null ? null : 'mean' in s ? s.mean : s.estimate;
  return { [`${prefix}_mean`]: mean, [`${prefix}_lo`]: s?.lo ?? null, [`${prefix}_hi`]: s?.hi ?? null };
}

function shareNumbers(prefix: string, s: ShareInterval | null): Record<string, number | null> {
  return { [`${prefix}_share`]: s?.share ?? null, [`${prefix}_lo`]: s?.lo ?? null, [`${prefix}_hi`]: s?.hi ?? null, [`${prefix}_n`]: s?.n ?? null };
}

/**
 * A claim the study cannot judge, as its one row (verdict: cannot tell) saying what the study
 * lacks; null when `reasons` (null: nothing lacking) leave nothing lacking.
 */
function unjudged(claim: number, subject: string, measure: string, rule: string, reasons: readonly (string | null)[]): ClaimRow[] | null {
  const lacks = reasons.filter((r): r is string => r !== null);
  if (lacks.length === 0) return null;
  return [{ claim, scope: 'all', subject, measure, value: `not judged: ${lacks.join('; ')}`, verdict: 'cannot tell', rule, numbers: {}, headline: true }];
}

/** A model's display name, as the tables and figures write it. */
function modelLabel(ctx: Context, id: string): string {
  return ctx.data.models.find((m) => m.id === id)?.label ?? id;
}

function tally(verdicts: readonly Verdict[]): string {
  const count = (v: Verdict) => verdicts.filter((x) => x === v).length;
  return `holds in ${count('holds')} of ${verdicts.length}, does not hold in ${count('does not hold')}, cannot tell in ${count('cannot tell')}`;
}

/** A general claim: it holds if it holds everywhere; one place where it fails refutes it. */
function everywhere(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.length === 0) return 'cannot tell';
  if (verdicts.every((v) => v === 'holds')) return 'holds';
  if (verdicts.some((v) => v === 'does not hold')) return 'does not hold';
  return 'cannot tell';
}

/** A claim that something can happen: one place where it holds proves it. */
function somewhere(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.some((v) => v === 'holds')) return 'holds';
  if (verdicts.length > 0 && verdicts.every((v) => v === 'does not hold')) return 'does not hold';
  return 'cannot tell';
}

// ---- claim 1 ---------------------------------------------------------------------------

const RULE_1 =
  'Per condition, the knee minus each non-knee paper selector the study runs (of accuracy-max, max-cube and utopia; the claim\'s note names any it does not) in balance, paired per seed, ' +
  'mean over models and seeds with a 95% bootstrap interval (seeds where either has no pick are left out): holds if every upper bound is below 0; ' +
  'does not hold if any lower bound is above 0; otherwise cannot tell.';

/** A knee as claim 1's rows name it: the corrected ones said as such. */
const kneeSubject = (knee: string) => (knee === PAPER_KNEE ? knee : `${knee} (corrected)`);

function claim1(ctx: Context): ClaimRow[] {
  const knees = KNEES.filter((k) => has(ctx, k));
  // The claim's verdict is the paper's knee's; without it in the results, the first corrected knee's.
  const headlineKnee = knees.includes(PAPER_KNEE) ? PAPER_KNEE : knees[0];
  // Never a selector the study did not run: with no knee at all, the claim's own words.
  const subject = headlineKnee === undefined ? 'knee-point selection' : kneeSubject(headlineKnee);
  const lacks = unjudged(1, subject, 'balance of the knees against the other paper selectors', RULE_1, [lacking(ctx.data.selectors, [KNEES, NON_KNEE_PAPER_SELECTORS])]);
  if (lacks) return lacks;
  const rows: ClaimRow[] = [];
  const comparators = NON_KNEE_PAPER_SELECTORS.filter((s) => has(ctx, s));
  const unrun = NON_KNEE_PAPER_SELECTORS.filter((s) => !has(ctx, s));
  const perKnee = new Map<string, Verdict[]>();
  /** Per knee, per condition: the difference to its closest competitor (the highest mean difference). */
  const closest = new Map<string, string[]>();
  for (const condition of ctx.data.conditions) {
    for (const knee of knees) {
      const balance = ctx.stats.pooled(
        ctx.data.models.map((m) => values(ctx, condition, m.id, knee, (p) => p.balance)),
        { claim: 1, condition: conditionIdentity(condition), selector: knee, metric: 'balance' },
      );
      const diffs = comparators.map((s) => ({
        selector: s,
        summary: ctx.stats.pooled(
          pairedStrata(ctx, [condition], knee, s, (x, r) => (x.balance === null || r.balance === null ? null : x.balance - r.balance)),
          { claim: 1, condition: conditionIdentity(condition), selector: knee, versus: s, metric: 'balance difference' },
        ),
      }));
      let verdict: Verdict;
      if (diffs.length === 0 || diffs.some((d) => d.summary.lo === null || d.summary.hi === null)) verdict = 'cannot tell';
      else if (diffs.every((d) => (d.summary.hi as number) < 0)) verdict = 'holds';
      else if (diffs.some((d) => (d.summary.lo as number) > 0)) verdict = 'does not hold';
      else verdict = 'cannot tell';
      perKnee.set(knee, [...(perKnee.get(knee) ?? []), verdict]);
      // The closest competitor by the mean difference; competitors that pick alike (their means
      // equal) are named together, not one of them by its interval's bootstrap noise.
      const measured = diffs.filter((d) => d.summary.mean !== null);
      const top = Math.max(...measured.map((d) => d.summary.mean as number));
      const nearest = measured.filter((d) => d.summary.mean === top);
      const selectors = nearest.map((d) => d.selector);
      const names = selectors.length > 1 ? `${listInWords(selectors)} alike` : selectors[0];
      // A condition where no competitor's difference could be measured stays in the list, as n/a.
      closest.set(knee, [...(closest.get(knee) ?? []), `${condition.label} ${nearest.length ? `${withInterval(nearest[0]!.summary, fmt.signed)} (${names})` : 'n/a'}`]);
      const numbers: Record<string, number | null> = { ...num('balance', balance) };
      for (const d of diffs) Object.assign(numbers, num(`minus_${d.selector}`, d.summary));
      rows.push({
        claim: 1,
        scope: condition.label,
        subject: kneeSubject(knee),
        measure: 'mean balance (worst normalized regret; lower is better), and the knee minus each other selector',
        value: `${withInterval(balance, fmt.balance)}; ${diffs.map((d) => `minus ${d.selector} ${withInterval(d.summary, fmt.signed)}`).join('; ')}`,
        verdict,
        rule: RULE_1,
        numbers,
        headline: false,
      });
    }
  }
  // What the verdict rests on where the study lacks part of the paper's comparison: which knee, and which competitors.
  const partial = [
    headlineKnee === PAPER_KNEE ? '' : `no ${PAPER_KNEE} in the results, so judged on ${headlineKnee}; `,
    unrun.length === 0 ? '' : `${lacking(ctx.data.selectors, [unrun])}, so judged against ${listInWords(comparators)} alone; `,
  ].join('');
  const context = balanceContext(ctx, comparators, headlineKnee!);
  for (const knee of knees) {
    const verdicts = perKnee.get(knee) ?? [];
    const headline = knee === headlineKnee;
    rows.push({
      claim: 1,
      scope: 'all',
      subject: kneeSubject(knee),
      measure: 'verdicts over the conditions; per condition, the knee\'s balance minus its closest competitor\'s',
      value: `${tally(verdicts)}; balance minus the closest competitor's: ${(closest.get(knee) ?? []).join('; ')}${headline ? `; note: ${partial}${context}` : ''}`,
      verdict: everywhere(verdicts),
      rule: 'Holds if it holds in every condition; does not hold if it does not hold in at least one; otherwise cannot tell.',
      numbers: {},
      headline,
    });
  }
  if (has(ctx, ACCURACY_MAX)) rows.push(...knees.map((knee) => quotedSavings(ctx, knee)));
  return rows;
}

/** Of a selector's picks in the study's conditions, those with a balance and those at the worst balance, 1 (an end of F). */
export function worstBalance(data: StudyData, selector: string): { picks: number; worst: number } {
  const conditions = new Set(data.conditions.map((c) => c.id));
  const balances = data.picks.filter((p) => p.selector === selector && p.balance !== null && conditions.has(p.condition));
  return { picks: balances.length, worst: balances.filter((p) => p.balance === 1).length };
}

/**
 * What a reader of claim 1's verdict should know, from the data: how often the knee's competitors
 * score the worst balance (a pick at an end of F is the worst of F in cost and latency, or in
 * accuracy), and which selector of the whole study has the lowest mean balance in each condition,
 * with the judged knee's where it is not that one.
 */
function balanceContext(ctx: Context, comparators: readonly string[], knee: string): string {
  const worst = comparators.map((s) => {
    const { picks, worst } = worstBalance(ctx.data, s);
    return `${s} ${picks ? fmt.share(worst / picks) : 'n/a'}`;
  });
  const lowest = ctx.data.conditions.map((condition) => {
    const means = ctx.data.selectors
      .map((selector) => {
        const balances = ctx.data.models.flatMap((m) => values(ctx, condition, m.id, selector, (p) => p.balance));
        return { selector, mean: balances.length ? balances.reduce((a, b) => a + b, 0) / balances.length : null };
      })
      .filter((x): x is { selector: string; mean: number } => x.mean !== null)
      .sort((a, b) => a.mean - b.mean);
    const best = means[0];
    // Where the judged knee is not the lowest, how far from it: the verdict compares it with the paper's other selectors alone.
    const place = means.findIndex((x) => x.selector === knee);
    const judged = place > 0 ? ` (${knee} ${fmt.balance(means[place]!.mean)}, ${place} selector${place === 1 ? '' : 's'} lower)` : '';
    return `${condition.label} ${best ? `${best.selector} ${fmt.balance(best.mean)}${judged}` : 'n/a'}`;
  });
  return `the competitors score the worst balance, 1 (an end of F), in ${worst.join(', ')} of their picks; lowest mean balance of every selector: ${lowest.join('; ')}`;
}

/** The selector's savings against accuracy-max, pooled over `conditions`; a measure in `known` is taken as given, not bootstrapped again. */
function pooledSavings(ctx: Context, conditions: readonly Condition[], selector: string, known: Partial<Record<PairedMeasure, Summary>> = {}): Record<PairedMeasure, Summary> {
  const one = (measure: PairedMeasure) => savingAgainstAccuracyMax(ctx, conditions, selector, measure);
  return { costSaved: known.costSaved ?? one('costSaved'), latencySaved: known.latencySaved ?? one('latencySaved'), accuracyLost: known.accuracyLost ?? one('accuracyLost') };
}

function savingsText(s: Record<PairedMeasure, Summary>): string {
  return `cost saved ${withInterval(s.costSaved, fmt.percent)}, latency saved ${withInterval(s.latencySaved, fmt.percent)}, accuracy given up ${withInterval(s.accuracyLost, fmt.points, ' pts')}`;
}

/**
 * The quote saves 5 points more latency than cost. The measured gap beside it shows whether any
 * aggregation of these picks could give that split: where a pick's cost and latency both grow
 * with k alike, the two savings are all but equal, whatever the quote aggregated.
 */
function latencyCostGap(ctx: Context, knee: string): Summary {
  const gap = (x: Pick, r: Pick) => {
    const latency = pairedValue('latencySaved', x, r);
    const cost = pairedValue('costSaved', x, r);
    return latency === null || cost === null ? null : latency - cost;
  };
  return pairedAgainstAccuracyMax(ctx, ctx.data.conditions, knee, 'latencySaved minus costSaved', gap);
}

function quotedSavings(ctx: Context, knee: string): ClaimRow {
  const s = pooledSavings(ctx, ctx.data.conditions, knee);
  const gap = latencyCostGap(ctx, knee);
  const contains = (x: Summary, v: number) => (x.lo as number) <= v && v <= (x.hi as number);
  const overlaps = (x: Summary, a: number, b: number) => (x.lo as number) <= b && a <= (x.hi as number);
  const intervals = [s.costSaved, s.latencySaved, s.accuracyLost];
  let verdict: Verdict;
  if (intervals.some((x) => x.lo === null || x.hi === null)) verdict = 'cannot tell';
  else if (contains(s.costSaved, QUOTED.costSaved) && contains(s.latencySaved, QUOTED.latencySaved) && overlaps(s.accuracyLost, QUOTED.accuracyLostLo, QUOTED.accuracyLostHi)) verdict = 'holds';
  else verdict = 'does not hold';
  return {
    claim: 1,
    scope: 'all',
    subject: `${knee} vs accuracy-max (quoted: ${QUOTED.latencySaved}% latency, ${QUOTED.costSaved}% cost, ${QUOTED.accuracyLostLo}-${QUOTED.accuracyLostHi} points)`,
    measure: 'savings per seed, paired, mean over conditions, models and seeds',
    value: `${savingsText(s)}; latency saved minus cost saved ${withInterval(gap, fmt.points, ' pts')}, the quote's ${fmt.points(QUOTED.latencySaved - QUOTED.costSaved)} pts`,
    verdict,
    rule:
      'Holds if the cost interval contains 58%, the latency interval contains 63% and the accuracy interval meets [1, 2] points; ' +
      `otherwise does not hold (the quote does not say how it aggregated). Latency saved minus cost saved, paired per seed, is given beside the quote's ${QUOTED.latencySaved - QUOTED.costSaved} points.`,
    numbers: { ...num('cost_saved_pct', s.costSaved), ...num('latency_saved_pct', s.latencySaved), ...num('accuracy_lost_pts', s.accuracyLost), ...num('latency_minus_cost_saved_pts', gap) },
    headline: false,
  };
}

// ---- claim 2 ---------------------------------------------------------------------------

const RULE_2 =
  'In the accuracy-critical scenario, accuracy at accuracy-max\'s k* minus accuracy at each other 3D selector\'s k*, paired per seed, ' +
  'mean over models and seeds: cannot tell if some selector\'s difference has no interval (no model has two seeds where both pick); ' +
  'else holds if no other selector is more accurate beyond its interval (upper bound < 0) and at least one ' +
  'is less accurate beyond it (lower bound > 0); does not hold if another selector is more accurate beyond its interval; otherwise cannot tell. ' +
  'Accuracy-max takes the k of F with the highest mean accuracy and the others pick in F from the same curves, so none can be more ' +
  'accurate: the verdict is holds or cannot tell, and what the row measures is the size of the lead and what the knee saves for it.';

function claim2(ctx: Context): ClaimRow[] {
  const conditions = ctx.data.conditions.filter((c) => c.scenario === ACCURACY_CRITICAL);
  const rivals = FEASIBLE_SET_SELECTORS.filter((s) => s !== ACCURACY_MAX);
  const lacks = unjudged(2, ACCURACY_MAX, 'accuracy at k* against the other selectors', RULE_2, [
    conditions.length === 0 ? `no ${ACCURACY_CRITICAL} scenario in the results` : null,
    lacking(ctx.data.selectors, [[ACCURACY_MAX], rivals]),
  ]);
  if (lacks) return lacks;
  const others = rivals.filter((s) => has(ctx, s));
  const rows: ClaimRow[] = [];
  for (const condition of conditions) {
    const diffs = others.map((s) => ({
      selector: s,
      summary: ctx.stats.pooled(
        pairedStrata(ctx, [condition], ACCURACY_MAX, s, (x, r) => (x.accuracy === null || r.accuracy === null ? null : 100 * (x.accuracy - r.accuracy))),
        { claim: 2, condition: conditionIdentity(condition), versus: s, metric: 'accuracy difference' },
      ),
    }));
    let verdict: Verdict;
    if (diffs.length === 0 || diffs.some((d) => d.summary.lo === null || d.summary.hi === null)) verdict = 'cannot tell';
    else if (diffs.some((d) => (d.summary.hi as number) < 0)) verdict = 'does not hold';
    else if (diffs.some((d) => (d.summary.lo as number) > 0)) verdict = 'holds';
    else verdict = 'cannot tell';
    const numbers: Record<string, number | null> = {};
    for (const d of diffs) Object.assign(numbers, num(`over_${d.selector}_pts`, d.summary));
    let kneeText = '';
    if (has(ctx, PAPER_KNEE)) {
      // The knee's accuracy given up is the row's own "over" difference: one estimate, one interval.
      const over = diffs.find((d) => d.selector === PAPER_KNEE)?.summary;
      const s = pooledSavings(ctx, [condition], PAPER_KNEE, over ? { accuracyLost: over } : {});
      Object.assign(numbers, num('knee_cost_saved_pct', s.costSaved), num('knee_latency_saved_pct', s.latencySaved), num('knee_accuracy_lost_pts', s.accuracyLost));
      kneeText = `; ${PAPER_KNEE} instead: ${savingsText(s)}`;
    }
    rows.push({
      claim: 2,
      scope: condition.label,
      subject: ACCURACY_MAX,
      measure: 'accuracy points gained over each other 3D selector (paired per seed), and what the knee trades',
      value: `${diffs.map((d) => `over ${d.selector} ${withInterval(d.summary, fmt.points, ' pts')}`).join('; ')}${kneeText}`,
      verdict,
      rule: RULE_2,
      numbers,
      headline: conditions.length === 1,
    });
  }
  if (conditions.length > 1) {
    const verdicts = rows.map((r) => r.verdict);
    rows.push({ claim: 2, scope: 'all', subject: ACCURACY_MAX, measure: 'verdicts over the conditions', value: tally(verdicts), verdict: everywhere(verdicts), rule: 'Holds if it holds in every accuracy-critical condition.', numbers: {}, headline: true });
  }
  return rows;
}

// ---- claim 3 ---------------------------------------------------------------------------

const smallerModels = (data: StudyData) => data.models.filter((m) => m.size === 'small' || m.size === 'medium');
const largeModels = (data: StudyData) => data.models.filter((m) => m.size === 'large');

/** What a study lacks for comparing smaller with large models (claim 3), each said for a reader; none: nothing. */
export function modelPairsLack(data: StudyData): string[] {
  return [
    lacking(data.selectors, [[ACCURACY_MAX]]),
    smallerModels(data).length === 0 ? 'no small or medium model in the results' : null,
    largeModels(data).length === 0 ? 'no large model in the results' : null,
  ].filter((r): r is string => r !== null);
}

function compareModelPairs(ctx: Context): ModelPairComparison[] {
  if (!has(ctx, ACCURACY_MAX)) return [];
  const smaller = smallerModels(ctx.data);
  const large = largeModels(ctx.data);
  const out: ModelPairComparison[] = [];
  for (const condition of ctx.data.conditions) {
    for (const s of smaller) {
      for (const l of large) {
        const get = (model: string, f: (p: Pick) => number | null) => values(ctx, condition, model, ACCURACY_MAX, f);
        const aS = get(s.id, (p) => p.accuracy);
        const aL = get(l.id, (p) => p.accuracy);
        const cS = get(s.id, (p) => p.cost);
        const cL = get(l.id, (p) => p.cost);
        const base = { condition: condition.id, smaller: s.id, smallerSize: s.size as string, large: l.id };
        if (aS.length === 0 || aL.length === 0) {
          const missing = [aS.length === 0 ? s.id : null, aL.length === 0 ? l.id : null].filter(Boolean).join(' and ');
          out.push({ ...base, accuracyDiff: null, costRatio: null, status: 'not comparable', atCeiling: false, note: `${missing}: no feasible k in any seed` });
          continue;
        }
        const identity = { claim: 3, condition: conditionIdentity(condition), smaller: s.id, large: l.id };
        const accuracyDiff = ctx.stats.twoSample(aS, aL, (a, b) => 100 * (a - b), { ...identity, metric: 'accuracy difference' });
        const costRatio = ctx.stats.twoSample(cS, cL, (a, b) => a / b, { ...identity, metric: 'cost ratio' });
        let status: ModelPairComparison['status'] = 'unclear';
        if (accuracyDiff && costRatio && accuracyDiff.hi !== null && costRatio.hi !== null && costRatio.lo !== null) {
          if (accuracyDiff.hi >= 0 && costRatio.hi < 1) status = 'matches at lower cost';
          else if (accuracyDiff.hi < 0 || costRatio.lo >= 1) status = 'does not';
        }
        // Both perfect at every seed: the smaller model matches, but only as the task stops telling models apart.
        const atCeiling = aS.every((a) => a === 1) && aL.every((a) => a === 1);
        out.push({ ...base, accuracyDiff, costRatio, status, atCeiling, note: atCeiling ? CEILING_NOTE : '' });
      }
    }
  }
  return out;
}

/** The pair that matches the large model's accuracy at the lowest cost ratio, if any does. */
export function cheapestMatch(pairs: readonly ModelPairComparison[]): ModelPairComparison | undefined {
  return pairs.filter((p) => p.status === 'matches at lower cost').sort((a, b) => (a.costRatio?.estimate ?? 0) - (b.costRatio?.estimate ?? 0))[0];
}

const CEILING_NOTE = 'both at accuracy 1 in every seed, a tie at the ceiling';

/** The matches that are ties at accuracy 1, said after a count of pairs where there are any. */
function ceilingTies(atCeiling: number): string {
  return atCeiling > 0 ? `, ${atCeiling} of the matches tied at accuracy 1` : '';
}

const RULE_3 =
  'For each small or medium model against each large model, at accuracy-max\'s k*: accuracy difference (smaller minus large) and ' +
  'cost ratio (smaller over large), two-sample bootstrap over seeds. A pair matches at lower cost if the accuracy upper bound is >= 0 ' +
  'and the cost-ratio upper bound < 1; it does not if the accuracy upper bound < 0 or the cost-ratio lower bound >= 1. Holds if some ' +
  'pair matches; does not hold if every comparable pair does not; otherwise cannot tell.';

function claim3(ctx: Context, pairs: readonly ModelPairComparison[]): ClaimRow[] {
  const lacks = unjudged(3, 'small and medium vs large models (accuracy-max)', 'pairs that match or beat the large model\'s accuracy at a lower cost', RULE_3, modelPairsLack(ctx.data));
  if (lacks) return lacks;
  const rows: ClaimRow[] = [];
  for (const condition of ctx.data.conditions) {
    const mine = pairs.filter((p) => p.condition === condition.id);
    const comparable = mine.filter((p) => p.status !== 'not comparable');
    const matching = mine.filter((p) => p.status === 'matches at lower cost');
    const atCeiling = matching.filter((p) => p.atCeiling).length;
    let verdict: Verdict;
    if (matching.length > 0) verdict = 'holds';
    else if (comparable.length > 0 && comparable.every((p) => p.status === 'does not')) verdict = 'does not hold';
    else verdict = 'cannot tell';
    const best = cheapestMatch(mine);
    const example = best
      ? `; cheapest match: ${modelLabel(ctx, best.smaller)} vs ${modelLabel(ctx, best.large)}, accuracy ${withInterval(best.accuracyDiff, fmt.points, ' pts')} at ${withInterval(best.costRatio, fmt.ratio, ' times')} the cost`
      : '';
    rows.push({
      claim: 3,
      scope: condition.label,
      subject: 'small and medium vs large models (accuracy-max)',
      measure: 'pairs that match or beat the large model\'s accuracy at a lower cost',
      value: `${matching.length} of ${comparable.length} comparable pairs${mine.length > comparable.length ? ` (${mine.length - comparable.length} not comparable)` : ''}${ceilingTies(atCeiling)}${example}`,
      verdict,
      rule: RULE_3,
      numbers: { matching: matching.length, comparable: comparable.length, at_ceiling: atCeiling, ...(best ? { ...num('best_accuracy_diff_pts', best.accuracyDiff), ...num('best_cost_ratio', best.costRatio) } : {}) },
      headline: false,
    });
  }
  const verdicts = rows.map((r) => r.verdict);
  const counts = rows.map((r) => `${r.scope} ${r.numbers.matching} of ${r.numbers.comparable}${ceilingTies(r.numbers.at_ceiling ?? 0)}`).join('; ');
  rows.push({
    claim: 3,
    scope: 'all',
    subject: 'small and medium vs large models (accuracy-max)',
    measure: 'verdicts over the conditions; pairs that match at lower cost per condition',
    value: `${tally(verdicts)}; pairs matching at a lower cost: ${counts}`,
    verdict: somewhere(verdicts),
    rule: 'The claim says smaller models can match: holds if it holds in some condition; does not hold if it fails in every one; otherwise cannot tell.',
    numbers: {},
    headline: true,
  });
  return rows;
}

// ---- claim 4 ---------------------------------------------------------------------------

const RULE_4 =
  'Share of a condition\'s (model, seed) cells whose accuracy-vs-cost (2D) pick has mean latency above T_max, per 2D selector ' +
  '(accuracy-max-2d, knee-2d), with a Wilson 95% interval that counts the cells as independent (the models are fixed, so it is ' +
  'wider than the seeds\' variation alone): holds if any cell breaks T_max; does not hold if none does. The 1D baseline\'s share ' +
  'of infeasible picks is reported beside it.';

/** A claim-4 number's stem for a 2D selector; accuracy-max-2d's is the plain `breaks_latency_2d`. */
function breaksKey(selector: string): string {
  return selector === ACCURACY_COST_2D ? 'breaks_latency_2d' : `breaks_latency_${selector.replaceAll('-', '_')}`;
}

interface Claim4Counts {
  /** Per 2D selector the study runs: cells (model and seed) judged, breaking T_max, and without a pick. */
  twoD: Map<string, { judged: number; breaks: number; without: number }>;
  /** The 1D baseline's picks judged and infeasible; null when the study does not run it. */
  fixed: { judged: number; infeasible: number } | null;
}

function claim4(ctx: Context): ClaimRow[] {
  const lacks = unjudged(4, TWO_D_SELECTORS.join(', '), 'share of 2D picks that break T_max', RULE_4, [lacking(ctx.data.selectors, [TWO_D_SELECTORS])]);
  if (lacks) return lacks;
  const shown = TWO_D_SELECTORS.filter((s) => has(ctx, s));
  const empty = (): Claim4Counts => ({ twoD: new Map(shown.map((s) => [s, { judged: 0, breaks: 0, without: 0 }])), fixed: has(ctx, FIXED_K) ? { judged: 0, infeasible: 0 } : null });
  const all = empty();
  const rows: ClaimRow[] = [];
  for (const condition of ctx.data.conditions) {
    const here = empty();
    for (const selector of shown) {
      const picks = ctx.data.models.flatMap((m) => ctx.index.cell(condition.id, m.id, selector));
      const judged = picks.map((p) => breaksLatency(p, condition)).filter((b): b is boolean => b !== null);
      for (const counts of [here, all]) {
        const c = counts.twoD.get(selector)!;
        c.judged += judged.length;
        c.breaks += judged.filter(Boolean).length;
        c.without += picks.length - judged.length;
      }
    }
    if (here.fixed) {
      const fixed = ctx.data.models.flatMap((m) => ctx.index.cell(condition.id, m.id, FIXED_K)).filter((p) => p.feasible !== null);
      for (const counts of [here, all]) {
        counts.fixed!.judged += fixed.length;
        counts.fixed!.infeasible += fixed.filter((p) => p.feasible === false).length;
      }
    }
    rows.push(claim4Row(condition.label, here, false));
  }
  const verdicts = rows.map((r) => r.verdict);
  const overall = claim4Row('all', all, true);
  overall.verdict = somewhere(verdicts);
  // As claims 1, 3 and 5 do: a condition where it does not hold stays in sight beside the pooled shares.
  overall.value = `${tally(verdicts)}; ${overall.value}`;
  overall.rule = 'The claim says a 2D pick can break the budget: holds if it holds in some condition; does not hold if in none. Its shares pool the conditions\' cells.';
  return [...rows, overall];
}

function claim4Row(scope: string, counts: Claim4Counts, headline: boolean): ClaimRow {
  const twoD = [...counts.twoD].map(([selector, c]) => ({ selector, breaks: share(c.breaks, c.judged), without: c.without }));
  const infeasible = counts.fixed ? share(counts.fixed.infeasible, counts.fixed.judged) : undefined;
  const judged = twoD.filter((t) => t.breaks !== null);
  const verdict: Verdict = judged.length === 0 ? 'cannot tell' : judged.some((t) => t.breaks!.successes > 0) ? 'holds' : 'does not hold';
  const oneD = infeasible !== undefined;
  const label = (t: (typeof twoD)[number]) => (twoD.length > 1 ? ` (${t.selector})` : '');
  const breaking = twoD.map((t) => `${shareText(t.breaks)}${label(t)}${t.without > 0 ? ` (${countOf(t.without, 'cell')} without a pick)` : ''}`).join('; ');
  return {
    claim: 4,
    scope,
    subject: `${twoD.map((t) => t.selector).join(', ')} (2D)${oneD ? `; ${FIXED_K} (1D)` : ''}`,
    measure: oneD ? 'share of cells whose 2D pick breaks T_max; share whose 1D pick is infeasible' : 'share of cells whose 2D pick breaks T_max',
    value: `2D pick breaks T_max in ${breaking}${oneD ? `; 1D pick infeasible in ${shareText(infeasible)}` : ''}`,
    verdict,
    rule: RULE_4,
    numbers: { ...Object.fromEntries(twoD.flatMap((t) => Object.entries(shareNumbers(breaksKey(t.selector), t.breaks)))), ...(oneD ? shareNumbers('infeasible_1d', infeasible) : {}) },
    headline,
  };
}

// ---- claim 5 ---------------------------------------------------------------------------

/** Seeds a pair of scenarios needs for the sign-flip test to reject at 0.05/m: its smallest p-value, 2/2^n, must reach it. */
function seedsToReject(pairs: number): number {
  return Math.ceil(Math.log2((2 * pairs) / (1 - CONFIDENCE)) - 1e-9);
}

const RULE_5 =
  'Per selector, a model\'s k* moves if, for some pair of scenarios where it picks a k, the sign-flip test of the mean per-seed ' +
  'difference in k* (seeds share their random numbers across scenarios; those with a pick in both) rejects no difference at ' +
  '0.05/m for m pairs (no pick in a scenario, for want of a feasible k or, for a knee, of 3 Pareto points, is not k* moving); it does not move if no pair rejects and every pair has ' +
  `enough seeds with a pick in both for the test to reject (n seeds give at least p = 2/2^n: ${seedsToReject(1)} for one pair, ` +
  `${seedsToReject(3)} for three). A model is not judged when it picks in fewer than two scenarios, or when no pair rejects and ` +
  'some pair has too few seeds to reject. Holds if more than half of the models with a pick in two scenarios are judged and k* ' +
  'moves for more than half of those judged; does not hold if more than half are judged and it moves for none; otherwise ' +
  'cannot tell. Overall: holds if it holds for every paper selector.';

/** The scenarios compared for claim 5: the conditions of each variant, those with two or more. */
function scenarioGroups(data: StudyData): Map<string, Condition[]> {
  const groups = new Map<string, Condition[]>();
  for (const c of data.conditions) groups.set(c.variantLabel, [...(groups.get(c.variantLabel) ?? []), c]);
  return new Map([...groups].filter(([, conditions]) => conditions.length >= 2));
}

export function adaptivityLacks(data: StudyData): string[] {
  return scenarioGroups(data).size === 0 ? ['fewer than two scenarios in the results'] : [];
}

/**
 * The models not judged, counted by reason: " (2 with a pick in fewer than two scenarios)". A
 * reason's numbers, after its colon, differ from model to model: the adaptivity table gives them.
 */
function notJudgedText(entries: readonly Adaptivity[]): string {
  const counts = new Map<string, number>();
  for (const e of entries) {
    const reason = e.notJudged?.split(': ')[0];
    if (reason !== undefined) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return counts.size === 0 ? '' : ` (${[...counts].map(([reason, n]) => `${n} with ${reason}`).join('; ')})`;
}

/** Claim 5's judgement of one model and selector: whether its k* moves, or why it is not judged. */
interface Movement {
  moves: boolean | null;
  notJudged: string | null;
}

function judgeMoves(ctx: Context, conditions: readonly Condition[], ks: readonly number[][], model: string, selector: string): Movement {
  if (ks.filter((k) => k.length > 0).length < 2) return { moves: null, notJudged: NOT_JUDGED.fewScenarios };
  return movesBetween(ctx, conditions, ks, model, selector);
}

/** A p-value as a reason gives it: two significant digits, no trailing zeros (0.25, 0.031, 1). */
const pValue = (p: number) => String(Number(p.toPrecision(2)));

/** Why a model's k* is not judged for claim 5: what it has, as its tables say after "not judged" and its claim row after "with". */
export const NOT_JUDGED = {
  fewScenarios: 'a pick in fewer than two scenarios',
  /**
   * The pair of scenarios with the fewest seeds to compare (`seeds` with a pick in both, of
   * `run` run in both) cannot reach the level of a test of one of `pairs` pairs.
   */
  fewSeeds: (seeds: number, run: number, pairs: number) => {
    if (seeds === 0) return 'no seed with a pick in both scenarios of a pair';
    const level = `${pValue(1 - CONFIDENCE)}${pairs > 1 ? `/${pairs}` : ''}`;
    const why = `with ${countOf(seeds, 'seed')} its smallest p-value is ${pValue(2 / 2 ** seeds)}, above its level of ${level}`;
    return seeds === run ? `too few seeds for the test to tell: ${why}` : `too few seeds with a pick in both scenarios of a pair for the test to tell: ${why}`;
  },
} as const;

function measureAdaptivity(ctx: Context): Adaptivity[] {
  const out: Adaptivity[] = [];
  for (const [variant, conditions] of scenarioGroups(ctx.data)) {
    for (const selector of ctx.data.selectors) {
      for (const model of ctx.data.models) {
        // The scenarios the model was run in (a study may exclude some combinations): two or more to compare.
        const withTrials = conditions.map((c) => ({ c, cell: ctx.index.cell(c.id, model.id, selector) })).filter(({ cell }) => cell.length > 0);
        if (withTrials.length < 2) continue;
        const run = withTrials.map(({ c }) => c);
        const cells = withTrials.map(({ cell }) => cell);
        const ks = cells.map((cell) => cell.map((p) => p.kStar).filter((k): k is number => k !== null));
        const byReplicate = cells.map((cell) => new Map(cell.map((p) => [p.replicate, p.kStar])));
        let differing = 0;
        let seeds = 0;
        for (const replicate of byReplicate[0]?.keys() ?? []) {
          if (!byReplicate.every((m) => m.has(replicate))) continue;
          const picked = byReplicate.map((m) => m.get(replicate)).filter((k): k is number => k !== null && k !== undefined);
          if (picked.length < 2) continue;
          seeds += 1;
          if (picked.some((k) => k !== picked[0])) differing += 1;
        }
        out.push({
          variant,
          conditions: run.map((c) => c.id),
          model: model.id,
          selector,
          ...judgeMoves(ctx, run, ks, model.id, selector),
          differs: share(differing, seeds),
        });
      }
    }
  }
  return out;
}

function claim5(ctx: Context, adaptivity: readonly Adaptivity[]): ClaimRow[] {
  const lacks = unjudged(5, 'paper selectors', 'verdicts over the paper\'s selectors; models whose k* moves', RULE_5, [
    ...adaptivityLacks(ctx.data),
    lacking(ctx.data.selectors, [PAPER_SELECTORS]),
  ]);
  if (lacks) return lacks;
  const rows: ClaimRow[] = [];
  const paperVerdicts: Verdict[] = [];
  for (const variantLabel of scenarioGroups(ctx.data).keys()) {
    for (const selector of ctx.data.selectors) {
      const entries = adaptivity.filter((m) => m.variant === variantLabel && m.selector === selector);
      if (entries.length === 0) continue;
      // The models that pick a k in two scenarios or more: the others have nothing to compare.
      const judged = entries.filter((m) => m.moves !== null);
      // A verdict either way needs more than half of the models that have two scenarios to compare.
      const compared = entries.filter((m) => m.notJudged !== NOT_JUDGED.fewScenarios).length;
      const enough = judged.length > compared / 2;
      const moving = judged.filter((m) => m.moves).length;
      // The seeds whose k* differs, of every model compared, judged or not: what the seeds show without a test.
      const differing = entries.reduce((sum, m) => sum + (m.differs?.successes ?? 0), 0);
      const seedCells = entries.reduce((sum, m) => sum + (m.differs?.n ?? 0), 0);
      const verdict: Verdict = !enough ? 'cannot tell' : moving > judged.length / 2 ? 'holds' : moving === 0 ? 'does not hold' : 'cannot tell';
      if (PAPER_SELECTORS.includes(selector)) paperVerdicts.push(verdict);
      const perSeed = share(differing, seedCells);
      rows.push({
        claim: 5,
        scope: variantLabel ? `scenarios · ${variantLabel}` : 'scenarios',
        subject: selector,
        measure: 'models whose k* moves between scenarios; share of (model, seed) cells whose k* is not the same in every scenario with a pick',
        value: `${judged.length === 0 ? 'no model judged' : `moves for ${moving} of ${countOf(judged.length, 'model')}${enough ? '' : `, half or fewer of the ${compared} with a pick in two scenarios`}`}${notJudgedText(entries)}; k* differs in ${shareText(perSeed)} cells`,
        verdict,
        rule: RULE_5,
        numbers: { models_moving: moving, models: judged.length, ...shareNumbers('differs', perSeed) },
        headline: false,
      });
    }
  }
  // Under each swept value its own list, named (in the paper's study, one list).
  const paperRows = rows.filter((r) => PAPER_SELECTORS.includes(r.subject));
  const moving = [...new Set(paperRows.map((r) => r.scope))]
    .map((scope) => {
      const list = paperRows
        .filter((r) => r.scope === scope)
        .map((r) => (r.numbers.models === 0 ? `${r.subject}: no model judged` : `${r.subject} ${r.numbers.models_moving}/${r.numbers.models} models`))
        .join('; ');
      return scope === 'scenarios' ? list : `${scope.replace(/^scenarios · /, '')}: ${list}`;
    })
    .join('; ');
  rows.push({
    claim: 5,
    scope: 'all',
    subject: 'paper selectors',
    measure: 'verdicts over the paper\'s selectors; models whose k* moves',
    value: `${tally(paperVerdicts)}; ${moving}`,
    verdict: paperVerdicts.length === 0 ? 'cannot tell' : paperVerdicts.every((v) => v === 'holds') ? 'holds' : paperVerdicts.every((v) => v === 'does not hold') ? 'does not hold' : 'cannot tell',
    rule: 'Holds if it holds for every paper selector; does not hold if it fails for every one; otherwise cannot tell.',
    numbers: {},
    headline: true,
  });
  return rows;
}

/**
 * Whether k* moves between some two of the scenarios where the selector picks. A model's seeds
 * draw the same random numbers in every scenario, so each pair of scenarios is compared seed by
 * seed, over the seeds with a pick in both: the sign-flip test of their mean difference in k*,
 * exact at any number of seeds. Each of the m pairs compared is tested at 0.05/m (Bonferroni),
 * so that a k* that moves nowhere is called moving in at most 5% of studies, whatever the number
 * of scenarios. Moves when one pair's p-value is within its level. Not moving asks as much of
 * the seeds: every pair's p-value above its level, and every pair with seeds enough for the test
 * to reach it (with n seeds the smallest p-value is 2/2^n), however alike their k*. Otherwise
 * not judged, for the pair with the fewest seeds.
 */
function movesBetween(ctx: Context, conditions: readonly Condition[], ks: readonly number[][], model: string, selector: string): Movement {
  const pairs: [number, number][] = [];
  for (let i = 0; i < ks.length; i++) {
    for (let j = i + 1; j < ks.length; j++) if (ks[i]!.length > 0 && ks[j]!.length > 0) pairs.push([i, j]);
  }
  const alpha = (1 - CONFIDENCE) / pairs.length;
  let weakest: { seeds: number; run: number } | null = null;
  for (const [i, j] of pairs) {
    const [a, b] = [conditions[i]!, conditions[j]!];
    const differences = ctx.index.pairedConditions(a.id, b.id, model, selector, (x, y) => (x.kStar === null || y.kStar === null ? null : x.kStar - y.kStar));
    const p = ctx.stats.signFlip(differences, { claim: 5, model, selector, between: [conditionIdentity(a), conditionIdentity(b)] });
    if (p !== null && p <= alpha) return { moves: true, notJudged: null };
    const seeds = differences.length;
    if (2 / 2 ** seeds > alpha && (weakest === null || seeds < weakest.seeds)) {
      weakest = { seeds, run: ctx.index.pairedConditions(a.id, b.id, model, selector, () => 0).length };
    }
  }
  return weakest === null ? { moves: false, notJudged: null } : { moves: null, notJudged: NOT_JUDGED.fewSeeds(weakest.seeds, weakest.run, pairs.length) };
}
