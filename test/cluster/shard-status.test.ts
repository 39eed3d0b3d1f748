import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/app.js';
import type { Io } from '../../harness/cli/io.js';
import { InputError } from '../../harness/errors.js';
import * as msg from '../../harness/cluster/messages.js';
import type { ClusterPlanFile } from '../../harness/cluster/layout.js';
import {
  formatFolderStatus,
  indexRanges,
  readShardFolder,
  readShardSnapshot,
  summarizeFolder,
  type ShardSnapshot,
} from '../../harness/cluster/shard-status.js';
import { tempDir } from '../harness/helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

const plan: ClusterPlanFile = {
  study: 'tiny',
  studyFile: '/repo/tiny.yaml',
  overrides: [],
  shardCount: 4,
  shardTrials: [10, 10, 8, 8],
  arrayScript: '/out/array.sbatch',
  mergeScript: '/out/merge.sbatch',
  jobs: { array: '7', merge: '8' },
};

/** A shard database that stored `ok` + `failed` of `expected` trials, written to now or not. */
const snap = (ok: number, failed: number, expected: number, writing = false, manifestHash = 'm1'): ShardSnapshot => ({
  manifestHash,
  ok,
  failed,
  missing: expected - ok - failed,
  writing,
});

describe('summarizeFolder', () => {
  it('is complete when every shard stored all its trials, failed ones included', () => {
    const status = summarizeFolder({
      folder: '/out',
      plan,
      shardCount: 4,
      snapshots: new Map([[0, snap(10, 0, 10)], [1, snap(9, 1, 10)], [2, snap(8, 0, 8)], [3, snap(8, 0, 8)]]),
      queue: new Map(),
    });
    expect(status.shards.map((s) => s.state)).toEqual(['done', 'done', 'done', 'done']);
    expect(status.complete).toBe(true);
    expect(status.rerunCommand).toBeNull();
    expect(formatFolderStatus(status)).toBe(
      [
        'tiny in /out: 4 shards, 4 done',
        'Trials stored: 36 of 36 (1 failed)',
        '  shard 1: done       10/10 trials, 1 failed',
        'All shards are done: ready to merge.',
      ].join('\n'),
    );
  });

  it('tells running, pending, unfinished and missing shards apart with the queue, and reruns only the last two', () => {
    const status = summarizeFolder({
      folder: '/out',
      plan: { ...plan, shardCount: 5, shardTrials: [10, 10, 8, 8, 8] },
      shardCount: 5,
      // 0 runs, 1 was killed, 2 is requeued, 3 never started, 4 is done.
      snapshots: new Map([[0, snap(4, 0, 10, true)], [1, snap(3, 0, 10)], [2, snap(5, 0, 8)], [4, snap(8, 0, 8)]]),
      queue: new Map([
        [0, { job: '41', state: 'running', reason: null }],
        [2, { job: '41', state: 'pending', reason: 'Priority' }],
      ]),
    });
    expect(status.shards.map((s) => s.state)).toEqual(['running', 'unfinished', 'pending', 'missing', 'done']);
    expect(status.rerun).toEqual([1, 3]);
    expect(status.complete).toBe(false);
    expect(formatFolderStatus(status)).toBe(
      [
        'tiny in /out: 5 shards, 1 done, 1 running, 1 pending, 1 unfinished, 1 missing',
        'Trials stored: 20 of 44',
        '  shard 0: running    4/10 trials',
        '  shard 1: unfinished 3/10 trials',
        '  shard 2: pending    5/8 trials; Slurm: Priority',
        '  shard 3: missing    0/8 trials',
        'Rerun only shards 1, 3 (each resumes its database), then merge:',
        '  array=$(sbatch --parsable --array=1,3 /out/array.sbatch) && sbatch --dependency=afterany:${array%%;*} /out/merge.sbatch',
      ].join('\n'),
    );
  });

  it('says why a pending shard waits, and how to release a held one', () => {
    const status = summarizeFolder({
      folder: '/out',
      plan: { ...plan, shardCount: 3, shardTrials: [8, 8, 8] },
      shardCount: 3,
      snapshots: new Map(),
      queue: new Map([
        [0, { job: '41', state: 'pending', reason: 'JobHeldUser' }],
        [1, { job: '45', state: 'pending', reason: null }],
        [2, { job: '41', state: 'running', reason: null }],
      ]),
    });
    expect(status.shards.map((s) => s.waiting)).toEqual([{ job: '41_0', reason: 'JobHeldUser' }, { job: '45_1', reason: null }, undefined]);
    const lines = formatFolderStatus(status).split('\n');
    expect(lines).toContain('  shard 0: pending    0/8 trials; Slurm: JobHeldUser (held until released: scontrol release 41_0)');
    expect(lines).toContain('  shard 1: pending    0/8 trials');
  });

  it('writes the shards to rerun as ranges, so that hundreds make one short --array', () => {
    expect(indexRanges([1, 3], ',')).toBe('1,3');
    expect(indexRanges([0, 1], ',')).toBe('0,1');
    expect(indexRanges(Array.from({ length: 810 }, (_, i) => i), ',')).toBe('0-809');
    expect(indexRanges([0, 1, 2, 3, 7, 9, 10, 11, 12], ', ')).toBe('0-3, 7, 9-12');
    const status = summarizeFolder({ folder: '/out', plan: { ...plan, shardCount: 6, shardTrials: [8, 8, 8, 8, 8, 8] }, shardCount: 6, snapshots: new Map([[5, snap(8, 0, 8)]]), queue: new Map() });
    expect(status.rerunCommand).toContain('--array=0-4 ');
    expect(formatFolderStatus(status)).toContain('Rerun only shards 0-4 (each resumes its database), then merge:');
    // The plan's limit of tasks at once holds for the rerun too.
    const throttled = summarizeFolder({ folder: '/out', plan: { ...plan, parallel: 2, shardCount: 6, shardTrials: [8, 8, 8, 8, 8, 8] }, shardCount: 6, snapshots: new Map(), queue: new Map() });
    expect(throttled.rerunCommand).toContain('--array=0-5%2 ');
  });

  it('without the queue, counts a shard that is being written as running', () => {
    const status = summarizeFolder({
      folder: '/out',
      plan,
      shardCount: 4,
      snapshots: new Map([[0, snap(4, 0, 10, true)], [1, snap(3, 0, 10)], [2, snap(8, 0, 8)], [3, snap(8, 0, 8)]]),
      queue: null,
    });
    expect(status.shards.map((s) => s.state)).toEqual(['running', 'unfinished', 'done', 'done']);
    expect(status.rerun).toEqual([1]);
    // The plan's jobs were submitted: what it cannot see may be queued, which it says before the rerun.
    expect(status.queueUnknown).toEqual({ array: '7', merge: '8' });
    const lines = formatFolderStatus(status).split('\n');
    expect(lines.slice(-3, -2)).toEqual([msg.queueUnknown({ array: '7', merge: '8' })]);
    expect(lines.at(-2)).toMatch(/^Rerun only shard 1 /);
    // With the queue asked, nothing of the kind.
    const asked = summarizeFolder({ folder: '/out', plan, shardCount: 4, snapshots: new Map([[2, snap(8, 0, 8)]]), queue: new Map() });
    expect([asked.queueUnknown, formatFolderStatus(asked)]).toEqual([null, expect.not.stringContaining('could not be asked')]);
  });

  it('without a plan, takes the trial counts from the databases, and each command from those its shards recorded', () => {
    // Shard 0 given its shard by a Job's index (no --shard), shard 2 run by hand.
    const recorded = (commandLine: string) => ({ study: 'tiny', command: { commandLine } });
    const status = summarizeFolder({
      folder: '/k8s',
      plan: null,
      shardCount: 3,
      snapshots: new Map([[0, { ...snap(4, 0, 4), ...recorded('harness run tiny.yaml --shard-count 3 --set seeds=2') }], [2, { ...snap(2, 0, 3), ...recorded('harness run tiny.yaml --shard 2/3 --set seeds=2 --db /k8s/shard-2-of-3.sqlite') }]]),
      queue: null,
    });
    expect(status.shards.map((s) => s.state)).toEqual(['done', 'missing', 'unfinished']);
    expect([status.study, status.rerunCommand]).toEqual(['tiny', null]);
    expect(formatFolderStatus(status)).toBe(
      [
        'tiny in /k8s: 3 shards, 1 done, 1 unfinished, 1 missing',
        'Trials stored: 6',
        '  shard 1: missing    0 trials',
        '  shard 2: unfinished 2/3 trials',
        'Rerun shards 1, 2 of 3 (each resumes its database), then merge:',
        '  npx harness run tiny.yaml --set seeds=2 --shard 1/3 --db /k8s/shard-1-of-3.sqlite',
        '  npx harness run tiny.yaml --shard 2/3 --set seeds=2 --db /k8s/shard-2-of-3.sqlite',
        '  npx harness merge /k8s/tiny.sqlite /k8s/shard-*-of-3.sqlite',
      ].join('\n'),
    );
  });

  it('refuses to call a folder complete when a shard comes from another manifest', () => {
    const status = summarizeFolder({
      folder: '/out',
      plan,
      shardCount: 4,
      snapshots: new Map([[0, snap(10, 0, 10)], [1, snap(10, 0, 10)], [2, snap(8, 0, 8, false, 'm2')], [3, snap(8, 0, 8)]]),
      queue: new Map(),
    });
    expect(status.foreignShards).toEqual([2]);
    expect(status.complete).toBe(false);
    expect(formatFolderStatus(status)).toContain('shard 2: made from another study, or other settings, than the folder');
  });

  it('compares the shards with the plan when it names the study\'s manifest: shards all of another study are no merge', () => {
    const status = summarizeFolder({
      folder: '/out',
      plan: { ...plan, manifestHash: 'planned' },
      shardCount: 4,
      snapshots: new Map([[0, snap(10, 0, 10)], [1, snap(10, 0, 10)], [2, snap(8, 0, 8)], [3, snap(8, 0, 8)]]),
      queue: new Map(),
    });
    expect(status.foreignShards).toEqual([0, 1, 2, 3]);
    expect(status.complete).toBe(false);
    expect(formatFolderStatus(status)).not.toContain('ready to merge');
  });
});

/** Runs the harness CLI in this process; returns its exit code and output. */
async function harness(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = { write: (t: string) => (out += t) };
  const io: Io = { stdout: sink, stderr: sink, env: {}, cwd: root, argv };
  const code = await main(argv, io);
  return { code, out };
}

describe('reading a shard folder written by the engine', () => {
  const study = join(root, 'test/fixtures/studies/noop.yaml');
  const now = new Date();

  it('finds done, unfinished, missing and foreign shards, and reruns the right ones', async () => {
    const dir = tempDir('shard-status-');
    const shard = (i: number) => join(dir, `shard-${i}-of-4.sqlite`);
    for (const i of [0, 1, 2]) expect((await harness('run', study, '--shard', `${i}/4`, '--db', shard(i), '--threads', '1')).code).toBe(0);
    // Shard 1 loses two trials, as if its task had been killed before committing them.
    const db = new Database(shard(1));
    db.exec('DELETE FROM trial WHERE cell_index IN (SELECT cell_index FROM trial ORDER BY cell_index DESC LIMIT 2)');
    db.close();
    expect((await harness('run', study, '--set', 'params.n=5', '--shard', '3/4', '--db', shard(3), '--threads', '1')).code).toBe(0);

    const counts = [0, 1, 2].map((i) => readShardSnapshot(shard(i), { index: i, count: 4 }, now));
    expect(counts.map((c) => c.missing)).toEqual([0, 2, 0]);
    writeFileSync(join(dir, 'cluster-plan.json'), JSON.stringify({ ...plan, shardTrials: counts.map((c) => c.ok + (c.missing ?? 0)).concat(6), arrayScript: join(dir, 'array.sbatch') }));
    const status = readShardFolder(dir, () => new Map(), now);
    expect(status.shards.map((s) => s.state)).toEqual(['done', 'unfinished', 'done', 'done']);
    expect(status.foreignShards).toEqual([3]);
    expect(status.rerun).toEqual([1]);
    expect(status.complete).toBe(false);
  }, 60_000);

  it('reads a database its task has only just created as empty, one of another shard as not done, and one of more as its own', async () => {
    const dir = tempDir('shard-status-');
    new Database(join(dir, 'shard-0-of-2.sqlite')).close();
    expect(readShardSnapshot(join(dir, 'shard-0-of-2.sqlite'), { index: 0, count: 2 }, now)).toEqual({
      manifestHash: null, ok: 0, failed: 0, missing: null, writing: false,
    });
    const other = join(dir, 'shard-1-of-2.sqlite');
    expect((await harness('run', study, '--shard', '0/2', '--db', other, '--threads', '1')).code).toBe(0);
    // It holds shard 0's trials: none of its own slice.
    const otherSlice = readShardSnapshot(other, { index: 1, count: 2 }, now);
    expect(otherSlice).toMatchObject({ ok: 0, failed: 0 });
    expect(otherSlice.missing).toBeGreaterThan(0);
    expect(readShardFolder(dir, () => null, now).shards.map((s) => s.state)).toEqual(['unfinished', 'unfinished']);
    // The whole study, as a job array's variables make of a rerun of one task (0/1): its own slice is done.
    const whole = join(dir, 'shard-0-of-2.sqlite');
    expect((await harness('run', study, '--db', whole, '--threads', '1')).code).toBe(0);
    const own = readShardSnapshot(whole, { index: 0, count: 2 }, now);
    expect(own.missing).toBe(0);
    expect(own.ok + own.failed + otherSlice.missing!).toBe(27);
    expect(readShardFolder(dir, () => null, now).shards.map((s) => s.state)).toEqual(['done', 'unfinished']);
  }, 60_000);

  it('says that its shards are merged when a database beside them holds the whole study, every trial', async () => {
    const dir = tempDir('shard-status-');
    const shard = (i: number) => join(dir, `shard-${i}-of-2.sqlite`);
    for (const i of [0, 1]) expect((await harness('run', study, '--shard', `${i}/2`, '--db', shard(i), '--threads', '1')).code).toBe(0);
    expect(formatFolderStatus(readShardFolder(dir, () => null, now))).toContain('All shards are done: ready to merge.');
    // A copy of one shard under another name is not the merge; nor is another study's database.
    copyFileSync(shard(0), join(dir, 'copy.sqlite'));
    expect((await harness('run', study, '--set', 'params.n=5', '--db', join(dir, 'other.sqlite'), '--threads', '1')).code).toBe(0);
    expect(readShardFolder(dir, () => null, now).merged).toEqual([]);
    expect((await harness('merge', join(dir, 'noop.sqlite'), shard(0), shard(1))).code).toBe(0);
    const status = readShardFolder(dir, () => null, now);
    expect(status).toMatchObject({ complete: true, merged: [join(dir, 'noop.sqlite')] });
    expect(formatFolderStatus(status).split('\n').at(-1)).toBe('All shards are done, and merged: noop.sqlite holds the whole study, every trial.');
    // A merge that keeps failed trials is still the merge: they are results, which a rerun retries.
    const db = new Database(join(dir, 'noop.sqlite'));
    db.exec(`UPDATE trial SET status = 'failed', error = 'lost' WHERE cell_index IN (SELECT cell_index FROM trial ORDER BY cell_index LIMIT 2)`);
    db.close();
    const failed = readShardFolder(dir, () => null, now);
    expect(failed).toMatchObject({ merged: [join(dir, 'noop.sqlite')], mergedFailed: [2] });
    expect(formatFolderStatus(failed).split('\n').at(-1)).toBe(
      'All shards are done, and merged: noop.sqlite (2 of its trials failed) holds the whole study, every trial. Rerun the shards of its failed trials, then merge again, to retry them.',
    );
  }, 60_000);

  it('refuses a folder without shards, and one that mixes shard counts', () => {
    const empty = tempDir('shard-status-');
    expect(() => readShardFolder(empty, () => null, now)).toThrow(new InputError(msg.notAShardFolder(empty)));
    const mixed = tempDir('shard-status-');
    for (const name of ['shard-0-of-2.sqlite', 'shard-1-of-3.sqlite']) new Database(join(mixed, name)).close();
    expect(() => readShardFolder(mixed, () => null, now)).toThrow(new InputError(msg.mixedShardCounts(mixed, [2, 3])));
  });
});
