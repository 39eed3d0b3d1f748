/**
 * The report's tables, each as a machine table (CSV: one number per column) and a display table
 * (Markdown and HTML: numbers with their intervals).
 */
import { countOf, listInWords } from '../../../harness/text.js';
import type { ShareInterval } from '../../../harness/stats/index.js';
import type { Cell, Table } from '../../../harness/render/table.js';
import type { Analysis } from './analysis.js';
import { adaptivityLacks, CLAIM_STATEMENTS, modelPairsLack, oneSeedNote, type ClaimRow } from './claims.js';
import type { Condition } from './data.js';
import { feasibleSetNote, type Factor } from './factors.js';
import { decimalsOf, fmt, round, shareText, withInterval } from './format.js';
import { ACCURACY_MAX, lacking } from './selectors.js';
import type { Summary } from './statistics.js';

export interface TablePair {
  /** File stem under tables/. */
  name: string;
  title: string;
  csv: Table;
  display: Table;
  /** Why the table has no row, when the study lacks what it compares (the CSV keeps its header). */
  empty?: string;
}

const col = (key: string, title: string, align: 'left' | 'right' = 'left') => ({ key, title, align });

function summaryColumns(prefix: string): { key: string; title: string }[] {
  return ['mean', 'sd', 'lo', 'hi'].map((s) => ({ key: `${prefix}_${s}`, title: `${prefix}_${s}` }));
}

function summaryCells(prefix: string, s: Summary): Record<string, Cell> {
  return { [`${prefix}_mean`]: round(s.mean, 10), [`${prefix}_sd`]: round(s.sd, 10), [`${prefix}_lo`]: round(s.lo, 10), [`${prefix}_hi`]: round(s.hi, 10) };
}

function shareCells(prefix: string, s: ShareInterval | null): Record<string, Cell> {
  return { [`${prefix}_share`]: round(s?.share ?? null, 10), [`${prefix}_lo`]: round(s?.lo ?? null, 10), [`${prefix}_hi`]: round(s?.hi ?? null, 10) };
}

/** `empty` for a table of `rows`, when there are none. */
function emptyBecause(rows: readonly unknown[], reasons: readonly string[]): Pick<TablePair, 'empty'> {
  return rows.length > 0 ? {} : { empty: reasons.length > 0 ? reasons.join('; ') : 'nothing to compare' };
}

/** A model as the figures and claims name it (the CSVs keep its id; tables/models.csv its full name too). */
function modelName(a: Analysis, id: string): string {
  return a.data.models.find((m) => m.id === id)?.label ?? id;
}

function variantCells(c: Condition): Record<string, Cell> {
  return { scenario: c.scenario, variant: c.variantLabel };
}

export function conditionTable(a: Analysis, condition: Condition): TablePair {
  const cells = a.cells.filter((c) => c.condition === condition.id);
  const csvColumns = [
    col('scenario', 'scenario'),
    col('variant', 'variant'),
    col('model', 'model'),
    col('selector', 'selector'),
    col('seeds', 'seeds'),
    col('picks', 'picks'),
    ...['none_share', 'none_lo', 'none_hi'].map((k) => col(k, k)),
    ...summaryColumns('k_star'),
    ...['k_mode', 'k_mode_share', 'k_q25', 'k_median', 'k_q75', 'k_iqr', 'k_min', 'k_max'].map((k) => col(k, k)),
    ...summaryColumns('cost'),
    ...summaryColumns('latency'),
    ...summaryColumns('accuracy'),
    ...summaryColumns('balance'),
    ...['breaks_latency_share', 'breaks_latency_lo', 'breaks_latency_hi', 'infeasible_share', 'infeasible_lo', 'infeasible_hi'].map((k) => col(k, k)),
  ];
  const csv: Table = {
    columns: csvColumns,
    rows: cells.map((c) => ({
      ...variantCells(condition),
      model: c.model,
      selector: c.selector,
      seeds: c.trials,
      picks: c.picks,
      ...shareCells('none', c.none),
      ...summaryCells('k_star', c.kStar),
      k_mode: c.spread.mode,
      k_mode_share: round(c.spread.modeShare, 10),
      k_q25: c.spread.q25,
      k_median: c.spread.median,
      k_q75: c.spread.q75,
      k_iqr: c.spread.iqr,
      k_min: c.spread.min,
      k_max: c.spread.max,
      ...summaryCells('cost', c.cost),
      ...summaryCells('latency', c.latency),
      ...summaryCells('accuracy', c.accuracy),
      ...summaryCells('balance', c.balance),
      ...shareCells('breaks_latency', c.breaksLatency),
      ...shareCells('infeasible', c.infeasible),
    })),
  };
  const display: Table = {
    columns: [
      col('model', 'model'),
      col('selector', 'selector'),
      col('k', 'k* mean [95% CI]', 'right'),
      col('mode', 'k* mode (share)', 'right'),
      col('iqr', 'k* IQR', 'right'),
      col('cost', 'C ($)', 'right'),
      col('latency', 'T (s)', 'right'),
      col('accuracy', 'A', 'right'),
      col('balance', 'balance', 'right'),
      col('outside', 'k* outside F', 'right'),
      col('none', 'no pick', 'right'),
    ],
    labels: 2,
    rows: cells.map((c) => ({
      model: modelName(a, c.model),
      selector: c.selector,
      k: withInterval(c.kStar, fmt.k),
      mode: c.spread.mode === null ? 'n/a' : `${c.spread.mode} (${fmt.share(c.spread.modeShare as number)})`,
      iqr: c.spread.iqr === null ? 'n/a' : fmt.k(c.spread.iqr),
      cost: withInterval(c.cost, fmt.cost),
      latency: withInterval(c.latency, fmt.latency),
      accuracy: withInterval(c.accuracy, fmt.accuracy),
      balance: withInterval(c.balance, fmt.balance),
      // The baselines' picks may break a budget (fixed-k any, the 2D ones T_max); the others never do.
      outside: c.infeasible === null ? 'n/a' : `${fmt.share(c.infeasible.share)} [${fmt.share(c.infeasible.lo)}, ${fmt.share(c.infeasible.hi)}]`,
      none: c.none === null ? 'n/a' : `${c.trials - c.picks} of ${c.trials}`,
    })),
  };
  return {
    name: condition.slug,
    title: `${condition.label}${budgetsOf(condition)}: k*, cost, latency and accuracy at k* per model and selector (mean over seeds, 95% bootstrap interval; ${K_SPREAD_DEFINITION}; k* outside F: share of the picks, 95% Wilson interval; ${NO_PICK_DEFINITION}; ${BALANCE_DEFINITION}; F: the feasible set, A: accuracy)${feasibleSetNote(condition.rule, '. ', '')}`,
    csv,
    display,
  };
}

/**
 * What the k* mode and IQR columns are (describeSample and modeOf in harness/stats): a reader
 * comparing them with another tool's needs the tie rule, the share's denominator and the
 * quantile definition, which differ between tools (R alone has nine quantile types).
 */
export const K_SPREAD_DEFINITION =
  'k* mode: the most frequent k*, the smallest on ties, with its share of the seeds with a pick; ' +
  'k* IQR: its 75% minus its 25% quantile over those seeds, interpolated linearly between order statistics (Hyndman and Fan type 7, the default of R and numpy)';

/**
 * What the no-pick column counts (the selectors' NONE_REASONS): not the seeds without a feasible k
 * alone, since a knee needs three Pareto points and picks none in a seed whose F has fewer.
 */
export const NO_PICK_DEFINITION =
  'no pick: the seeds in which the selector picks no k, because no k is feasible (for a 2D baseline, none meets the cost and accuracy constraints), a knee finds none (fewer than 3 Pareto points, or a curvature defined at none of them) or fixed-k\'s k is not a candidate';

/**
 * What the balance column is (claim 1's measure, balance.ts): a value above 1, which only a
 * baseline's pick outside F can have, reads as an error without it.
 */
export const BALANCE_DEFINITION =
  'balance: the largest of the pick\'s normalized regrets against the best of F in cost, latency and accuracy, max(r_C, r_T, r_A), lower is better (0: the best of F in all three; 1: the worst of F in one; above 1: a pick outside F, beyond F\'s range)';

/** ` (C_max $0.50, T_max 60 s, acc_min 0.88)`, what a reader weighs a table's C, T and A against; '' when unknown. */
function budgetsOf(condition: Condition): string {
  const c = condition.constraints;
  return c ? ` (C_max ${fmt.dollars(c.C_max)}, T_max ${c.T_max} s, acc_min ${c.acc_min})` : '';
}

/**
 * A condition's settings that its scenario's columns do not show (sim.sampling = independent,
 * feasibility = chance, ...), as `path = value`; '' for none. The scenario's own fields, and the
 * sim settings that override them (M, k_max, P), are in the columns as simulated.
 */
function otherSettings(c: Condition): string {
  return Object.entries(c.settings)
    .filter(([path]) => !['sim.M', 'sim.k_max', 'sim.P'].includes(path) && !path.startsWith('scenarios.'))
    .map(([path, value]) => `${path} = ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('; ');
}

/**
 * A condition's intent. The catalog's (the paper's) intent speaks of the paper's setup of its
 * scenario ("the notebook's defaults"): where the study changes that setup, it says what, and the
 * paper's values.
 */
function intentText(c: Condition): string {
  const setup = c.setup!;
  const paper = c.paperSetup;
  const changed = paper ? SETUP_FIELDS.filter((f) => setup[f] !== paper[f]) : [];
  if (changed.length === 0) return setup.intent;
  const value = (f: (typeof SETUP_FIELDS)[number], x: number) => (f === 'C_max' ? fmt.dollars(x) : f === 'T_max' ? `${x} s` : String(x));
  return `${setup.intent}; the study changes ${listInWords(changed.map((f) => `${f} from the paper's ${value(f, paper![f])}`))}`;
}

const SETUP_FIELDS = ['C_max', 'T_max', 'acc_min', 'P', 'k_max', 'M'] as const;

/** Each condition's scenario as simulated: its budgets and simulation settings, and any other setting its variant makes. */
export function scenariosTable(a: Analysis): TablePair {
  const fields = ['intent', ...SETUP_FIELDS] as const;
  const conditions = a.data.conditions.filter((c) => c.setup !== null);
  // A column for the other settings only where some condition makes one: the paper study's table keeps its shape.
  const others = conditions.some((c) => otherSettings(c) !== '');
  const csv: Table = {
    columns: [col('scenario', 'scenario'), col('variant', 'variant'), ...fields.map((f) => col(f, f)), ...(others ? [col('settings', 'settings')] : [])],
    rows: conditions.map((c) => ({ ...variantCells(c), ...Object.fromEntries(fields.map((f) => [f, f === 'intent' ? intentText(c) : c.setup![f]])), ...(others ? { settings: otherSettings(c) } : {}) })),
  };
  const display: Table = {
    columns: [
      col('condition', 'condition'),
      col('intent', 'intent'),
      col('C_max', 'C_max', 'right'),
      col('T_max', 'T_max (s)', 'right'),
      col('acc_min', 'acc_min', 'right'),
      col('P', 'P', 'right'),
      col('k_max', 'k_max', 'right'),
      col('M', 'M', 'right'),
      ...(others ? [col('settings', 'other settings')] : []),
    ],
    // A budget in dollars and cents, as titles and the models' prices write money.
    rows: conditions.map((c) => ({ condition: c.label, ...Object.fromEntries(fields.map((f) => [f, f === 'intent' ? intentText(c) : f === 'C_max' ? fmt.dollars(c.setup!.C_max) : c.setup![f]])), ...(others ? { settings: otherSettings(c) } : {}) })),
  };
  const reason = 'no condition has a scenario the catalog or the study defines';
  return { name: 'scenarios', title: 'Scenarios: budgets for all k calls of a request together (cost, latency, least mean accuracy), calls at once P, largest k, Monte Carlo trials M', csv, display, ...emptyBecause(conditions, [reason]) };
}

/** Each model as simulated: per-call token counts, prices, times and accuracy. */
export function modelsTable(a: Analysis): TablePair {
  const fields = ['size', 'mu_in', 'sd_in', 'mu_out', 'sd_out', 'c_in', 'c_out', 't_in', 't_out', 'mu_A', 'sd_A'] as const;
  const models = a.data.models.filter((m) => m.spec !== null);
  const csv: Table = {
    columns: [col('model', 'model'), col('name', 'name'), ...fields.map((f) => col(f, f))],
    rows: models.map((m) => ({ model: m.id, name: m.name, ...Object.fromEntries(fields.map((f) => [f, m.spec![f]])) })),
  };
  const perMillion = (x: number) => fmt.dollars(round(x * 1e6, 4)!);
  const perThousand = (x: number) => String(round(x * 1e3, 4));
  // Accuracies to as many decimals as the column's most precise needs (0.90 beside 0.94).
  const decimals = Math.max(0, ...models.flatMap(({ spec: m }) => [m!.mu_A, m!.sd_A]).map((x) => decimalsOf(x)));
  const accuracy = (x: number) => x.toFixed(decimals);
  const display: Table = {
    columns: [
      col('name', 'model'),
      col('size', 'size'),
      col('tokens', 'tokens in / out (mean ± sd)', 'right'),
      col('price', 'price per 1M tokens in / out', 'right'),
      col('time', 'ms per token in / out', 'right'),
      col('accuracy', 'accuracy of one call (mean ± sd)', 'right'),
    ],
    rows: models.map(({ label, spec: m }) => ({
      name: label,
      size: m!.size,
      tokens: `${m!.mu_in} ± ${m!.sd_in} / ${m!.mu_out} ± ${m!.sd_out}`,
      price: `${perMillion(m!.c_in)} / ${perMillion(m!.c_out)}`,
      time: `${perThousand(m!.t_in)} / ${perThousand(m!.t_out)}`,
      accuracy: `${accuracy(m!.mu_A)} ± ${accuracy(m!.sd_A)}`,
    })),
  };
  const reason = 'no model the catalog or the study defines';
  return { name: 'models', title: 'Models: per call, input and output tokens, prices, times per token and accuracy (csv: dollars and seconds per token)', csv, display, ...emptyBecause(models, [reason]) };
}

/** Tables of the study's setup, which the page shows with its method rather than with the results. */
export const SETUP_TABLES = ['scenarios', 'models'];

export function pairedTable(a: Analysis): TablePair {
  const csv: Table = {
    columns: [col('scenario', 'scenario'), col('variant', 'variant'), col('model', 'model'), col('selector', 'selector'), col('reference', 'reference'), col('pairs', 'pairs'), ...summaryColumns('cost_saved_pct'), ...summaryColumns('latency_saved_pct'), ...summaryColumns('accuracy_lost_pts')],
    rows: a.paired.map((p) => ({
      ...variantCells(a.condition(p.condition)),
      model: p.model,
      selector: p.selector,
      reference: p.reference,
      pairs: p.pairs,
      ...summaryCells('cost_saved_pct', p.costSaved),
      ...summaryCells('latency_saved_pct', p.latencySaved),
      ...summaryCells('accuracy_lost_pts', p.accuracyLost),
    })),
  };
  const display: Table = {
    columns: [col('condition', 'condition'), col('model', 'model'), col('selector', 'selector'), col('pairs', 'seeds', 'right'), col('cost', 'cost saved', 'right'), col('latency', 'latency saved', 'right'), col('accuracy', 'accuracy given up', 'right')],
    rows: a.paired.map((p) => ({
      condition: a.condition(p.condition).label,
      model: modelName(a, p.model),
      selector: `${p.selector} vs ${p.reference}`,
      pairs: p.pairs,
      cost: withInterval(p.costSaved, fmt.percent),
      latency: withInterval(p.latencySaved, fmt.percent),
      accuracy: withInterval(p.accuracyLost, fmt.points, ' pts'),
    })),
    labels: 3,
    sticky: 2,
  };
  const reason =
    lacking(a.data.selectors, [[ACCURACY_MAX]]) ??
    (a.data.selectors.length === 1 ? `no selector besides ${ACCURACY_MAX} in the results` : `no trials of another selector share a model and a scenario with ${ACCURACY_MAX}'s`);
  return { name: 'paired', title: 'Each selector against accuracy-max on the same seeds (mean of the per-seed % savings and accuracy points given up, 95% bootstrap interval)', csv, display, ...emptyBecause(a.paired, [reason]) };
}

export function claimsTable(rows: readonly ClaimRow[]): TablePair {
  const csv: Table = {
    columns: [col('claim', 'claim'), col('scope', 'scope'), col('subject', 'subject'), col('headline', 'headline'), col('verdict', 'verdict'), col('measure', 'measure'), col('value', 'value'), col('numbers', 'numbers'), col('rule', 'rule')],
    rows: rows.map((r) => ({ claim: r.claim, scope: r.scope, subject: r.subject, headline: r.headline ? 1 : 0, verdict: r.verdict, measure: r.measure, value: r.value, numbers: JSON.stringify(r.numbers), rule: r.rule })),
  };
  const display: Table = {
    columns: [col('claim', 'claim'), col('scope', 'scope'), col('subject', 'subject'), col('value', 'measured (95% interval)'), col('verdict', 'verdict')],
    rows: rows.map((r) => ({ claim: r.headline ? `**${r.claim}**` : String(r.claim), scope: r.scope, subject: r.subject, value: r.value, verdict: r.headline ? `**${r.verdict}**` : r.verdict })),
  };
  return { name: 'claims', title: 'The claims of the paper, measured (rules in claims.csv)', csv, display };
}

export function modelPairsTable(a: Analysis): TablePair {
  const pairs = a.claims.modelPairs;
  const csv: Table = {
    columns: [col('scenario', 'scenario'), col('variant', 'variant'), col('smaller', 'smaller'), col('smaller_size', 'smaller_size'), col('large', 'large'), ...['accuracy_diff_pts', 'cost_ratio'].flatMap((p) => ['estimate', 'lo', 'hi'].map((s) => col(`${p}_${s}`, `${p}_${s}`))), col('status', 'status'), col('note', 'note')],
    rows: pairs.map((p) => ({
      ...variantCells(a.condition(p.condition)),
      smaller: p.smaller,
      smaller_size: p.smallerSize,
      large: p.large,
      accuracy_diff_pts_estimate: round(p.accuracyDiff?.estimate ?? null, 10),
      accuracy_diff_pts_lo: round(p.accuracyDiff?.lo ?? null, 10),
      accuracy_diff_pts_hi: round(p.accuracyDiff?.hi ?? null, 10),
      cost_ratio_estimate: round(p.costRatio?.estimate ?? null, 10),
      cost_ratio_lo: round(p.costRatio?.lo ?? null, 10),
      cost_ratio_hi: round(p.costRatio?.hi ?? null, 10),
      status: p.status,
      note: p.note,
    })),
  };
  const display: Table = {
    columns: [col('condition', 'condition'), col('smaller', 'smaller model'), col('large', 'large model'), col('accuracy', 'accuracy difference', 'right'), col('cost', 'cost ratio', 'right'), col('status', 'result')],
    rows: pairs.map((p) => ({
      condition: a.condition(p.condition).label,
      smaller: `${modelName(a, p.smaller)} (${p.smallerSize})`,
      large: modelName(a, p.large),
      accuracy: withInterval(p.accuracyDiff, fmt.points, ' pts'),
      cost: withInterval(p.costRatio, fmt.ratio),
      status: p.note ? `${p.status}: ${p.note}` : p.status,
    })),
    labels: 3,
    sticky: 2,
  };
  return { name: 'model-pairs', title: 'Claim 3: smaller vs large models at accuracy-max\'s k* (two-sample bootstrap over seeds)', csv, display, ...emptyBecause(pairs, modelPairsLack(a.data)) };
}

/**
 * Claim 5 per model and selector: its most frequent k* in each scenario, the share of seeds whose
 * k* is not the same in every scenario where it picks one (Wilson 95% interval), and whether it
 * moves (the rule of claims.csv).
 */
export function adaptivityTable(a: Analysis): TablePair {
  const entries = a.claims.adaptivity;
  // The study's scenarios, so that the columns are the same whether or not any model is compared.
  const scenarios = [...new Set(a.data.conditions.map((c) => c.scenario))];
  const modes = (conditions: readonly string[], model: string, selector: string): Map<string, number | null> =>
    new Map(conditions.map((c) => [a.condition(c).scenario, a.cell(c, model, selector)?.spread.mode ?? null]));
  const csv: Table = {
    columns: [col('variant', 'variant'), col('model', 'model'), col('selector', 'selector'), ...scenarios.map((s) => col(`k_mode_${s}`, `k_mode_${s}`)), col('seeds', 'seeds'), ...['share', 'lo', 'hi'].map((x) => col(`differs_${x}`, `differs_${x}`)), col('moves', 'moves')],
    rows: entries.map((e) => {
      const byScenario = modes(e.conditions, e.model, e.selector);
      return {
        variant: e.variant,
        model: e.model,
        selector: e.selector,
        ...Object.fromEntries(scenarios.map((s) => [`k_mode_${s}`, byScenario.get(s) ?? null])),
        seeds: e.differs?.n ?? 0,
        ...shareCells('differs', e.differs),
        moves: e.moves === null ? null : e.moves ? 1 : 0,
      };
    }),
  };
  // A variant column where the rows are of several; the one variant of them all, in the title.
  const variants = new Set(entries.map((e) => e.variant));
  const withVariants = variants.size > 1;
  const only = variants.size === 1 ? [...variants][0]! : '';
  const display: Table = {
    columns: [
      ...(withVariants ? [col('variant', 'variant')] : []),
      col('model', 'model'),
      col('selector', 'selector'),
      col('modes', `most frequent k* (${scenarios.join(' · ')})`, 'right'),
      col('differs', 'seeds whose k* differs (where it picks)', 'right'),
      col('moves', 'k* moves'),
    ],
    rows: entries.map((e) => {
      const byScenario = modes(e.conditions, e.model, e.selector);
      return {
        variant: e.variant,
        model: modelName(a, e.model),
        selector: e.selector,
        // 'none': the selector picked no k there in any seed; 'no results': the model has none there.
        modes: scenarios.map((s) => (byScenario.has(s) ? (byScenario.get(s) ?? 'none') : 'no results')).join(' · '),
        differs: shareText(e.differs),
        moves: e.moves === null ? `not judged (${e.notJudged})` : e.moves ? 'yes' : 'no',
      };
    }),
    labels: withVariants ? 3 : 2,
    sticky: 2,
  };
  const title = `Claim 5: k* across the scenarios, per model and selector${only ? ` of the ${only} variant` : ''} (share of seeds with a 95% Wilson interval; k* moves: the per-seed differences, not the most frequent k*, judged by the rule of claim 5, so it can move where the most frequent k* stays)`;
  return { name: 'adaptivity', title, csv, display, ...emptyBecause(entries, adaptivityLacks(a.data)) };
}

/** One factor of a study with variants: what each level changes, per scenario and selector. */
export function factorTable(a: Analysis, factor: Factor): TablePair {
  const levels = (a.ablation?.levels ?? []).filter((l) => l.factor === factor.id);
  const nullable = (s: Summary | null, prefix: string) => summaryCells(prefix, s ?? { n: 0, mean: null, sd: null, lo: null, hi: null });
  const csv: Table = {
    columns: [
      col('factor', 'factor'),
      col('scenario', 'scenario'),
      col('variant', 'variant'),
      col('value', 'value'),
      col('baseline', 'baseline'),
      col('selector', 'selector'),
      ...['k_iqr_mean', 'k_iqr_min', 'k_iqr_max', 'k_iqr_models'].map((k) => col(k, k)),
      ...summaryColumns('k_shift'),
      ...summaryColumns('accuracy_shift_pts'),
      col('shift_pairs', 'shift_pairs'),
      ...['no_pick', 'budget_break', 'rejudged_infeasible'].flatMap((p) => ['share', 'lo', 'hi', 'n'].map((s) => col(`${p}_${s}`, `${p}_${s}`))),
      ...summaryColumns('cost_saved_pct'),
      col('cost_saved_pairs', 'cost_saved_pairs'),
    ],
    rows: levels.map((l) => ({
      factor: l.factor,
      scenario: l.group,
      variant: l.level,
      value: l.value,
      baseline: l.baseline ? 1 : 0,
      selector: l.selector,
      k_iqr_mean: round(l.kIqr?.mean ?? null, 10),
      k_iqr_min: l.kIqr?.min ?? null,
      k_iqr_max: l.kIqr?.max ?? null,
      // The models the IQR's mean is over: those with a pick at this level.
      k_iqr_models: l.kIqr?.count ?? null,
      ...nullable(l.kShift, 'k_shift'),
      ...nullable(l.accuracyShift, 'accuracy_shift_pts'),
      // The (model, seed) pairs with a pick at both this level and the baseline: the shifts' sample.
      shift_pairs: l.kShift?.n ?? null,
      ...shareCells('no_pick', l.noPick),
      no_pick_n: l.noPick?.n ?? null,
      ...shareCells('budget_break', l.budgetBreak),
      budget_break_n: l.budgetBreak?.n ?? null,
      ...shareCells('rejudged_infeasible', l.rejudged),
      rejudged_infeasible_n: l.rejudged?.n ?? null,
      ...nullable(l.costSaved, 'cost_saved_pct'),
      // The (model, seed) pairs where both this selector and accuracy-max picked: the saving's sample.
      cost_saved_pairs: l.costSaved?.n ?? null,
    })),
  };
  const display: Table = {
    columns: [
      col('scenario', 'scenario'),
      col('value', factor.title),
      col('selector', 'selector'),
      col('iqr', 'k* IQR, mean over the models with a pick (least to most)', 'right'),
      col('shift', 'k* shift vs baseline', 'right'),
      col('accuracy', 'accuracy shift', 'right'),
      col('none', 'no pick', 'right'),
      col('budget', 'breaks a budget in > delta of runs', 'right'),
      col('rejudged', 'baseline picks lost here (infeasible, or not a candidate k)', 'right'),
      col('saved', 'cost saved vs accuracy-max', 'right'),
    ],
    rows: levels.map((l) => ({
      scenario: l.group,
      value: l.baseline ? `${l.value} (baseline)` : l.value,
      selector: l.selector,
      // Parentheses and "to", not brackets: the table's brackets are 95% intervals, and this is a range.
      // The models counted where some picked nothing, since a level and its baseline may then average over different models.
      iqr: l.kIqr === null ? 'n/a' : `${fmt.k(l.kIqr.mean)} (${fmt.k(l.kIqr.min)} to ${fmt.k(l.kIqr.max)}${l.kIqr.count < a.data.models.length ? `; ${l.kIqr.count} of ${a.data.models.length} models` : ''})`,
      // Blank in the baseline's own rows, which compare with nothing; n/a where a level has nothing to compare.
      shift: l.baseline ? '' : l.kShift === null ? 'n/a' : `${withInterval(l.kShift, fmt.k)} (${countOf(l.kShift.n, 'pair')})`,
      accuracy: l.baseline ? '' : l.accuracyShift === null ? 'n/a' : withInterval(l.accuracyShift, fmt.points, ' pts'),
      none: shareText(l.noPick),
      budget: shareText(l.budgetBreak),
      rejudged: l.baseline ? '' : shareText(l.rejudged),
      // Blank in accuracy-max's own rows: it is what the others save against.
      saved: l.selector === ACCURACY_MAX ? '' : l.costSaved?.mean == null ? 'n/a' : `${withInterval(l.costSaved, fmt.percent)} (${countOf(l.costSaved.n, 'pair')})`,
    })),
    labels: 3,
    sticky: 2,
  };
  return { name: `factor--${factor.slug}`, title: `Ablation of the ${factor.title}: each level against the baseline, per scenario and selector`, csv, display };
}

/** The headline verdict of every claim under each variant of the study. */
export function variantClaimsTable(a: Analysis): TablePair {
  const variants = a.ablation?.claims ?? [];
  const claims = Object.keys(CLAIM_STATEMENTS).map(Number);
  const headline = (rows: readonly ClaimRow[], claim: number) => rows.find((r) => r.claim === claim && r.headline);
  const csv: Table = {
    columns: [col('variant', 'variant'), col('claim', 'claim'), col('verdict', 'verdict'), col('subject', 'subject'), col('value', 'value')],
    rows: variants.flatMap((v) =>
      claims.map((claim) => {
        const h = headline(v.claims.rows, claim);
        return { variant: v.variant, claim, verdict: h?.verdict ?? 'cannot tell', subject: h?.subject ?? '', value: h?.value ?? '' };
      }),
    ),
  };
  const display: Table = {
    columns: [col('variant', 'variant'), ...claims.map((c) => col(`c${c}`, `claim ${c}`))],
    rows: variants.map((v) => ({
      variant: v.variant === a.ablation?.baseline && v.variant !== 'baseline' ? `${v.variant} (baseline)` : v.variant,
      ...Object.fromEntries(claims.map((c) => [`c${c}`, headline(v.claims.rows, c)?.verdict ?? 'cannot tell'])),
    })),
  };
  return { name: 'claims-by-variant', title: 'The claims judged under each variant alone (rules as in claims.csv)', csv, display };
}

/**
 * A claim's verdict and what was measured for it, a line each: its headline row and, for claim
 * 1, the paper's quoted savings beside the measured ones.
 */
export function claimHeadline(a: Analysis, claim: number): { verdict: string; measured: string[] } {
  const headline = a.claims.rows.find((r) => r.claim === claim && r.headline);
  const measured = headline ? [`${headline.subject}: ${headline.value}`] : [];
  const quoted = claim === 1 ? a.claims.rows.find((r) => r.claim === 1 && r.subject.startsWith('knee-paper vs accuracy-max')) : undefined;
  // With variants, the claims are those of the baseline variant, judged over its conditions alone.
  const over = a.ablation ? `the ${a.ablation.baseline} variant's conditions` : 'all conditions';
  if (quoted) measured.push(`knee-paper vs accuracy-max, ${over}: ${quoted.value} (quoted: 63% latency, 58% cost, 1-2 points: ${quoted.verdict})`);
  return { verdict: headline?.verdict ?? 'cannot tell', measured };
}

/** A few lines for a terminal: each claim's headline verdict and measure. */
export function claimsSummary(a: Analysis): string {
  const lines = [`# ${a.data.study}: the paper's claims, measured`, ''];
  for (const claim of Object.keys(CLAIM_STATEMENTS).map(Number)) {
    const { verdict, measured } = claimHeadline(a, claim);
    lines.push(`${claim}. [${verdict}] ${CLAIM_STATEMENTS[claim]}`);
    for (const line of measured) lines.push(`   ${line}`);
  }
  const oneSeed = oneSeedNote(a.data);
  if (oneSeed) lines.push('', oneSeed);
  if (a.ablation) {
    lines.push('', `Verdicts under each variant, claims 1 to 5 (the lines above judge the baseline variant, "${a.ablation.baseline}"):`);
    for (const v of a.ablation.claims) {
      const verdicts = Object.keys(CLAIM_STATEMENTS).map((c) => v.claims.rows.find((r) => r.claim === Number(c) && r.headline)?.verdict ?? 'cannot tell');
      lines.push(`   ${v.variant}: ${verdicts.join(' | ')}`);
    }
  }
  lines.push('', `Seeds: ${a.data.replicates.length}; trials (one selector's pick for one condition, model and seed): ${a.data.picks.length} ok, ${a.data.failed.count} failed.`);
  lines.push('Details: index.html and tables/claims.md in the report folder.');
  return `${lines.join('\n')}\n`;
}

export function allTables(a: Analysis): TablePair[] {
  const ablation = a.ablation ? [variantClaimsTable(a), ...a.ablation.factors.map((f) => factorTable(a, f))] : [];
  return [claimsTable(a.claims.rows), ...ablation, ...a.data.conditions.map((c) => conditionTable(a, c)), pairedTable(a), modelPairsTable(a), adaptivityTable(a), scenariosTable(a), modelsTable(a)];
}
