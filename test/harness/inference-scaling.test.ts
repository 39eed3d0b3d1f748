/**
 * The engine with the real experiment: the paper study resolves to its grid, and a tiny study
 * runs end to end through the CLI with the same bytes on 1 and 2 threads.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStudy } from '../../harness/study/study.js';
import { cli, dumpResults, fixtures, query, root, tempDir } from './helpers.js';

const dir = tempDir();

describe('inference-scaling through the harness', () => {
  it('resolves paper.yaml: 3 scenarios x 9 models x 30 seeds x 8 selectors, selectors sharing one simulation', async () => {
    const study = await loadStudy('paper', { cwd: root });
    const body = study.manifest.body;
    expect(body.order).toEqual([['scenario'], ['model'], ['replicate'], ['selector']]);
    expect(body.shared_dims).toBe(1);
    expect(body.cells).toBe(3 * 9 * 30 * 8);
    expect(body.base_seed).toBe(42);
    expect(study.grid.blockSize).toBe(8);
  });

  it('runs a tiny study end to end, identical on 1 and 2 threads, and resumes to nothing', async () => {
    const file = join(fixtures, 'studies', 'inference-tiny.yaml');
    const one = await cli(['run', file, '--threads', '1', '--db', 'one.sqlite'], dir);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('Finished: 32 trials ok');
    const two = await cli(['run', file, '--threads', '2', '--db', 'two.sqlite'], dir);
    expect(two.code).toBe(0);
    const a = dumpResults(join(dir, 'one.sqlite'));
    const b = dumpResults(join(dir, 'two.sqlite'));
    expect(a.trialCount).toBe(32);
    expect(b.trials).toBe(a.trials);
    expect(b.curves).toBe(a.curves);
    const groups = query<{ groups: number; selectors: number }>(
      join(dir, 'one.sqlite'),
      'SELECT count(DISTINCT group_key) AS groups, count(DISTINCT selector) AS selectors FROM trial',
    );
    expect(groups).toEqual([{ groups: 4, selectors: 8 }]);
    const curveGroups = query<{ n: number }>(join(dir, 'one.sqlite'), 'SELECT count(DISTINCT group_key) AS n FROM curve');
    expect(curveGroups).toEqual([{ n: 4 }]);
    const again = await cli(['run', file, '--threads', '2', '--db', 'one.sqlite'], dir);
    expect(again.stdout).toContain('Nothing to do: all 32 trials are already in one.sqlite.');
  });
});
