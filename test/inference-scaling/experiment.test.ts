import { describe, expect, it } from 'vitest';
import type { GroupTask, Json } from '../../harness/experiment.js';
import { contractProblems } from '../../harness/experiments.js';
import { identityHash, identityKey } from '../../harness/identity.js';
import experiment, { type Params } from '../../experiments/inference-scaling/experiment.js';
import { MODEL_IDS, SCENARIO_IDS } from '../../experiments/inference-scaling/catalog.js';
import { SELECTOR_IDS } from '../../experiments/inference-scaling/selectors.js';

const parse = (params: unknown): Params => experiment.paramsSchema.parse(params);

/** A task as the harness builds one: the seed from the study and the experiment's seedIdentity. */
function taskFor(scenario: string, model: string, rawParams: unknown = {}, replicate = 0): GroupTask {
  const params = parse(rawParams);
  const values = { scenario, model, replicate };
  const { simulation, seedIdentity } = experiment.groupOf(values, params);
  const study = { study: 'test', base_seed: 7, experiment: experiment.name, version: experiment.version };
  return {
    groupKey: identityKey({ ...study, simulation }),
    seed: identityHash({ ...study, seedIdentity }),
    params: params as unknown as Json,
    cells: SELECTOR_IDS.map((selector) => ({ key: `${model}/${selector}`, values: { ...values, selector }, params: params as unknown as Json })),
  };
}

const small = { sim: { M: 60, k_max: 32 } };

describe('inference-scaling plugin: parameters and axes', () => {
  it('fills every default', () => {
    expect(parse({})).toEqual({
      sim: { step: 'P', sampling: 'crn', latency: 'paper', sd_A_scale: 1 },
      feasibility: 'means',
      delta: 0.05,
      fixed_k: 8,
    });
  });

  it('rejects unknown keys, bad values and impossible combinations with the field named', () => {
    const issues = (params: unknown) => experiment.paramsSchema.safeParse(params).error?.issues ?? [];
    expect(issues({ sim: { stepp: 1 } })[0]).toMatchObject({ code: 'unrecognized_keys', path: ['sim'] });
    expect(issues({ sim: { step: 2 } })[0]!.path).toEqual(['sim', 'step']);
    expect(issues({ delta: 1 })[0]!.path).toEqual(['delta']);
    expect(issues({ models: { gpt5: { sd_A: -1 } } })[0]).toMatchObject({
      path: ['models', 'gpt5', 'sd_A'],
      message: 'model "gpt5": field "sd_A" must be a finite number > 0',
      params: { hint: expect.stringMatching(/^Give the standard deviation/) },
    });
    expect(issues({ models: { mine: { mu_A: 0.9 } } })[0]!.message).toMatch(/model "mine": field "size" is required for a new entry/);
    expect(issues({ sim: { k_max: 2 } })[0]).toMatchObject({ path: ['sim'], message: expect.stringContaining('scenario "balanced": no candidate k') });
  });

  it('offers catalog ids plus the ones a study adds, and shares only the selector axis', () => {
    const added = { models: { mine: { size: 'small', mu_in: 100, sd_in: 10, mu_out: 100, sd_out: 10, c_in: 0, c_out: 0, t_in: 0, t_out: 0, mu_A: 0.5, sd_A: 0.1 } } };
    const choices = experiment.axes.model!.choices as (p: unknown) => readonly string[];
    expect(choices({})).toEqual(MODEL_IDS);
    expect(choices(added)).toEqual([...MODEL_IDS, 'mine']);
    expect((experiment.axes.scenario!.choices as (p: unknown) => readonly string[])({ scenarios: { balanced: { M: 10 } } })).toEqual(SCENARIO_IDS);
    expect(experiment.axes.selector!.choices).toEqual(SELECTOR_IDS);
    expect([experiment.axes.scenario!.shared, experiment.axes.model!.shared, experiment.axes.selector!.shared]).toEqual([undefined, undefined, true]);
    expect(() => parse(added)).not.toThrow();
  });

  it('keeps the plugin contract the harness checks on load', () => {
    expect(contractProblems(experiment)).toEqual([]);
  });
});

describe('inference-scaling plugin: groups', () => {
  const group = (values: Record<string, Json>, params: unknown = {}) => experiment.groupOf(values, parse(params));
  const base = { scenario: 'balanced', model: 'gpt5', replicate: 0 };

  it('puts the selectors of one scenario, model and replicate in one group', () => {
    expect(group({ ...base, selector: 'utopia' })).toEqual(group({ ...base, selector: 'knee-3d' }));
    expect(group(base, { fixed_k: 16 })).toEqual(group(base));
  });

  it('names the random stream by model and replicate only', () => {
    const a = group(base);
    expect(a.seedIdentity).toEqual({ model: 'gpt5', replicate: 0 });
    for (const [values, params] of [
      [{ ...base, scenario: 'cost-constrained' }, {}],
      [base, { sim: { M: 1000 } }],
      [base, { sim: { latency: 'waves', sampling: 'independent' } }],
    ] as const) {
      const b = group(values, params);
      expect(b.seedIdentity).toEqual(a.seedIdentity);
      expect(b.simulation).not.toEqual(a.simulation);
    }
    expect(group({ ...base, replicate: 1 }).seedIdentity).not.toEqual(a.seedIdentity);
    expect(group({ ...base, model: 'gpt5-mini' }).seedIdentity).not.toEqual(a.seedIdentity);
  });
});

describe('inference-scaling plugin: runGroup', () => {
  it('is byte-identical for the same task', () => {
    const task = taskFor('balanced', 'nemotron-h-47b', small);
    const first = JSON.stringify(experiment.runGroup(task));
    expect(JSON.stringify(experiment.runGroup(structuredClone(task)))).toBe(first);
    const other = { ...task, seed: identityHash('another seed') };
    expect(JSON.stringify(experiment.runGroup(other))).not.toBe(first);
  });

  it('returns one trial per cell and only declared columns, with monotone curves', () => {
    const task = taskFor('balanced', 'qwen3-30b-a3b', { sim: { M: 60, step: 1 } });
    const out = experiment.runGroup(task);
    expect(out.groupKey).toBe(task.groupKey);
    expect(out.trials.map((t) => t.key)).toEqual(task.cells.map((c) => c.key));
    const trialNames = new Set(experiment.trialColumns.map((c) => c.name));
    for (const t of out.trials) for (const name of Object.keys(t.result)) expect(trialNames.has(name)).toBe(true);
    expect(out.curve).toHaveLength(128);
    for (const row of out.curve) expect(Object.keys(row)).toEqual(experiment.curveColumns.map((c) => c.name));
    const column = (name: string) => out.curve.map((row) => row[name] as number);
    expect(column('k')).toEqual(Array.from({ length: 128 }, (_, i) => i + 1));
    for (const name of ['cost_mean', 'latency_mean']) expect(column(name).every((x, i, xs) => i === 0 || x > xs[i - 1]!)).toBe(true);
    expect(column('accuracy_mean').every((x, i, xs) => i === 0 || x >= xs[i - 1]!)).toBe(true);
    // Selections agree with the curve's own feasible flags.
    const feasibleKs = out.curve.filter((row) => row.feasible === 1).map((row) => row.k);
    const accuracyMax = out.trials[SELECTOR_IDS.indexOf('accuracy-max')]!.result;
    expect(feasibleKs).toContain(accuracyMax.k_star);
    expect(accuracyMax.feasible_count).toBe(feasibleKs.length);
  });

  it('records "no feasible k" as an outcome: GPT-5 under the cost-constrained scenario', () => {
    const out = experiment.runGroup(taskFor('cost-constrained', 'gpt5', small));
    out.trials.forEach((t, i) => {
      if (SELECTOR_IDS[i] === 'fixed-k') {
        expect(t.result).toMatchObject({ k_star: 8, feasible: 0, feasible_count: 0, none_reason: null, balance: null });
      } else {
        expect(t.result).toMatchObject({ k_star: null, feasible_count: 0 });
        expect(t.result.none_reason).toMatch(/^no (feasible k|k meets the cost and accuracy constraints)$/);
      }
    });
  });

  it('shares random numbers between scenarios of one model and replicate', () => {
    const a = experiment.runGroup(taskFor('balanced', 'gpt5-mini', small));
    const b = experiment.runGroup(taskFor('cost-constrained', 'gpt5-mini', small));
    expect(a.curve.map((r) => r.cost_mean)).toEqual(b.curve.map((r) => r.cost_mean));
    // Judged by each scenario's budgets: C_max $0.50 against $0.05, about ten calls at $0.005.
    expect(a.curve.map((r) => r.feasible)).not.toEqual(b.curve.map((r) => r.feasible));
  });
});
