/**
 * Exact means and standard deviations of C(k), T(k) (the paper's latency formula) and A(k),
 * by closed forms and numerical integration: the test oracle for the Monte Carlo kernel.
 *
 * Lengths: Lin = clip(N(mu_in, sd_in), 1, 16 mu_in) has atoms at both clip points and a normal
 * density between; given Lin = l, Lout = clip(N(mu_out, sd_out), 1, 16 l) has closed-form
 * moments. Expectations of (Lin, Lout) therefore take one integral over Lin's density plus its
 * two atoms — exact even where the 16x clips bind.
 *
 * Accuracy: A(k) = max of k values clipped to [0, 1], so for 0 <= x < 1
 *   P(A(k) > x) = 1 - F(x)^k, F(x) = Phi((x - mu_A)/sd_A),
 * E[A(k)] = int_0^1 (1 - F^k) dx and E[A(k)^2] = int_0^1 2x (1 - F^k) dx (the clip masses at 0
 * and 1 are accounted for by the integration limits).
 */
import type { CallModel } from './kernel.js';
import { normalCdf, normalPdf, normalUpperTail } from './normal.js';
import { compositeRule, integrate } from './quadrature.js';

export interface Moments {
  mean: number;
  sd: number;
}

export interface ExactPoint {
  cost: Moments;
  latency: Moments;
  accuracy: Moments;
}

/** Beyond this many standard deviations the normal density is below 1e-32: nothing left to integrate. */
const Z_RANGE = 12;
/** Gauss-Legendre panels no wider than this many standard deviations. */
const PANEL = 0.25;

/** E[clip(X, a, b)] and E[clip(X, a, b)^2] for X ~ N(mu, sd^2) and finite a <= b. */
export function clippedNormalMoments(mu: number, sd: number, a: number, b: number): { first: number; second: number } {
  const alpha = (a - mu) / sd;
  const beta = (b - mu) / sd;
  const massA = normalCdf(alpha);
  const massB = normalUpperTail(beta);
  // P(alpha < Z < beta), differenced on the side where both terms are small.
  const inside = alpha + beta > 0 ? normalUpperTail(alpha) - normalUpperTail(beta) : normalCdf(beta) - normalCdf(alpha);
  const phiA = normalPdf(alpha);
  const phiB = normalPdf(beta);
  const ez = phiA - phiB; // E[Z; alpha < Z < beta]
  const ez2 = inside + alpha * phiA - beta * phiB; // E[Z^2; alpha < Z < beta]
  return {
    first: a * massA + b * massB + mu * inside + sd * ez,
    second: a * a * massA + b * b * massB + mu * mu * inside + 2 * mu * sd * ez + sd * sd * ez2,
  };
}

export interface LengthMoments {
  lin: number;
  lin2: number;
  lout: number;
  lout2: number;
  linLout: number;
}

/** Raw first and second moments of one call's (Lin, Lout). */
export function lengthMoments(model: CallModel): LengthMoments {
  const { mu_in, sd_in, mu_out, sd_out } = model;
  const maxIn = 16 * mu_in;
  const sums: LengthMoments = { lin: 0, lin2: 0, lout: 0, lout2: 0, linLout: 0 };
  const add = (l: number, weight: number): void => {
    const out = clippedNormalMoments(mu_out, sd_out, 1, 16 * l);
    sums.lin += weight * l;
    sums.lin2 += weight * l * l;
    sums.lout += weight * out.first;
    sums.lout2 += weight * out.second;
    sums.linLout += weight * l * out.first;
  };
  const alpha = (1 - mu_in) / sd_in;
  const beta = (maxIn - mu_in) / sd_in;
  add(1, normalCdf(alpha));
  add(maxIn, normalUpperTail(beta));
  // The density part: all five sums share the quadrature nodes and the inner closed form.
  const { nodes, weights } = compositeRule(Math.max(alpha, -Z_RANGE), Math.min(beta, Z_RANGE), PANEL);
  for (let i = 0; i < nodes.length; i++) add(mu_in + sd_in * nodes[i]!, weights[i]! * normalPdf(nodes[i]!));
  return sums;
}

/** Mean and sd of A(k), the best of k accuracies drawn from clip(N(mu_A, sd_A), 0, 1). */
export function accuracyMoments(muA: number, sdA: number, k: number): Moments {
  const survival = (x: number): number => {
    const z = (x - muA) / sdA;
    const logF = z < 0 ? Math.log(normalCdf(z)) : Math.log1p(-normalUpperTail(z));
    return -Math.expm1(k * logF);
  };
  // Below mu_A - 12 sd_A every draw exceeds x: the survival function is exactly 1 there.
  const low = Math.min(1, Math.max(0, muA - Z_RANGE * sdA));
  const high = Math.min(1, Math.max(0, muA + Z_RANGE * sdA));
  const first = low + integrate(survival, low, high, PANEL * sdA);
  const second = low * low + integrate((x) => 2 * x * survival(x), low, high, PANEL * sdA);
  return { mean: first, sd: Math.sqrt(Math.max(0, second - first * first)) };
}

/** Exact moments of C(k), T(k) = (1/P) sum T_i and A(k). */
export function exactMoments(model: CallModel, k: number, P: number, sdAScale = 1): ExactPoint {
  const m = lengthMoments(model);
  const linear = (u: number, v: number): Moments => {
    const mean = u * m.lin + v * m.lout;
    const second = u * u * m.lin2 + 2 * u * v * m.linLout + v * v * m.lout2;
    return { mean, sd: Math.sqrt(Math.max(0, second - mean * mean)) };
  };
  const cost = linear(model.c_in, model.c_out);
  const time = linear(model.t_in, model.t_out);
  return {
    cost: { mean: k * cost.mean, sd: Math.sqrt(k) * cost.sd },
    latency: { mean: (k * time.mean) / P, sd: (Math.sqrt(k) * time.sd) / P },
    accuracy: accuracyMoments(model.mu_A, model.sd_A * sdAScale, k),
  };
}
