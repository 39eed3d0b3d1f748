/**
 * A full disk and a read-only results folder, for real: the database lives on a size-limited
 * tmpfs mounted for the test (this needs root, as CI has; without the privilege the tests are
 * skipped with the reason printed). `harness run` fills the disk mid-run: a clear message, exit
 * 2, a sound database holding only whole, correct groups; still full, a rerun fails the same
 * clear way; once the filesystem grows, the same command resumes to the bytes of an
 * uninterrupted run. On the filesystem remounted read-only, writing commands exit 2 with a
 * message that says so, and change nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as msg from '../../harness/messages.js';
import { runStudy } from '../../harness/run/run.js';
import { loadStudy } from '../../harness/study/study.js';
import { dumpResults, writeStudy } from '../harness/helpers.js';
import { checkAgainstReference, faultsModule, readReference, runHarness, runStatuses, treeSnapshot, type Reference } from './helpers.js';
import { withoutProgress } from './interrupted-study.js';

const dir = mkdtempSync(join(tmpdir(), 'harness-disk-'));
const mount = join(dir, 'mnt');
const db = 'mnt/disk.sqlite';
const argv = ['run', 'disk.yaml', '--threads', '2', '--db', db];
let unavailable: string | null = null;
let reference: Reference;
let referenceDump: ReturnType<typeof dumpResults>;

function sh(command: string, ...args: string[]): void {
  execFileSync(command, args, { stdio: 'pipe' });
}

beforeAll(async () => {
  mkdirSync(mount);
  try {
    sh('mount', '-t', 'tmpfs', '-o', 'size=256k,mode=0755', 'tmpfs', mount);
  } catch (thrown) {
    unavailable = `cannot mount a size-limited tmpfs here (${String((thrown as { stderr?: Buffer }).stderr ?? thrown).trim()}); run as root to test a full disk for real`;
    return;
  }
  // About 1.3 MB of rows (80 groups of 300 curve rows) for a 256 KB filesystem.
  writeStudy(dir, 'disk.yaml', { name: 'disk', experiment: faultsModule, seeds: 80, axes: { part: ['a', 'b'] }, params: { rows: 300, delay_ms: 2 } });
  const study = await loadStudy(join(dir, 'disk.yaml'), { cwd: dir });
  await runStudy({ study, dbPath: join(dir, 'reference.sqlite'), threads: 2, shard: null, commandLine: 'reference' });
  reference = readReference(join(dir, 'reference.sqlite'));
  referenceDump = dumpResults(join(dir, 'reference.sqlite'));
});

afterAll(() => {
  if (!unavailable) sh('umount', mount);
  rmSync(dir, { recursive: true, force: true });
});

/** Skips (saying why, never silently) where the machine does not allow mounting. */
function needsMount(skip: () => void): void {
  if (unavailable) {
    console.warn(`skipped: ${unavailable}`);
    skip();
  }
}

describe('a full disk', () => {
  it('stops with a clear message and exit 2, keeps a sound database, and resumes once there is space', async (ctx) => {
    needsMount(() => ctx.skip());
    const full = await runHarness(argv, { cwd: dir });
    expect({ code: full.code, stderr: withoutProgress(full.stderr) }).toEqual({
      code: 2,
      stderr: `${msg.dbWriteFailed(db, 'database or disk is full')}\n`,
    });
    const afterFull = checkAgainstReference(join(dir, db), reference);
    expect(afterFull.problems).toEqual([]);
    expect(afterFull.trials).toBeLessThan(160);
    // The run is recorded as ended in error, unless even that last small write found no room.
    expect(runStatuses(join(dir, db))).toHaveLength(1);
    expect(['error', 'running']).toContain(runStatuses(join(dir, db))[0]);

    // Still full: the rerun fails as clearly (registering the run, or at its first commit), and breaks nothing.
    const again = await runHarness(argv, { cwd: dir });
    expect({ code: again.code, stderr: withoutProgress(again.stderr) }).toEqual({
      code: 2,
      stderr: `${msg.dbWriteFailed(db, 'database or disk is full')}\n`,
    });
    const afterAgain = checkAgainstReference(join(dir, db), reference);
    expect(afterAgain.problems).toEqual([]);
    expect(afterAgain.trials).toBeGreaterThanOrEqual(afterFull.trials);

    sh('mount', '-o', 'remount,size=16m', mount);
    const resumed = await runHarness(argv, { cwd: dir });
    expect({ code: resumed.code, stderr: withoutProgress(resumed.stderr) }).toEqual({ code: 0, stderr: '' });
    expect(resumed.stdout).toContain(`${160 - afterAgain.trials} of 160 trials`);
    const dump = dumpResults(join(dir, db));
    expect(dump.trials).toBe(referenceDump.trials);
    expect(dump.curves).toBe(referenceDump.curves);
    expect(checkAgainstReference(join(dir, db), reference).problems).toEqual([]);
  });
});

describe('a read-only results folder', () => {
  it('refuses to write, with exit 2 and a message naming the cause, and changes nothing', async (ctx) => {
    needsMount(() => ctx.skip());
    sh('mount', '-o', 'remount,ro', mount);
    try {
      const before = treeSnapshot(mount);
      for (const target of ['mnt/disk.sqlite', 'mnt/new.sqlite']) {
        const result = await runHarness(['run', 'disk.yaml', '--threads', '1', '--db', target], { cwd: dir });
        expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({
          code: 2,
          stdout: '',
          stderr: `${msg.dbNotWritable(target, 'EROFS')}\n`,
        });
      }
      expect(treeSnapshot(mount)).toEqual(before);
    } finally {
      sh('mount', '-o', 'remount,rw', mount);
    }
  });
});
