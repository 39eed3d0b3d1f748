import { describe, expect, it } from 'vitest';
import { erfc, normalCdf, normalPdf, normalUpperTail } from '../../experiments/inference-scaling/normal.js';
import { compositeRule, gaussLegendre, integrate } from '../../experiments/inference-scaling/quadrature.js';
import { accuracyMoments, clippedNormalMoments, exactMoments, lengthMoments } from '../../experiments/inference-scaling/oracle.js';

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('erfc and the normal distribution', () => {
  // Correctly rounded values (CPython's math.erfc).
  const golden: [number, number][] = [
    [0, 1],
    [0.1, 0.8875370839817152],
    [0.5, 0.4795001221869535],
    [0.999, 0.15771472979350307],
    [1, 0.15729920705028513],
    [1.5, 0.033894853524689274],
    [2, 0.004677734981047265],
    [3, 2.2090496998585438e-5],
    [5, 1.5374597944280351e-12],
    [10, 2.088487583762545e-45],
    [20, 5.3958656116079005e-176],
    [26.5, 2.2109076642637343e-307],
    [-0.5, 1.5204998778130465],
    [-2, 1.9953222650189528],
  ];
  it.each(golden)('erfc(%s) to 1e-14 relative', (x, value) => {
    expect(relative(erfc(x), value)).toBeLessThan(1e-14);
  });

  it('gives Phi and its tails', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(relative(normalCdf(-1.96), 0.024997895148220435)).toBeLessThan(1e-14);
    expect(relative(normalUpperTail(10), 7.619853024160527e-24)).toBeLessThan(1e-13);
    for (const z of [-7, -2.5, -0.3, 0.4, 1.2, 6]) {
      expect(normalCdf(z) + normalUpperTail(z)).toBeCloseTo(1, 15);
      expect(normalCdf(-z)).toBeCloseTo(normalUpperTail(z), 15);
      // The CDF's slope is the density.
      const h = 1e-5;
      expect((normalCdf(z + h) - normalCdf(z - h)) / (2 * h)).toBeCloseTo(normalPdf(z), 9);
    }
  });
});

describe('Gauss-Legendre quadrature', () => {
  it('has weights summing to 2 and integrates degree 2n-1 exactly', () => {
    const { nodes, weights } = gaussLegendre(10);
    expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(2, 14);
    for (let degree = 0; degree <= 19; degree++) {
      let sum = 0;
      nodes.forEach((x, i) => (sum += weights[i]! * x ** degree));
      const exact = degree % 2 === 1 ? 0 : 2 / (degree + 1);
      expect(sum).toBeCloseTo(exact, 13);
    }
  });

  it('integrates smooth functions on panels', () => {
    expect(integrate(Math.sin, 0, Math.PI, 0.5)).toBeCloseTo(2, 14);
    expect(integrate(normalPdf, -12, 12, 0.25)).toBeCloseTo(1, 14);
    expect(integrate(Math.exp, 1, 1, 0.1)).toBe(0);
    expect(compositeRule(0, 1, 0.3).nodes.length).toBe(40);
  });
});

describe('exact moments', () => {
  it('match the clipped normal in closed form', () => {
    // Symmetric clip of a standard normal at +-1: E = 0, E[X^2] = 2 Phi(-1) + (1 - 2 Phi(-1)) - 2 phi(1).
    const m = clippedNormalMoments(0, 1, -1, 1);
    expect(m.first).toBeCloseTo(0, 15);
    expect(m.second).toBeCloseTo(1 - 2 * normalPdf(1), 14);
    // Clip bounds far away: the plain normal's moments.
    const wide = clippedNormalMoments(5, 2, -1e3, 1e3);
    expect(wide.first).toBeCloseTo(5, 12);
    expect(wide.second).toBeCloseTo(29, 11);
  });

  it('give the known moments of the maximum of 2 and 3 normals', () => {
    // Far from the clips: A(k) = mu + sd * max of k standard normals.
    const two = accuracyMoments(0.5, 0.01, 2);
    expect(two.mean).toBeCloseTo(0.5 + 0.01 / Math.sqrt(Math.PI), 14);
    expect(two.sd).toBeCloseTo(0.01 * Math.sqrt(1 - 1 / Math.PI), 10);
    expect(accuracyMoments(0.5, 0.01, 3).mean).toBeCloseTo(0.5 + (0.01 * 3) / (2 * Math.sqrt(Math.PI)), 14);
  });

  it('put the clip masses of A where they belong', () => {
    // k = 1: A is one clipped normal, so both routes must agree, with the clip at 1 binding.
    for (const [mu, sd] of [[0.99, 0.05], [0.9, 0.2], [0.02, 0.1]] as const) {
      const direct = clippedNormalMoments(mu, sd, 0, 1);
      const viaMax = accuracyMoments(mu, sd, 1);
      expect(viaMax.mean).toBeCloseTo(direct.first, 13);
      expect(viaMax.sd).toBeCloseTo(Math.sqrt(direct.second - direct.first ** 2), 10);
    }
    // Mostly at the clip (P(A(8) < 1) = Phi(0.2)^8 = 0.013): 1 - E[A] = int_0^1 F^k dx, checked
    // against a plain midpoint rule on a fine grid.
    const k = 8;
    const n = 200_000;
    let deficit = 0;
    for (let i = 0; i < n; i++) deficit += normalCdf(((i + 0.5) / n - 0.99) / 0.05) ** k / n;
    expect(1 - accuracyMoments(0.99, 0.05, k).mean).toBeCloseTo(deficit, 10);
    expect(deficit).toBeLessThan(normalCdf(0.2) ** k);
  });

  it('reduce to the unclipped moments when the length clips do not bind', () => {
    const m = lengthMoments({ mu_in: 1024, sd_in: 64, mu_out: 2048, sd_out: 128, c_in: 0, c_out: 0, t_in: 0, t_out: 0, mu_A: 0.9, sd_A: 0.05 });
    expect(relative(m.lin, 1024)).toBeLessThan(1e-13);
    expect(relative(m.lin2, 1024 ** 2 + 64 ** 2)).toBeLessThan(1e-13);
    expect(relative(m.lout, 2048)).toBeLessThan(1e-13);
    expect(relative(m.lout2, 2048 ** 2 + 128 ** 2)).toBeLessThan(1e-13);
    expect(relative(m.linLout, 1024 * 2048)).toBeLessThan(1e-13);
  });

  it('scale with k and P as sums do', () => {
    const model = { mu_in: 100, sd_in: 10, mu_out: 200, sd_out: 20, c_in: 1e-6, c_out: 2e-6, t_in: 0.001, t_out: 0.01, mu_A: 0.9, sd_A: 0.05 };
    const one = exactMoments(model, 1, 1);
    const many = exactMoments(model, 16, 4);
    expect(many.cost.mean).toBeCloseTo(16 * one.cost.mean, 15);
    expect(many.cost.sd).toBeCloseTo(4 * one.cost.sd, 15);
    expect(many.latency.mean).toBeCloseTo((16 / 4) * one.latency.mean, 12);
    expect(many.latency.sd).toBeCloseTo((4 / 4) * one.latency.sd, 12);
    expect(one.cost.mean).toBeCloseTo(1e-6 * 100 + 2e-6 * 200, 15);
  });
});
