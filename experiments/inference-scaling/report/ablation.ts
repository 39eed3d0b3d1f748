/**
 * What each factor of a one-factor-at-a-time study changes, level by level, against the
 * baseline. Every variant of one (model, seed) has the same seed (the experiment names its
 * streams by model and seed only), so level and baseline are paired per seed.
 *
 * Per (factor, scenario, level, selector):
 * - the spread of k* across seeds: the interquartile range per model, its mean over the models
 *   with a pick (fewer at a level where a model picks nothing);
 * - how far k* moves from the baseline's, and the accuracy gained or lost (paired per seed,
 *   pooled over models with a bootstrap stratified by model);
 * - the share of seeds with no pick;
 * - the share of picks that break a budget in more than delta of the Monte Carlo runs;
 * - the share of the baseline's picks that are infeasible when judged on this level's curves
 *   (same model and seed), e.g. under straggler-aware latency;
 * - what the selector saves against accuracy-max at this level (% of its cost, paired per seed,
 *   pooled over models), so that a factor's effect on the paper's headline saving shows.
 * And the paper's claims judged separately under each variant.
 */
import type { Json, Scalar } from '../../../harness/experiment.js';
import type { ShareInterval } from '../../../harness/stats/index.js';
import { evaluateClaims, type Claims } from './claims.js';
import type { Condition, Pick, StudyData } from './data.js';
import { baselineVariant, factorGroups, studyFactors, type Factor, type FactorGroup } from './factors.js';
import { ACCURACY_MAX } from './selectors.js';
import { conditionIdentity, savingAgainstAccuracyMax, share, type CellStats, type PickIndex, type Statistician, type Summary } from './statistics.js';

export interface Range {
  mean: number;
  min: number;
  max: number;
  /** The values it is over (e.g. the models with a pick). */
  count: number;
}

export interface LevelStats {
  factor: string;
  /** The comparison's scenario (and swept values). */
  group: string;
  scenario: string;
  condition: string;
  /** Variant name. */
  level: string;
  /** The factor's value at this level, as text. */
  value: string;
  baseline: boolean;
  selector: string;
  /** IQR of k* across seeds: mean, least and most over the models with picks. */
  kIqr: Range | null;
  /** k* here minus the baseline's, same seed. Null at the baseline. */
  kShift: Summary | null;
  /** 100 x (accuracy here minus the baseline's) at k*, same seed. Null at the baseline. */
  accuracyShift: Summary | null;
  noPick: ShareInterval | null;
  /** Picks meeting both budgets in fewer than 1 - delta of the runs. */
  budgetBreak: ShareInterval | null;
  /** Of the baseline's picks feasible there, those not feasible on this level's curves (see rejudge). Null at the baseline. */
  rejudged: ShareInterval | null;
  /** % of accuracy-max's cost the selector saves at this level, same model and seed. Null for accuracy-max, or without it. */
  costSaved: Summary | null;
}

export interface VariantClaims {
  variant: string;
  claims: Claims;
}

export interface Ablation {
  baseline: string;
  factors: Factor[];
  groups: FactorGroup[];
  levels: LevelStats[];
  /** The claims judged on each variant's conditions alone, in variant order. */
  claims: VariantClaims[];
}

export interface AblationContext {
  data: StudyData;
  index: PickIndex;
  stats: Statistician;
  cell(condition: string, model: string, selector: string): CellStats | undefined;
}

/** Null when the study has no variants. */
export function analyzeAblation(ctx: AblationContext, progress?: (done: number, total: number) => void): Ablation | null {
  const baseline = baselineVariant(ctx.data);
  if (baseline === null) return null;
  const factors = studyFactors(ctx.data);
  const groups = factors.flatMap((f) => factorGroups(ctx.data, f));
  const levels: LevelStats[] = [];
  groups.forEach((group, i) => {
    levels.push(...groupStats(ctx, group, baseline));
    progress?.(i + 1, groups.length + (ctx.data.variants?.length ?? 0));
  });
  const variants = ctx.data.variants ?? [];
  const claims = variants.map((v, i) => {
    const judged = { variant: v.name, claims: evaluateClaims(variantData(ctx.data, v.name), ctx.index, ctx.stats) };
    progress?.(groups.length + i + 1, groups.length + variants.length);
    return judged;
  });
  return { baseline, factors, groups, levels, claims };
}

/** The study's data reduced to one variant's conditions, labelled without the variant's name. */
export function variantData(data: StudyData, variant: string): StudyData {
  const conditions = data.conditions.filter((c) => c.variantName === variant).map((c) => ({ ...c, label: c.labelInVariant }));
  const ids = new Set(conditions.map((c) => c.id));
  return { ...data, conditions, picks: data.picks.filter((p) => ids.has(p.condition)) };
}

function groupStats(ctx: AblationContext, group: FactorGroup, baseline: string): LevelStats[] {
  const reference = group.conditions.get(baseline);
  const out: LevelStats[] = [];
  for (const level of group.factor.levels) {
    const condition = group.conditions.get(level.variant);
    if (!condition) continue;
    for (const selector of ctx.data.selectors) {
      const id = (metric: string): Json => ({ ablation: group.factor.id, condition: conditionIdentity(condition), selector, metric });
      const paired = (f: (x: Pick, ref: Pick) => number | null) =>
        ctx.data.models.map((m) => (reference ? ctx.index.pairedConditions(condition.id, reference.id, m.id, selector, f) : []));
      const picks = ctx.data.models.flatMap((m) => ctx.index.cell(condition.id, m.id, selector));
      const chosen = picks.filter((p) => p.kStar !== null);
      const withBudget = chosen.filter((p) => p.pBudget !== null);
      const delta = condition.rule.delta;
      const atBaseline = level.baseline || !reference;
      out.push({
        factor: group.factor.id,
        group: group.label,
        scenario: group.scenario,
        condition: condition.id,
        level: level.variant,
        value: level.label,
        baseline: level.baseline,
        selector,
        kIqr: range(ctx.data.models.map((m) => ctx.cell(condition.id, m.id, selector)?.spread.iqr ?? null)),
        kShift: atBaseline ? null : ctx.stats.pooled(paired((x, r) => (x.kStar === null || r.kStar === null ? null : x.kStar - r.kStar)), id('k shift')),
        accuracyShift: atBaseline
          ? null
          : ctx.stats.pooled(paired((x, r) => (x.accuracy === null || r.accuracy === null ? null : 100 * (x.accuracy - r.accuracy))), id('accuracy shift')),
        noPick: share(picks.length - chosen.length, picks.length),
        budgetBreak: share(withBudget.filter((p) => (p.pBudget as number) < 1 - delta).length, withBudget.length),
        rejudged: atBaseline ? null : rejudge(ctx, reference as Condition, condition, selector),
        costSaved:
          selector === ACCURACY_MAX || !ctx.data.selectors.includes(ACCURACY_MAX)
            ? null
            : savingAgainstAccuracyMax(ctx, [condition], selector, 'costSaved'),
      });
    }
  }
  return out;
}

/**
 * The baseline's picks that were feasible there, judged on the level's curves of the same model
 * and seed: the share that is not feasible here, infeasible by the level's flags or no longer a
 * candidate k (beyond a smaller k_max, off a coarser grid). A pick infeasible at the baseline
 * already (a 1D or 2D baseline's outside the 3D feasible set) is not the level's doing and is left out.
 */
function rejudge(ctx: AblationContext, reference: Condition, condition: Condition, selector: string): ShareInterval | null {
  let judged = 0;
  let infeasible = 0;
  for (const model of ctx.data.models) {
    const here = new Map(ctx.index.cell(condition.id, model.id, selector).map((p) => [p.replicate, p.groupKey]));
    for (const pick of ctx.index.cell(reference.id, model.id, selector)) {
      const groupKey = here.get(pick.replicate);
      if (pick.kStar === null || pick.feasible !== true || groupKey === undefined) continue;
      const curve = ctx.data.groupCurves.get(groupKey);
      if (curve === undefined) continue;
      const at = curve.numbers('k').indexOf(pick.kStar);
      const feasible = at < 0 ? false : flagOf(curve.numbers('feasible')[at]);
      if (feasible === null) continue;
      judged += 1;
      if (!feasible) infeasible += 1;
    }
  }
  return share(infeasible, judged);
}

function flagOf(value: Scalar | undefined): boolean | null {
  return value === 1 ? true : value === 0 ? false : null;
}

function range(values: readonly (number | null)[]): Range | null {
  const xs = values.filter((v): v is number => v !== null);
  if (xs.length === 0) return null;
  return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs), count: xs.length };
}
