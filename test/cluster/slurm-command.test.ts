/**
 * `harness slurm` and `status <shard folder>` as commands, without a Slurm cluster: the files
 * they write, what they print, and every bad-input message they can give.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/app.js';
import type { Io } from '../../harness/cli/io.js';
import { InputError } from '../../harness/errors.js';
import * as msg from '../../harness/cluster/messages.js';
import * as globalMsg from '../../harness/messages.js';
import { shardFolderStatus, slurmCommand } from '../../harness/cluster/slurm-command.js';
import { readPlanFile } from '../../harness/cluster/shard-status.js';
import { submitCommand } from '../../harness/cluster/slurm.js';
import { tempDir } from '../harness/helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const study = join(root, 'test/fixtures/studies/noop.yaml');

/** An Io whose PATH is only `bin` (stand-ins for sbatch and scontrol), capturing stdout. */
function io(bin: string): Io & { out: () => string } {
  let out = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: () => true },
    env: { PATH: bin },
    cwd: root,
    argv: [],
    out: () => out,
  };
}

/**
 * A folder of stand-in Slurm commands (shell builtins only, as PATH holds nothing else):
 * scontrol reports `maxArraySize`, sbatch records its arguments and hands out ids 41, 42, ...
 */
function fakeSlurm(maxArraySize: number): string {
  const bin = tempDir('fake-slurm-');
  writeFileSync(join(bin, 'scontrol'), `#!/bin/sh\necho "MaxArraySize            = ${maxArraySize}"\n`);
  writeFileSync(
    join(bin, 'sbatch'),
    `#!/bin/sh\nn=41\n[ -f ${bin}/n ] && read n < ${bin}/n\necho $((n + 1)) > ${bin}/n\necho "$@" >> ${bin}/calls\necho "$n;cluster"\n`,
  );
  for (const f of ['scontrol', 'sbatch']) chmodSync(join(bin, f), 0o755);
  return bin;
}

async function slurm(bin: string, args: Record<string, unknown>) {
  const io_ = io(bin);
  const code = await slurmCommand.run({ study, pilot: '0', ...args }, io_);
  return { code, out: io_.out() };
}

async function inputError(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (thrown) {
    expect(thrown).toBeInstanceOf(InputError);
    return (thrown as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('harness slurm', () => {
  it('writes the scripts and the plan into --out, and prints how to submit them', async () => {
    const out = join(tempDir('slurm-cmd-'), 'noop');
    const { code, out: printed } = await slurm(fakeSlurm(1001), { out, 'array-size': '3', 'cpus-per-task': '2', time: '30', set: ['params.n=5'] });
    expect(code).toBe(0);
    for (const f of ['array.sbatch', 'merge.sbatch', 'cluster-plan.json', 'logs']) expect(existsSync(join(out, f))).toBe(true);
    const array = readFileSync(join(out, 'array.sbatch'), 'utf8');
    expect(array).toContain('#SBATCH --array=0-2\n');
    expect(array).toContain('#SBATCH --cpus-per-task=2\n');
    expect(array).toContain(`--shard "$task/3" --db "${out}/shard-$task-of-3.sqlite"`);
    expect(array).toContain('--set params.n=5 &');
    const plan = JSON.parse(readFileSync(join(out, 'cluster-plan.json'), 'utf8'));
    // noop-small: 3 colors x 3 seeds = 9 simulations of 3 sizes; shards of 3 simulations.
    expect(plan).toMatchObject({ study: 'noop-small', shardCount: 3, shardTrials: [9, 9, 9], jobs: null });
    expect(printed).toContain('Study noop-small: 27 trials in 9 simulation groups');
    expect(printed).toContain(`array=$(sbatch --parsable ${out}/array.sbatch)`);
  });

  it('with --submit, submits the array and then the merge after it', async () => {
    const bin = fakeSlurm(1001);
    const out = join(tempDir('slurm-cmd-'), 'noop');
    const { out: printed } = await slurm(bin, { out, 'array-size': '3', submit: true });
    expect(readFileSync(join(bin, 'calls'), 'utf8')).toBe(
      `--parsable ${out}/array.sbatch\n--parsable --dependency=afterany:41 ${out}/merge.sbatch\n`,
    );
    expect(JSON.parse(readFileSync(join(out, 'cluster-plan.json'), 'utf8')).jobs).toEqual({ array: '41', merge: '42' });
    expect(printed).toContain('Array job 41 (3 tasks), merge job 42');
  });

  it('packs the groups into the MaxArraySize the cluster reports', async () => {
    const out = join(tempDir('slurm-cmd-'), 'noop');
    await slurm(fakeSlurm(4), { out });
    expect(JSON.parse(readFileSync(join(out, 'cluster-plan.json'), 'utf8')).shardCount).toBe(4);
  });

  it('refuses what it cannot do, saying why and what to do instead', async () => {
    const base = tempDir('slurm-cmd-');
    const bin = fakeSlurm(8);
    expect(await inputError(slurm(bin, { out: join(base, 'a'), 'array-size': '9' }))).toBe(msg.arrayTooLarge(9, 8, 9));
    expect(await inputError(slurm(fakeSlurm(1001), { out: join(base, 'a'), 'array-size': '10' }))).toBe(msg.arrayLargerThanGrid(10, 9, 9));
    expect(await inputError(slurm(bin, { out: join(base, 'a'), partition: 'a;b' }))).toBe(msg.badPartition('a;b'));
    expect(await inputError(slurm(bin, { out: join(base, 'a'), time: '2h' }))).toBe(msg.badTime('2h'));
    const used = join(base, 'used');
    mkdirSync(used);
    new Database(join(used, 'shard-0-of-2.sqlite')).close();
    expect(await inputError(slurm(bin, { out: used, 'array-size': '3' }))).toBe(msg.folderHasOtherShards(used, [2], 3));
    // Shards of this cut, of the study with other settings: refused; with the same settings: resumed.
    const other = join(base, 'other');
    expect(await main(['run', study, '--set', 'seeds=2', '--shard', '0/3', '--db', join(other, 'shard-0-of-3.sqlite')], io(bin))).toBe(0);
    expect(await inputError(slurm(bin, { out: other, 'array-size': '3' }))).toBe(msg.folderHasOtherStudy(other, ['shard-0-of-3.sqlite']));
    expect(existsSync(join(other, 'cluster-plan.json'))).toBe(false);
    // Also under another cut: that they are another setup's comes first, as resuming their cut is no way out.
    expect(await inputError(slurm(bin, { out: other, 'array-size': '2' }))).toBe(msg.folderHasOtherStudy(other, ['shard-0-of-3.sqlite']));
    const same = join(base, 'same');
    expect(await main(['run', study, '--shard', '1/3', '--db', join(same, 'shard-1-of-3.sqlite')], io(bin))).toBe(0);
    expect((await slurm(bin, { out: same, 'array-size': '3' })).code).toBe(0);
    const noSlurm = tempDir('no-slurm-');
    expect(await inputError(slurm(noSlurm, { out: join(base, 'b'), 'array-size': '3', submit: true }))).toBe(msg.sbatchMissing());
    const refusing = fakeSlurm(8);
    writeFileSync(join(refusing, 'sbatch'), '#!/bin/sh\necho "sbatch: error: invalid partition specified: gpu" >&2\nexit 1\n');
    expect(await inputError(slurm(refusing, { out: join(base, 'c'), 'array-size': '3', submit: true }))).toBe(
      msg.sbatchFailed(join(base, 'c', 'array.sbatch'), 'sbatch: error: invalid partition specified: gpu\n', submitCommand(join(base, 'c', 'array.sbatch'), join(base, 'c', 'merge.sbatch'))),
    );
  });
});

describe("the run's options", () => {
  it('are passed on to every task (the script runs as written), and --task-timeout holds the pilot\'s groups too', async () => {
    const dir = tempDir('slurm-cmd-');
    const hangs = join(dir, 'hangs.yaml');
    writeFileSync(hangs, `name: hangs\nexperiment: ${join(root, 'test/fixtures/experiments/faulty.ts')}\nseeds: 1\naxes:\n  behavior: [ok, hang]\n  variant: [a, b]\n`);
    const out = join(dir, 'hangs');
    const io_ = io(fakeSlurm(1001));
    const args = { study: hangs, out, pilot: '2', 'array-size': '1', 'task-timeout': '0.5', 'max-failures': '5', 'worker-memory': '256' };
    expect(await slurmCommand.run(args, io_)).toBe(0);
    expect(io_.out()).toContain(globalMsg.pilotGroupStopped({ behavior: 'hang', replicate: 0, variant: 'a' }, 0.5, true));
    const array = readFileSync(join(out, 'array.sbatch'), 'utf8');
    expect(array).toContain('--threads "${SLURM_CPUS_PER_TASK:-1}" --task-timeout 0.5 --max-failures 5 --worker-memory 256 &\n');
    // Task 0 as Slurm would start it: the hanging group fails at the limit, the other is stored.
    const task = spawnSync('bash', [join(out, 'array.sbatch')], { env: { ...process.env, SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_JOB_ID: '7', NO_COLOR: '1' }, encoding: 'utf8', timeout: 60_000 });
    expect(task.status, task.stderr).toBe(1);
    const shard = new Database(join(out, 'shard-0-of-1.sqlite'), { readonly: true });
    const failures = shard.prepare('SELECT message AS error FROM failure').all() as { error: string }[];
    const stored = shard.prepare("SELECT COUNT(*) AS n FROM trial WHERE status = 'ok'").get() as { n: number };
    shard.close();
    expect(failures.length).toBe(2);
    for (const { error } of failures) expect(globalMsg.isTimeLimitError(error)).toBe(true);
    expect(stored.n).toBe(2);
  }, 60_000);
});

describe('status of a shard folder', () => {
  it('answers only for shard folders, with exit code 0 once every shard is done', async () => {
    const dir = tempDir('slurm-status-');
    const bin = fakeSlurm(1001);
    expect(shardFolderStatus(dir, false, io(bin))).toBeNull();
    expect(shardFolderStatus(join(dir, 'nothing.sqlite'), false, io(bin))).toBeNull();
    await slurm(bin, { out: dir, 'array-size': '3' });
    const before = io(bin);
    expect(shardFolderStatus(dir, false, before)).toBe(1);
    expect(before.out()).toContain('noop-small in');
    expect(before.out()).toContain('3 missing');
    for (const i of [0, 1, 2]) {
      const shard = ['run', study, '--shard', `${i}/3`, '--db', join(dir, `shard-${i}-of-3.sqlite`), '--threads', '1'];
      expect(await main(shard, { ...io(bin), argv: shard })).toBe(0);
    }
    const after = io(bin);
    expect(shardFolderStatus(dir, false, after)).toBe(0);
    expect(after.out()).toContain('All shards are done: ready to merge.');
  }, 30_000);

  it('reads the limit of tasks at once of a plan written before it was recorded from its array script', async () => {
    const dir = tempDir('slurm-old-plan-');
    const bin = fakeSlurm(1001);
    await slurm(bin, { out: dir, 'array-size': '3', parallel: '2' });
    const file = join(dir, 'cluster-plan.json');
    const { parallel, ...older } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(parallel).toBe(2);
    writeFileSync(file, JSON.stringify(older));
    expect(readPlanFile(dir)?.parallel).toBe(2);
    const watched = io(bin);
    shardFolderStatus(dir, true, watched);
    expect((JSON.parse(watched.out()) as { rerunCommand: string }).rerunCommand).toContain('--array=0-2%2 ');
  });

  it('refuses to submit again while the earlier submission has tasks in the queue', async () => {
    const dir = tempDir('slurm-twice-');
    const bin = fakeSlurm(1001);
    expect((await slurm(bin, { out: dir, 'array-size': '3', submit: true })).code).toBe(0);
    // The array's task 2 waits; written again without --submit, the plan no longer names the jobs.
    writeFileSync(join(bin, 'squeue'), `#!/bin/sh\necho "41|2|PENDING|Priority|${dir}/array.sbatch"\necho "7|N/A|RUNNING|None|/elsewhere/array.sbatch"\n`);
    chmodSync(join(bin, 'squeue'), 0o755);
    expect((await slurm(bin, { out: dir, 'array-size': '3' })).code).toBe(0);
    expect(await inputError(slurm(bin, { out: dir, 'array-size': '3', submit: true }))).toBe(msg.submissionQueued(dir, ['41']));
    // The merge job alone, still waiting: the same.
    writeFileSync(join(bin, 'squeue'), `#!/bin/sh\necho "42|N/A|PENDING|Dependency|${dir}/merge.sbatch"\n`);
    expect(await inputError(slurm(bin, { out: dir, 'array-size': '3', submit: true }))).toBe(msg.submissionQueued(dir, ['42']));
    // Once they have left the queue, a new submission is the user's to make.
    writeFileSync(join(bin, 'squeue'), '#!/bin/sh\n');
    expect((await slurm(bin, { out: dir, 'array-size': '3', submit: true })).code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'cluster-plan.json'), 'utf8')).jobs).toEqual({ array: '43', merge: '44' });
  });

  it('knows the array\'s tasks in the queue however their script path is spelt (a symlinked folder)', async () => {
    const dir = tempDir('slurm-status-');
    const bin = fakeSlurm(1001);
    await slurm(bin, { out: dir, 'array-size': '3' });
    const link = join(tempDir('slurm-status-link-'), 'folder');
    symlinkSync(dir, link);
    writeFileSync(join(bin, 'squeue'), `#!/bin/sh\necho "41|1|RUNNING|None|${link}/array.sbatch"\necho "41|2|PENDING|Resources|${dir}/array.sbatch"\necho "9|0|RUNNING|None|/elsewhere/array.sbatch"\n`);
    chmodSync(join(bin, 'squeue'), 0o755);
    const watched = io(bin);
    expect(shardFolderStatus(dir, true, watched)).toBe(1);
    const status = JSON.parse(watched.out()) as { shards: { state: string; waiting?: unknown }[]; rerun: number[] };
    expect(status.shards.map((shard) => shard.state)).toEqual(['missing', 'running', 'pending']);
    expect(status.shards[2]!.waiting).toEqual({ job: '41_2', reason: 'Resources' });
    expect(status.rerun).toEqual([0]);
  });
});
