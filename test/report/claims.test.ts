import { describe, expect, it } from 'vitest';
import { analyze } from '../../experiments/inference-scaling/report/analysis.js';
import type { ClaimRow } from '../../experiments/inference-scaling/report/claims.js';
import { quotes } from '../../experiments/inference-scaling/report/quotes.js';
import { fmt } from '../../experiments/inference-scaling/report/format.js';
import { adaptivityTable } from '../../experiments/inference-scaling/report/tables.js';
import { handInput, type HandTrial } from './builder.js';
import { syntheticReportInput } from './synthetic.js';

const SEEDS = [0, 1, 2, 3, 4, 5];
/** Enough seeds for a sign-flip test to reject at 0.05/3 (2/2^7 = 0.016): three scenarios' pairs. */
const SEVEN = [0, 1, 2, 3, 4, 5, 6];
/** A small, seed-dependent wobble so intervals have width. */
const jitter = (r: number) => 0.01 * ((r % 3) - 1);

function cells(selector: string, f: (r: number) => Partial<HandTrial>, base: Partial<HandTrial> = {}, seeds: readonly number[] = SEEDS): HandTrial[] {
  return seeds.map((r) => ({ selector, replicate: r, k: 8, ...base, ...f(r) }));
}

const rows = (trials: HandTrial[], claim: number): ClaimRow[] => analyze(handInput(trials)).claims.rows.filter((r) => r.claim === claim);
const headline = (trials: HandTrial[], claim: number) => rows(trials, claim).find((r) => r.headline)!;

describe('claim 1: the knee has the best balance', () => {
  const others = (balance: number) => ['accuracy-max', 'max-cube', 'utopia'].flatMap((s) => cells(s, (r) => ({ balance: balance + jitter(r) })));

  it('holds when the knee beats every other selector beyond the interval', () => {
    expect(headline([...cells('knee-paper', (r) => ({ balance: 0.2 + jitter(r) })), ...others(0.5)], 1).verdict).toBe('holds');
  });

  it('names its closest competitor by the mean difference, and competitors that pick alike together', () => {
    // others(0.5): the three competitors score alike on every seed.
    const alike = headline([...cells('knee-paper', (r) => ({ balance: 0.2 + jitter(r) })), ...others(0.5)], 1);
    // Their differences, the same on every seed, have no interval to give: said as such.
    expect(alike.value).toContain("closest competitor's: balanced -0.300 (all 6 alike) (accuracy-max, max-cube and utopia alike)");
    // By the mean, not the interval: max-cube's differences spread wide (their upper bound is the
    // highest), accuracy-max's are closer on average.
    const wide = (r: number) => 0.2 * ((r % 2) * 2 - 1);
    const one = headline([...cells('knee-paper', (r) => ({ balance: 0.2 + jitter(r) })), ...cells('accuracy-max', () => ({ balance: 0.45 })), ...cells('max-cube', (r) => ({ balance: 0.5 + wide(r) })), ...cells('utopia', () => ({ balance: 0.9 }))], 1);
    const maxCube = rows([...cells('knee-paper', (r) => ({ balance: 0.2 + jitter(r) })), ...cells('accuracy-max', () => ({ balance: 0.45 })), ...cells('max-cube', (r) => ({ balance: 0.5 + wide(r) })), ...cells('utopia', () => ({ balance: 0.9 }))], 1).find((r) => r.scope === 'balanced' && r.subject === 'knee-paper')!;
    expect(maxCube.numbers['minus_max-cube_hi']).toBeGreaterThan(maxCube.numbers['minus_accuracy-max_hi']!);
    expect(one.value).toMatch(/closest competitor's: balanced -0\.250 \[[^\]]+\] \(accuracy-max\)/);
  });

  it('does not hold when another selector is better beyond the interval', () => {
    expect(headline([...cells('knee-paper', (r) => ({ balance: 0.7 + jitter(r) })), ...others(0.5)], 1).verdict).toBe('does not hold');
  });

  it('says with its headline how often the competitors score the worst balance, and which selector has the lowest', () => {
    const trials = [
      ...cells('knee-paper', (r) => ({ balance: 0.4 + jitter(r) })),
      ...cells('knee-chord', (r) => ({ balance: 0.3 + jitter(r) })),
      // accuracy-max at the worst balance in 4 of 6 seeds; max-cube and utopia in none and all.
      ...cells('accuracy-max', (r) => ({ balance: r < 4 ? 1 : 0.9 })),
      ...cells('max-cube', () => ({ balance: 0.8 })),
      ...cells('utopia', () => ({ balance: 1 })),
    ];
    expect(headline(trials, 1).value).toContain(
      '; note: the competitors score the worst balance, 1 (an end of F), in accuracy-max 67%, max-cube 0%, utopia 100% of their picks; ' +
        'lowest mean balance of every selector: balanced knee-chord 0.300 (knee-paper 0.400, 1 selector lower)',
    );
  });

  it("takes its verdict from a corrected knee when the paper's knee is not in the results, and says so", () => {
    const trials = [...others(1), ...cells('knee-3d', (r) => ({ balance: 0.3 + jitter(r) }))];
    const head = headline(trials, 1);
    expect(head).toMatchObject({ subject: 'knee-3d (corrected)', verdict: 'holds' });
    expect(head.value).toContain('note: no knee-paper in the results, so judged on knee-3d; ');
    expect(rows(trials, 1).filter((r) => r.headline)).toHaveLength(1);
  });

  it("names the paper's competitors it was not judged against, as it names a knee it was not judged on", () => {
    const knee = cells('knee-paper', (r) => ({ balance: 0.2 + jitter(r) }));
    const accuracyMax = cells('accuracy-max', (r) => ({ balance: 0.5 + jitter(r) }));
    // The paper's knee against accuracy-max alone: max-cube and utopia were not run.
    const two = headline([...knee, ...accuracyMax], 1);
    expect(two).toMatchObject({ subject: 'knee-paper', verdict: 'holds' });
    expect(two.value).toContain('; note: no max-cube or utopia in the results, so judged against accuracy-max alone; the competitors score');
    // Both a corrected knee and a partial set of competitors: both said.
    const three = headline([...cells('knee-3d', (r) => ({ balance: 0.2 + jitter(r) })), ...accuracyMax, ...cells('max-cube', (r) => ({ balance: 0.6 + jitter(r) }))], 1);
    expect(three.value).toContain('; note: no knee-paper in the results, so judged on knee-3d; no utopia in the results, so judged against accuracy-max and max-cube alone; ');
    // Every competitor run: nothing to say.
    expect(headline([...knee, ...others(0.5)], 1).value).not.toContain('judged');
  });

  it('names as the subject of a claim it cannot judge only a knee the study ran', () => {
    const claim1 = (selectors: string[]) => analyze(syntheticReportInput({ models: ['gpt5'], selectors, seeds: 1, kCount: 8 }), 50).claims.rows.filter((r) => r.claim === 1);
    expect(claim1(['knee-chord'])).toMatchObject([{ subject: 'knee-chord (corrected)', verdict: 'cannot tell', value: 'not judged: no accuracy-max, max-cube or utopia in the results' }]);
    expect(claim1(['knee-3d', 'knee-chord'])).toMatchObject([{ subject: 'knee-3d (corrected)' }]);
    expect(claim1(['accuracy-max'])).toMatchObject([{ subject: 'knee-point selection', value: 'not judged: no knee-paper, knee-3d or knee-chord in the results' }]);
  });

  it('cannot tell when the knee ties', () => {
    const r = headline([...cells('knee-paper', () => ({ balance: 0.5 })), ...others(0.5).map((t) => ({ ...t, balance: 0.5 }))], 1);
    expect(r.verdict).toBe('cannot tell');
  });

  it('reports the savings against the quoted 63% / 58% / 1-2 points', () => {
    const trials = [
      ...cells('knee-paper', (r) => ({ cost: 0.42 + jitter(r), latency: 37, accuracy: 0.885, balance: 0.2 })),
      ...cells('accuracy-max', () => ({ cost: 1, latency: 100, accuracy: 0.9, balance: 0.5 })),
    ];
    const quoted = rows(trials, 1).find((r) => r.subject.startsWith('knee-paper vs accuracy-max'))!;
    expect(quoted.numbers.cost_saved_pct_mean).toBeCloseTo(58, 6);
    expect(quoted.numbers.latency_saved_pct_mean).toBeCloseTo(63, 6);
    expect(quoted.numbers.accuracy_lost_pts_mean).toBeCloseTo(1.5, 6);
    expect(quoted.verdict).toBe('holds');
    // The gap between the two savings, paired per seed, beside the quote's 5 points.
    const gap = quoted.numbers.latency_minus_cost_saved_pts_mean!;
    expect(gap).toBeCloseTo(quoted.numbers.latency_saved_pct_mean! - quoted.numbers.cost_saved_pct_mean!, 9);
    expect(quoted.numbers.latency_minus_cost_saved_pts_lo).toBeLessThanOrEqual(gap);
    expect(quoted.numbers.latency_minus_cost_saved_pts_hi).toBeGreaterThanOrEqual(gap);
    expect(quoted.value).toContain(`latency saved minus cost saved ${fmt.points(gap)} [`);
    expect(quoted.value).toMatch(/ pts, the quote's \+5\.00 pts$/);
  });
});

describe('savings pooled over the conditions', () => {
  it("draws each seed's values in every condition together (they share its random numbers): no narrower than one condition's when they agree", () => {
    // 40 seeds, each saving the same in the three scenarios: pooled, they are 40 draws, not 120.
    const rng = (r: number) => ((r * 7919) % 41) / 41;
    const trials = ['balanced', 'accuracy-critical', 'cost-constrained'].flatMap((scenario) =>
      Array.from({ length: 40 }, (_, r) => [
        { scenario, selector: 'knee-paper', replicate: r, k: 8, cost: 0.3 + 0.4 * rng(r), latency: 40, accuracy: 0.95 },
        { scenario, selector: 'accuracy-max', replicate: r, k: 16, cost: 1, latency: 100, accuracy: 0.96 },
      ]).flat(),
    );
    const claims = analyze(handInput(trials)).claims.rows;
    const all = claims.find((r) => r.claim === 1 && r.subject.startsWith('knee-paper vs accuracy-max'))!.numbers;
    const one = claims.find((r) => r.claim === 2 && r.scope === 'accuracy-critical')!.numbers;
    expect(all.cost_saved_pct_mean).toBeCloseTo(one.knee_cost_saved_pct_mean!, 9);
    const width = (lo: number | null, hi: number | null) => hi! - lo!;
    const ratio = width(all.cost_saved_pct_lo!, all.cost_saved_pct_hi!) / width(one.knee_cost_saved_pct_lo!, one.knee_cost_saved_pct_hi!);
    // Each 95% interval's bounds carry a resampling error of sqrt(0.025 * 0.975 / 2000) / phi(1.96) = 0.06 standard
    // errors; a width of 3.92 standard errors, 2.2%; a ratio of two, 3.1%: within 4 of those, 12.5%. Drawn one value
    // at a time, the pooled interval would be sqrt(3) times narrower (a ratio of 0.58).
    expect(Math.abs(ratio - 1)).toBeLessThan(0.125);
  });
});

describe('claim 2: accuracy-max when accuracy is the priority', () => {
  const scenario = 'accuracy-critical';
  it('holds when accuracy-max is more accurate than some selector and less accurate than none', () => {
    const trials = [
      ...cells('accuracy-max', (r) => ({ accuracy: 0.97 + jitter(r) / 10 }), { scenario }),
      ...cells('knee-paper', (r) => ({ accuracy: 0.95 + jitter(r) / 10, cost: 0.04 }), { scenario }),
      ...cells('utopia', (r) => ({ accuracy: 0.97 + jitter(r) / 10 }), { scenario }),
    ];
    expect(headline(trials, 2).verdict).toBe('holds');
  });

  it("gives the knee's accuracy given up as the row's own difference over the knee: one estimate, one interval", () => {
    const trials = [
      ...cells('accuracy-max', (r) => ({ accuracy: 0.97 + jitter(r) / 10, cost: 0.08 }), { scenario }),
      ...cells('knee-paper', (r) => ({ accuracy: 0.95 + jitter(r), cost: 0.04 }), { scenario }),
    ];
    const row = headline(trials, 2);
    const pick = (prefix: string) => Object.entries(row.numbers).filter(([name]) => name.startsWith(prefix)).map(([name, value]) => [name.slice(prefix.length), value]);
    expect(pick('knee_accuracy_lost_pts')).toEqual(pick('over_knee-paper_pts'));
    expect(pick('over_knee-paper_pts').length).toBeGreaterThan(1); // the estimate and its interval
    const shown = row.value.match(/over knee-paper (\S+ \[[^\]]+\])/)![1]!;
    expect(row.value).toContain(`accuracy given up ${shown}`);
  });

  it('does not hold when another selector is more accurate', () => {
    const trials = [...cells('accuracy-max', () => ({ accuracy: 0.95 }), { scenario }), ...cells('max-cube', (r) => ({ accuracy: 0.97 + jitter(r) / 10 }), { scenario })];
    expect(headline(trials, 2).verdict).toBe('does not hold');
  });

  it('cannot tell where a selector picks in too few seeds for an interval, and its rule says so', () => {
    const trials = [
      ...cells('accuracy-max', (r) => ({ accuracy: 0.97 + jitter(r) / 10 }), { scenario }),
      ...cells('utopia', (r) => ({ accuracy: 0.95 + jitter(r) / 10 }), { scenario }),
      // One seed with a pick: its difference has no interval.
      ...cells('knee-paper', () => ({ accuracy: 0.96 }), { scenario }, [0]),
    ];
    const row = headline(trials, 2);
    expect(row.numbers['over_utopia_pts_lo']).toBeGreaterThan(0);
    expect(row.numbers['over_knee-paper_pts_lo']).toBeNull();
    expect(row.verdict).toBe('cannot tell');
    expect(row.rule).toContain("cannot tell if some selector's difference has no interval");
  });

  it('cannot tell without an accuracy-critical scenario', () => {
    expect(headline(cells('accuracy-max', () => ({})), 2).verdict).toBe('cannot tell');
  });
});

describe('claim 3: smaller models match larger ones at a fraction of the cost', () => {
  const large = (accuracy: number) => cells('accuracy-max', (r) => ({ accuracy: accuracy + jitter(r) / 10, cost: 1 + jitter(r) }), { model: 'gpt5' });

  it('holds when a small model is as accurate for less', () => {
    const trials = [...large(0.95), ...cells('accuracy-max', (r) => ({ accuracy: 0.96 + jitter(r) / 10, cost: 0.1 + jitter(r) / 10 }), { model: 'gpt5-nano' })];
    expect(headline(trials, 3).verdict).toBe('holds');
    const pair = analyze(handInput(trials)).claims.modelPairs[0]!;
    expect(pair).toMatchObject({ smaller: 'gpt5-nano', large: 'gpt5', status: 'matches at lower cost' });
    expect(pair.costRatio?.estimate).toBeCloseTo(0.1, 10);
  });

  it('says which matches are ties of two models at accuracy 1 in every seed, where the task no longer tells them apart', () => {
    const perfect = (model: string, cost: number) => cells('accuracy-max', (r) => ({ accuracy: 1, cost: cost + jitter(r) / 100 }), { model });
    const tied = [...perfect('gpt5', 1), ...perfect('gpt5-nano', 0.1)];
    const pair = analyze(handInput(tied)).claims.modelPairs[0]!;
    expect(pair).toMatchObject({ status: 'matches at lower cost', atCeiling: true, note: 'both at accuracy 1 in every seed, a tie at the ceiling' });
    expect(headline(tied, 3).value).toBe('holds in 1 of 1, does not hold in 0, cannot tell in 0; pairs matching at a lower cost: balanced 1 of 1, 1 of the matches tied at accuracy 1');
    // One seed short of 1 in either model: a match, not a tie at the ceiling.
    const almost = [...perfect('gpt5', 1), ...cells('accuracy-max', (r) => ({ accuracy: r === 0 ? 0.999 : 1, cost: 0.1 }), { model: 'gpt5-nano' })];
    expect(analyze(handInput(almost)).claims.modelPairs[0]).toMatchObject({ atCeiling: false, note: '' });
    expect(headline(almost, 3).value).not.toContain('tied');
  });

  it('does not hold when every smaller model is less accurate', () => {
    const trials = [...large(0.95), ...cells('accuracy-max', (r) => ({ accuracy: 0.9 + jitter(r) / 10, cost: 0.1 }), { model: 'gpt5-nano' })];
    expect(headline(trials, 3).verdict).toBe('does not hold');
  });

  it('a large model with no feasible k makes the pair not comparable', () => {
    const trials = [...cells('accuracy-max', () => ({ k: null }), { model: 'gpt5' }), ...cells('accuracy-max', () => ({}), { model: 'gpt5-nano' })];
    const pair = analyze(handInput(trials)).claims.modelPairs[0]!;
    expect(pair.status).toBe('not comparable');
    expect(pair.note).toMatch(/gpt5: no feasible k/);
    expect(headline(trials, 3).verdict).toBe('cannot tell');
  });
});

describe('claim 4: a 2D pick can break the latency budget', () => {
  it('holds when some 2D pick breaks T_max, with the share and its interval', () => {
    const r = headline(cells('accuracy-max-2d', (s) => ({ breaks: s < 2 ? 1 : 0 })), 4);
    expect(r.verdict).toBe('holds');
    expect(r.numbers.breaks_latency_2d_share).toBeCloseTo(2 / 6, 12);
    expect(r.numbers.breaks_latency_2d_n).toBe(6);
  });

  it('judges both 2D baselines: holds when the 2D knee alone breaks T_max, each share under its own name', () => {
    const r = headline([...cells('accuracy-max-2d', () => ({ breaks: 0 })), ...cells('knee-2d', (s) => ({ breaks: s === 0 ? 1 : 0 }))], 4);
    expect(r.verdict).toBe('holds');
    expect(r.subject).toBe('accuracy-max-2d, knee-2d (2D)');
    expect(r.numbers).toMatchObject({ breaks_latency_2d_share: 0, breaks_latency_2d_n: 6, breaks_latency_knee_2d_n: 6 });
    expect(r.numbers.breaks_latency_knee_2d_share).toBeCloseTo(1 / 6, 12);
    expect(r.value).toMatch(/^holds in 1 of 1, does not hold in 0, cannot tell in 0; 2D pick breaks T_max in 0% \[.*\] of 6 \(accuracy-max-2d\); 17% \[.*\] of 6 \(knee-2d\)$/);
  });

  it('counts the cells without a 2D pick in the headline too', () => {
    const r = headline([...cells('accuracy-max-2d', (s) => ({ breaks: s < 2 ? 1 : 0 })), ...cells('accuracy-max-2d', () => ({ k: null }), { scenario: 'cost-constrained' })], 4);
    // The condition with no pick cannot tell, in sight beside the pooled share.
    expect(r.value).toMatch(/^holds in 1 of 2, does not hold in 0, cannot tell in 1; 2D pick breaks T_max in 33% \[.*\] of 6 \(6 cells without a pick\)$/);
  });

  it('does not hold when none does; fixed-k infeasibility is reported beside it', () => {
    const r = headline([...cells('accuracy-max-2d', () => ({ breaks: 0 })), ...cells('fixed-k', (s) => ({ feasible: s === 0 ? 0 : 1 }))], 4);
    expect(r.verdict).toBe('does not hold');
    expect(r.numbers.infeasible_1d_share).toBeCloseTo(1 / 6, 12);
  });
});

describe('claim 5: k* moves across scenarios', () => {
  const paper = ['accuracy-max', 'max-cube', 'utopia', 'knee-paper'];
  const trials = (kCritical: number) =>
    paper.flatMap((s) => [...cells(s, (r) => ({ k: 8 + 4 * (r % 2) })), ...cells(s, (r) => ({ k: kCritical + 4 * (r % 2) }), { scenario: 'accuracy-critical' })]);

  it('holds when every paper selector moves its k* for most models', () => {
    const all = rows(trials(32), 5);
    expect(all.find((r) => r.headline)?.verdict).toBe('holds');
    expect(all.find((r) => r.subject === 'accuracy-max')?.numbers.differs_share).toBe(1);
  });

  it("says in its rule that a scenario without a pick is left out, whatever the reason: a knee's is often 3 Pareto points lacking, not a feasible k", () => {
    // knee-paper picks in the balanced scenario alone: nothing to compare, whichever reason it had in the other.
    const knee = [...cells('knee-paper', (r) => ({ k: 8 + 4 * (r % 2) })), ...cells('knee-paper', () => ({ k: null }), { scenario: 'accuracy-critical' })];
    const a = analyze(handInput([...trials(32).filter((t) => t.selector !== 'knee-paper'), ...knee]));
    expect(a.claims.adaptivity.find((e) => e.selector === 'knee-paper')).toMatchObject({ moves: null, notJudged: 'a pick in fewer than two scenarios' });
    const rule = a.claims.rows.find((r) => r.claim === 5 && r.subject === 'knee-paper')!.rule;
    expect(rule).toContain('(no pick in a scenario, for want of a feasible k or, for a knee, of 3 Pareto points, is not k* moving)');
  });

  it('does not hold when k* stays put', () => {
    expect(headline(trials(8), 5).verdict).toBe('does not hold');
  });

  it('per model and selector: the seeds whose k* differs, whether it moves, and the modal k* of each scenario in its table', () => {
    // Two models: k* moves for gpt5-nano (8 or 12 against 32 or 36) and differs in odd seeds only
    // for qwen3-max (the same k in both scenarios except 24 for odd seeds in accuracy-critical).
    const moving = paper.flatMap((s) => [...cells(s, (r) => ({ k: 8 + 4 * (r % 2) })), ...cells(s, (r) => ({ k: 32 + 4 * (r % 2) }), { scenario: 'accuracy-critical' })]);
    const wobbling = paper.flatMap((s) => [...cells(s, () => ({ k: 16 }), { model: 'qwen3-max' }), ...cells(s, (r) => ({ k: r % 2 ? 24 : 16 }), { model: 'qwen3-max', scenario: 'accuracy-critical' })]);
    const a = analyze(handInput([...moving, ...wobbling]));
    const entry = (model: string) => a.claims.adaptivity.find((e) => e.model === model && e.selector === 'knee-paper')!;
    expect(a.claims.adaptivity).toHaveLength(2 * paper.length);
    expect(entry('gpt5-nano')).toMatchObject({ moves: true, differs: { successes: 6, n: 6 } });
    expect(entry('qwen3-max').differs).toMatchObject({ successes: 3, n: 6 });
    // The claim's row for a selector pools its models' entries.
    const row = a.claims.rows.find((r) => r.claim === 5 && r.subject === 'knee-paper')!;
    expect(row.numbers).toMatchObject({ models: 2, models_moving: [entry('gpt5-nano'), entry('qwen3-max')].filter((e) => e.moves).length, differs_n: 12 });
    expect(row.numbers.differs_share).toBe(9 / 12);
    const table = adaptivityTable(a);
    const csvRow = table.csv.rows.find((r) => r.model === 'qwen3-max' && r.selector === 'knee-paper')!;
    expect(csvRow).toMatchObject({ k_mode_balanced: 16, 'k_mode_accuracy-critical': 16, seeds: 6, differs_share: 0.5, moves: entry('qwen3-max').moves ? 1 : 0 });
    expect(table.csv.columns.map((c) => c.key)).toEqual(['variant', 'model', 'selector', 'k_mode_balanced', 'k_mode_accuracy-critical', 'seeds', 'differs_share', 'differs_lo', 'differs_hi', 'moves']);
    const shown = table.display.rows.find((r) => r.selector === 'knee-paper' && String(r.model).startsWith('GPT-5 Nano'))!;
    expect(shown).toMatchObject({ modes: '8 · 32', differs: '100% [61%, 100%] of 6', moves: 'yes' });
    expect(table.empty).toBeUndefined();
  });

  it('does not count a scenario without a pick as k* moving', () => {
    // k* is 8 wherever the selector picks; in cost-constrained it has no feasible k, and in
    // accuracy-critical seed 0 has none either.
    const picksNowhereElse = paper.flatMap((s) => [
      ...cells(s, () => ({ k: 8 }), {}, SEVEN),
      ...cells(s, (r) => ({ k: r === 0 ? null : 8 }), { scenario: 'accuracy-critical' }, SEVEN),
      ...cells(s, () => ({ k: null }), { scenario: 'cost-constrained' }, SEVEN),
    ]);
    const a = analyze(handInput(picksNowhereElse));
    const entry = a.claims.adaptivity.find((e) => e.selector === 'accuracy-max')!;
    // Seed 0 has a pick in one scenario only: nothing to compare. The other six are enough for the
    // test of one pair to reject (2/2^6 = 0.031 within 0.05), so the same k* in all six is k* not moving.
    expect(entry).toMatchObject({ moves: false, differs: { successes: 0, n: 6 } });
    expect(a.claims.rows.find((r) => r.claim === 5 && r.headline)?.verdict).toBe('does not hold');
  });

  it('cannot tell, not "does not hold", when a pair of scenarios has too few seeds with a pick in both to tell', () => {
    // k* is 8 in balanced and 32 in accuracy-critical, each from one seed (the other seeds pick nothing there).
    const oneEach = paper.flatMap((s) => [
      ...cells(s, (r) => ({ k: r === 0 ? 8 : null })),
      ...cells(s, (r) => ({ k: r === 0 ? 32 : null }), { scenario: 'accuracy-critical' }),
    ]);
    const a = analyze(handInput(oneEach));
    const reason = 'too few seeds with a pick in both scenarios of a pair for the test to tell: with 1 seed its smallest p-value is 1, above its level of 0.05';
    expect(a.claims.adaptivity.map((e) => [e.moves, e.notJudged])).toEqual(paper.map(() => [null, reason]));
    const row = a.claims.rows.find((r) => r.claim === 5 && r.subject === 'accuracy-max')!;
    expect(row).toMatchObject({ verdict: 'cannot tell', numbers: { models: 0, models_moving: 0 } });
    // The row counts the models by reason; the table gives each its numbers.
    expect(row.value).toContain('(1 with too few seeds with a pick in both scenarios of a pair for the test to tell)');
    expect(a.claims.rows.find((r) => r.claim === 5 && r.headline)?.verdict).toBe('cannot tell');
    expect(adaptivityTable(a).display.rows[0]).toMatchObject({ moves: `not judged (${reason})` });
    // Pairs are compared seed by seed: a third scenario with a pick in every seed has one seed in
    // common with each of the others, and still cannot tell.
    const third = paper.flatMap((s) => cells(s, (r) => ({ k: 64 + 4 * (r % 2) }), { scenario: 'cost-constrained' }));
    expect(analyze(handInput([...oneEach, ...third])).claims.adaptivity.map((e) => e.moves)).toEqual(paper.map(() => null));
    // Another pair of scenarios with enough seeds in common (7: at 0.05/3, a test needs 2/2^n below
    // it) and k* apart in every one still shows k* moving.
    const everySeed = paper.flatMap((s) => [
      ...cells(s, (r) => ({ k: 8 + 4 * (r % 2) }), {}, SEVEN),
      ...cells(s, (r) => ({ k: r === 0 ? 32 : null }), { scenario: 'accuracy-critical' }, SEVEN),
      ...cells(s, (r) => ({ k: 64 + 4 * (r % 2) }), { scenario: 'cost-constrained' }, SEVEN),
    ]);
    expect(analyze(handInput(everySeed)).claims.adaptivity.map((e) => e.moves)).toEqual(paper.map(() => true));
    // Six seeds cannot tell at 0.05/3, even with k* apart in every one.
    const six = everySeed.filter((t) => t.replicate < 6);
    expect(analyze(handInput(six)).claims.adaptivity.map((e) => e.moves)).toEqual(paper.map(() => null));
  });

  it('asks as many seeds of k* not moving as of k* moving: with too few for the test to reject, neither', () => {
    // Three seeds, a pick in every scenario: GPT-5 Nano's k* differs between the scenarios in every
    // seed, Qwen3-Max's is the same in all three. The smallest p-value of three seeds, 2/2^3 = 0.25,
    // is above 0.05 and 0.05/3: the test can find neither k* moving, so neither is said not to.
    const scenarios = ['balanced', 'accuracy-critical', 'cost-constrained'];
    const trials = (ks: (scenario: number, r: number) => number, model: string, n = 3) =>
      paper.flatMap((s) => scenarios.flatMap((scenario, i) => cells(s, (r) => ({ k: ks(i, r) }), { model, scenario }, SEVEN.slice(0, n))));
    const moving = trials((i, r) => 8 + 40 * i + 4 * r, 'gpt5-nano');
    const still = trials(() => 8, 'qwen3-max');
    const a = analyze(handInput([...moving, ...still]));
    const reason = 'too few seeds for the test to tell: with 3 seeds its smallest p-value is 0.25, above its level of 0.05/3';
    expect(a.claims.adaptivity.map((e) => [e.model, e.moves, e.notJudged])).toEqual(paper.flatMap(() => [['gpt5-nano', null, reason], ['qwen3-max', null, reason]]));
    const row = a.claims.rows.find((r) => r.claim === 5 && r.subject === 'max-cube')!;
    // What the seeds show is still said: k* differs in the three seeds of one model of two.
    expect(row).toMatchObject({ verdict: 'cannot tell', numbers: { models: 0, models_moving: 0, differs_n: 6, differs_share: 0.5 } });
    expect(row.value).toMatch(/^no model judged \(2 with too few seeds for the test to tell\); k\* differs in 50% \[.*\] of 6 cells$/);
    expect(a.claims.rows.find((r) => r.claim === 5 && r.headline)?.verdict).toBe('cannot tell');
    expect(adaptivityTable(a).display.rows[0]).toMatchObject({ moves: `not judged (${reason})` });
    // Six seeds are not enough either for three pairs, each tested at 0.05/3; seven are.
    const stillOver = (n: number) => analyze(handInput(trials(() => 8, 'qwen3-max', n))).claims.adaptivity[0];
    expect(stillOver(6)).toMatchObject({ moves: null, notJudged: 'too few seeds for the test to tell: with 6 seeds its smallest p-value is 0.031, above its level of 0.05/3' });
    expect(stillOver(7)).toMatchObject({ moves: false, notJudged: null });
    // Two scenarios, one pair tested at 0.05: 2/2^5 = 0.063 is still above it, 2/2^6 = 0.031 is not.
    const twoScenarios = (n: number) => analyze(handInput(cells('knee-paper', () => ({ k: 8 }), {}, SEVEN.slice(0, n)).concat(cells('knee-paper', () => ({ k: 8 }), { scenario: 'accuracy-critical' }, SEVEN.slice(0, n)))));
    expect(twoScenarios(5).claims.adaptivity[0]).toMatchObject({ moves: null, notJudged: 'too few seeds for the test to tell: with 5 seeds its smallest p-value is 0.063, above its level of 0.05' });
    expect(twoScenarios(6).claims.adaptivity[0]).toMatchObject({ moves: false, notJudged: null });
  });

  it('cannot tell when half the models or fewer that pick in two scenarios are judged', () => {
    // Qwen3-Max's k* stays put over seven seeds, enough to judge it not moving. The two others pick in
    // accuracy-critical in three seeds only, a k* apart from the others': not judged. One model of
    // three is too few for a verdict.
    const scenarios = ['balanced', 'accuracy-critical', 'cost-constrained'];
    const model = (id: string, k: (scenario: number, r: number) => number | null) =>
      paper.flatMap((s) => scenarios.flatMap((scenario, i) => cells(s, (r) => ({ k: k(i, r) }), { model: id, scenario }, SEVEN)));
    const few = (i: number, r: number) => (i !== 1 ? 8 : r < 3 ? 48 : null);
    const a = analyze(handInput([...model('qwen3-max', () => 8), ...model('gpt5-nano', few), ...model('gpt5-mini', few)]));
    const entry = (id: string) => a.claims.adaptivity.find((e) => e.model === id && e.selector === 'utopia')!;
    expect(entry('qwen3-max')).toMatchObject({ moves: false, notJudged: null });
    expect(entry('gpt5-nano')).toMatchObject({ moves: null, notJudged: 'too few seeds with a pick in both scenarios of a pair for the test to tell: with 3 seeds its smallest p-value is 0.25, above its level of 0.05/3' });
    const row = a.claims.rows.find((r) => r.claim === 5 && r.subject === 'utopia')!;
    expect(row).toMatchObject({ verdict: 'cannot tell', numbers: { models: 1, models_moving: 0 } });
    expect(row.value).toMatch(/^moves for 0 of 1 model, half or fewer of the 3 with a pick in two scenarios \(2 with too few seeds with a pick in both scenarios of a pair for the test to tell\); /);
    // A second model judged, a majority of the three: it does not hold.
    const judged = analyze(handInput([...model('qwen3-max', () => 8), ...model('gpt5-nano', () => 8), ...model('gpt5-mini', few)]));
    expect(judged.claims.rows.find((r) => r.claim === 5 && r.subject === 'utopia')).toMatchObject({ verdict: 'does not hold', numbers: { models: 2, models_moving: 0 } });
  });

  it('compares scenarios seed by seed, as the seeds share their random numbers across them', () => {
    // k* varies a lot from seed to seed, and is 4 more in accuracy-critical in every seed: the
    // means' difference (4 of a spread of 35) is within a two-sample interval, the per-seed one is not.
    const shifted = paper.flatMap((s) => [...cells(s, (r) => ({ k: 8 + 8 * r })), ...cells(s, (r) => ({ k: 12 + 8 * r }), { scenario: 'accuracy-critical' })]);
    const a = analyze(handInput(shifted));
    expect(a.claims.adaptivity.map((e) => e.moves)).toEqual(paper.map(() => true));
    expect(a.claims.adaptivity.map((e) => e.differs?.successes)).toEqual(paper.map(() => 6));
  });

  it('holds its 5% error over the pairs of scenarios: each of m pairs at 0.05/m', () => {
    // Per-seed differences whose sign-flip p-value is 4/128 = 0.031 (six of seven seeds 4 apart,
    // one at 0), within 0.05, which is enough with two scenarios ...
    const d = [4, 4, 4, 4, 4, 4, 0];
    const two = paper.flatMap((s) => [...cells(s, () => ({ k: 16 }), {}, SEVEN), ...cells(s, (r) => ({ k: 16 + d[r]! }), { scenario: 'accuracy-critical' }, SEVEN)]);
    expect(analyze(handInput(two)).claims.adaptivity.map((e) => e.moves)).toEqual(paper.map(() => true));
    // ... but not with three, whose three pairs are each tested at 0.0167: the third scenario,
    // like balanced, gives accuracy-critical the same differences once more.
    const three = [...two, ...paper.flatMap((s) => cells(s, () => ({ k: 16 }), { scenario: 'cost-constrained' }, SEVEN))];
    expect(analyze(handInput(three)).claims.adaptivity.map((e) => e.moves)).toEqual(paper.map(() => false));
  });

  it('compares a model over the scenarios it was run in, when the study leaves it out of one', () => {
    // gpt5-nano runs in all three scenarios, qwen3-max (excluded from cost-constrained) in two; both move.
    const run = (model: string, scenarios: string[]) =>
      paper.flatMap((s) => scenarios.flatMap((scenario, i) => cells(s, (r) => ({ k: 8 + 24 * i + 4 * (r % 2) }), { model, scenario }, SEVEN)));
    const a = analyze(handInput([...run('gpt5-nano', ['balanced', 'accuracy-critical', 'cost-constrained']), ...run('qwen3-max', ['balanced', 'accuracy-critical'])]));
    const entry = a.claims.adaptivity.find((e) => e.model === 'qwen3-max' && e.selector === 'knee-paper')!;
    expect(entry).toMatchObject({ moves: true, notJudged: null, differs: { successes: 7, n: 7 } });
    expect(entry.conditions).toHaveLength(2);
    expect(a.claims.rows.find((r) => r.claim === 5 && r.subject === 'knee-paper')?.numbers).toMatchObject({ models: 2, models_moving: 2 });
    const shown = adaptivityTable(a).display.rows.find((r) => r.selector === 'knee-paper' && String(r.model).startsWith('Qwen3-Max'))!;
    expect(shown.modes).toBe('8 · 32 · no results');
  });

  it('cannot tell when no model picks a k in two scenarios: there is nothing to compare', () => {
    const oneScenario = paper.flatMap((s) => [...cells(s, () => ({ k: 8 })), ...cells(s, () => ({ k: null }), { scenario: 'accuracy-critical' })]);
    const a = analyze(handInput(oneScenario));
    expect(a.claims.adaptivity.map((e) => e.moves)).toEqual(paper.map(() => null));
    const row = a.claims.rows.find((r) => r.claim === 5 && r.subject === 'accuracy-max')!;
    expect(row).toMatchObject({ verdict: 'cannot tell', numbers: { models: 0, models_moving: 0 } });
    expect(row.value).toContain('(1 with a pick in fewer than two scenarios)');
    expect(a.claims.rows.find((r) => r.claim === 5 && r.headline)?.verdict).toBe('cannot tell');
    expect(adaptivityTable(a).display.rows[0]).toMatchObject({ moves: 'not judged (a pick in fewer than two scenarios)' });
  });
});

describe('a claim the study cannot judge', () => {
  const headlines = (options: Parameters<typeof syntheticReportInput>[0]) =>
    analyze(syntheticReportInput({ seeds: 3, kCount: 8, ...options }), 50).claims.rows.filter((r) => r.headline).map((r) => [r.claim, r.verdict, r.value]);

  it('gets one row that names the selectors or models the study lacks', () => {
    const claims = analyze(syntheticReportInput({ models: ['gpt5', 'qwen3-max'], selectors: ['knee-3d'], seeds: 3, kCount: 8 }), 50).claims;
    expect(claims.rows.map((r) => [r.claim, r.verdict, r.value])).toEqual([
      [1, 'cannot tell', 'not judged: no accuracy-max, max-cube or utopia in the results'],
      [2, 'cannot tell', 'not judged: no accuracy-max in the results'],
      [3, 'cannot tell', 'not judged: no accuracy-max in the results; no small or medium model in the results'],
      [4, 'cannot tell', 'not judged: no accuracy-max-2d or knee-2d in the results'],
      [5, 'cannot tell', 'not judged: no accuracy-max, max-cube, utopia or knee-paper in the results'],
    ]);
    expect(claims.rows.every((r) => r.headline && r.scope === 'all')).toBe(true);
  });

  it('names a missing scenario, and needs two scenarios to see k* move', () => {
    const one = headlines({ scenarios: ['balanced'], models: ['gpt5', 'gpt5-nano'] });
    const table = adaptivityTable(analyze(syntheticReportInput({ scenarios: ['balanced'], models: ['gpt5'], seeds: 3, kCount: 8 }), 50));
    expect([table.csv.rows, table.empty]).toEqual([[], 'fewer than two scenarios in the results']);
    // Its title says what "k* moves" judges: the per-seed differences, not the most frequent k*.
    expect(table.title).toContain('k* moves: the per-seed differences, not the most frequent k*');
    expect(one.find(([claim]) => claim === 2)).toEqual([2, 'cannot tell', 'not judged: no accuracy-critical scenario in the results']);
    expect(one.find(([claim]) => claim === 5)).toEqual([5, 'cannot tell', 'not judged: fewer than two scenarios in the results']);
    // Judged where the study has what they need.
    expect(one.filter(([, , value]) => String(value).startsWith('not judged')).map(([claim]) => claim)).toEqual([2, 5]);
  });

  it('claim 4 without the 1D baseline: the 2D share alone, no empty 1D share', () => {
    const rows = analyze(syntheticReportInput({ models: ['gpt5', 'gpt5-nano'], selectors: ['accuracy-max', 'accuracy-max-2d'], seeds: 3, kCount: 8 }), 50).claims.rows.filter((r) => r.claim === 4);
    expect(rows.length).toBeGreaterThan(1);
    for (const r of rows) {
      expect(r.subject).toBe('accuracy-max-2d (2D)');
      expect(r.value).toMatch(r.headline ? /^holds in \d+ of \d+, does not hold in \d+, cannot tell in \d+; 2D pick breaks T_max in / : /^2D pick breaks T_max in /);
      expect(r.value).not.toContain('1D');
      expect(Object.keys(r.numbers).filter((k) => k.startsWith('infeasible_1d'))).toEqual([]);
    }
  });
});

describe('a one-seed study', () => {
  it('says with its claims that no verdict can rest on an interval, and how to get verdicts; with a few seeds, that the intervals are too narrow', async () => {
    const { reportDocuments } = await import('../../experiments/inference-scaling/report/index.js');
    const text = (files: { path: string; content: unknown }[], path: string) => String(files.find((f) => f.path === path)?.content);
    const one = await reportDocuments(syntheticReportInput({ models: ['gpt5', 'gpt5-nano'], seeds: 1, kCount: 8 }), { resamples: 50 });
    const note = 'One seed: no interval can be computed across seeds, so a verdict that needs one is "cannot tell". Run more seeds (e.g. --set seeds=30) for verdicts.';
    expect(text(one, 'claims.md')).toContain(`\n\n${note}\n`);
    expect(text(one, 'index.html')).toContain(`<p>${note.replace(/"/g, '&quot;')}</p>`);
    // Counts of one are singular, on the page and in the figures' subtitles.
    expect(text(one, 'index.html')).toContain('3 conditions, 2 models, 9 selectors, 1 seed. ');
    expect(one.filter((f) => f.path.endsWith('.vl.json') && /\b1 seeds\b/.test(String(f.content))).map((f) => f.path)).toEqual([]);
    expect(text(one, 'figures/accuracy-vs-k--balanced.vl.json')).toContain('mean over 1 seed of');
    const two = await reportDocuments(syntheticReportInput({ models: ['gpt5', 'gpt5-nano'], seeds: 2, kCount: 8 }), { resamples: 50 });
    expect(text(two, 'claims.md')).not.toContain('One seed');
    expect(text(two, 'index.html')).not.toContain('One seed');
    // A few seeds: intervals too narrow to take at their word, said with the claims; none from 10 on.
    const few = '2 seeds: bootstrap intervals from so few values are narrower than their nominal 95%, so the verdicts and intervals are provisional. Run 10 or more (e.g. --set seeds=30) before quoting them.';
    expect(text(two, 'claims.md')).toContain(`\n\n${few}\n`);
    expect(text(two, 'index.html')).toContain(`<p>${few}</p>`);
    const ten = await reportDocuments(syntheticReportInput({ models: ['gpt5'], seeds: 10, kCount: 8 }), { resamples: 50 });
    expect(text(ten, 'claims.md')).not.toMatch(/seeds: bootstrap intervals/);
  });
});

describe('quotes of scenarios whose names differ only in case and punctuation', () => {
  it('gives each its own name, in the study\'s order, so that no quote names another scenario\'s number', () => {
    const own = (id: string, T_max: number) => ({ id, intent: id, C_max: 1, T_max, acc_min: 0.8, P: 4, k_max: 64, M: 100 });
    const scenarios = ['fast lane', 'fast-lane', 'Fast_Lane'];
    const a = analyze(syntheticReportInput({ scenarios, newScenarios: [own('fast lane', 20), own('fast-lane', 40), own('Fast_Lane', 80)], models: ['gpt5'], selectors: ['accuracy-max', 'knee-paper', 'utopia'], seeds: 4, kCount: 16 }), 50);
    const q = quotes(a);
    const keys = ['fast-lane', 'fast-lane-2', 'fast-lane-3'];
    expect(Object.keys(q).filter((k) => /^k\.[^.]+\.gpt5\.accuracy-max\.max$/.test(k)).sort()).toEqual(keys.map((k) => `k.${k}.gpt5.accuracy-max.max`).sort());
    const largest = a.data.conditions.map((c) => String(a.cell(c.id, 'gpt5', 'accuracy-max')?.spread.max));
    // Budgets of 20, 40 and 80 s give three different largest k*, each under its own scenario's name.
    expect(new Set(largest).size).toBe(3);
    expect(keys.map((k) => q[`k.${k}.gpt5.accuracy-max.max`])).toEqual(largest);
    expect(keys.map((k) => q[`claim1.${k}.knee-paper.verdict`])).toEqual(a.claims.rows.filter((r) => r.claim === 1 && r.scope !== 'all' && r.subject === 'knee-paper').map((r) => r.verdict));
  });
});

describe('claim 5 where no model has picks in two scenarios', () => {
  it('says that no model was judged, not "0 of 0 models"', () => {
    // GPT-5 has no feasible k in cost-constrained: only fixed-k, which picks regardless, is judged.
    const rows = analyze(syntheticReportInput({ scenarios: ['balanced', 'cost-constrained'], models: ['gpt5'], seeds: 3, kCount: 8 }), 50).claims.rows.filter((r) => r.claim === 5);
    expect(rows.find((r) => r.subject === 'accuracy-max')?.value).toMatch(/^no model judged \(1 with a pick in fewer than two scenarios\); k\* differs in n\/a cells$/);
    // fixed-k's k* is the same in all three seeds, too few for the test to tell whether it moves.
    expect(rows.find((r) => r.subject === 'fixed-k')?.value).toMatch(/^no model judged \(1 with too few seeds for the test to tell\); k\* differs in 0% \[.*\] of 3 cells$/);
    expect(rows.find((r) => r.scope === 'all')?.value).toContain('accuracy-max: no model judged; max-cube: no model judged');
    expect(rows.map((r) => r.value).join('\n')).not.toMatch(/0 of 0|of 1 models/);
  });
});

describe('the claim 5 table of a study with one scenario', () => {
  it('names the scenario in its header and column, and has no row, saying why', () => {
    const table = adaptivityTable(analyze(syntheticReportInput({ scenarios: ['cost-constrained'], models: ['gpt5'], seeds: 3, kCount: 8 }), 50));
    expect(table.display.columns.find((c) => c.key === 'modes')?.title).toBe('most frequent k* (cost-constrained)');
    expect(table.csv.columns.map((c) => c.key)).toContain('k_mode_cost-constrained');
    expect([table.csv.rows, table.empty]).toEqual([[], 'fewer than two scenarios in the results']);
  });
});
