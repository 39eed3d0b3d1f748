/**
 * The benchmark suite's own plumbing: statistics, the agreement z, targets, what a child process
 * used, profile summaries, and the database tiler (checked cell by cell against the grid and the source rows).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pooledZ } from '../../bench/benchmarks/crn.js';
import { noopStudyFile } from '../../bench/context.js';
import { formatNumber } from '../../bench/format.js';
import { inRotation, median, medianUpperBound, threadCounts } from '../../bench/measure.js';
import { runScript } from '../../bench/processes.js';
import { summarizeProfile } from '../../bench/profile.js';
import { figure, target } from '../../bench/suite.js';
import { tileDatabase } from '../../bench/tile.js';
import { gridOf, type ManifestBody } from '../../harness/manifest.js';
import { Xoshiro128 } from '../../harness/stats/random.js';
import { projectRoot } from '../../harness/paths.js';
import { runStudy } from '../../harness/run/run.js';
import { loadStudy } from '../../harness/study/study.js';

const dir = mkdtempSync(join(tmpdir(), 'bench-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('measurement helpers', () => {
  it('takes medians of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });

  it('counts threads 1, 2, 4, ... and ends at the cores', () => {
    expect(threadCounts(1)).toEqual([1]);
    expect(threadCounts(2)).toEqual([1, 2]);
    expect(threadCounts(6)).toEqual([1, 2, 4, 6]);
    expect(threadCounts(16)).toEqual([1, 2, 4, 8, 16]);
  });

  it('rotates the order of side-by-side measurements, each item first once per cycle', () => {
    const steps = ['study', 'report', 'pipeline'];
    expect([0, 1, 2, 3].map((round) => inRotation(steps, round))).toEqual([
      ['study', 'report', 'pipeline'],
      ['report', 'pipeline', 'study'],
      ['pipeline', 'study', 'report'],
      ['study', 'report', 'pipeline'],
    ]);
    expect(steps).toEqual(['study', 'report', 'pipeline']);
  });

  it('bounds a median from above by the largest sample, at confidence 1 - 2^-n', () => {
    expect(medianUpperBound([0.92, 1.006, 0.97, 1.009, 1.008])).toEqual({ bound: 1.009, confidence: 0.96875 });
    expect(medianUpperBound([0.9])).toEqual({ bound: 0.9, confidence: 0.5 });
    expect(() => medianUpperBound([])).toThrow(/no samples/);
    // The coverage it claims: over many sets of 5 draws from a distribution with median 0, the
    // largest is below 0 in 1/32 of them (binomial standard error 0.0025 at 5,000 sets).
    let below = 0;
    const rng = Xoshiro128.fromIdentity('median upper bound');
    const uniform = () => rng.nextUnit() - 0.5;
    for (let set = 0; set < 5000; set++) if (medianUpperBound(Array.from({ length: 5 }, uniform)).bound < 0) below++;
    expect(Math.abs(below / 5000 - 1 / 32)).toBeLessThan(4 * Math.sqrt((1 / 32) * (31 / 32) / 5000));
  });

  it('relates a figure to its baseline and checks targets in both directions', () => {
    const base = figure('b', 'base', 'x/s', [10, 30, 20]);
    const f = figure('f', 'fast', 'x/s', [50, 40, 60], base);
    expect(f.median).toBe(50);
    expect(f.ratio).toBe(2.5);
    expect(target('t', 'ratio', f.ratio!, '', '>=', 2.5).met).toBe(true);
    expect(target('t', 'ratio', f.ratio!, '', '<=', 2).met).toBe(false);
  });

  it('formats numbers by size', () => {
    expect(formatNumber(52_100_000)).toBe('52.1 M');
    expect(formatNumber(1_234_567)).toBe('1.23 M');
    expect(formatNumber(20_000)).toBe('20,000');
    expect(formatNumber(1.2035)).toBe('1.204');
    expect(formatNumber(0.0385)).toBe('0.0385');
  });
});

describe('pooledZ', () => {
  it('is zero for identical estimates and antisymmetric', () => {
    const a = [{ mean: 1, sd: 2, trials: 100 }, { mean: 3, sd: 1, trials: 100 }];
    expect(pooledZ(a, a)).toBe(0);
    const b = [{ mean: 2, sd: 2, trials: 100 }, { mean: 2.5, sd: 1, trials: 100 }];
    expect(pooledZ(a, b)).toBeCloseTo(-pooledZ(b, a), 12);
  });

  it('divides the difference of pooled means by the combined standard error', () => {
    // Pooled means 2 and 2.25; variances (4/100 + 1/100) / 4 and (4/100 + 1/100) / 4.
    const a = [{ mean: 1, sd: 2, trials: 100 }, { mean: 3, sd: 1, trials: 100 }];
    const b = [{ mean: 2, sd: 2, trials: 100 }, { mean: 2.5, sd: 1, trials: 100 }];
    expect(pooledZ(a, b)).toBeCloseTo(-0.25 / Math.sqrt(2 * (0.05 / 4)), 12);
  });
});

describe('runScript', () => {
  it("reads a child process's CPU time over all its threads, in seconds, and its peak memory", async () => {
    // A worker thread spins until the process has used 0.3 s more CPU time while the main thread
    // waits; the script then prints the process's CPU time so far, in microseconds.
    const script = join(dir, 'busy-worker.mts');
    const spin = [
      "const { parentPort } = require('node:worker_threads');",
      'const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };',
      'const start = cpu();',
      'while (cpu() - start < 300000);',
      "parentPort.postMessage('done');",
    ].join(' ');
    writeFileSync(
      script,
      [
        "import { Worker } from 'node:worker_threads';",
        `await new Promise((done) => new Worker(${JSON.stringify(spin)}, { eval: true }).once('message', done));`,
        'const usage = process.resourceUsage();',
        'console.log(usage.userCPUTime + usage.systemCPUTime);',
      ].join('\n'),
    );
    const run = await runScript(script, []);
    const printed = Number(run.stdout.trim()) / 1e6;
    expect(printed).toBeGreaterThanOrEqual(0.3);
    // Read at exit, after the print: no less, and not more than the process's teardown adds.
    expect(run.cpuSeconds).toBeGreaterThanOrEqual(printed);
    expect(run.cpuSeconds).toBeLessThan(printed + 0.5);
    expect(run.peakRssMb).toBeGreaterThan(10);
  });

  it('says which signal killed a child process (as the OOM killer kills one), not an exit code it has none of', async () => {
    const script = join(dir, 'killed.mts');
    writeFileSync(script, "console.error('about to be killed');\nprocess.kill(process.pid, 'SIGKILL');\n");
    await expect(runScript(script, [])).rejects.toThrow(/killed\.mts was killed by SIGKILL:\nabout to be killed$/);
  });
});

describe('summarizeProfile', () => {
  it('counts self time by function and file, and waiting apart', () => {
    const file = join(dir, 'CPU.20250101.000000.1.0.001.cpuprofile');
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0, columnNumber: 0, scriptId: '0' });
    const root = `file://${projectRoot}`;
    writeFileSync(
      file,
      JSON.stringify({
        startTime: 0,
        endTime: 2_000_000,
        nodes: [
          { id: 1, callFrame: frame('(root)', ''), hitCount: 0 },
          { id: 2, callFrame: frame('(idle)', ''), hitCount: 5 },
          { id: 3, callFrame: frame('fill', `${root}/experiments/inference-scaling/rng.ts`), hitCount: 3 },
          { id: 4, callFrame: frame('scan', `${root}/experiments/inference-scaling/kernel.ts`), hitCount: 1 },
          { id: 5, callFrame: frame('atomicsWaitLoop', `${root}/node_modules/piscina/dist/worker.js`), hitCount: 5 },
        ],
      }),
    );
    const summary = summarizeProfile(file, projectRoot);
    expect(summary.thread).toBe(0);
    expect(summary.seconds).toBe(2);
    expect(summary.idle).toBeCloseTo(10 / 14, 12);
    expect(summary.functions).toEqual([
      { name: 'fill (experiments/inference-scaling/rng.ts)', share: 0.75 },
      { name: 'scan (experiments/inference-scaling/kernel.ts)', share: 0.25 },
    ]);
    expect(summary.files[0]).toEqual({ name: 'experiments/inference-scaling/rng.ts', share: 0.75 });
  });
});

describe('tileDatabase', () => {
  it('copies replicate r mod S into every replicate of a larger grid, cell by cell', async () => {
    const source = join(dir, 'source.sqlite');
    const small = await loadStudy(noopStudyFile, { cwd: projectRoot, sets: ['seeds=3', 'curve_rows=2'] });
    const summary = await runStudy({ study: small, dbPath: source, threads: 1, shard: null, commandLine: 'test tile' });
    expect(summary).toMatchObject({ status: 'done', ok: 24 });

    const target = join(dir, 'tiled.sqlite');
    const large = await loadStudy(noopStudyFile, { cwd: projectRoot, sets: ['seeds=7', 'curve_rows=2'] });
    expect(tileDatabase(source, large, target)).toEqual({ trials: 56, curves: 14 });

    const read = (path: string) => new Database(path, { readonly: true });
    const from = read(source);
    const to = read(target);
    try {
      type Row = { cell_index: number; key: string; group_key: string; replicate: number; variant: string; value: number; rank: number };
      const sourceRows = from.prepare('SELECT * FROM trial').all() as Row[];
      const rows = to.prepare('SELECT * FROM trial ORDER BY cell_index').all() as Row[];
      const body = JSON.parse((to.prepare('SELECT manifest FROM study').get() as { manifest: string }).manifest) as ManifestBody;
      const grid = gridOf(body);
      expect(rows.map((r) => r.cell_index)).toEqual(Array.from({ length: 56 }, (_, i) => i));
      expect(new Set(rows.map((r) => r.key)).size).toBe(56);
      for (const row of rows) {
        expect(grid.valuesOf(row.cell_index)).toEqual({ replicate: row.replicate, variant: row.variant });
        const original = sourceRows.find((s) => s.replicate === row.replicate % 3 && s.variant === row.variant)!;
        expect([row.value, row.rank]).toEqual([original.value, original.rank]);
      }
      const curveGroups = to.prepare('SELECT DISTINCT group_key FROM curve').pluck().all() as string[];
      expect(new Set(curveGroups)).toEqual(new Set(rows.map((r) => r.group_key)));
    } finally {
      from.close();
      to.close();
    }
  });
});
