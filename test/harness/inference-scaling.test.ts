/**
 * The engine with the real experiment: the paper study resolves to its grid, and a tiny study
 * runs end to end through the CLI with the same bytes on 1 and 2 threads, and as 3 shards
 * merged, down to its report. (The cluster tests prove the same on Slurm, where it can start.)
 */
import Database from 'better-sqlite3';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import * as msg from '../../harness/messages.js';
import { loadStudy } from '../../harness/study/study.js';
import { cli, dumpResults, fixtures, query, reportFiles, root, tempDir } from './helpers.js';

const dir = tempDir();

describe('inference-scaling through the harness', () => {
  it('resolves paper.yaml: 3 scenarios x 9 models x 30 seeds x 9 selectors, selectors sharing one simulation', async () => {
    const study = await loadStudy('paper', { cwd: root });
    const body = study.manifest.body;
    expect(body.order).toEqual([['scenario'], ['model'], ['replicate'], ['selector']]);
    expect(body.shared_dims).toBe(1);
    expect(body.cells).toBe(3 * 9 * 30 * 9);
    expect(body.base_seed).toBe(42);
    expect(study.grid.blockSize).toBe(9);
  });

  it('runs a tiny study end to end, identical on 1 and 2 threads, and resumes to nothing', async () => {
    const file = join(fixtures, 'studies', 'inference-tiny.yaml');
    const one = await cli(['run', file, '--threads', '1', '--db', 'one.sqlite'], dir);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('Finished: 36 trials ok');
    const two = await cli(['run', file, '--threads', '2', '--db', 'two.sqlite'], dir);
    expect(two.code).toBe(0);
    const a = dumpResults(join(dir, 'one.sqlite'));
    const b = dumpResults(join(dir, 'two.sqlite'));
    expect(a.trialCount).toBe(36);
    expect(b.trials).toBe(a.trials);
    expect(b.curves).toBe(a.curves);
    const groups = query<{ groups: number; selectors: number }>(
      join(dir, 'one.sqlite'),
      'SELECT count(DISTINCT group_key) AS groups, count(DISTINCT selector) AS selectors FROM trial',
    );
    expect(groups).toEqual([{ groups: 4, selectors: 9 }]);
    const curveGroups = query<{ n: number }>(join(dir, 'one.sqlite'), 'SELECT count(DISTINCT group_key) AS n FROM curve');
    expect(curveGroups).toEqual([{ n: 4 }]);
    const again = await cli(['run', file, '--threads', '2', '--db', 'one.sqlite'], dir);
    expect(again.stdout).toContain('Nothing to do: all 36 trials are already in one.sqlite.');
  });

  it('gives the rows and the report bytes of one run from 3 shards merged', async () => {
    const file = join(fixtures, 'studies', 'inference-tiny.yaml');
    const shards = [0, 1, 2].map((i) => `shard-${i}.sqlite`);
    for (const [i, db] of shards.entries()) {
      const shard = await cli(['run', file, '--shard', `${i}/3`, '--db', db], dir);
      expect(shard.code, shard.stderr).toBe(0);
    }
    const merge = await cli(['merge', 'merged.sqlite', ...shards], dir);
    expect(merge.code, merge.stderr).toBe(0);
    // Each a single file, without SQLite's -wal and -shm, once written.
    const leftBehind = ['merged.sqlite', ...shards].flatMap((db) => ['-wal', '-shm'].map((s) => `${db}${s}`)).filter((f) => existsSync(join(dir, f)));
    expect(leftBehind).toEqual([]);
    const one = dumpResults(join(dir, 'one.sqlite'));
    const merged = dumpResults(join(dir, 'merged.sqlite'));
    expect(merged.trialCount).toBe(36);
    expect(merged.trials).toBe(one.trials);
    expect(merged.curves).toBe(one.curves);
    // Every figure drawn for each report, none taken from the cache.
    vi.stubEnv('HARNESS_RENDER_CACHE', 'off');
    try {
      for (const db of ['one', 'merged']) {
        const report = await cli(['report', `${db}.sqlite`, '--out', `${db}-report`], dir);
        expect(report.code, report.stderr).toBe(0);
      }
    } finally {
      vi.unstubAllEnvs();
    }
    const files = reportFiles(join(dir, 'one-report'));
    expect([...files.keys()].filter((f) => f.endsWith('.svg')).length).toBeGreaterThan(5);
    expect(reportFiles(join(dir, 'merged-report'))).toEqual(files);
  }, 60_000);

  it('refuses to report a database whose curve of one simulation was deleted, naming the database and the simulation, and writes nothing', async () => {
    copyFileSync(join(dir, 'one.sqlite'), join(dir, 'curveless.sqlite'));
    const db = new Database(join(dir, 'curveless.sqlite'));
    const groupKey = db.prepare('SELECT group_key FROM curve ORDER BY group_key LIMIT 1').pluck().get() as string;
    const { model, replicate, trials } = db
      .prepare(`SELECT model, replicate, count(*) AS trials FROM trial WHERE group_key = ? AND status = 'ok' GROUP BY model, replicate`)
      .get(groupKey) as { model: string; replicate: number; trials: number };
    db.prepare('DELETE FROM curve WHERE group_key = ?').run(groupKey);
    db.close();
    const report = await cli(['report', 'curveless.sqlite', '--out', 'curveless-report'], dir);
    const reason = `the curve table has no rows for the simulation group_key ${groupKey} (scenario balanced, model ${model}, replicate ${replicate}, used by ${trials} finished trials)`;
    expect({ code: report.code, stderr: report.stderr.replace(/^load trials: .*\n/gm, '') }).toEqual({
      code: 2,
      stderr: `${msg.reportStoredResults('curveless.sqlite', 'inference-scaling', reason)}\n`,
    });
    expect(existsSync(join(dir, 'curveless-report'))).toBe(false);
  });
});
