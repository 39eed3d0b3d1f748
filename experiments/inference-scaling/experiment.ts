/**
 * The inference-scaling study as a harness plugin (arXiv 2510.18905, STUDY.md).
 *
 * A cell is (scenario, model, selector, replicate). The selector does not change the
 * simulation, so the cells of one (scenario, model, replicate) form one task: the curves are
 * simulated once and every selector reads them (paired comparisons). The random stream is named
 * by (model, replicate) only, so scenarios and simulation variants of one model and replicate
 * share their random numbers as well.
 */
import { z } from 'zod';
import type { CellProblem, ColumnDef, Experiment, GroupOutput, GroupTask, Json, Scalar, TrialOutput } from '../../harness/experiment.js';
import {
  CatalogError,
  findEntry,
  MODEL_IDS,
  resolveModels,
  resolveScenarios,
  SCENARIO_IDS,
  SIMULATION_LIMITS,
  SIZE_CLASSES,
  type ModelFields,
  type ModelSpec,
  type ScenarioFields,
  type ScenarioSpec,
} from './catalog.js';
import type { Curves } from './curves.js';
import { feasibleIndices, type Constraints } from './feasibility.js';
import { candidateKs, simulateCurves, type SimOptions } from './kernel.js';
import { paretoIndices } from './pareto.js';
import { select, SELECTOR_IDS, type Selection, type SelectorId } from './selectors.js';

const optionalNumber = z.number().optional();
const optionalInteger = z.int().optional();

const modelOverride = z.strictObject({
  name: z.string().optional(),
  size: z.enum(SIZE_CLASSES).optional(),
  mu_in: optionalNumber,
  sd_in: optionalNumber,
  mu_out: optionalNumber,
  sd_out: optionalNumber,
  c_in: optionalNumber,
  c_out: optionalNumber,
  t_in: optionalNumber,
  t_out: optionalNumber,
  mu_A: optionalNumber,
  sd_A: optionalNumber,
} satisfies Record<keyof ModelFields, z.ZodType>);

const scenarioOverride = z.strictObject({
  intent: z.string().optional(),
  C_max: optionalNumber,
  T_max: optionalNumber,
  acc_min: optionalNumber,
  P: optionalInteger,
  k_max: optionalInteger,
  M: optionalInteger,
} satisfies Record<keyof ScenarioFields, z.ZodType>);

const simSchema = z.strictObject({
  /** M, k_max and P override every scenario's values when set. */
  M: z.int().min(2).optional(),
  k_max: z.int().min(1).optional(),
  P: z.int().min(1).optional(),
  step: z.union([z.literal('P'), z.literal(1)]).default('P'),
  sampling: z.enum(['crn', 'independent']).default('crn'),
  latency: z.enum(['paper', 'waves']).default('paper'),
  sd_A_scale: z.number().positive().finite().default(1),
});

const baseSchema = z.strictObject({
  scenarios: z.record(z.string(), scenarioOverride).optional(),
  models: z.record(z.string(), modelOverride).optional(),
  sim: simSchema.prefault({}),
  feasibility: z.enum(['means', 'chance']).default('means'),
  delta: z.number().gt(0).lt(1).default(0.05),
  fixed_k: z.int().min(1).default(8),
});

export type Params = z.infer<typeof baseSchema>;

/** The simulation options of one scenario under the study's `sim` block. */
export function simOptionsFor(scenario: ScenarioSpec, sim: Params['sim']): SimOptions {
  return {
    M: sim.M ?? scenario.M,
    k_max: sim.k_max ?? scenario.k_max,
    P: sim.P ?? scenario.P,
    step: sim.step,
    sampling: sim.sampling,
    latency: sim.latency,
    sd_A_scale: sim.sd_A_scale,
  };
}

/** Why a simulation above SIMULATION_LIMITS is refused, and what to do instead. */
const LIMIT_HINTS: Record<keyof typeof SIMULATION_LIMITS, string> = {
  k_max: 'A larger k_max needs more memory than a worker has (every candidate k keeps its own statistics); the paper stops at 128.',
  M: 'A group of more runs takes hours and shows no progress until it ends; 3000 already settles the picks (the ablations\' sim.M factor).',
};

export const paramsSchema = baseSchema.superRefine((params, ctx) => {
  const beyond = (['k_max', 'M'] as const).filter((field) => (params.sim[field] ?? 0) > SIMULATION_LIMITS[field]);
  for (const field of beyond) {
    ctx.addIssue({ code: 'custom', path: ['sim', field], message: `must be at most ${SIMULATION_LIMITS[field]}`, params: { hint: LIMIT_HINTS[field] }, input: params.sim[field] });
  }
  // Not a list of 25 million candidate k to check next.
  if (beyond.length > 0) return;
  let scenarios: ScenarioSpec[];
  try {
    resolveModels(params);
    scenarios = resolveScenarios(params);
  } catch (error) {
    if (!(error instanceof CatalogError)) throw error;
    // The harness says the received value itself, so the issue carries the rule and the hint apart.
    ctx.addIssue({
      code: 'custom',
      path: [`${error.kind}s`, error.entry, error.field],
      message: `${error.kind} "${error.entry}": field "${error.field}" ${error.rule}`,
      params: { hint: error.hint },
      input: error.value,
    });
    return;
  }
  for (const scenario of scenarios) {
    const options = simOptionsFor(scenario, params.sim);
    try {
      candidateKs(options.k_max, options.P, options.step);
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['sim'], message: `scenario "${scenario.id}": ${(error as Error).message}` });
    }
  }
});

interface ResolvedCell {
  scenario: ScenarioSpec;
  model: ModelSpec;
  sim: SimOptions;
}

/** The resolved catalogs of one params object (resolving validates every entry: do it once). */
const catalogsOf = new WeakMap<Params, { scenarios: ScenarioSpec[]; models: ModelSpec[] }>();

function resolveCell(values: Record<string, Json>, params: Params): ResolvedCell {
  let catalogs = catalogsOf.get(params);
  if (!catalogs) {
    catalogs = { scenarios: resolveScenarios(params), models: resolveModels(params) };
    catalogsOf.set(params, catalogs);
  }
  const scenario = findEntry(catalogs.scenarios, String(values.scenario), 'scenario');
  const model = findEntry(catalogs.models, String(values.model), 'model');
  return { scenario, model, sim: simOptionsFor(scenario, params.sim) };
}

function constraintsFor(scenario: ScenarioSpec, params: Params): Constraints {
  return { C_max: scenario.C_max, T_max: scenario.T_max, acc_min: scenario.acc_min, feasibility: params.feasibility, delta: params.delta };
}

/** Catalog ids, then the ones a study adds under params[key]. */
function idsWith(catalog: readonly string[], params: unknown, key: 'models' | 'scenarios'): string[] {
  const added = (params as Record<string, unknown> | null)?.[key];
  const extra = added && typeof added === 'object' ? Object.keys(added).filter((id) => !catalog.includes(id)) : [];
  return [...catalog, ...extra];
}

const column = (name: string, type: ColumnDef['type'], description: string): ColumnDef => ({ name, type, description });

const trialColumns: ColumnDef[] = [
  column('k_star', 'INTEGER', 'chosen k; NULL when the selector picks none'),
  column('cost', 'REAL', 'mean total cost C(k*) in dollars'),
  column('latency', 'REAL', 'mean total latency T(k*) in seconds'),
  column('accuracy', 'REAL', 'mean best-of-k accuracy A(k*)'),
  column('cost_sd', 'REAL', 'standard deviation of C(k*) across Monte Carlo trials'),
  column('latency_sd', 'REAL', 'standard deviation of T(k*) across Monte Carlo trials'),
  column('accuracy_sd', 'REAL', 'standard deviation of A(k*) across Monte Carlo trials'),
  column('p_budget', 'REAL', 'share of trials meeting both budgets at k*'),
  column('feasible', 'INTEGER', '1 when k* is in the feasible set F under the cell\'s feasibility rule'),
  column('breaks_latency', 'INTEGER', '1 when the mean latency at k* exceeds T_max'),
  column('feasible_count', 'INTEGER', 'size of the feasible set F'),
  column('pareto_count', 'INTEGER', 'Pareto points of F'),
  column('balance', 'REAL', 'worst normalized regret of k* over F (claim 1; lower is better)'),
  column('score', 'REAL', 'the selector\'s own criterion at k* (volume, distance, curvature, accuracy)'),
  column('none_reason', 'TEXT', 'why no k was picked; NULL when one was'),
];

const METRICS = [['cost', 'total cost in dollars'], ['latency', 'total latency in seconds'], ['accuracy', 'best-of-k accuracy']] as const;
const STATS = [['mean', 'mean'], ['sd', 'standard deviation'], ['q025', '2.5% quantile'], ['q50', 'median'], ['q975', '97.5% quantile']] as const;

const curveColumns: ColumnDef[] = [
  column('k', 'INTEGER', 'candidate number of calls'),
  ...METRICS.flatMap(([metric, what]) => STATS.map(([stat, label]) => column(`${metric}_${stat}`, 'REAL', `${label} of the ${what}`))),
  column('p_cost', 'REAL', 'share of trials with C(k) <= C_max'),
  column('p_latency', 'REAL', 'share of trials with T(k) <= T_max'),
  column('p_both', 'REAL', 'share of trials meeting both budgets'),
  column('feasible', 'INTEGER', '1 when k is feasible under the group\'s feasibility rule'),
  column('pareto', 'INTEGER', '1 when k is a Pareto point of the feasible set'),
];

function curveRows(curves: Curves, constraints: Constraints): Record<string, Scalar>[] {
  const feasible = feasibleIndices(curves, constraints);
  const pareto = new Set(paretoIndices(curves, feasible));
  const inF = new Set(feasible);
  return curves.k.map((k, i) => {
    const row: Record<string, Scalar> = { k };
    for (const [metric] of METRICS) for (const [stat] of STATS) row[`${metric}_${stat}`] = curves[metric][stat][i]!;
    row.p_cost = curves.pCost[i]!;
    row.p_latency = curves.pLatency[i]!;
    row.p_both = curves.pBoth[i]!;
    row.feasible = inF.has(i) ? 1 : 0;
    row.pareto = pareto.has(i) ? 1 : 0;
    return row;
  });
}

const finiteOrNull = (x: number | null | undefined): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const flag = (b: boolean): number => (b ? 1 : 0);

/** Every trial column, NULL: the metrics of a selector that picks no k. */
const NO_PICK: Record<string, Scalar> = Object.fromEntries(trialColumns.map((c) => [c.name, null]));

function trialOutput(key: string, selector: SelectorId, selection: Selection, curves: Curves): TrialOutput {
  if (selection.status === 'none') {
    const d = selection.diagnostics;
    return {
      key,
      result: { ...NO_PICK, feasible_count: d.feasibleCount, pareto_count: d.paretoCount, none_reason: selection.reason },
      diagnostics: { selector, reason: selection.reason, ...d },
    };
  }
  const i = selection.index;
  const p = selection.diagnostics;
  return {
    key,
    result: {
      k_star: selection.k,
      cost: selection.cost,
      latency: selection.latency,
      accuracy: selection.accuracy,
      cost_sd: curves.cost.sd[i]!,
      latency_sd: curves.latency.sd[i]!,
      accuracy_sd: curves.accuracy.sd[i]!,
      p_budget: curves.pBoth[i]!,
      feasible: flag(p.feasible),
      breaks_latency: flag(p.breaksLatency),
      feasible_count: p.feasibleCount,
      pareto_count: p.paretoCount,
      balance: finiteOrNull(p.balance),
      score: finiteOrNull(p.score),
      none_reason: null,
    },
    diagnostics: { selector, ...p, score: finiteOrNull(p.score), balance: finiteOrNull(p.balance) } as unknown as Json,
  };
}

function runGroup(task: GroupTask): GroupOutput {
  const first = task.cells[0];
  if (!first) throw new Error(`group ${task.groupKey} has no cells; the harness should never send an empty group`);
  const groupParams = paramsSchema.parse(task.params);
  const group = resolveCell(first.values, groupParams);
  const curves = simulateCurves(group.model, group.sim, group.scenario, task.seed);
  const trials = task.cells.map((cell) => {
    const params = paramsSchema.parse(cell.params);
    const { scenario } = resolveCell(cell.values, params);
    const selector = String(cell.values.selector) as SelectorId;
    const selection = select(selector, curves, constraintsFor(scenario, params), { fixedK: params.fixed_k });
    return trialOutput(cell.key, selector, selection, curves);
  });
  return { groupKey: task.groupKey, trials, curve: curveRows(curves, constraintsFor(group.scenario, groupParams)) };
}

/** The 1D baseline picks `fixed_k` itself, so it must be one of the cell's candidate k. */
function fixedKProblem(values: Record<string, Json>, params: Params): CellProblem | null {
  if (values.selector !== 'fixed-k') return null;
  const { sim } = resolveCell(values, params);
  const stride = sim.step === 'P' ? sim.P : 1;
  if (params.fixed_k <= sim.k_max && params.fixed_k % stride === 0) return null;
  const ks = candidateKs(sim.k_max, sim.P, sim.step);
  const closest = ks.reduce((best, k) => (Math.abs(k - params.fixed_k) < Math.abs(best - params.fixed_k) ? k : best));
  // Named by the candidates, not the scenario: scenarios alike in them make one problem.
  const which = sim.step === 'P' ? `the multiples of P=${sim.P} up to k_max=${sim.k_max}` : `1 to k_max=${sim.k_max}`;
  return {
    path: ['fixed_k'],
    rule: `must be a candidate k for the selector fixed-k, one of ${which}`,
    received: params.fixed_k,
    hint: `Set fixed_k to a candidate, e.g. ${closest}, or leave fixed-k out of the selector axis.`,
  };
}

const experiment: Experiment<Params> = {
  name: 'inference-scaling',
  version: '2',
  description:
    'Best-of-k inference scaling in 3D (accuracy, cost, latency): Monte Carlo curves per model and scenario, and the k each selection method picks (arXiv 2510.18905).',
  axes: {
    scenario: {
      description: 'deployment regime: budgets, acc_min, P, k_max, M (catalog or params.scenarios)',
      choices: (params) => idsWith(SCENARIO_IDS, params, 'scenarios'),
      defaults: SCENARIO_IDS,
    },
    model: {
      description: 'simulated model (catalog or params.models)',
      choices: (params) => idsWith(MODEL_IDS, params, 'models'),
      defaults: MODEL_IDS,
    },
    selector: {
      description: 'method that picks k from the curves',
      choices: SELECTOR_IDS,
      defaults: SELECTOR_IDS,
      shared: true,
    },
  },
  paramsSchema,
  trialColumns,
  curveColumns,
  groupOf(values, params) {
    const { scenario, model, sim } = resolveCell(values, params);
    const replicate = values.replicate ?? null;
    const simulation: Json = {
      scenario: { ...scenario },
      model: { ...model },
      sim: { ...sim },
      feasibility: params.feasibility,
      delta: params.delta,
      replicate,
    };
    return { simulation, seedIdentity: { model: model.id, replicate } };
  },
  checkCell: fixedKProblem,
  runGroup,
  report: async (input) => (await import('./report/index.js')).buildReport(input),
  drawsFigures: true,
};

export default experiment;
