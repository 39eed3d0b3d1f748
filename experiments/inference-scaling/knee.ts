/**
 * Knee detection on a Pareto front sorted by k, each point normalized to
 * p = (C/C_max, T/T_max, A). Every variant scores the interior points only, keeps the first
 * maximum (the smallest k) and returns its position in the list with its score.
 *
 * knee-paper: the authors' published algorithm, quirks kept: central differences over the
 *   list index, p' = (p[i+1] - p[i-1])/2 and p'' = p[i+1] - 2p[i] + p[i-1]; the cross product
 *   of the first two coordinates only (cost and latency, both nearly linear in k, so it is
 *   mostly noise) divided by |p'|^3 over all three; points with |p'| <= 1e-10 are skipped, and
 *   when every interior point is skipped the first point of the front is returned, unscored.
 * knee-3d: derivatives with respect to k on the uneven spacing of the front, the full 3D cross
 *   product, kappa = |p' x p''| / |p'|^3; null when no interior point has |p'| > 1e-10.
 * knee-chord: the point farthest from the chord through the first and last points.
 */

export type Point3 = readonly [number, number, number];

export interface Knee {
  /** Position in the list of points. */
  position: number;
  /** Curvature or chord distance; null for the paper's unscored fallback. */
  score: number | null;
}

/** |p'| at or below this leaves the curvature undefined (the authors' threshold). */
const MIN_SPEED = 1e-10;

const sub = (a: Point3, b: Point3): Point3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const scale = (a: Point3, s: number): Point3 => [a[0] * s, a[1] * s, a[2] * s];
const add = (...ps: Point3[]): Point3 => ps.reduce<Point3>((acc, p) => [acc[0] + p[0], acc[1] + p[1], acc[2] + p[2]], [0, 0, 0]);
const norm = (a: Point3): number => Math.hypot(a[0], a[1], a[2]);
const cross = (a: Point3, b: Point3): Point3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

/** The first interior position with the greatest finite score (scores of null are skipped). */
function firstMax(n: number, score: (i: number) => number | null): Knee | null {
  let best: Knee | null = null;
  for (let i = 1; i < n - 1; i++) {
    const s = score(i);
    if (s !== null && (best === null || s > best.score!)) best = { position: i, score: s };
  }
  return best;
}

export function kneePaper(points: readonly Point3[]): Knee | null {
  if (points.length < 3) return null;
  const knee = firstMax(points.length, (i) => {
    const dp = scale(sub(points[i + 1]!, points[i - 1]!), 0.5);
    const ddp = add(points[i + 1]!, scale(points[i]!, -2), points[i - 1]!);
    const speed = norm(dp);
    if (!(speed > MIN_SPEED)) return null;
    return Math.abs(dp[0] * ddp[1] - dp[1] * ddp[0]) / speed ** 3;
  });
  return knee ?? { position: 0, score: null };
}

export function knee3d(points: readonly Point3[], ks: readonly number[]): Knee | null {
  if (points.length < 3) return null;
  return firstMax(points.length, (i) => {
    const h1 = ks[i]! - ks[i - 1]!;
    const h2 = ks[i + 1]! - ks[i]!;
    const prev = points[i - 1]!, here = points[i]!, next = points[i + 1]!;
    // Three-point Lagrange derivatives on uneven spacing (exact for quadratics).
    const dp = add(scale(prev, -h2 / (h1 * (h1 + h2))), scale(here, (h2 - h1) / (h1 * h2)), scale(next, h1 / (h2 * (h1 + h2))));
    const ddp = add(scale(prev, 2 / (h1 * (h1 + h2))), scale(here, -2 / (h1 * h2)), scale(next, 2 / (h2 * (h1 + h2))));
    const speed = norm(dp);
    if (!(speed > MIN_SPEED)) return null;
    return norm(cross(dp, ddp)) / speed ** 3;
  });
}

export function kneeChord(points: readonly Point3[]): Knee | null {
  if (points.length < 3) return null;
  const first = points[0]!;
  const chord = sub(points[points.length - 1]!, first);
  const length = norm(chord);
  return firstMax(points.length, (i) => {
    const w = sub(points[i]!, first);
    // A chord of zero length degenerates to its point: the distance is to that point.
    return length > 0 ? norm(cross(w, chord)) / length : norm(w);
  });
}
