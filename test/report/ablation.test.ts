/**
 * The report of a one-factor-at-a-time study: a small real study of the inference-scaling
 * experiment with variants (Monte Carlo size, latency model, feasibility rule, accuracy spread),
 * run through the harness, then analysed. The measures are checked against the picks and
 * curves they summarise, and against each other where the model makes them equal.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import * as vega from 'vega';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CurveTable } from '../../harness/curves.js';
import { compileVegaLite } from '../../harness/render/vega.js';
import { runStudy } from '../../harness/run/run.js';
import { loadReportInput } from '../../harness/store/reader.js';
import { Store } from '../../harness/store/store.js';
import { loadStudy } from '../../harness/study/study.js';
import type { LevelStats } from '../../experiments/inference-scaling/report/ablation.js';
import { analyze, baselineView, type Analysis } from '../../experiments/inference-scaling/report/analysis.js';
import { curveKey } from '../../experiments/inference-scaling/report/data.js';
import { stabilityFigure } from '../../experiments/inference-scaling/report/figures/stability.js';
import { allFigures } from '../../experiments/inference-scaling/report/figures/index.js';
import { quotes } from '../../experiments/inference-scaling/report/quotes.js';
import { FEASIBLE_SET_SELECTORS } from '../../experiments/inference-scaling/report/selectors.js';
import { allTables } from '../../experiments/inference-scaling/report/tables.js';
import { buildPage } from '../../experiments/inference-scaling/report/page.js';
import { root, tempDir, writeStudy } from '../harness/helpers.js';

const dir = tempDir('ablation-report-');
const DELTA = 0.05;
let a: Analysis;

beforeAll(async () => {
  const file = writeStudy(dir, 'small-ablations.yaml', {
    name: 'small-ablations',
    experiment: join(root, 'experiments', 'inference-scaling', 'experiment.ts'),
    seeds: 6,
    base_seed: 3,
    axes: { scenario: ['balanced', 'cost-constrained'], model: ['gpt5', 'gpt5-nano', 'qwen3-30b-a3b'] },
    // T_max just above GPT-5 Nano's mean latency at k = 108 (58.06 s): its accuracy-max pick sits on
    // the budget, feasible by the mean but broken in many runs.
    params: { sim: { M: 100 }, delta: DELTA, scenarios: { balanced: { T_max: 58.1 } } },
    variants: { baseline: {}, 'M-200': { 'sim.M': 200 }, 'M-50': { 'sim.M': 50 }, waves: { 'sim.latency': 'waves' }, chance: { feasibility: 'chance' }, 'sd_A-x2': { 'sim.sd_A_scale': 2 }, 'k_max-32': { 'sim.k_max': 32 } },
  });
  const study = await loadStudy(file, { cwd: dir });
  const db = join(dir, 'small.sqlite');
  expect(await runStudy({ study, dbPath: db, threads: 2, shard: null, commandLine: 'test' })).toMatchObject({ status: 'done', failed: 0 });
  const store = Store.open(db, 'read');
  try {
    a = analyze(loadReportInput(store), 200);
  } finally {
    store.close();
  }
}, 120_000);

const level = (factor: string, scenario: string, variant: string, selector: string): LevelStats => {
  const found = a.ablation?.levels.find((l) => l.factor === factor && l.scenario === scenario && l.level === variant && l.selector === selector);
  if (!found) throw new Error(`no level ${factor}/${scenario}/${variant}/${selector}`);
  return found;
};

const conditionOf = (scenario: string, variant: string) => a.data.conditions.find((c) => c.scenario === scenario && c.variantName === variant)!;

describe('ablation report: factors', () => {
  it('groups the variants into one factor per parameter, levels in order, the baseline\'s value from the study\'s params', () => {
    const factors = a.ablation!.factors;
    expect(factors.map((f) => f.id)).toEqual(['sim.M', 'sim.latency', 'feasibility', 'sim.sd_A_scale', 'sim.k_max']);
    expect(factors[0]!.levels.map((l) => [l.variant, l.label, l.baseline])).toEqual([
      ['M-50', '50', false],
      ['baseline', '100', true],
      ['M-200', '200', false],
    ]);
    expect(factors[1]!.levels.map((l) => l.label)).toEqual(['paper', 'waves']);
    expect(factors[3]!.levels.map((l) => l.label)).toEqual(['1', '2']);
    expect(a.ablation!.groups.filter((g) => g.factor.id === 'sim.M').map((g) => g.label)).toEqual(['balanced', 'cost-constrained']);
  });

  it('k* shift: the mean of the per-seed differences from the baseline, same model and seed', () => {
    for (const selector of ['accuracy-max', 'knee-chord']) {
      const diffs = a.data.models.flatMap((m) => {
        const base = new Map(a.index.cell(conditionOf('balanced', 'baseline').id, m.id, selector).map((p) => [p.replicate, p.kStar]));
        return a.index
          .cell(conditionOf('balanced', 'M-200').id, m.id, selector)
          .map((p) => (p.kStar === null || base.get(p.replicate) == null ? null : p.kStar - (base.get(p.replicate) as number)))
          .filter((d): d is number => d !== null);
      });
      const shift = level('sim.M', 'balanced', 'M-200', selector).kShift!;
      expect(shift.n).toBe(diffs.length);
      expect(shift.mean).toBeCloseTo(diffs.reduce((x, y) => x + y, 0) / diffs.length, 12);
    }
    expect(level('sim.M', 'balanced', 'baseline', 'accuracy-max').kShift).toBeNull();
  });

  it("cost saved against accuracy-max at each level, the baseline's included: the mean of the per-seed savings, same model and seed", () => {
    for (const [variant, selector] of [['baseline', 'knee-paper'], ['k_max-32', 'knee-paper'], ['k_max-32', 'fixed-k']] as const) {
      const condition = conditionOf('balanced', variant).id;
      const savings = a.data.models.flatMap((m) => {
        const reference = new Map(a.index.cell(condition, m.id, 'accuracy-max').map((p) => [p.replicate, p.cost]));
        return a.index
          .cell(condition, m.id, selector)
          .map((p) => [p.cost, reference.get(p.replicate)] as const)
          .filter((pair): pair is [number, number] => pair[0] !== null && typeof pair[1] === 'number' && pair[1] !== 0)
          .map(([cost, ref]) => (100 * (ref - cost)) / ref);
      });
      expect(savings.length).toBeGreaterThan(0);
      const saved = level('sim.k_max', 'balanced', variant, selector).costSaved!;
      expect(saved.n).toBe(savings.length);
      expect(saved.mean).toBeCloseTo(savings.reduce((x, y) => x + y, 0) / savings.length, 9);
      expect(saved.lo!).toBeLessThanOrEqual(saved.mean!);
      expect(saved.hi!).toBeGreaterThanOrEqual(saved.mean!);
    }
    expect(level('sim.k_max', 'balanced', 'baseline', 'accuracy-max').costSaved).toBeNull();
    // The baseline's saving is one quantity: the same interval in every factor's table.
    const atBaseline = (factor: string) => level(factor, 'balanced', 'baseline', 'knee-paper').costSaved;
    for (const factor of ['sim.M', 'sim.latency', 'feasibility', 'sim.sd_A_scale']) expect(atBaseline(factor)).toEqual(atBaseline('sim.k_max'));
    // The largest k's figure shows them, at every level, for the selectors that pick in the feasible set.
    const figure = allFigures(a).find((f) => f.name === 'ablation--sim-k-max')!;
    const rows = (figure.spec as unknown as { datasets: { rows: { group: string; level: string; selector: string; mean: number }[] } }).datasets.rows;
    expect(new Set(rows.map((r) => r.selector))).toEqual(new Set(FEASIBLE_SET_SELECTORS.filter((s) => s !== 'accuracy-max')));
    expect(new Set(rows.map((r) => r.level))).toEqual(new Set(['default', '32'])); // the baseline sets no k_max: the scenarios' own
    const knee = rows.find((r) => r.group === 'balanced' && r.level === '32' && r.selector === 'knee-paper')!;
    expect(knee.mean).toBeCloseTo(level('sim.k_max', 'balanced', 'k_max-32', 'knee-paper').costSaved!.mean!, 4);
  });

  it('picks breaking a budget: the share with P(both budgets) < 1 - delta; none under the chance constraint', () => {
    for (const scenario of ['balanced', 'cost-constrained']) {
      const picks = a.data.picks.filter((p) => p.condition === conditionOf(scenario, 'baseline').id && p.selector === 'accuracy-max' && p.kStar !== null);
      const breaking = picks.filter((p) => (p.pBudget as number) < 1 - DELTA).length;
      expect(level('feasibility', scenario, 'baseline', 'accuracy-max').budgetBreak).toMatchObject({ successes: breaking, n: picks.length });
      for (const selector of FEASIBLE_SET_SELECTORS) expect(level('feasibility', scenario, 'chance', selector).budgetBreak?.successes ?? 0).toBe(0);
    }
  });

  it('the baseline\'s picks re-judged under the chance constraint are exactly those that break a budget in more than delta of the runs', () => {
    // Same draws, same curves: only the feasibility flags differ between the two variants.
    expect(level('feasibility', 'balanced', 'baseline', 'accuracy-max').budgetBreak?.successes).toBeGreaterThan(0);
    for (const scenario of ['balanced', 'cost-constrained']) {
      for (const selector of FEASIBLE_SET_SELECTORS) {
        const broken = level('feasibility', scenario, 'baseline', selector).budgetBreak;
        const rejudged = level('feasibility', scenario, 'chance', selector).rejudged;
        expect(rejudged?.successes ?? 0, `${scenario} ${selector}`).toBe(broken?.successes ?? 0);
        expect(rejudged?.n ?? 0).toBe(broken?.n ?? 0);
      }
    }
  });

  /**
   * The straggler level's re-judging of `selector`'s baseline picks done by hand: each baseline
   * pick that is feasible there, judged on the waves curve of its seed by `infeasible`.
   */
  const rejudgeByHand = (selector: string, infeasible: (curve: CurveTable, index: number) => boolean) => {
    const condition = conditionOf('balanced', 'waves');
    const base = conditionOf('balanced', 'baseline');
    const counts = { judged: 0, infeasible: 0, leftOut: 0 };
    for (const m of a.data.models) {
      const groupOf = new Map(a.index.cell(condition.id, m.id, selector).map((p) => [p.replicate, p.groupKey]));
      for (const p of a.index.cell(base.id, m.id, selector)) {
        if (p.kStar === null) continue;
        if (p.feasible !== true) {
          counts.leftOut += 1;
          continue;
        }
        const curve = a.data.groupCurves.get(groupOf.get(p.replicate)!)!;
        counts.judged += 1;
        if (infeasible(curve, curve.numbers('k').indexOf(p.kStar))) counts.infeasible += 1;
      }
    }
    return counts;
  };

  it('stragglers only ever make the baseline\'s picks infeasible by latency: a re-judged pick is one whose waves latency exceeds T_max', () => {
    const tMax = conditionOf('balanced', 'waves').constraints!.T_max;
    const { judged, infeasible, leftOut } = rejudgeByHand('accuracy-max', (curve, i) => (curve.row(i).latency_mean as number) > tMax);
    expect(leftOut).toBe(0);
    expect(infeasible).toBeGreaterThan(0);
    expect(level('sim.latency', 'balanced', 'waves', 'accuracy-max').rejudged).toMatchObject({ successes: infeasible, n: judged });
  });

  it('re-judges only the baseline\'s feasible picks: a 2D pick outside the feasible set there is not the level\'s doing', () => {
    const { judged, infeasible, leftOut } = rejudgeByHand('accuracy-max-2d', (curve, i) => curve.numbers('feasible')[i] === 0);
    // The 2D pick ignores T_max, so some of its baseline picks lie outside the feasible set.
    expect(leftOut).toBeGreaterThan(0);
    expect(level('sim.latency', 'balanced', 'waves', 'accuracy-max-2d').rejudged).toMatchObject({ successes: infeasible, n: judged });
  });

  it('counts a baseline pick beyond a smaller k_max as infeasible there: no longer a candidate', () => {
    for (const scenario of ['balanced', 'cost-constrained']) {
      const base = a.data.picks.filter((p) => p.condition === conditionOf(scenario, 'baseline').id && p.selector === 'accuracy-max' && p.kStar !== null && p.feasible === true);
      const beyond = base.filter((p) => (p.kStar as number) > 32).length;
      const rejudged = level('sim.k_max', scenario, 'k_max-32', 'accuracy-max').rejudged!;
      expect(rejudged.n, scenario).toBe(base.length);
      // Every baseline pick beyond 32 counts, and no pick within it: accuracy-max's k* within the budgets stays feasible with a smaller k_max.
      expect(rejudged.successes, scenario).toBe(beyond);
    }
    expect(a.data.picks.some((p) => p.selector === 'accuracy-max' && (p.kStar ?? 0) > 32)).toBe(true);
  });

  it('judges the claims under each variant on that variant\'s conditions alone', () => {
    expect(a.ablation!.claims.map((c) => c.variant)).toEqual(['baseline', 'M-200', 'M-50', 'waves', 'chance', 'sd_A-x2', 'k_max-32']);
    const baseline = a.ablation!.claims[0]!.claims;
    expect(a.claims).toBe(baseline);
    const scopes = new Set(baseline.rows.map((r) => r.scope));
    expect(scopes).toEqual(new Set(['balanced', 'cost-constrained', 'all', 'scenarios · baseline']));
  });
});

describe('ablation report: the page says what each variant asks and sets', () => {
  it('lists every factor with its question, and every level with what it sets, in words', () => {
    const page = buildPage({ analysis: a, manifest: { study: 'small-ablations', hash: '0'.repeat(64), body: {} }, runs: [], figures: [], tables: allTables(a) });
    const section = page.slice(page.indexOf('<h3 id="ablations">'), page.indexOf('<h2 id="provenance">'));
    expect(section).toContain('every variant changes one setting of the baseline variant, baseline');
    const rows = [...section.matchAll(/<tr>(.*?)<\/tr>/g)].map((m) => [...m[1]!.matchAll(/<t[dh][^>]*>(.*?)<\/t[dh]>/g)].map((c) => c[1]));
    expect(rows[0]).toEqual(['factor', 'question', 'variant', 'what it sets', "the claims' verdicts"]);
    // Each level's verdicts against the baseline's: the changes, or that there are none.
    const verdicts = (variant: string) => a.ablation!.claims.find((v) => v.variant === variant)!.claims.rows.filter((r) => r.headline).sort((x, y) => x.claim - y.claim).map((r) => r.verdict);
    const change = (variant: string) => {
      const [here, base] = [verdicts(variant), verdicts('baseline')];
      const changed = here.flatMap((v, i) => (v === base[i] ? [] : [`claim ${i + 1} ${v} (baseline: ${base[i]})`]));
      return changed.length ? changed.join('; ') : "every verdict as the baseline's";
    };
    expect(rows.slice(1, 4)).toEqual([
      ['Monte Carlo size M', "Does each selector's k* settle as the Monte Carlo size grows?", 'M-50', '50 simulated runs per candidate k', change('M-50')],
      ['baseline (baseline)', '100 simulated runs per candidate k', `the reference: ${verdicts('baseline').map((v, i) => `${i + 1} ${v}`).join(', ')}`],
      ['M-200', '200 simulated runs per candidate k', change('M-200')],
    ]);
    expect(section).toContain('ceil(k/P) waves of P calls, each as slow as its slowest call');
    expect(section).toContain(`budgets hold together in at least ${100 * (1 - DELTA)}% of the Monte Carlo runs (chance constraints, delta = ${DELTA})`);
    expect(section).toContain("every model's accuracy spread sd_A times 2");
    // Every variant of the study appears, once per factor it belongs to.
    for (const variant of ['M-200', 'M-50', 'waves', 'chance', 'sd_A-x2', 'k_max-32']) expect(rows.filter((r) => r.includes(variant) || r.some((c) => c === variant))).toHaveLength(1);
  });
});

describe('ablation report: F as each variant defines it', () => {
  const chance = `the k whose cost and latency budgets hold together in at least ${100 * (1 - DELTA)}% of the Monte Carlo runs (chance constraints, delta = ${DELTA}) and whose mean accuracy meets acc_min`;
  const waves = 'ceil(k/P) waves of P calls, each as slow as its slowest call (stragglers)';

  it("the method gives the baseline's rule and latency model, then where the variants differ", () => {
    const page = buildPage({ analysis: a, manifest: { study: 'small-ablations', hash: '0'.repeat(64), body: {} }, runs: [], figures: [], tables: allTables(a) });
    const method = page.slice(page.indexOf('<h2 id="method">'), page.indexOf('<h2 id="provenance">'));
    const item =
      "F: the feasible set, in the baseline variant: the k whose mean cost, latency and accuracy meet the budgets; latency: the paper's, (1/P) times the sum of the k calls' times. " +
      `Where the conditions differ: in the waves variant, latency: ${waves}; in the chance variant, F: ${chance}.`;
    expect(method).toContain(`<li>${item} Balance: `);
  });

  it("titles each table of a variant off the paper's rule with its F; the others' as the paper's", () => {
    const titles = new Map(allTables(a).map((t) => [t.name, t.title]));
    expect(titles.get('balanced-chance')).toMatch(new RegExp(`\\. F here: ${chance.replace(/[()*.]/g, '\\$&')}; latency: the paper's`));
    expect(titles.get('balanced-waves')).toContain(`. F here: the k whose mean cost, latency and accuracy meet the budgets; latency: ${waves}`);
    expect(titles.get('balanced-baseline')).not.toContain('F here');
  });
});

describe('ablation report: figures, tables, quotes', () => {
  const schemaPath = createRequire(import.meta.url).resolve('vega-lite/vega-lite-schema.json');
  const validate = new Ajv({ strict: false, allErrors: false, logger: false }).compile(JSON.parse(readFileSync(schemaPath, 'utf8')));

  it('draws the paper\'s figures for the baseline only, and one valid figure per factor', () => {
    const figures = allFigures(a);
    const names = figures.map((f) => f.name);
    expect(names.filter((n) => n.startsWith('ablation--'))).toEqual(['ablation--sim-m', 'ablation--sim-latency', 'ablation--feasibility', 'ablation--sim-sd-a-scale', 'ablation--sim-k-max']);
    expect(names.filter((n) => n.startsWith('accuracy-vs-k--'))).toEqual(['accuracy-vs-k--balanced-baseline', 'accuracy-vs-k--cost-constrained-baseline']);
    expect(names.some((n) => n.startsWith('sweep--'))).toBe(false);
    // The comparison figures too: the savings figure has the baseline's paired comparisons alone.
    const baseline = ['balanced', 'cost-constrained'];
    for (const name of ['savings', 'picks', 'latency-violations']) {
      const rows = ((figures.find((f) => f.name === name)?.spec as { datasets?: { rows?: { condition: string }[] } }).datasets?.rows ?? []);
      expect(rows.length, name).toBeGreaterThan(0);
      expect([...new Set(rows.map((r) => r.condition))].sort(), name).toEqual(baseline);
    }
    // Each of the paper's figures says it shows the baseline variant; a factor's figure shows them all.
    for (const figure of figures) {
      const title = (figure.spec as unknown as { title: { text: string } }).title.text;
      // In parentheses of its own, or in the title's last ones: 'Balance at k* (claim 1; lower is better; baseline variant)'.
      expect(/[(;] ?baseline variant\)$/.test(title), figure.name).toBe(!figure.name.startsWith('ablation--'));
      expect(figure.title, figure.name).toBe(title);
    }
    // Claim 3 under each accuracy spread: each point says how many pairs match of how many compared, as claim 3 counts them.
    const spread = figures.find((f) => f.name === 'ablation--sim-sd-a-scale')!.spec as unknown as { title: { subtitle: string[] }; datasets: { rows: { group: string; level: string; pairs: string; tied: number }[] } };
    const pairs = spread.datasets.rows;
    expect(pairs.length).toBeGreaterThan(0);
    let tied = 0;
    for (const row of pairs) {
      const variant = row.level === '2' ? 'sd_A-x2' : 'baseline';
      const claim = a.ablation!.claims.find((c) => c.variant === variant)!.claims.rows.find((r) => r.claim === 3 && r.scope === row.group)!;
      expect(row.pairs, `${row.group} ${row.level}`).toBe(`${claim.numbers.matching}/${claim.numbers.comparable}`);
      expect(row.tied, `${row.group} ${row.level}`).toBe(claim.numbers.at_ceiling);
      tied += row.tied;
    }
    // A static figure has no tooltip: its subtitle says how many matches are ties at accuracy 1.
    expect(spread.title.subtitle.join(' ')).toContain(tied === 0 ? 'No match is a tie of two models at accuracy 1.' : `${tied} of the `);
    for (const figure of figures.filter((f) => f.name.startsWith('ablation--'))) {
      const ok = validate(JSON.parse(JSON.stringify(figure.spec)));
      expect(ok ? [] : validate.errors?.slice(0, 3), figure.name).toEqual([]);
      expect(() => compileVegaLite(figure.spec)).not.toThrow();
      expect(JSON.stringify(figure.spec)).toContain('"tooltip"');
    }
  });

  it("sets each factor figure's y labels on their ticks: none at an end of its axis, where Vega sets it flush", async () => {
    for (const figure of allFigures(a).filter((f) => f.name.startsWith('ablation--'))) {
      const view = new vega.View(vega.parse(compileVegaLite(figure.spec)), { renderer: 'none' });
      await view.runAsync();
      // The baselines of the labels of every left (y) axis in the scene: marks and their items.
      const baselines: string[] = [];
      type Node = { items?: Node[]; mark?: { role?: string }; orient?: string; baseline?: string };
      const visit = (node: Node, inLeftAxis: boolean): void => {
        const left = inLeftAxis || (node.mark?.role === 'axis' && node.orient === 'left');
        if (left && node.mark?.role === 'axis-label') baselines.push(node.baseline ?? 'none');
        for (const child of node.items ?? []) visit(child, left);
      };
      visit((view.scenegraph() as unknown as { root: Node }).root, false);
      view.finalize();
      expect(baselines.length, figure.name).toBeGreaterThan(1);
      expect(new Set(baselines), figure.name).toEqual(new Set(['middle']));
    }
  });

  it("draws the baseline's stability on its own k axis, whatever another variant's k_max", () => {
    const drawn = new Set(baselineView(a).data.conditions.flatMap((c) => a.data.models.map((m) => curveKey(c.id, m.id))));
    const kMax = Math.max(...[...drawn].flatMap((key) => a.data.curves.get(key)!.map((p) => p.k)));
    // Another variant's curves reach twice as far, as under a larger k_max.
    const curves = new Map([...a.data.curves].map(([key, points]) => [key, drawn.has(key) ? points : [...points, { ...points.at(-1)!, k: 2 * kMax }]]));
    const spec = stabilityFigure(baselineView({ ...a, data: { ...a.data, curves } })).spec as unknown as { spec: { encoding: { x: { field: string; scale: { domain: number[] } } } } };
    expect(spec.spec.encoding.x.field).toBe('k');
    expect(spec.spec.encoding.x.scale.domain.at(-1)).toBe(kMax);
  });

  it('writes a table per factor and the claims under each variant', () => {
    const tables = allTables(a);
    const names = tables.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['claims-by-variant', 'factor--sim-m', 'factor--sim-latency', 'factor--feasibility', 'factor--sim-sd-a-scale']));
    const byVariant = tables.find((t) => t.name === 'claims-by-variant')!;
    expect(byVariant.display.rows.map((r) => r.variant)).toEqual(['baseline', 'M-200', 'M-50', 'waves', 'chance', 'sd_A-x2', 'k_max-32']);
    const m = tables.find((t) => t.name === 'factor--sim-m')!;
    expect(m.csv.rows).toHaveLength(2 * 3 * a.data.selectors.length);
    // The setup says what each variant sets that its scenario's columns do not show.
    const scenarios = tables.find((t) => t.name === 'scenarios')!.display;
    const settings = Object.fromEntries(scenarios.rows.filter((r) => String(r.condition).startsWith('balanced')).map((r) => [r.condition, r.settings]));
    expect(settings).toEqual({
      'balanced · baseline': '',
      'balanced · M-200': '',
      'balanced · M-50': '',
      'balanced · waves': 'sim.latency = waves',
      'balanced · chance': 'feasibility = chance',
      'balanced · sd_A-x2': 'sim.sd_A_scale = 2',
      'balanced · k_max-32': '',
    });
    expect(scenarios.rows.find((r) => r.condition === 'balanced · k_max-32')?.k_max).toBe(32);
    // Claim 5's table is of the baseline alone: its title says so, and no column repeats it.
    const adaptivity = tables.find((t) => t.name === 'adaptivity')!;
    expect(adaptivity.title).toContain('per model and selector of the baseline variant');
    expect(adaptivity.display.columns.map((c) => c.key)).not.toContain('variant');
    expect(adaptivity.display.rows.length).toBeGreaterThan(0);
  });

  it('leaves the baseline rows of a factor table blank where they compare with nothing, and writes n/a where a level has nothing to compare', () => {
    const target = level('sim.M', 'balanced', 'M-200', 'accuracy-max');
    const emptied: Analysis = { ...a, ablation: { ...a.ablation!, levels: a.ablation!.levels.map((l) => (l === target ? { ...l, kShift: null, accuracyShift: null, rejudged: null } : l)) } };
    const rows = allTables(emptied).find((t) => t.name === 'factor--sim-m')!.display.rows.filter((r) => r.scenario === 'balanced' && r.selector === 'accuracy-max');
    const pick = (r: (typeof rows)[number]) => [r.shift, r.accuracy, r.rejudged];
    expect(pick(rows.find((r) => String(r.value).endsWith('(baseline)'))!)).toEqual(['', '', '']);
    expect(pick(rows.find((r) => r.value === target.value)!)).toEqual(['n/a', 'n/a', 'n/a']);
    // The levels that compare show their measures.
    expect(rows.filter((r) => !String(r.value).endsWith('(baseline)') && r.value !== target.value).every((r) => pick(r).every((cell) => cell !== '' && cell !== 'n/a'))).toBe(true);
  });

  it("counts what each measure of a factor table is over: the cost saving's pairs, and the models an IQR's mean takes where some picked nothing", () => {
    const target = level('sim.M', 'balanced', 'M-200', 'knee-paper');
    const fewer: Analysis = { ...a, ablation: { ...a.ablation!, levels: a.ablation!.levels.map((l) => (l === target ? { ...l, kIqr: { mean: 2, min: 1, max: 3, count: 2 } } : l)) } };
    const table = allTables(fewer).find((t) => t.name === 'factor--sim-m')!;
    const csvRow = (l: LevelStats) => table.csv.rows.find((r) => r.scenario === l.group && r.variant === l.level && r.selector === l.selector)!;
    const shown = (l: LevelStats) => table.display.rows.find((r) => r.scenario === l.group && r.value === (l.baseline ? `${l.value} (baseline)` : l.value) && r.selector === l.selector)!;
    expect(csvRow(target)).toMatchObject({ k_iqr_mean: 2, k_iqr_models: 2, cost_saved_pairs: target.costSaved!.n });
    expect(shown(target).iqr).toBe('2.0 (1.0 to 3.0; 2 of 3 models)');
    expect(shown(target).saved).toMatch(new RegExp(` \\(${target.costSaved!.n} pairs\\)$`));
    // Every model picked: the range alone, and the CSV counts them all.
    const every = level('sim.M', 'balanced', 'M-200', 'accuracy-max');
    expect(every.kIqr!.count).toBe(a.data.models.length);
    expect(csvRow(every).k_iqr_models).toBe(a.data.models.length);
    expect(shown(every).iqr).toMatch(/^\d+\.\d \(\d+\.\d to \d+\.\d\)$/);
  });

  it('names every quotable number, including each variant\'s verdicts and each level\'s measures', () => {
    const q = quotes(a);
    for (const v of ['baseline', 'M-200', 'waves', 'chance']) expect(q[`variant.${v}.claim1.verdict`]).toMatch(/^(holds|does not hold|cannot tell)$/);
    expect(q['factor.sim-m.balanced.200.knee-paper.iqr']).toMatch(/^\d+\.\d$/);
    expect(q['factor.feasibility.cost-constrained.means.accuracy-max.budget_break']).toMatch(/^\d+%$/);
    expect(q['claim1.verdict']).toMatch(/^(holds|does not hold|cannot tell)$/);
    expect(q['claim1.verdict']).toBe(a.claims.rows.find((r) => r.claim === 1 && r.headline)?.verdict);
  });
});
