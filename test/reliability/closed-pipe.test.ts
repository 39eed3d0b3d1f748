/**
 * A reader that leaves (`harness run ... 2>&1 | head -3`, `harness export db | head`), with real
 * processes: a run goes on to the end and writes its report, exiting with the code its work
 * earns; an export, whose rows have no reader left, ends at once with exit 0, its database closed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../harness/helpers.js';
import { committedTrials, harnessBin, runHarness, startHarness } from './helpers.js';

const dir = tempDir('harness-closed-pipe-');

beforeAll(async () => {
  expect((await runHarness(['run', 'paper', '--set', 'seeds=2', '--db', 'done.sqlite'], { cwd: dir })).code).toBe(0);
});

describe('a reader that leaves', () => {
  it('does not stop a run: it stores every trial and writes its report, exit 0', async () => {
    const run = startHarness(['run', 'paper', '--set', 'seeds=2', '--db', 'piped.sqlite', '--report', '--out', 'report'], { cwd: dir });
    // The reader leaves after the first line ("Running paper: ..."), before the trials run; the
    // run says more there ("Finished: ...", then where the report is), and its log goes on too.
    run.child.stdout!.once('data', () => {
      run.child.stdout!.destroy();
      run.child.stderr!.destroy();
    });
    const exit = await run.exited;
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    expect(committedTrials(join(dir, 'piped.sqlite'))).toBe(committedTrials(join(dir, 'done.sqlite')));
    expect(existsSync(join(dir, 'report', 'index.html'))).toBe(true);
  }, 120_000);

  it('ends an export whose rows have no reader, exit 0, leaving no -wal or -shm beside the database', async () => {
    const exported = startHarness(['export', 'done.sqlite'], { cwd: dir });
    exported.child.stdout!.once('data', () => exported.child.stdout!.destroy());
    const exit = await exported.exited;
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    // The last connection to close folds them away, also one still open when the export ends.
    expect(['done.sqlite-wal', 'done.sqlite-shm'].filter((file) => existsSync(join(dir, file)))).toEqual([]);
  }, 60_000);

  it('gives a reader slower than the export every row: none is left queued when the process ends', () => {
    // The reader starts 3 s late: longer than the process lingers after its command returns.
    const quoted = [process.execPath, harnessBin, 'export', 'done.sqlite'].map((a) => `'${a}'`).join(' ');
    const counted = execFileSync('sh', ['-c', `${quoted} | (sleep 3; wc -l)`], { cwd: dir, encoding: 'utf8' });
    expect(Number(counted.trim())).toBe(committedTrials(join(dir, 'done.sqlite')) + 1);
  }, 60_000);
});
