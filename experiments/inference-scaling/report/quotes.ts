/**
 * Numbers as documents quote them (REPRODUCTION.md): each under a stable dotted name, already
 * written as text. A document marks a quoted number with its name, and a test checks the text
 * against this table, so the document cannot drift from the data.
 *
 * Names: `settings.…` (how the report computes), `quoted.…` (the figures a third party quotes for the paper), `claim<n>.…` (the claims; in a study with variants, of the baseline variant),
 * `k.<condition>.<model>.<selector>.…` (k* across seeds), `stability.…`, `balance.…`, and in a
 * study with variants `variant.<name>.claim<n>.…`, `variants.…` (verdicts that change) and
 * `factor.<factor>.<condition>.<level>.<selector>.…`.
 */
import { variantData } from './ablation.js';
import { baselineView, type Analysis } from './analysis.js';
import { cheapestMatch, QUOTED, worstBalance, type Claims } from './claims.js';
import type { StudyData } from './data.js';
import { fmt, type Formatter } from './format.js';
import { ACCURACY_MAX, FEASIBLE_SET_SELECTORS, KNEE_2D, KNEES } from './selectors.js';
import { CONFIDENCE } from './statistics.js';

export type Quotes = Record<string, string>;

/** Accuracy points in prose ("gives up 0.58 points"): unsigned. */
const points: Formatter = (x) => x.toFixed(2);

const keyOf = (text: string) => text.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '');

/**
 * Each distinct text's key, in order: keyOf, with -2, -3, ... after a key an earlier text took
 * ("fast lane" and "Fast-Lane"), so that no quote names two things.
 */
function uniqueKeys(texts: readonly string[]): Map<string, string> {
  const keys = new Map<string, string>();
  const taken = new Set<string>();
  for (const text of texts) {
    if (keys.has(text)) continue;
    let key = keyOf(text);
    for (let i = 2; taken.has(key); i++) key = `${keyOf(text)}-${i}`;
    taken.add(key);
    keys.set(text, key);
  }
  return keys;
}

/** The quote key of each condition label of `data`. */
const conditionKeys = (data: StudyData) => uniqueKeys(data.conditions.map((c) => c.label));

const interval = (lo: number | null, hi: number | null, f: Formatter) => (lo === null || hi === null ? 'n/a' : `[${f(lo)}, ${f(hi)}]`);

export function quotes(a: Analysis): Quotes {
  const main = baselineView(a);
  const out: Quotes = {
    'settings.confidence': fmt.share(CONFIDENCE),
    'quoted.cost_saved': fmt.percent(QUOTED.costSaved).replace('.0%', '%'),
    'quoted.latency_saved': fmt.percent(QUOTED.latencySaved).replace('.0%', '%'),
    'quoted.accuracy_lost': `${QUOTED.accuracyLostLo}-${QUOTED.accuracyLostHi}`,
    ...claimQuotes(main.claims, main.data, ''),
    ...cellQuotes(main),
  };
  for (const v of a.ablation?.claims ?? []) {
    Object.assign(out, claimQuotes(v.claims, variantData(a.data, v.variant), `variant.${v.variant}.`));
  }
  Object.assign(out, factorQuotes(a), verdictChanges(a));
  return Object.fromEntries(Object.entries(out).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
}

function claimQuotes(claims: Claims, data: StudyData, prefix: string): Quotes {
  const q: Quotes = {};
  const put = (key: string, value: number | null | undefined, f: Formatter) => {
    if (value !== null && value !== undefined) q[`${prefix}${key}`] = f(value);
  };
  const putInterval = (key: string, n: Record<string, number | null>, name: string, f: Formatter) => {
    put(key, n[`${name}_mean`], f);
    q[`${prefix}${key}.ci`] = interval(n[`${name}_lo`] ?? null, n[`${name}_hi`] ?? null, f);
  };
  /** A share and its Wilson interval, as the claims table writes them. */
  const putShare = (key: string, n: Record<string, number | null>, name: string) => {
    if (n[`${name}_share`] === undefined || n[`${name}_share`] === null) return;
    put(key, n[`${name}_share`], fmt.share);
    q[`${prefix}${key}.ci`] = interval(n[`${name}_lo`] ?? null, n[`${name}_hi`] ?? null, fmt.share);
  };
  const conditionKey = conditionKeys(data);
  for (const row of claims.rows) {
    const scope = row.scope === 'all' ? 'all' : (conditionKey.get(row.scope) ?? keyOf(row.scope));
    const subject = row.subject.split(' ')[0] as string;
    const n = row.numbers;
    if (row.headline) q[`${prefix}claim${row.claim}.verdict`] = row.verdict;
    if (row.claim === 1 && row.subject.includes(' vs accuracy-max')) {
      putInterval(`claim1.${subject}.cost_saved`, n, 'cost_saved_pct', fmt.percent);
      putInterval(`claim1.${subject}.latency_saved`, n, 'latency_saved_pct', fmt.percent);
      putInterval(`claim1.${subject}.accuracy_lost`, n, 'accuracy_lost_pts', points);
      q[`${prefix}claim1.${subject}.quoted.verdict`] = row.verdict;
    } else if (row.claim === 1) {
      q[`${prefix}claim1.${scope}.${subject}.verdict`] = row.verdict;
      if (n.balance_mean !== undefined) putInterval(`claim1.${scope}.${subject}.balance`, n, 'balance', fmt.balance);
      // The knee's balance less each competitor's, per seed (negative: the knee is the better balanced).
      for (const name of Object.keys(n).filter((k) => k.startsWith('minus_') && k.endsWith('_mean'))) {
        const other = name.slice('minus_'.length, -'_mean'.length);
        putInterval(`claim1.${scope}.${subject}.minus.${other}`, n, `minus_${other}`, fmt.signed);
      }
    } else if (row.claim === 2 && scope !== 'all') {
      for (const name of Object.keys(n).filter((k) => k.startsWith('over_') && k.endsWith('_pts_mean'))) {
        putInterval(`claim2.${scope}.over.${name.slice('over_'.length, -'_pts_mean'.length)}`, n, name.slice(0, -'_mean'.length), points);
      }
      putInterval(`claim2.${scope}.knee-paper.cost_saved`, n, 'knee_cost_saved_pct', fmt.percent);
      putInterval(`claim2.${scope}.knee-paper.latency_saved`, n, 'knee_latency_saved_pct', fmt.percent);
      putInterval(`claim2.${scope}.knee-paper.accuracy_lost`, n, 'knee_accuracy_lost_pts', points);
      q[`${prefix}claim2.${scope}.verdict`] = row.verdict;
    } else if (row.claim === 3 && scope !== 'all') {
      put(`claim3.${scope}.matching`, n.matching, String);
      put(`claim3.${scope}.comparable`, n.comparable, String);
      put(`claim3.${scope}.at_ceiling`, n.at_ceiling, String);
      q[`${prefix}claim3.${scope}.verdict`] = row.verdict;
    } else if (row.claim === 4) {
      for (const [key, name] of [['breaks_2d', 'breaks_latency_2d'], ['breaks_knee_2d', 'breaks_latency_knee_2d'], ['infeasible_1d', 'infeasible_1d']] as const) {
        putShare(`claim4.${scope}.${key}`, n, name);
        put(`claim4.${scope}.${key}.n`, n[`${name}_n`], String);
      }
      q[`${prefix}claim4.${scope}.verdict`] = row.verdict;
    } else if (row.claim === 5 && row.scope !== 'all' && n.models_moving !== undefined) {
      q[`${prefix}claim5.${subject}.moving`] = `${n.models_moving} of ${n.models}`;
      putShare(`claim5.${subject}.differs`, n, 'differs');
    }
  }
  const modelName = (id: string) => data.models.find((m) => m.id === id)?.name ?? id;
  for (const c of data.conditions) {
    const best = cheapestMatch(claims.modelPairs.filter((p) => p.condition === c.id));
    if (!best) continue;
    const key = `${prefix}claim3.${conditionKey.get(c.label)}.best`;
    q[`${key}.smaller`] = modelName(best.smaller);
    q[`${key}.large`] = modelName(best.large);
    if (best.accuracyDiff) {
      q[`${key}.accuracy_diff`] = fmt.points(best.accuracyDiff.estimate);
      q[`${key}.accuracy_diff.ci`] = interval(best.accuracyDiff.lo, best.accuracyDiff.hi, fmt.points);
    }
    if (best.costRatio) {
      q[`${key}.cost_ratio`] = fmt.ratio(best.costRatio.estimate);
      q[`${key}.cost_ratio.ci`] = interval(best.costRatio.lo, best.costRatio.hi, fmt.ratio);
    }
  }
  return q;
}

/** k* across seeds for accuracy-max and the knees (the 2D one too); how often each selector repeats itself; balance at the extremes. */
function cellQuotes(a: Analysis): Quotes {
  const q: Quotes = {};
  const shown = [ACCURACY_MAX, ...KNEES, KNEE_2D].filter((s) => a.data.selectors.includes(s));
  const conditionKey = conditionKeys(a.data);
  for (const condition of a.data.conditions) {
    for (const model of a.data.models) {
      for (const selector of shown) {
        const cell = a.cell(condition.id, model.id, selector);
        if (!cell) continue;
        const key = `k.${conditionKey.get(condition.label)}.${model.id}.${selector}`;
        q[`${key}.none`] = `${cell.trials - cell.picks} of ${cell.trials}`;
        const s = cell.spread;
        if (s.mode === null || s.min === null || s.max === null || s.iqr === null || s.modeShare === null) continue;
        Object.assign(q, { [`${key}.mode`]: String(s.mode), [`${key}.mode_share`]: fmt.share(s.modeShare), [`${key}.min`]: String(s.min), [`${key}.max`]: String(s.max), [`${key}.iqr`]: fmt.k(s.iqr) });
      }
    }
  }
  for (const selector of FEASIBLE_SET_SELECTORS.filter((s) => a.data.selectors.includes(s))) {
    const cells = a.data.conditions.flatMap((c) => a.data.models.map((m) => a.cell(c.id, m.id, selector))).filter((c) => c !== undefined && c.spread.modeShare !== null);
    const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
    if (cells.length > 0) {
      q[`stability.${selector}.mode_share`] = fmt.share(mean(cells.map((c) => c?.spread.modeShare as number)));
      q[`stability.${selector}.iqr`] = fmt.k(mean(cells.map((c) => c?.spread.iqr as number)));
    }
    const { picks, worst } = worstBalance(a.data, selector);
    if (picks > 0) q[`balance.${selector}.worst_share`] = fmt.share(worst / picks);
  }
  return q;
}

/** Which claims change their headline verdict under a variant, against the baseline variant. */
function verdictChanges(a: Analysis): Quotes {
  const ablation = a.ablation;
  if (!ablation) return {};
  const headline = (claims: Claims, claim: number) => claims.rows.find((r) => r.claim === claim && r.headline)?.verdict ?? 'cannot tell';
  const baseline = ablation.claims.find((v) => v.variant === ablation.baseline)?.claims ?? a.claims;
  const others = ablation.claims.filter((v) => v.variant !== ablation.baseline);
  const changes = others.flatMap((v) =>
    [1, 2, 3, 4, 5].filter((c) => headline(v.claims, c) !== headline(baseline, c)).map((c) => `claim ${c} under ${v.variant} (${headline(v.claims, c)})`),
  );
  return { 'variants.others': String(others.length), 'variants.changes': changes.length ? changes.join('; ') : 'none' };
}

function factorQuotes(a: Analysis): Quotes {
  const q: Quotes = {};
  const slugOf = new Map((a.ablation?.factors ?? []).map((f) => [f.id, f.slug]));
  const levels = a.ablation?.levels ?? [];
  const groupKey = uniqueKeys(levels.map((l) => l.group));
  const valueKey = uniqueKeys(levels.map((l) => l.value));
  for (const l of levels) {
    const key = `factor.${slugOf.get(l.factor)}.${groupKey.get(l.group)}.${valueKey.get(l.value)}.${l.selector}`;
    if (l.kIqr) q[`${key}.iqr`] = fmt.k(l.kIqr.mean);
    if (l.kShift?.mean != null) q[`${key}.shift`] = fmt.k(l.kShift.mean);
    if (l.accuracyShift?.mean != null) q[`${key}.accuracy_shift`] = fmt.points(l.accuracyShift.mean);
    if (l.noPick) q[`${key}.no_pick`] = fmt.share(l.noPick.share);
    if (l.budgetBreak) q[`${key}.budget_break`] = fmt.share(l.budgetBreak.share);
    if (l.rejudged) q[`${key}.rejudged`] = fmt.share(l.rejudged.share);
    if (l.costSaved?.mean != null) q[`${key}.cost_saved`] = fmt.percent(l.costSaved.mean);
  }
  return q;
}
