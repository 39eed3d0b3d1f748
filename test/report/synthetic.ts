/**
 * A plausible, seeded `ReportInput` for testing the report without running the study: curves
 * from the closed-form expectations of STUDY.md section 2 plus seed-level noise, and the
 * selectors' picks computed from those curves by simple stand-ins (the paper's knee is
 * emulated as a noisy pick among the Pareto points, which is what makes it unstable).
 */
import type { Json, ReportInput, RunRecord, Scalar, TrialRecord } from '../../harness/experiment.js';
import { CurveTable } from '../../harness/curves.js';
import { identityKey } from '../../harness/identity.js';
import { Xoshiro128, normalQuantile } from '../../harness/stats/index.js';
import { MODEL_CATALOG, resolveModels, SCENARIO_CATALOG, type CatalogOverrides, type ModelSpec, type ScenarioSpec } from '../../experiments/inference-scaling/catalog.js';

export const ALL_SELECTORS = ['accuracy-max', 'max-cube', 'utopia', 'knee-paper', 'knee-3d', 'knee-chord', 'fixed-k', 'accuracy-max-2d', 'knee-2d'];

export interface SyntheticOptions {
  /** In the study's order (its manifest's axes): catalog scenarios or ones in `newScenarios`. */
  scenarios?: string[];
  /** Scenarios the study defines under params.scenarios. */
  newScenarios?: ScenarioSpec[];
  /** In the catalog's order, and the study's own models (in `modelParams`) after them. */
  models?: string[];
  /** The study's params.models: a catalog model's fields it changes (its name), or all of a model of its own. */
  modelParams?: Record<string, Partial<Omit<ModelSpec, 'id'>>>;
  selectors?: string[];
  seeds?: number;
  /** Candidate k per curve: P, 2P, ..., kCount * P. */
  kCount?: number;
  /** Swept values added to every trial (one condition per entry). */
  variants?: Record<string, Json>[];
  /** Every n-th trial is stored as failed. */
  failEvery?: number;
  fixedK?: number;
  generatorSeed?: string;
}

interface Point {
  k: number;
  C: number;
  T: number;
  A: number;
  sdC: number;
  sdT: number;
  sdA: number;
}

export function syntheticReportInput(options: SyntheticOptions = {}): ReportInput {
  const known = [...SCENARIO_CATALOG, ...(options.newScenarios ?? [])];
  const scenarios = (options.scenarios ?? SCENARIO_CATALOG.map((x) => x.id)).map((id) => known.find((s) => s.id === id)!);
  const models = resolveModels({ models: options.modelParams as CatalogOverrides['models'] }).filter((m) => (options.models ?? MODEL_CATALOG.map((x) => x.id)).includes(m.id));
  const selectors = options.selectors ?? ALL_SELECTORS;
  const seeds = options.seeds ?? 30;
  const kCount = options.kCount ?? 32;
  const variants = options.variants ?? [{}];
  const trials: TrialRecord[] = [];
  const curves = new Map<string, CurveTable>();
  let cellIndex = 0;
  for (const variant of variants) {
    for (const scenario of scenarios) {
      for (const model of models) {
        for (let replicate = 0; replicate < seeds; replicate++) {
          const groupKey = identityKey({ scenario: scenario.id, model: model.id, replicate, variant });
          const rng = Xoshiro128.fromIdentity({ synthetic: options.generatorSeed ?? 'report-tests', groupKey });
          const points = curve(model, scenario, kCount, rng);
          const feasible = points.map((p) => p.C <= scenario.C_max && p.T <= scenario.T_max && p.A >= scenario.acc_min);
          const pareto = paretoFlags(points, feasible);
          curves.set(groupKey, CurveTable.fromRows(points.map((p, i) => curveRow(p, feasible[i] as boolean, pareto[i] as boolean, scenario))));
          for (const selector of selectors) {
            const key = identityKey({ groupKey, selector });
            const values: Record<string, Json> = { scenario: scenario.id, model: model.id, selector, ...variant };
            const failed = options.failEvery !== undefined && cellIndex % options.failEvery === options.failEvery - 1;
            trials.push({
              key,
              cellIndex: cellIndex++,
              groupKey,
              replicate,
              values,
              status: failed ? 'failed' : 'ok',
              result: failed ? {} : pickResult(selector, points, feasible, pareto, scenario, rng, options.fixedK ?? 8),
              diagnostics: null,
              error: failed ? 'Error: synthetic failure\n    at runGroup' : null,
            });
          }
        }
      }
    }
  }
  const runs: RunRecord[] = [
    run(1, '2025-11-20T10:00:00.000Z', '2025-11-20T10:05:00.000Z', trials.length),
    run(2, '2025-11-21T09:00:00.000Z', '2025-11-21T09:00:01.000Z', 0),
  ];
  return {
    manifest: {
      study: 'paper',
      hash: 'f'.repeat(64),
      body: {
        name: 'paper',
        experiment: { name: 'inference-scaling', version: '2' },
        seeds,
        base_seed: 42,
        axes: { scenario: scenarios.map((s) => s.id), model: models.map((m) => m.id), selector: selectors },
        params: {
          ...(options.newScenarios && { scenarios: Object.fromEntries(options.newScenarios.map(({ id, ...fields }) => [id, fields])) }),
          ...(options.modelParams && { models: options.modelParams }),
        },
      },
    },
    trials,
    curves,
    runs,
    progress: () => {},
  };
}

function run(id: number, startedAt: string, endedAt: string, trialsDone: number): RunRecord {
  return {
    id,
    startedAt,
    endedAt,
    status: 'done',
    gitCommit: '0123456789abcdef0123456789abcdef01234567',
    gitDirtyHash: null,
    codeHash: '5d0c7e0a9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809101',
    lockfileHash: '9a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9',
    nodeVersion: 'v20.20.0',
    cpuModel: 'Synthetic CPU',
    threads: 2,
    shard: null,
    commandLine: 'harness run experiments/inference-scaling/paper.yaml',
    cwd: '/home/researcher/repro-harness',
    trialsDone,
    trialsFailed: 0,
  };
}

function normal(rng: Xoshiro128): number {
  const u = (rng.nextUint32() + 0.5) / 4294967296;
  return normalQuantile(u);
}

/** Expected best-of-k accuracy of clipped normals, by Blom's approximation of the max's mean. */
function curve(model: ModelSpec, scenario: ScenarioSpec, kCount: number, rng: Xoshiro128): Point[] {
  const cCall = model.c_in * model.mu_in + model.c_out * model.mu_out;
  const tCall = model.t_in * model.mu_in + model.t_out * model.mu_out;
  const sdCCall = Math.hypot(model.c_in * model.sd_in, model.c_out * model.sd_out);
  const sdTCall = Math.hypot(model.t_in * model.sd_in, model.t_out * model.sd_out);
  const seedShift = normal(rng);
  const points: Point[] = [];
  let runningA = 0;
  for (let i = 1; i <= kCount; i++) {
    const k = i * scenario.P;
    const noise = 1 / Math.sqrt(scenario.M);
    const C = k * cCall * (1 + 0.01 * noise * (seedShift + normal(rng)));
    const T = (k / scenario.P) * tCall * (1 + 0.01 * noise * (seedShift + normal(rng)));
    const expectedMax = k === 1 ? 0 : normalQuantile((k - 0.375) / (k + 0.25));
    const raw = Math.min(0.99999, model.mu_A + model.sd_A * expectedMax) + model.sd_A * 0.3 * noise * normal(rng);
    runningA = Math.max(runningA, Math.min(1, raw));
    points.push({ k, C, T, A: runningA, sdC: Math.sqrt(k) * sdCCall, sdT: (Math.sqrt(k) * sdTCall) / scenario.P, sdA: model.sd_A / Math.sqrt(1 + Math.log(k)) });
  }
  return points;
}

function curveRow(p: Point, feasible: boolean, pareto: boolean, s: ScenarioSpec): Record<string, Scalar> {
  const row: Record<string, Scalar> = { k: p.k };
  const metrics: [string, number, number, number][] = [
    ['cost', p.C, p.sdC, Infinity],
    ['latency', p.T, p.sdT, Infinity],
    ['accuracy', p.A, p.sdA, 1],
  ];
  for (const [name, mean, sd, cap] of metrics) {
    row[`${name}_mean`] = mean;
    row[`${name}_sd`] = sd;
    row[`${name}_q025`] = Math.max(0, mean - 1.96 * sd);
    row[`${name}_q50`] = mean;
    row[`${name}_q975`] = Math.min(cap, mean + 1.96 * sd);
  }
  const below = (mean: number, sd: number, max: number) => 0.5 * (1 + Math.tanh((max - mean) / Math.max(sd, 1e-12)));
  row.p_cost = below(p.C, p.sdC, s.C_max);
  row.p_latency = below(p.T, p.sdT, s.T_max);
  row.p_both = (row.p_cost as number) * (row.p_latency as number);
  row.feasible = feasible ? 1 : 0;
  row.pareto = pareto ? 1 : 0;
  return row;
}

function paretoFlags(points: Point[], feasible: boolean[]): boolean[] {
  return points.map((p, i) => {
    if (!feasible[i]) return false;
    return !points.some((q, j) => {
      if (j === i || !feasible[j]) return false;
      const noWorse = q.C <= p.C && q.T <= p.T && q.A >= p.A;
      return noWorse && (q.C < p.C || q.T < p.T || q.A > p.A);
    });
  });
}

function pickResult(
  selector: string,
  points: Point[],
  feasible: boolean[],
  pareto: boolean[],
  s: ScenarioSpec,
  rng: Xoshiro128,
  fixedK: number,
): Record<string, Scalar> {
  const F = points.filter((_, i) => feasible[i]);
  const P = points.filter((_, i) => pareto[i]);
  const argBest = (set: Point[], score: (p: Point) => number) =>
    set.reduce<Point | null>((best, p) => (best === null || score(p) > score(best) ? p : best), null);
  const norm = (p: Point) => [p.C / s.C_max, p.T / s.T_max, p.A] as const;
  let pick: Point | null = null;
  let none = 'no feasible k';
  const extra: Record<string, Scalar> = {};
  switch (selector) {
    case 'accuracy-max':
      pick = argBest(F, (p) => p.A);
      break;
    case 'max-cube':
      pick = argBest(F, (p) => (1 - p.C / s.C_max) * (1 - p.T / s.T_max) * p.A);
      break;
    case 'utopia':
      pick = argBest(P, (p) => -Math.hypot(p.C / s.C_max, p.T / s.T_max, 1 - p.A));
      break;
    case 'knee-paper':
      if (P.length >= 3) pick = P[1 + rng.nextIndex(P.length - 2)] as Point;
      else if (F.length > 0) none = 'fewer than 3 Pareto points';
      break;
    case 'knee-3d':
    case 'knee-chord': {
      if (P.length >= 3) {
        const a = norm(P[0] as Point);
        const b = norm(P[P.length - 1] as Point);
        const distance = (p: Point) => {
          const q = norm(p);
          const d = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
          const v = [q[0] - a[0], q[1] - a[1], q[2] - a[2]];
          const len = Math.hypot(d[0] as number, d[1] as number, d[2] as number) || 1;
          const t = ((v[0] as number) * (d[0] as number) + (v[1] as number) * (d[1] as number) + (v[2] as number) * (d[2] as number)) / (len * len);
          return Math.hypot((v[0] as number) - t * (d[0] as number), (v[1] as number) - t * (d[1] as number), (v[2] as number) - t * (d[2] as number));
        };
        const best = argBest(P.slice(1, -1), distance) as Point;
        const index = P.indexOf(best);
        pick = selector === 'knee-3d' && rng.nextUnit() < 0.2 ? (P[Math.min(P.length - 2, index + 1)] as Point) : best;
      } else if (F.length > 0) none = 'fewer than 3 Pareto points';
      break;
    }
    case 'fixed-k':
      pick = points.find((p) => p.k >= fixedK) ?? (points[points.length - 1] as Point);
      extra.feasible = feasible[points.indexOf(pick)] ? 1 : 0;
      break;
    case 'accuracy-max-2d': {
      const F2 = points.filter((p) => p.C <= s.C_max && p.A >= s.acc_min);
      pick = argBest(F2, (p) => p.A);
      if (pick) extra.breaks_latency = pick.T > s.T_max ? 1 : 0;
      break;
    }
    case 'knee-2d': {
      // The real one's curvature knee mostly lands near the start of the 2D front: its second point.
      const F2 = points.filter((p) => p.C <= s.C_max && p.A >= s.acc_min);
      if (F2.length >= 3) pick = F2[1] as Point;
      else none = F2.length === 0 ? 'no k meets the cost and accuracy constraints' : 'fewer than 3 Pareto points';
      if (pick) extra.breaks_latency = pick.T > s.T_max ? 1 : 0;
      break;
    }
    default:
      throw new Error(`synthetic: unknown selector ${selector}`);
  }
  const base: Record<string, Scalar> = { feasible_count: F.length, pareto_count: P.length };
  if (!pick) return { ...base, k_star: null, none_reason: F.length === 0 ? 'no feasible k' : none, ...extra };
  return {
    ...base,
    k_star: pick.k,
    cost: pick.C,
    latency: pick.T,
    accuracy: pick.A,
    cost_sd: pick.sdC,
    latency_sd: pick.sdT,
    accuracy_sd: pick.sdA,
    p_budget: null,
    feasible: feasible[points.indexOf(pick)] ? 1 : 0,
    balance: balance(pick, F),
    score: null,
    none_reason: null,
    ...extra,
  };
}

function balance(p: Point, F: Point[]): number {
  if (F.length <= 1) return 0;
  const range = (f: (q: Point) => number) => [Math.min(...F.map(f)), Math.max(...F.map(f))] as const;
  const [cLo, cHi] = range((q) => q.C);
  const [tLo, tHi] = range((q) => q.T);
  const [aLo, aHi] = range((q) => q.A);
  const r = (v: number, lo: number, hi: number) => (hi > lo ? (v - lo) / (hi - lo) : 0);
  return Math.max(r(p.C, cLo, cHi), r(p.T, tLo, tHi), aHi > aLo ? (aHi - p.A) / (aHi - aLo) : 0);
}
