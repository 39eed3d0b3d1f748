/** Numerical integration by composite Gauss-Legendre rules. */

export interface QuadratureRule {
  nodes: Float64Array;
  weights: Float64Array;
}

/** The n-point Gauss-Legendre rule on [-1, 1]: nodes by Newton's method on P_n, exact for degree 2n-1. */
export function gaussLegendre(n: number): QuadratureRule {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`gaussLegendre: n must be an integer >= 1, received ${n}`);
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      // P_n(z) by the three-term recurrence, then P_n'(z) from P_n and P_{n-1}.
      let p = 1;
      let previous = 0;
      for (let j = 1; j <= n; j++) {
        const older = previous;
        previous = p;
        p = ((2 * j - 1) * z * previous - (j - 1) * older) / j;
      }
      derivative = (n * (z * p - previous)) / (z * z - 1);
      const step = p / derivative;
      z -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    const w = 2 / ((1 - z * z) * derivative * derivative);
    nodes[i] = -z;
    nodes[n - 1 - i] = z;
    weights[i] = w;
    weights[n - 1 - i] = w;
  }
  return { nodes, weights };
}

/** The rule on each panel. */
const RULE = gaussLegendre(10);

/** Points and weights of the composite rule over [a, b] on equal panels no wider than maxPanel. */
export function compositeRule(a: number, b: number, maxPanel: number): QuadratureRule {
  if (!(b > a)) return { nodes: new Float64Array(0), weights: new Float64Array(0) };
  const panels = Math.max(1, Math.ceil((b - a) / maxPanel));
  const order = RULE.nodes.length;
  const width = (b - a) / panels;
  const half = width / 2;
  const nodes = new Float64Array(panels * order);
  const weights = new Float64Array(panels * order);
  for (let p = 0; p < panels; p++) {
    const mid = a + (p + 0.5) * width;
    for (let i = 0; i < order; i++) {
      nodes[p * order + i] = mid + half * RULE.nodes[i]!;
      weights[p * order + i] = half * RULE.weights[i]!;
    }
  }
  return { nodes, weights };
}

/** The integral of f over [a, b] (0 when b <= a). */
export function integrate(f: (x: number) => number, a: number, b: number, maxPanel: number): number {
  const { nodes, weights } = compositeRule(a, b, maxPanel);
  let total = 0;
  for (let i = 0; i < nodes.length; i++) total += weights[i]! * f(nodes[i]!);
  return total;
}
