/**
 * A study's variants read as a one-factor-at-a-time design. The first variant is the baseline.
 * Every other variant belongs to the factor named by the parameters it sets (usually one); a
 * factor's levels are the baseline and the variants that set exactly those parameters. Each
 * factor is compared within a scenario (and any swept values), level by level.
 */
import type { Json } from '../../../harness/experiment.js';
import { canonicalJson } from '../../../harness/identity.js';
import { setDotted, VARIANT_FIELD } from '../../../harness/manifest.js';
import { valueAt } from '../../../harness/study/issues.js';
import type { Condition, FeasibilityRule, StudyData } from './data.js';
import { paramsSchema } from '../experiment.js';
import { round } from './format.js';

export interface FactorLevel {
  variant: string;
  /** The parameter's value at this level (an object of them for a factor of several). */
  value: Json;
  /** The value as text for axes and tables. */
  label: string;
  baseline: boolean;
}

export interface Factor {
  /** The parameter paths it varies, joined with ' + '. */
  id: string;
  paths: string[];
  /** Words for titles, e.g. "Monte Carlo size M". */
  title: string;
  /** File-name-safe. */
  slug: string;
  /** Numeric factors ascending; others baseline first, then in file order. */
  levels: FactorLevel[];
}

/** One comparison of a factor: its levels' conditions in one scenario (under the same swept values). */
export interface FactorGroup {
  factor: Factor;
  scenario: string;
  /** The scenario and any swept values, e.g. `balanced`. */
  label: string;
  /** Condition of each level, by variant name (a level missing from the study is left out). */
  conditions: Map<string, Condition>;
}

/**
 * A parameter in words: its title, the unit of its values, what a sweep of it shows, and, for the
 * page's account of the ablations, what varying it asks and what each of its values sets
 * (`params`: the study's parameters, for the values a level uses beside its own, such as delta).
 * A parameter without an entry is shown by its path.
 */
export interface ParameterWords {
  title: string;
  /** The unit of its values, for an axis: '$', 's'. */
  unit?: string;
  /** What the k* of a sweep over it show; by default, how far each pick depends on it. */
  sweep?: string;
  /** The scenario the parameter belongs to (`scenarios.<id>.C_max`): it sets no other's budgets. */
  scenario?: string;
  question?: string;
  level?(value: Json, params: Record<string, unknown>): string;
}

/** F under a feasibility rule ('means', the paper's, or 'chance' with its delta), in words. */
export function feasibleSetWords(rule: string, delta: number): string {
  if (rule === 'means') return 'the k whose mean cost, latency and accuracy meet the budgets';
  if (rule === 'chance') {
    return `the k whose cost and latency budgets hold together in at least ${round((1 - delta) * 100)}% of the Monte Carlo runs (chance constraints, delta = ${delta}) and whose mean accuracy meets acc_min`;
  }
  return `the k feasible under the rule ${rule}`;
}

/** A latency model ('paper' or 'waves') in words. */
export function latencyWords(model: string): string {
  if (model === 'paper') return "the paper's, (1/P) times the sum of the k calls' times";
  if (model === 'waves') return 'ceil(k/P) waves of P calls, each as slow as its slowest call (stragglers)';
  return model;
}

/** What F, the feasible set, is under a condition's rule: which k are feasible, and the latency they are judged on. */
export function ruleText(rule: FeasibilityRule): string {
  return `${feasibleSetWords(rule.feasibility, rule.delta)}; latency: ${latencyWords(rule.latency)}`;
}

/** Whether a rule is the paper's: budgets on the means, the paper's latency. */
export function isPapersRule(rule: FeasibilityRule): boolean {
  return rule.feasibility === 'means' && rule.latency === 'paper';
}

/**
 * F under a rule that is not the paper's (chance constraints, straggler latency), for a title or
 * caption, between `before` and `after`; '' under the paper's rule, which the method states.
 */
export function feasibleSetNote(rule: FeasibilityRule, before: string, after: string): string {
  return isPapersRule(rule) ? '' : `${before}F here: ${ruleText(rule)}${after}`;
}

const DEFAULT_DELTA = paramsSchema.shape.delta.parse(undefined);

const BUDGET_SWEEP = 'The budget decides which k are feasible, so k* may move with it.';

const WORDS: Readonly<Record<string, ParameterWords>> = {
  'sim.M': {
    title: 'Monte Carlo size M',
    sweep: 'A selector whose k* settles stops moving as M grows.',
    question: "Does each selector's k* settle as the Monte Carlo size grows?",
    level: (v) => `${String(v)} simulated runs per candidate k`,
  },
  'sim.sampling': {
    title: 'sampling',
    question: 'Do the picks depend on every k being judged on the same draws?',
    level: (v) =>
      v === 'crn' ? 'common random numbers: every candidate k of a (model, seed) is judged on the same draws' : v === 'independent' ? "every candidate k drawn from a stream of its own (the authors' per-k seeds)" : String(v),
  },
  'sim.latency': {
    title: 'latency model',
    question: 'Do the picks respect T_max once stragglers are modelled?',
    level: (v) => `latency: ${latencyWords(String(v))}`,
  },
  feasibility: {
    title: 'feasibility rule',
    question: 'Do picks feasible on average break a budget in many runs?',
    level: (v, params) => `F: ${feasibleSetWords(String(v), typeof params['delta'] === 'number' ? params['delta'] : DEFAULT_DELTA)}`,
  },
  delta: {
    title: 'chance-constraint delta',
    sweep: 'Under chance constraints a larger delta lets the budgets fail in more of the runs, so more k are feasible and k* may move; the means rule does not read it.',
    question: 'How far do the picks depend on the share of runs a budget may fail in?',
    level: (v) => `the budgets may fail in a share ${String(v)} of the runs (chance constraints)`,
  },
  fixed_k: {
    title: 'fixed k of the 1D baseline',
    sweep: "fixed-k's k* is the value itself; no other selector reads it.",
    question: 'What does the 1D baseline cost, and how often is it infeasible, at another fixed k?',
    level: (v) => `fixed-k picks k = ${String(v)}`,
  },
  'sim.step': {
    title: 'k step',
    question: 'How much do the picks depend on the grid of candidate k?',
    level: (v) => (v === 'P' ? 'candidates k = P, 2P, 3P, ... (multiples of the parallelism P)' : v === 1 ? 'every k from 1 a candidate' : `candidates in steps of ${String(v)}`),
  },
  'sim.P': {
    title: 'parallelism P',
    question: 'How do the picks depend on how many calls run at once?',
    level: (v) => `${String(v)} calls at once`,
  },
  'sim.k_max': {
    title: 'largest k (k_max)',
    sweep: 'A selector whose k* is held at k_max moves with it.',
    question: 'How much of what the methods save against accuracy-max is set by the largest candidate k?',
    level: (v) => `candidates up to k = ${String(v)}`,
  },
  'sim.sd_A_scale': {
    title: 'accuracy spread (sd_A scale)',
    sweep: "Every model's accuracy spread sd_A is scaled by the value, which changes how much accuracy each further call adds, so k* may move with it.",
    question: "How far does claim 3 (smaller models matching larger ones) rest on the models' accuracy spread?",
    level: (v) => `every model's accuracy spread sd_A times ${String(v)}`,
  },
};

/** A scenario's fields (`scenarios.<id>.<field>`): its budgets, and the simulation settings the `sim` block may set for all. */
const SCENARIO_FIELDS: Readonly<Record<string, ParameterWords>> = {
  C_max: { title: 'cost budget C_max', unit: '$', sweep: BUDGET_SWEEP },
  T_max: { title: 'latency budget T_max', unit: 's', sweep: BUDGET_SWEEP },
  acc_min: { title: 'accuracy floor acc_min', sweep: BUDGET_SWEEP },
  P: WORDS['sim.P']!,
  k_max: WORDS['sim.k_max']!,
  M: WORDS['sim.M']!,
};

/** A model's fields (`models.<id>.<field>`). */
const MODEL_FIELDS: Readonly<Record<string, ParameterWords>> = {
  mu_in: { title: 'mean input tokens mu_in' },
  sd_in: { title: 'input tokens sd_in' },
  mu_out: { title: 'mean output tokens mu_out' },
  sd_out: { title: 'output tokens sd_out' },
  c_in: { title: 'input price c_in', unit: '$ per token' },
  c_out: { title: 'output price c_out', unit: '$ per token' },
  t_in: { title: 'input time t_in', unit: 's per token' },
  t_out: { title: 'output time t_out', unit: 's per token' },
  mu_A: { title: 'mean accuracy mu_A' },
  sd_A: { title: 'accuracy spread sd_A' },
};

/** A parameter's words, by its path (with or without `params.`); undefined for one without. */
export function wordsOf(path: string): ParameterWords | undefined {
  const bare = path.replace(/^params\./, '');
  const entry = /^(scenarios|models)\.([^.]+)\.([^.]+)$/.exec(bare);
  if (!entry) return WORDS[bare];
  const [, kind, id, field] = entry as unknown as [string, string, string, string];
  const words = (kind === 'scenarios' ? SCENARIO_FIELDS : MODEL_FIELDS)[field];
  if (!words) return undefined;
  // Of one scenario or model: its title names it; the questions and levels are the study-wide parameter's.
  const { title, unit, sweep } = words;
  return { title: `${title} of ${id}`, ...(unit ? { unit } : {}), ...(sweep ? { sweep } : {}), ...(kind === 'scenarios' ? { scenario: id } : {}) };
}

/** The question a factor asks, or null for a parameter without words. */
export function factorQuestion(factor: Factor): string | null {
  const questions = factor.paths.map((p) => wordsOf(p)?.question);
  return questions.every((q) => q !== undefined) ? questions.join(' ') : null;
}

/** What a level of a factor sets, in words where known, else as `path = value`. */
export function levelMeaning(factor: Factor, level: FactorLevel, params: Record<string, unknown>): string {
  return factor.paths
    .map((path) => {
      const value = (factor.paths.length === 1 ? level.value : (level.value as Record<string, Json>)[path]) ?? null;
      const words = wordsOf(path);
      return words?.level ? words.level(value, params) : `${path} = ${canonicalJson(value)}`;
    })
    .join('; ');
}

/** A parameter in words for a title ("Monte Carlo size M" for sim.M); one without is its path. */
export function parameterWords(path: string): string {
  return wordsOf(path)?.title ?? path;
}

export function baselineVariant(data: StudyData): string | null {
  return data.variants?.[0]?.name ?? null;
}

export function studyFactors(data: StudyData): Factor[] {
  const variants = data.variants;
  if (!variants || variants.length < 2) return [];
  const [baseline, ...others] = variants as [(typeof variants)[0], ...typeof variants];
  const baseParams = structuredClone(data.params) as Record<string, unknown>;
  for (const [path, value] of Object.entries(baseline.set)) setDotted(baseParams, path, value);
  const byId = new Map<string, { paths: string[]; levels: FactorLevel[] }>();
  for (const variant of others) {
    const paths = Object.keys(variant.set)
      .filter((p) => canonicalJson(variant.set[p] as Json) !== canonicalJson((valueAt(baseParams, p.split('.')) ?? null) as Json))
      .sort();
    if (paths.length === 0) continue;
    const id = paths.join(' + ');
    let factor = byId.get(id);
    if (!factor) {
      const base = pick(paths, (p) => (valueAt(baseParams, p.split('.')) ?? null) as Json);
      byId.set(id, (factor = { paths, levels: [{ variant: baseline.name, value: base, label: levelLabel(base, baseline.name, paths), baseline: true }] }));
    }
    const value = pick(paths, (p) => variant.set[p] as Json);
    factor.levels.push({ variant: variant.name, value, label: levelLabel(value, variant.name, paths), baseline: false });
  }
  return [...byId].map(([id, { paths, levels }]) => ({
    id,
    paths,
    title: paths.map(parameterWords).join(' + '),
    slug: id.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, ''),
    levels: levels.every((l) => typeof l.value === 'number') ? [...levels].sort((a, b) => (a.value as number) - (b.value as number)) : levels,
  }));
}

/** The factor's comparisons: one per scenario (and combination of swept values), in condition order. */
export function factorGroups(data: StudyData, factor: Factor): FactorGroup[] {
  const levels = new Set(factor.levels.map((l) => l.variant));
  const groups = new Map<string, FactorGroup>();
  for (const c of data.conditions) {
    if (c.variantName === null || !levels.has(c.variantName)) continue;
    const rest = Object.entries(c.variant).filter(([k]) => k !== VARIANT_FIELD);
    const restLabel = rest.map(([k, v]) => `${k}=${typeof v === 'string' ? v : canonicalJson(v)}`).join(', ');
    const key = canonicalJson({ scenario: c.scenario, rest: Object.fromEntries(rest) });
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { factor, scenario: c.scenario, label: restLabel ? `${c.scenario} · ${restLabel}` : c.scenario, conditions: new Map() }));
    group.conditions.set(c.variantName, c);
  }
  return [...groups.values()];
}

function pick(paths: readonly string[], f: (path: string) => Json): Json {
  return paths.length === 1 ? f(paths[0] as string) : Object.fromEntries(paths.map((p) => [p, f(p)]));
}

function levelLabel(value: Json, variant: string, paths: readonly string[]): string {
  if (paths.length > 1) return variant;
  if (value === null) return 'default';
  return typeof value === 'string' ? value : canonicalJson(value);
}
