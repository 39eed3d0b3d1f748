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
import type { Condition, StudyData } from './data.js';

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
 * A parameter in words: for titles, what varying it asks, and what each of its values sets, for
 * the page's account of the ablations (`params`: the study's parameters, for the values a level
 * uses beside its own, such as delta). A parameter without an entry is shown by its path.
 */
interface ParameterWords {
  title: string;
  question: string;
  level(value: Json, params: Record<string, unknown>): string;
}

const WORDS: Readonly<Record<string, ParameterWords>> = {
  'sim.M': {
    title: 'Monte Carlo size M',
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
    level: (v) => (v === 'paper' ? "the paper's latency, (1/P) times the sum of the k calls' times" : v === 'waves' ? 'ceil(k/P) waves of P calls, each as slow as its slowest call' : String(v)),
  },
  feasibility: {
    title: 'feasibility rule',
    question: 'Do picks feasible on average break a budget in many runs?',
    level: (v, params) =>
      v === 'means'
        ? 'a k is feasible when its mean cost, latency and accuracy meet the budgets'
        : v === 'chance'
          ? `a k is feasible when both budgets hold in at least 1 - delta of the runs (delta = ${String(params['delta'] ?? 'its default')}) and its mean accuracy meets acc_min`
          : String(v),
  },
  'sim.step': {
    title: 'k step',
    question: 'How much do the picks depend on the grid of candidate k?',
    level: (v) => (v === 'P' ? 'candidates k = P, 2P, 3P, ... (multiples of the parallelism P)' : v === 1 ? 'every k from 1 a candidate' : `candidates in steps of ${String(v)}`),
  },
  'sim.k_max': {
    title: 'largest k (k_max)',
    question: 'How much of what the methods save against accuracy-max is set by the largest candidate k?',
    level: (v) => `candidates up to k = ${String(v)}`,
  },
  'sim.sd_A_scale': {
    title: 'accuracy spread (sd_A scale)',
    question: "How far does claim 3 (smaller models matching larger ones) rest on the models' accuracy spread?",
    level: (v) => `every model's accuracy spread sd_A times ${String(v)}`,
  },
};

function wordsOf(path: string): ParameterWords | undefined {
  return WORDS[path.replace(/^params\./, '')];
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
      return words ? words.level(value, params) : `${path} = ${canonicalJson(value)}`;
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
