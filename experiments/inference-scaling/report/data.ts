/**
 * From the stored trials and curves to the typed tables every later stage reads: one `Pick`
 * per successful trial, the study's conditions (scenario and any swept values), its models
 * and selectors in a fixed order, and per-k curves pooled over seeds.
 *
 * Everything is sorted by identity, never by load order, so the report of merged shards equals
 * the report of one unsharded run.
 */
import type { Json, ReportInput, Scalar, TrialRecord } from '../../../harness/experiment.js';
import type { CurveTable } from '../../../harness/curves.js';
import { StoredResultsError } from '../../../harness/errors.js';
import { canonicalJson } from '../../../harness/identity.js';
import { setDotted, VARIANT_FIELD, type Variant } from '../../../harness/manifest.js';
import { CatalogError, resolveModels, resolveScenarios, SCENARIO_CATALOG, type CatalogOverrides, type ModelSpec, type SizeClass } from '../catalog.js';
import { paramsSchema, simOptionsFor, type Params } from '../experiment.js';
import { orderSelectors } from './selectors.js';

/** Axes that identify a cell of the paper's tables; any other value in a trial is a sweep. */
const CELL_AXES = ['scenario', 'model', 'selector'] as const;

/**
 * A scenario's three budgets, as the report draws and tabulates them: unlike the experiment's
 * Constraints (feasibility.ts), no feasibility rule (FeasibilityRule below), and unlike the kernel's
 * Budgets, acc_min too.
 */
export interface ScenarioBudgets {
  C_max: number;
  T_max: number;
  acc_min: number;
}

/** A condition's scenario as simulated: its budgets, and P, k_max and M after the study's `sim` settings. */
export interface ScenarioSetup extends ScenarioBudgets {
  intent: string;
  P: number;
  k_max: number;
  M: number;
}

/** Which k a condition counts as feasible, and how it simulates latency: the settings the feasible set F rests on. */
export interface FeasibilityRule {
  /** 'means' (the paper's) or 'chance'. */
  feasibility: string;
  /** The share of runs a budget may fail in, under 'chance'. */
  delta: number;
  /** 'paper' ((1/P) times the sum of the calls' times) or 'waves' (stragglers). */
  latency: string;
}

/** The parameters a condition's feasibility rule is read from. */
export const RULE_PATHS = ['feasibility', 'delta', 'sim.latency'] as const;

/** Between the parts of a condition's label: its scenario, then its variant or swept values. */
export const LABEL_PARTS = ' · ';

/** A scenario under one combination of swept values (and variant): the unit of every per-scenario table. */
export interface Condition {
  id: string;
  scenario: string;
  /** The trial's values besides the cell axes: swept values (path -> value) and the variant's name. */
  variant: Record<string, Json>;
  /** e.g. `sim.M=300`, or the variant's name; '' without sweeps or variants. */
  variantLabel: string;
  /** The study variant the condition belongs to; null when the study has no variants. */
  variantName: string | null;
  /** The parameters the condition sets on top of the study's params (path -> value, no `params.` prefix). */
  settings: Record<string, Json>;
  /** The scenario id, followed by the variant when there is one. */
  label: string;
  /** The label without the variant's name: enough among the conditions of one variant. */
  labelInVariant: string;
  /** File-name-safe and unique. */
  slug: string;
  /** Null when neither the catalog nor the study defines the scenario. */
  constraints: ScenarioBudgets | null;
  /** Null as `constraints` is. */
  setup: ScenarioSetup | null;
  /**
   * The catalog's (the paper's) setup of the scenario, where the condition keeps the catalog's
   * intent, which speaks of that setup; null for a scenario the study defines or describes itself.
   */
  paperSetup: ScenarioSetup | null;
  /** The feasibility rule and latency model the condition's trials ran under. */
  rule: FeasibilityRule;
}

export interface ModelInfo {
  id: string;
  name: string;
  /** Short display name for axes. */
  label: string;
  size: SizeClass | null;
  /** As simulated: the catalog's entry with the study's overrides; null for a model neither defines. */
  spec: ModelSpec | null;
}

export interface Pick {
  condition: string;
  model: string;
  selector: string;
  replicate: number;
  groupKey: string;
  /** Null: no feasible k. */
  kStar: number | null;
  cost: number | null;
  latency: number | null;
  accuracy: number | null;
  balance: number | null;
  /** Share of Monte Carlo runs meeting both budgets at k*. */
  pBudget: number | null;
  feasible: boolean | null;
  breaksLatency: boolean | null;
  noneReason: string | null;
}

export interface Band {
  /** Mean over seeds of each seed's Monte Carlo mean. */
  mean: number;
  /** Mean over seeds of each seed's 2.5% and 97.5% quantiles: the spread of single requests. */
  lo: number | null;
  hi: number | null;
}

export interface CurvePoint {
  k: number;
  seeds: number;
  cost: Band;
  latency: Band;
  accuracy: Band;
  /** Share of seeds in which k is feasible / on the Pareto front. */
  feasibleShare: number | null;
  paretoShare: number | null;
}

export interface FailedTrials {
  count: number;
  /** Distinct error texts, sorted, with how many trials each. */
  errors: { error: string; count: number }[];
}

export interface StudyData {
  study: string;
  /** The study's parameters (the manifest's `params`). */
  params: Record<string, Json>;
  /** The study's variants in file order (the first is the baseline); null without variants. */
  variants: Variant[] | null;
  conditions: Condition[];
  models: ModelInfo[];
  selectors: string[];
  replicates: number[];
  /** Successful trials, sorted by condition, model, selector, replicate. */
  picks: Pick[];
  failed: FailedTrials;
  /** Key `curveKey(condition, model)`. */
  curves: Map<string, CurvePoint[]>;
  /** Each simulation's own curve rows, by group key (as stored). */
  groupCurves: ReadonlyMap<string, CurveTable>;
}

export function curveKey(condition: string, model: string): string {
  return `${condition}\u0000${model}`;
}

/** Stored results this experiment's runs never write (see StoredResultsError). */
export class ReportDataError extends StoredResultsError {
  override name = 'ReportDataError';
}

export function loadStudyData(input: ReportInput): StudyData {
  const params = studyParams(input.manifest.body);
  const variants = studyVariants(input.manifest.body);
  const catalogModels = resolveModels(catalogOverrides(params));
  const ok = input.trials.filter((t) => t.status === 'ok');
  const failedTrials = input.trials.filter((t) => t.status !== 'ok');

  const conditions = buildConditions(input.trials, params, variants, studyOrder(input.manifest.body, 'scenario', resolveScenarios(catalogOverrides(params))));
  const conditionOf = new Map(conditions.map((c) => [c.id, c]));

  const picks = ok.map((trial) => {
    const v = cellValues(trial);
    const condition = conditionOf.get(v.condition) as Condition;
    return toPick(trial, condition.id, v.model, v.selector);
  });
  const modelRank = studyOrder(input.manifest.body, 'model', catalogModels);
  const models: ModelInfo[] = [...new Set(input.trials.map((t) => cellValues(t).model))]
    .sort((a, b) => modelRank(a) - modelRank(b) || byCodeUnits(a, b))
    .map((id) => {
      const m = catalogModels.find((entry) => entry.id === id);
      return m ? { id, name: m.name, label: shortName(m.name), size: m.size, spec: m } : { id, name: id, label: id, size: null, spec: null };
    });
  const selectors = orderSelectors(input.trials.map((t) => cellValues(t).selector));
  sortPicks(picks, conditions, models, selectors);

  return {
    study: input.manifest.study,
    params,
    variants,
    conditions,
    models,
    selectors,
    replicates: [...new Set(input.trials.map((t) => t.replicate))].sort((a, b) => a - b),
    picks,
    failed: summarizeFailures(failedTrials),
    curves: poolCurves(picks, input.curves),
    groupCurves: input.curves,
  };
}

/**
 * Every simulation with a finished trial stored its curve (the harness stores a group's curve with
 * its trials, and this experiment's curve has a row per k): a curve missing would leave its
 * figures without that simulation, silently. For data read from a database (an input built by
 * hand for the statistics alone may have no curves).
 */
export function checkCurvesStored(data: StudyData): void {
  const missing = new Map<string, Pick[]>();
  for (const pick of data.picks) {
    if (data.groupCurves.has(pick.groupKey)) continue;
    const picks = missing.get(pick.groupKey);
    if (picks) picks.push(pick);
    else missing.set(pick.groupKey, [pick]);
  }
  if (missing.size === 0) return;
  const [groupKey, picks] = [...missing].sort(([a], [b]) => byCodeUnits(a, b))[0]!;
  const { condition, model, replicate } = picks[0]!;
  const label = data.conditions.find((c) => c.id === condition)?.label ?? condition;
  const group = `group_key ${groupKey} (scenario ${label}, model ${model}, replicate ${replicate}, used by ${picks.length} finished trial${picks.length === 1 ? '' : 's'})`;
  throw new ReportDataError(
    missing.size === 1
      ? `the curve table has no rows for the simulation ${group}`
      : `the curve table has no rows for ${missing.size} simulations that finished trials used, e.g. ${group}`,
  );
}

/**
 * Orders picks by condition, model and selector (in the orders given) and replicate. Each pick's
 * ranks are looked up once, not at every comparison: a study of a million trials makes twenty
 * million comparisons.
 */
function sortPicks(picks: Pick[], conditions: readonly Condition[], models: readonly ModelInfo[], selectors: readonly string[]): void {
  const conditionRank = new Map(conditions.map((c, i) => [c.id, i]));
  const modelRank = new Map(models.map((m, i) => [m.id, i]));
  const selectorRank = new Map(selectors.map((s, i) => [s, i]));
  const keyed = picks.map((pick) => ({
    pick,
    condition: conditionRank.get(pick.condition) as number,
    model: modelRank.get(pick.model) as number,
    selector: selectorRank.get(pick.selector) as number,
  }));
  keyed.sort((a, b) => a.condition - b.condition || a.model - b.model || a.selector - b.selector || a.pick.replicate - b.pick.replicate);
  keyed.forEach((k, i) => (picks[i] = k.pick));
}

/** `Nvidia Llama Nemotron Ultra 253B` -> `Nemotron Ultra 253B`: vendor prefixes cost axis space. */
export function shortName(name: string): string {
  return name.replace(/^Nvidia (Llama )?/, '');
}

function asObject(value: Json | undefined): Record<string, Json> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

/** The manifest's `params` (the study's experiment parameters); {} when absent. */
function studyParams(body: Json): Record<string, Json> {
  return asObject(asObject(body)?.params) ?? {};
}

/** The manifest's `variants`, when it has a well-formed list. */
function studyVariants(body: Json): Variant[] | null {
  const list = asObject(body)?.variants;
  if (!Array.isArray(list) || list.length === 0) return null;
  return list.map((v) => {
    const entry = asObject(v);
    return { name: String(entry?.name), set: asObject(entry?.set) ?? {} };
  });
}

function catalogOverrides(params: Record<string, Json>): CatalogOverrides {
  return { models: asObject(params.models) as CatalogOverrides['models'], scenarios: asObject(params.scenarios) as CatalogOverrides['scenarios'] };
}

/**
 * An axis's values ranked as the study lists them (its manifest's `axes`), then as the catalog
 * does, then any other value last: figures and tables follow the order the researcher wrote.
 */
function studyOrder(body: Json, axis: string, catalog: readonly { id: string }[]): (id: string) => number {
  const listed = asObject(asObject(body)?.axes)?.[axis];
  const order = [...(Array.isArray(listed) ? listed.map(String) : []), ...catalog.map((entry) => entry.id)];
  return (id) => {
    const i = order.indexOf(id);
    return i >= 0 ? i : order.length;
  };
}

interface CellValues {
  scenario: string;
  model: string;
  selector: string;
  variant: Record<string, Json>;
  /** The condition's id (conditionKey of the scenario and variant). */
  condition: string;
}

/** By a trial's `values` object, which the replicates of a cell share (TrialRecord.values). */
const cellValuesOf = new WeakMap<object, CellValues>();

function cellValues(trial: TrialRecord): CellValues {
  let cell = cellValuesOf.get(trial.values);
  if (cell === undefined) {
    cell = readCellValues(trial);
    cellValuesOf.set(trial.values, cell);
  }
  return cell;
}

function readCellValues(trial: TrialRecord): CellValues {
  const out: Record<string, string> = {};
  for (const axis of CELL_AXES) {
    const value = trial.values[axis];
    if (typeof value !== 'string' || value === '') {
      throw new ReportDataError(
        `trial ${trial.key}: values.${axis} must be a non-empty string, received ${JSON.stringify(value ?? null)}. ` +
          `The inference-scaling report needs the axes ${CELL_AXES.join(', ')} on every trial; ` +
          'check that the study uses this experiment and that the database is not from another study.',
      );
    }
    out[axis] = value;
  }
  const variant: Record<string, Json> = {};
  for (const key of Object.keys(trial.values).sort()) {
    if (!(CELL_AXES as readonly string[]).includes(key) && key !== 'replicate') variant[key] = trial.values[key] as Json;
  }
  const scenario = out.scenario as string;
  return { scenario, model: out.model as string, selector: out.selector as string, variant, condition: conditionKey(scenario, variant) };
}

function conditionKey(scenario: string, variant: Record<string, Json>): string {
  return canonicalJson({ scenario, variant });
}

function buildConditions(trials: readonly TrialRecord[], params: Record<string, Json>, variants: Variant[] | null, scenarioRank: (id: string) => number): Condition[] {
  const distinct = new Map<string, { scenario: string; variant: Record<string, Json> }>();
  for (const t of trials) {
    const v = cellValues(t);
    distinct.set(v.condition, { scenario: v.scenario, variant: v.variant });
  }
  const isVariantName = (key: string) => variants !== null && key === VARIANT_FIELD;
  const variantRank = (v: Record<string, Json>) => (variants ? variants.findIndex((x) => x.name === v[VARIANT_FIELD]) : 0);
  const list = [...distinct.values()].sort(
    (a, b) =>
      scenarioRank(a.scenario) - scenarioRank(b.scenario) ||
      byCodeUnits(a.scenario, b.scenario) ||
      variantRank(a.variant) - variantRank(b.variant) ||
      compareVariants(a.variant, b.variant),
  );
  const slugs = new Set<string>();
  const labelOf = (variant: Record<string, Json>, withName: boolean) =>
    Object.entries(variant)
      .filter(([k]) => withName || !isVariantName(k))
      .map(([k, v]) => (isVariantName(k) ? String(v) : `${k}=${typeof v === 'string' ? v : canonicalJson(v)}`))
      .join(', ');
  return list.map(({ scenario, variant }) => {
    const variantLabel = labelOf(variant, true);
    const sweepLabel = labelOf(variant, false);
    const variantName = variants === null ? null : String(variant[VARIANT_FIELD] ?? '');
    const settings: Record<string, Json> = {};
    for (const [key, value] of Object.entries(variant)) {
      if (isVariantName(key)) Object.assign(settings, variants?.find((v) => v.name === value)?.set ?? {});
      else settings[key.replace(/^params\./, '')] = value;
    }
    const effective = structuredClone(params) as Record<string, Json>;
    for (const [path, value] of Object.entries(settings)) setDotted(effective, path, value);
    let slug = slugify(variantLabel ? `${scenario}--${variantLabel}` : scenario);
    for (let i = 2; slugs.has(slug); i++) slug = `${slugify(scenario)}-${i}`;
    slugs.add(slug);
    return {
      id: conditionKey(scenario, variant),
      scenario,
      variant,
      variantLabel,
      label: variantLabel ? `${scenario}${LABEL_PARTS}${variantLabel}` : scenario,
      labelInVariant: sweepLabel ? `${scenario}${LABEL_PARTS}${sweepLabel}` : scenario,
      slug,
      variantName,
      settings,
      ...scenarioOf(scenario, effective),
      rule: ruleOf(effective),
    };
  });
}

/** Locale-free order: the same on every machine. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareVariants(a: Record<string, Json>, b: Record<string, Json>): number {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    if (typeof x === 'number' && typeof y === 'number') {
      if (x !== y) return x - y;
      continue;
    }
    const cx = x === undefined ? '' : canonicalJson(x);
    const cy = y === undefined ? '' : canonicalJson(y);
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
  return 0;
}

export function slugify(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '') || 'condition';
}

/**
 * The scenario's budgets: the catalog's, with the study's `params.scenarios` overrides and the
 * condition's settings (swept values, variant overrides) applied (`effective`: the study's params
 * with the condition's settings).
 */
function scenarioOf(scenario: string, effective: Record<string, Json>): { constraints: ScenarioBudgets | null; setup: ScenarioSetup | null; paperSetup: ScenarioSetup | null } {
  let found;
  try {
    found = resolveScenarios(catalogOverrides(effective)).find((s) => s.id === scenario);
  } catch (error) {
    // Scenarios the catalog refuses under this condition's params (one the study defines only
    // partially, a swept budget out of range): the report still runs, without budget lines.
    if (!(error instanceof CatalogError)) throw error;
  }
  if (!found) return { constraints: null, setup: null, paperSetup: null };
  const { intent, C_max, T_max, acc_min } = found;
  // P, k_max and M as the simulation took them: the study's `sim` block overrides every scenario's.
  const { P, k_max, M } = simOptionsFor(found, (asObject(effective.sim) ?? {}) as Params['sim']);
  const paper = SCENARIO_CATALOG.find((s) => s.id === scenario && s.intent === intent);
  return {
    constraints: { C_max, T_max, acc_min },
    setup: { intent, C_max, T_max, acc_min, P, k_max, M },
    paperSetup: paper ? { intent, C_max: paper.C_max, T_max: paper.T_max, acc_min: paper.acc_min, P: paper.P, k_max: paper.k_max, M: paper.M } : null,
  };
}

/** The feasibility rule of a condition's `effective` params: each setting as given, or the experiment's default where the study leaves it out. */
function ruleOf(effective: Record<string, Json>): FeasibilityRule {
  const { shape } = paramsSchema;
  const feasibility = shape.feasibility.safeParse(effective.feasibility);
  const delta = shape.delta.safeParse(effective.delta);
  const sim = shape.sim.safeParse(effective.sim);
  return {
    feasibility: feasibility.success ? feasibility.data : String(effective.feasibility),
    delta: delta.success ? delta.data : Number.NaN,
    latency: sim.success ? sim.data.latency : String(asObject(effective.sim)?.latency),
  };
}

function num(value: Scalar | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function flag(value: Scalar | undefined): boolean | null {
  return value === 1 ? true : value === 0 ? false : null;
}

function toPick(trial: TrialRecord, condition: string, model: string, selector: string): Pick {
  const r = trial.result;
  const kStar = num(r.k_star);
  return {
    condition,
    model,
    selector,
    replicate: trial.replicate,
    groupKey: trial.groupKey,
    kStar,
    cost: kStar === null ? null : num(r.cost),
    latency: kStar === null ? null : num(r.latency),
    accuracy: kStar === null ? null : num(r.accuracy),
    balance: kStar === null ? null : num(r.balance),
    pBudget: kStar === null ? null : num(r.p_budget),
    feasible: flag(r.feasible),
    breaksLatency: flag(r.breaks_latency),
    noneReason: typeof r.none_reason === 'string' && r.none_reason !== '' ? r.none_reason : null,
  };
}

function summarizeFailures(failed: readonly TrialRecord[]): FailedTrials {
  const counts = new Map<string, number>();
  for (const t of failed) {
    const error = (t.error ?? 'no error text stored').split('\n')[0] as string;
    counts.set(error, (counts.get(error) ?? 0) + 1);
  }
  return {
    count: failed.length,
    errors: [...counts].map(([error, count]) => ({ error, count })).sort((a, b) => (a.error < b.error ? -1 : a.error > b.error ? 1 : 0)),
  };
}

interface BandSums {
  mean: number;
  lo: number;
  hi: number;
  loCount: number;
  hiCount: number;
}

function poolCurves(picks: readonly Pick[], curves: ReadonlyMap<string, CurveTable>): Map<string, CurvePoint[]> {
  const groupsOf = new Map<string, Set<string>>();
  for (const p of picks) {
    const key = curveKey(p.condition, p.model);
    let set = groupsOf.get(key);
    if (!set) groupsOf.set(key, (set = new Set()));
    set.add(p.groupKey);
  }
  const metrics = ['cost', 'latency', 'accuracy'] as const;
  const out = new Map<string, CurvePoint[]>();
  for (const [key, groups] of groupsOf) {
    const byK = new Map<number, { seeds: number; sums: Record<'cost' | 'latency' | 'accuracy', BandSums>; feasible: number[]; pareto: number[] }>();
    for (const groupKey of [...groups].sort()) {
      const curve = curves.get(groupKey);
      if (!curve) continue;
      const ks = curve.numbers('k');
      const columns = metrics.map((m) => ({ mean: curve.numbers(`${m}_mean`), lo: curve.numbers(`${m}_q025`), hi: curve.numbers(`${m}_q975`) }));
      const feasibleFlags = curve.numbers('feasible');
      const paretoFlags = curve.numbers('pareto');
      for (let i = 0; i < curve.length; i++) {
        const k = num(ks[i]);
        if (k === null) continue;
        let acc = byK.get(k);
        if (!acc) {
          const zero = (): BandSums => ({ mean: 0, lo: 0, hi: 0, loCount: 0, hiCount: 0 });
          acc = { seeds: 0, sums: { cost: zero(), latency: zero(), accuracy: zero() }, feasible: [], pareto: [] };
          byK.set(k, acc);
        }
        if (columns.some((c) => num(c.mean[i]) === null)) continue;
        acc.seeds += 1;
        metrics.forEach((metric, m) => {
          const s = acc.sums[metric];
          const c = columns[m] as (typeof columns)[number];
          s.mean += num(c.mean[i]) as number;
          const lo = num(c.lo[i]);
          const hi = num(c.hi[i]);
          if (lo !== null) (s.lo += lo), (s.loCount += 1);
          if (hi !== null) (s.hi += hi), (s.hiCount += 1);
        });
        const f = flag(feasibleFlags[i]);
        const p = flag(paretoFlags[i]);
        if (f !== null) acc.feasible.push(f ? 1 : 0);
        if (p !== null) acc.pareto.push(p ? 1 : 0);
      }
    }
    const points: CurvePoint[] = [...byK]
      .filter(([, a]) => a.seeds > 0)
      .sort((a, b) => a[0] - b[0])
      .map(([k, a]) => {
        const band = (s: BandSums): Band => ({
          mean: s.mean / a.seeds,
          lo: s.loCount === a.seeds ? s.lo / a.seeds : null,
          hi: s.hiCount === a.seeds ? s.hi / a.seeds : null,
        });
        const share = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((x, y) => x + y, 0) / xs.length);
        return { k, seeds: a.seeds, cost: band(a.sums.cost), latency: band(a.sums.latency), accuracy: band(a.sums.accuracy), feasibleShare: share(a.feasible), paretoShare: share(a.pareto) };
      });
    out.set(key, points);
  }
  return out;
}
