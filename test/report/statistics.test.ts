import { describe, expect, it } from 'vitest';
import { analyze } from '../../experiments/inference-scaling/report/analysis.js';
import { handInput, type HandTrial } from './builder.js';
import { decimalsOf, fmt, withInterval } from '../../experiments/inference-scaling/report/format.js';
import { Statistician } from '../../experiments/inference-scaling/report/statistics.js';
import { conditionTable, modelsTable } from '../../experiments/inference-scaling/report/tables.js';
import { syntheticReportInput } from './synthetic.js';
import { select } from '../../experiments/inference-scaling/selectors.js';
import { curvesFromMeans } from '../inference-scaling/fixtures.js';

const cellOf = (a: ReturnType<typeof analyze>, selector: string, model = 'gpt5-nano') => a.cell(a.data.conditions[0]!.id, model, selector)!;

describe('statistics per cell (hand-computed)', () => {
  const trials: HandTrial[] = [
    { selector: 'accuracy-max', replicate: 0, k: 8, cost: 0.08, latency: 8, accuracy: 0.9 },
    { selector: 'accuracy-max', replicate: 1, k: 8, cost: 0.08, latency: 8, accuracy: 0.9 },
    { selector: 'accuracy-max', replicate: 2, k: 12, cost: 0.12, latency: 12, accuracy: 0.92 },
    { selector: 'accuracy-max', replicate: 3, k: null },
    ...[0, 1, 2, 3].map((r): HandTrial => ({ selector: 'knee-paper', replicate: r, k: 4, cost: 0.04, latency: 4, accuracy: 0.88 })),
    { selector: 'utopia', replicate: 0, k: 4 },
    { selector: 'utopia', replicate: 1, k: 8 },
    { selector: 'utopia', replicate: 2, k: 8, status: 'failed' },
    { selector: 'utopia', replicate: 3, k: 4 },
    ...[0, 1, 2, 3].map((r): HandTrial => ({ selector: 'max-cube', replicate: r, k: null })),
    { selector: 'fixed-k', replicate: 0, k: 8, cost: 0.2 },
  ];
  const a = analyze(handInput(trials));

  it('mean, mode with share, IQR and the share of seeds with no pick', () => {
    const c = cellOf(a, 'accuracy-max');
    expect(c.trials).toBe(4);
    expect(c.picks).toBe(3);
    expect(c.kStar.mean).toBeCloseTo(28 / 3, 12);
    expect(c.kStar.sd).toBeCloseTo(Math.sqrt(16 / 3), 12);
    expect(c.spread).toMatchObject({ mode: 8, modeShare: 2 / 3, q25: 8, median: 8, q75: 10, iqr: 2 });
    expect(c.cost.mean).toBeCloseTo(0.28 / 3, 12);
    expect(c.none?.share).toBe(0.25);
    expect(c.kStar.lo).toBeGreaterThanOrEqual(8);
    expect(c.kStar.hi).toBeLessThanOrEqual(12);
  });

  it("the scenario's table says how it takes the k* mode and IQR it shows: ties, the share's denominator, the quantile type", () => {
    // accuracy-max picks 8, 8 and 12 in three seeds of four. The IQR is 2 by type 7 (R's and numpy's
    // default); type 6 (Minitab, SPSS) gives 4 and type 5 gives 3, so a reader needs to be told which.
    const table = conditionTable(a, a.data.conditions[0]!);
    const row = table.display.rows.find((r) => r.selector === 'accuracy-max')!;
    expect([row.mode, row.iqr]).toEqual(['8 (67%)', '2.0']);
    expect(table.title).toContain('k* mode: the most frequent k*, the smallest on ties, with its share of the seeds with a pick');
    expect(table.title).toContain('k* IQR: its 75% minus its 25% quantile over those seeds, interpolated linearly between order statistics (Hyndman and Fan type 7');
  });

  it("the scenario's table says its no-pick column counts a knee's seeds with fewer than 3 Pareto points, not only seeds without a feasible k", () => {
    // Three feasible k, two of them Pareto points: the knees pick none, though F is not empty.
    const two = curvesFromMeans([4, 8, 12], [0.1, 0.2, 0.3], [1, 2, 3], [0.9, 0.95, 0.95]);
    const loose = { C_max: 1, T_max: 10, acc_min: 0.5, feasibility: 'means', delta: 0.05 } as const;
    expect(select('knee-paper', two, loose, { fixedK: 8 })).toMatchObject({ status: 'none', diagnostics: { feasibleCount: 3, paretoCount: 2 } });
    const title = conditionTable(a, a.data.conditions[0]!).title;
    expect(title).toContain('no pick: the seeds in which the selector picks no k, because no k is feasible');
    expect(title).toContain('a knee finds none (fewer than 3 Pareto points, or a curvature defined at none of them)');
  });

  it('ties in the mode go to the smaller k; failed trials are left out and counted', () => {
    const c = cellOf(a, 'utopia');
    expect(c.trials).toBe(3);
    expect(c.spread.mode).toBe(4);
    expect(c.spread.modeShare).toBeCloseTo(2 / 3, 12);
    expect(a.data.failed).toEqual({ count: 1, errors: [{ error: 'Error: boom', count: 1 }] });
  });

  it('a cell with no pick in any seed has no means and a share of 1', () => {
    const c = cellOf(a, 'max-cube');
    expect(c.picks).toBe(0);
    expect(c.kStar).toEqual({ n: 0, mean: null, sd: null, lo: null, hi: null });
    expect(c.none?.share).toBe(1);
    expect(c.spread.mode).toBeNull();
  });

  it('one seed: a mean without spread or interval', () => {
    const c = cellOf(a, 'fixed-k');
    expect(c.kStar).toEqual({ n: 1, mean: 8, sd: null, lo: null, hi: null });
    expect(c.cost.mean).toBe(0.2);
  });

  it('paired savings against accuracy-max use only the seeds where both picked', () => {
    const p = a.paired.find((x) => x.selector === 'knee-paper' && x.reference === 'accuracy-max')!;
    expect(p.pairs).toBe(3);
    expect(p.costSaved.n).toBe(3);
    expect(p.costSaved.mean).toBeCloseTo((50 + 50 + 200 / 3) / 3, 10);
    expect(p.latencySaved.mean).toBeCloseTo((50 + 50 + 200 / 3) / 3, 10);
    expect(p.accuracyLost.mean).toBeCloseTo((2 + 2 + 4) / 3, 10);
    const none = a.paired.find((x) => x.selector === 'max-cube')!;
    expect(none.pairs).toBe(0);
    expect(none.costSaved.mean).toBeNull();
  });

  it('does not depend on the order trials arrive in (merged shards equal one run)', () => {
    const input = handInput(trials);
    const shuffled = { ...input, trials: [...input.trials].reverse() };
    const b = analyze(shuffled);
    expect(b.cells).toEqual(a.cells);
    expect(b.paired).toEqual(a.paired);
    expect(b.claims).toEqual(a.claims);
  });

  it('takes budgets from the catalog, the study\'s overrides and swept values', () => {
    const input = handInput([
      { selector: 'accuracy-max', replicate: 0, k: 4, extra: { 'scenarios.balanced.C_max': 0.2 } },
      { selector: 'accuracy-max', replicate: 0, k: 4, extra: { 'scenarios.balanced.C_max': 0.4 } },
      { selector: 'accuracy-max', replicate: 0, k: 4, scenario: 'cost-constrained', extra: { 'scenarios.balanced.C_max': 0.2 } },
    ]);
    input.manifest.body = { params: { scenarios: { balanced: { T_max: 30 } } } };
    const conditions = analyze(input).data.conditions;
    expect(conditions.map((c) => [c.label, c.constraints])).toEqual([
      ['balanced · scenarios.balanced.C_max=0.2', { C_max: 0.2, T_max: 30, acc_min: 0.88 }],
      ['balanced · scenarios.balanced.C_max=0.4', { C_max: 0.4, T_max: 30, acc_min: 0.88 }],
      ['cost-constrained · scenarios.balanced.C_max=0.2', { C_max: 0.05, T_max: 60, acc_min: 0.88 }],
    ]);
  });

  it('names the trial and field when a trial lacks an axis', () => {
    const input = handInput([{ selector: 'accuracy-max', replicate: 0, k: 4 }]);
    const { model: _model, ...values } = input.trials[0]!.values;
    input.trials[0]!.values = values;
    expect(() => analyze(input)).toThrow(/values\.model must be a non-empty string, received null/);
  });
});

describe('numbers as the report writes them', () => {
  it('writes a budget in dollars and cents, with more digits only where it has them', () => {
    expect([0.5, 1, 0.05, 60, 0.001, 0.125].map(fmt.dollars)).toEqual(['$0.50', '$1.00', '$0.05', '$60.00', '$0.001', '$0.125']);
  });

  it('writes a value that rounds to zero as zero, with no sign, and signs the others that are signed', () => {
    expect([fmt.points(-0.001), fmt.points(0), fmt.points(0.004), fmt.points(-0.006), fmt.points(0.006)]).toEqual(['0.00', '0.00', '0.00', '-0.01', '+0.01']);
    expect([fmt.signed(-0.0004), fmt.signed(-0.0006)]).toEqual(['0.000', '-0.001']);
    expect([fmt.k(-0.04), fmt.percent(-0.04), fmt.share(-0.004), fmt.balance(-0.0001), fmt.accuracy(-0.00001), fmt.ratio(-0.001)]).toEqual(['0.0', '0.0%', '0%', '0.000', '0.0000', '0.00']);
    expect(withInterval({ mean: -0.001, lo: -0.02, hi: 0.02 }, fmt.points, ' pts')).toBe('0.00 [-0.02, +0.02] pts');
  });

  it("writes the models' accuracies to the column's one precision: 0.90 beside 0.94, not 0.9", () => {
    const table = modelsTable(analyze(syntheticReportInput({ scenarios: ['balanced'], models: ['gpt5', 'qwen3-max'], seeds: 2, kCount: 4 }), 20));
    expect(table.display.rows.map((r) => r.accuracy)).toEqual(['0.94 ± 0.02', '0.90 ± 0.04']);
  });

  it('counts the decimals a number needs on the number, not its text: 2e-7 is not a whole number', () => {
    expect([0, 1, 0.9, 0.035, 0.94, 1.5e-6, 2e-7, 1 / 3].map((x) => decimalsOf(x))).toEqual([0, 0, 1, 3, 2, 6, 6, 6]);
    expect(decimalsOf(2e-7, 8)).toBe(7);
  });

  it('writes an interval of no width as what it is: values all alike, or the same at every seed', () => {
    const stats = new Statistician('study');
    // A shift pooled over three models: -4 at every seed of one, 0 at every seed of the others.
    // Resampling seeds within each model cannot move the mean, yet the values are not all alike.
    const perModel = [Array(30).fill(-4), Array(30).fill(0), Array(30).fill(0)];
    const pooled = stats.pooled(perModel, { shift: 'one model' });
    expect([pooled.mean, pooled.lo, pooled.hi]).toEqual([-4 / 3, -4 / 3, -4 / 3]);
    expect(withInterval(pooled, fmt.k)).toBe('-1.3 (the same at every seed)');
    const alike = stats.pooled([Array(30).fill(2), Array(30).fill(2)], { shift: 'none' });
    expect(withInterval(alike, fmt.k)).toBe('2.0 (all 60 alike)');
    // One seed of one model differs: the interval has a width again.
    perModel[0]![7] = -3;
    expect(withInterval(stats.pooled(perModel, { shift: 'one seed' }), fmt.k)).toMatch(/^-1\.3 \[-1\.\d, -1\.\d\]$/);
  });

  it('writes a share in whole percents, one that is neither none nor all never as 0% or 100%', () => {
    expect([0, 1 / 270, 0.005, 0.5, 0.994, 269 / 270, 1].map(fmt.share)).toEqual(['0%', '<1%', '1%', '50%', '99%', '>99%', '100%']);
  });
});
