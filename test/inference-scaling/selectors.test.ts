import { describe, expect, it } from 'vitest';
import { balance } from '../../experiments/inference-scaling/balance.js';
import { feasibleIndices, type Constraints } from '../../experiments/inference-scaling/feasibility.js';
import { knee3d, kneeChord, kneePaper, type Point3 } from '../../experiments/inference-scaling/knee.js';
import { paretoIndices } from '../../experiments/inference-scaling/pareto.js';
import { NONE_REASONS, select, SELECTOR_IDS, type Selection, type SelectorId } from '../../experiments/inference-scaling/selectors.js';
import { curvesFromMeans } from './fixtures.js';

const LOOSE: Constraints = { C_max: 1, T_max: 10, acc_min: 0.5, feasibility: 'means', delta: 0.05 };
const options = { fixedK: 2 };

function pick(selection: Selection) {
  if (selection.status !== 'pick') throw new Error(`expected a pick, got none: ${selection.reason}`);
  return selection;
}

describe('feasibility and Pareto filtering', () => {
  const curves = curvesFromMeans([1, 2, 3, 4, 5], [0.1, 0.2, 0.3, 0.4, 1.2], [1, 2, 3, 20, 4], [0.4, 0.9, 0.9, 0.95, 0.99], {
    pBoth: [1, 0.96, 0.94, 1, 1],
    pCost: [1, 1, 1, 1, 0.5],
  });

  it('tests the means, or the chance of meeting both budgets', () => {
    expect(feasibleIndices(curves, LOOSE)).toEqual([1, 2]);
    expect(feasibleIndices(curves, LOOSE, '2d')).toEqual([1, 2, 3]);
    // Chance: P(both) >= 0.95 and mean accuracy >= acc_min; the means of the budgets do not matter.
    expect(feasibleIndices(curves, { ...LOOSE, feasibility: 'chance' })).toEqual([1, 3, 4]);
    expect(feasibleIndices(curves, { ...LOOSE, feasibility: 'chance' }, '2d')).toEqual([1, 2, 3]);
  });

  it('drops dominated points and keeps equal ones', () => {
    // k=3 is dominated by k=2 (same accuracy, dearer); k=4 and k=5 trade latency for accuracy.
    expect(paretoIndices(curves, [0, 1, 2, 3, 4])).toEqual([0, 1, 3, 4]);
    const twins = curvesFromMeans([1, 2], [0.1, 0.1], [1, 1], [0.9, 0.9]);
    expect(paretoIndices(twins, [0, 1])).toEqual([0, 1]);
  });
});

describe('balance', () => {
  it('is the worst normalized regret over F', () => {
    const curves = curvesFromMeans([1, 2, 3, 4], [0.1, 0.2, 0.3, 0.4], [1, 2, 3, 4], [0.9, 0.95, 0.95, 0.94]);
    expect(balance(curves, [0, 1, 2, 3], 1)).toBeCloseTo(1 / 3, 15);
    expect(balance(curves, [0, 1, 2, 3], 0)).toBeCloseTo(1, 15);
    expect(balance(curves, [2], 2)).toBe(0);
    expect(balance(curves, [], 2)).toBeNull();
    // Outside F the same formula runs past 1.
    expect(balance(curves, [0, 1], 3)).toBeCloseTo(3, 12);
    // A one-point F scales no regret of a pick outside it: not defined, never a perfect 0.
    expect(balance(curves, [2], 3)).toBeNull();
    expect(balance(curves, [2], 0)).toBeNull();
  });
});

describe('selectors', () => {
  it('accuracy-max takes the highest mean accuracy, ties to the smallest k', () => {
    const curves = curvesFromMeans([1, 2, 3, 4], [0.1, 0.2, 0.3, 0.4], [1, 2, 3, 4], [0.9, 0.95, 0.95, 0.94]);
    const s = pick(select('accuracy-max', curves, LOOSE, options));
    expect([s.k, s.cost, s.latency, s.accuracy]).toEqual([2, 0.2, 2, 0.95]);
    expect(s.diagnostics).toMatchObject({ feasibleCount: 4, paretoCount: 2, score: 0.95, feasible: true, breaksLatency: false });
    expect(s.diagnostics.balance).toBeCloseTo(1 / 3, 15);
  });

  it('max-cube maximizes (1 - C/C_max)(1 - T/T_max) A, ties to the smallest k', () => {
    const curves = curvesFromMeans([1, 2, 3], [0.2, 0.4, 0.6], [2, 4, 6], [0.8, 0.9, 0.92]);
    const s = pick(select('max-cube', curves, LOOSE, options));
    expect(s.k).toBe(1);
    expect(s.diagnostics.score).toBeCloseTo(0.8 * 0.8 * 0.8, 15);
    // Volumes 0.5 * 0.5 * 0.8 = 0.2 and 0.8 * 0.25 * 1 = 0.2: a tie.
    const tie = curvesFromMeans([4, 8], [0.5, 0.2], [5, 7.5], [0.8, 1]);
    expect(pick(select('max-cube', tie, LOOSE, options)).k).toBe(4);
  });

  it('utopia takes the Pareto point nearest (0, 0, 1) in normalized space', () => {
    const curves = curvesFromMeans([1, 2, 3], [0.2, 0.4, 0.6], [2, 4, 6], [0.5, 0.92, 0.93]);
    const s = pick(select('utopia', curves, LOOSE, options));
    // Distances: sqrt(.04 + .04 + .25) = .574, sqrt(.16 + .16 + .0064) = .571, sqrt(.36 + .36 + .0049) = .851.
    const d = (c: number, t: number, a: number) => Math.hypot(c, t, 1 - a);
    expect(s.k).toBe(2);
    expect(s.diagnostics.score).toBeCloseTo(d(0.4, 0.4, 0.92), 15);
    // Two Pareto points at distance 0.5 exactly: the smaller k wins.
    const tie = curvesFromMeans([1, 2], [0.5, 0], [0, 5], [1, 1]);
    expect(pick(select('utopia', tie, LOOSE, options)).k).toBe(1);
  });

  it('knee-paper reproduces the published computation exactly', () => {
    // Normalized Pareto points (C_max = T_max = 1):
    //   p0 = (.1, .1, .5), p1 = (.2, .3, .8), p2 = (.3, .4, .9), p3 = (.5, .5, .95)
    // i=1: p' = (.1, .15, .2), p'' = (0, -.1, -.2): |p'_x p''_y - p'_y p''_x| = .01, |p'|^2 = .0725
    // i=2: p' = (.15, .1, .075), p'' = (.1, 0, -.05): |.15*0 - .1*.1| = .01, |p'|^2 = .038125
    const curves = curvesFromMeans([1, 2, 3, 4], [0.1, 0.2, 0.3, 0.5], [0.1, 0.3, 0.4, 0.5], [0.5, 0.8, 0.9, 0.95]);
    const constraints = { ...LOOSE, T_max: 1 };
    const s = pick(select('knee-paper', curves, constraints, options));
    expect(s.k).toBe(3);
    expect(s.diagnostics.score).toBeCloseTo(0.01 / 0.038125 ** 1.5, 12);
    expect(kneePaper(curves.k.map((_, i) => [curves.cost.mean[i]!, curves.latency.mean[i]!, curves.accuracy.mean[i]!]))!.score).toBeCloseTo(
      0.01 / 0.038125 ** 1.5,
      12,
    );
    // The same points under knee-3d (even spacing): |p' x p''| = sqrt(.0006) at i=1, sqrt(.00035) at i=2.
    const s3 = pick(select('knee-3d', curves, constraints, options));
    expect(s3.k).toBe(3);
    expect(s3.diagnostics.score).toBeCloseTo(Math.sqrt(0.00035) / 0.038125 ** 1.5, 12);
  });

  it('finds with knee-3d and knee-chord a knee that the 2D cross product misses', () => {
    // Cost and latency exactly linear in k (binary fractions, so exactly), accuracy bending at
    // k = 4: in the cost-latency plane the front is a straight line and every 2D cross product
    // is 0, so knee-paper keeps its first interior point. (On Monte Carlo curves the cross
    // product is noise instead of 0, and the paper's knee follows the noise.)
    const k = [1, 2, 3, 4, 5, 6, 7];
    const curves = curvesFromMeans(k, k.map((x) => x / 8), k, [0.5, 0.6, 0.7, 0.8, 0.81, 0.82, 0.83]);
    const constraints = { ...LOOSE, T_max: 8 };
    const paper = pick(select('knee-paper', curves, constraints, options));
    expect([paper.k, paper.diagnostics.score]).toEqual([2, 0]);
    expect(pick(select('knee-3d', curves, constraints, options)).k).toBe(4);
    expect(pick(select('knee-chord', curves, constraints, options)).k).toBe(4);
  });

  it('says why a knee cannot be found with fewer than 3 Pareto points', () => {
    const two = curvesFromMeans([4, 8, 12], [0.1, 0.2, 0.3], [1, 2, 3], [0.9, 0.95, 0.95]);
    for (const id of ['knee-paper', 'knee-3d', 'knee-chord'] as const) {
      expect(select(id, two, LOOSE, options)).toEqual({ status: 'none', reason: NONE_REASONS.fewPareto, diagnostics: { feasibleCount: 3, paretoCount: 2 } });
    }
    expect(pick(select('utopia', two, LOOSE, options)).k).toBe(4);
    const one = curvesFromMeans([4], [0.1], [1], [0.9]);
    expect(pick(select('utopia', one, LOOSE, options)).diagnostics).toMatchObject({ paretoCount: 1, balance: 0 });
    expect(select('knee-3d', one, LOOSE, options)).toMatchObject({ status: 'none', reason: 'fewer than 3 Pareto points' });
  });

  it('reports an empty feasible set as none for every selector except the 1D baseline', () => {
    const curves = curvesFromMeans([1, 2, 3], [0.1, 0.2, 0.3], [1, 2, 3], [0.6, 0.7, 0.8]);
    const strict = { ...LOOSE, acc_min: 0.9 };
    for (const id of SELECTOR_IDS) {
      const s = select(id, curves, strict, options);
      if (id === 'fixed-k') {
        expect(pick(s).diagnostics).toMatchObject({ feasible: false, breaksAccuracy: true, breaksCost: false, breaksLatency: false, balance: null });
      } else {
        expect(s).toMatchObject({ status: 'none', reason: id.endsWith('-2d') ? NONE_REASONS.noFeasible2d : NONE_REASONS.noFeasible });
      }
    }
  });

  it('fixed-k picks its k whatever the constraints, and says when k is not a candidate', () => {
    const curves = curvesFromMeans([4, 8, 12], [0.1, 0.2, 0.3], [4, 8, 12], [0.9, 0.95, 0.96]);
    const s = pick(select('fixed-k', curves, LOOSE, { fixedK: 12 }));
    expect(s.diagnostics).toMatchObject({ feasible: false, breaksLatency: true, breaksCost: false, breaksAccuracy: false, score: null });
    expect(select('fixed-k', curves, LOOSE, { fixedK: 6 })).toMatchObject({ status: 'none', reason: 'k=6 is not a candidate k (candidates: 4, 8, 12)' });
  });

  it('accuracy-max-2d ignores latency and reports when its pick breaks T_max', () => {
    const curves = curvesFromMeans([1, 2, 3], [0.1, 0.2, 0.3], [5, 10, 15], [0.9, 0.95, 0.97]);
    const constraints = { ...LOOSE, T_max: 12 };
    expect(pick(select('accuracy-max', curves, constraints, options)).k).toBe(2);
    const s = pick(select('accuracy-max-2d', curves, constraints, options));
    expect(s.k).toBe(3);
    expect(s.diagnostics).toMatchObject({ feasible: false, breaksLatency: true, feasibleCount: 2, feasible2dCount: 3 });
    // Regret over F = {1, 2}: cost (.3 - .1)/.1 = 2, latency (15 - 5)/5 = 2, accuracy (.95 - .97)/.05 = -.4.
    expect(s.diagnostics.balance).toBeCloseTo(2, 12);
  });

  it('knee-2d: the curvature knee of the accuracy-vs-cost front, latency and its budget ignored', () => {
    // Cost linear in k, accuracy bending at k = 4 (as above), latency rising steeply past T_max
    // from k = 4 on and non-monotone, which would reshape a 3D front: the 2D knee is still k = 4.
    const k = [1, 2, 3, 4, 5, 6, 7];
    const accuracy = [0.5, 0.6, 0.7, 0.8, 0.81, 0.82, 0.83];
    const curves = curvesFromMeans(k, k.map((x) => x / 8), [1, 2, 3, 40, 30, 60, 50], accuracy);
    const constraints = { ...LOOSE, T_max: 8 };
    const s = pick(select('knee-2d', curves, constraints, options));
    expect(s.k).toBe(4);
    expect(s.diagnostics).toMatchObject({ feasible: false, breaksLatency: true, feasibleCount: 3, feasible2dCount: 7 });
    // The same as knee-3d on the plane curve (C/C_max, A), latency's coordinate held at 0.
    const plane = k.map((x, i): Point3 => [x / 8, 0, accuracy[i]!]);
    expect(s.diagnostics.score).toBe(knee3d(plane, k)!.score);
    // Its front is the 2D one: a dearer k with no more accuracy is off it, whatever its latency.
    const flat = curvesFromMeans([1, 2, 3, 4], [0.1, 0.2, 0.3, 0.4], [1, 2, 1, 1], [0.8, 0.9, 0.9, 0.95]);
    expect(paretoIndices(flat, [0, 1, 2, 3], '2d')).toEqual([0, 1, 3]);
    expect(paretoIndices(flat, [0, 1, 2, 3])).toEqual([0, 1, 2, 3]);
    expect(pick(select('knee-2d', flat, LOOSE, options)).k).toBe(2);
    // Fewer than 3 points on the 2D front, or none meeting cost and accuracy: no knee, and why.
    const two = curvesFromMeans([1, 2, 3], [0.1, 0.2, 0.3], [1, 2, 3], [0.9, 0.95, 0.95]);
    expect(select('knee-2d', two, LOOSE, options)).toMatchObject({ status: 'none', reason: NONE_REASONS.fewPareto, diagnostics: { feasible2dCount: 3 } });
    expect(select('knee-2d', two, { ...LOOSE, C_max: 0.05 }, options)).toMatchObject({ status: 'none', reason: NONE_REASONS.noFeasible2d });
  });

  it('runs every selector id and rejects an unknown one', () => {
    const curves = curvesFromMeans([1, 2, 3, 4], [0.1, 0.2, 0.3, 0.4], [1, 2, 3, 4], [0.8, 0.9, 0.95, 0.96]);
    for (const id of SELECTOR_IDS) expect(select(id, curves, LOOSE, options).status).toBe('pick');
    expect(() => select('best' as SelectorId, curves, LOOSE, options)).toThrow(/unknown selector "best". Valid selectors: accuracy-max, max-cube/);
  });
});

describe('knee geometry', () => {
  it('knee-3d differentiates in k on uneven spacing', () => {
    // p(k) = (k, k^2, 0) at k = 1, 2, 4, 7: three-point derivatives are exact for a quadratic, so
    // kappa(k) = |(1, 2k, 0) x (0, 2, 0)| / |(1, 2k, 0)|^3 = 2 / (1 + 4k^2)^1.5.
    const ks = [1, 2, 4, 7];
    const points: Point3[] = ks.map((k) => [k, k * k, 0]);
    const knee = knee3d(points, ks)!;
    expect(knee.position).toBe(1);
    expect(knee.score).toBeCloseTo(2 / 17 ** 1.5, 14);
  });

  it('knee-paper falls back to the first point when no curvature is defined', () => {
    // p[i+1] = p[i-1] at every interior point: p' = 0 there, and the authors' loop keeps index 0.
    const points: Point3[] = [[0.1, 0.1, 0.9], [0.2, 0.2, 0.95], [0.1, 0.1, 0.9], [0.2, 0.2, 0.95]];
    expect(kneePaper(points)).toEqual({ position: 0, score: null });
    expect(knee3d(points, [1, 2, 3, 4])).toBeNull();
  });

  it('knee-chord measures the distance from the chord through the ends', () => {
    const points: Point3[] = [[0, 0, 0], [1, 1, 0], [2, 0, 0], [3, 0.5, 0]];
    const knee = kneeChord(points)!;
    // The chord runs from (0,0,0) to (3,.5,0); (1,1,0) lies |1*.5 - 1*3| / |(3,.5)| from it.
    expect(knee.position).toBe(1);
    expect(knee.score).toBeCloseTo(2.5 / Math.hypot(3, 0.5), 14);
  });
});
