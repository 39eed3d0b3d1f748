/**
 * End to end on a real Slurm (one node on localhost, started by scripts/slurm/start.sh): a
 * study submitted as a 4-task array plus a merge job gives the same trial and curve rows and
 * the same report bytes as one machine; a task killed half way is rerun alone and the merge
 * is whole again; a task near its time limit requeues itself and resumes its shard.
 *
 * Skipped, with the reason printed, where Slurm cannot be started (not root, no apt).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readShardSnapshot } from '../../harness/cluster/shard-status.js';
import { dumpResults, query, reportFiles, tempDir } from '../harness/helpers.js';
import { startLocalSlurm, type LocalSlurm } from './local-slurm.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (name: string) => join(root, 'test/fixtures/cluster', name);

let slurm: LocalSlurm | null = null;
let unavailable = '';

beforeAll(async () => {
  const started = await startLocalSlurm();
  if ('cluster' in started) slurm = started.cluster;
  else {
    unavailable = started.unavailable;
    console.warn(`Slurm end-to-end tests skipped: ${unavailable}`);
  }
}, 240_000);

afterAll(() => slurm?.stop(), 120_000);

function harness(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(process.execPath, [join(root, 'bin/harness.mjs'), ...args], { cwd: root, env, encoding: 'utf8', timeout: 240_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function sh(command: string, env: NodeJS.ProcessEnv): string {
  const result = spawnSync('bash', ['-c', command], { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} failed (${result.status}): ${result.stderr}`);
  return result.stdout.trim();
}

/** Waits until none of the jobs is in the queue (polling, as `sbatch --wait` checks only every few seconds). */
async function waitForJobs(ids: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (sh(`squeue -h -o %i -j ${ids.join(',')} 2>/dev/null || true`, env) !== '') {
    if (Date.now() > deadline) throw new Error(`jobs ${ids.join(',')} still queued after ${timeoutMs} ms:\n${sh('squeue', env)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Trials shard `index` of 4 has stored so far (0 before its file exists). */
function storedBy(out: string, index: number): number {
  const shard = join(out, `shard-${index}-of-4.sqlite`);
  return existsSync(shard) ? readShardSnapshot(shard, { index, count: 4 }, new Date()).ok : 0;
}

/** Waits until shard `index` of 4 has stored a trial; its database's path. */
async function untilStored(out: string, index: number): Promise<string> {
  await until(`shard ${index} to store a trial`, () => storedBy(out, index) > 0, 60_000);
  return join(out, `shard-${index}-of-4.sqlite`);
}

/** The statuses of a database's runs, oldest first. */
function runStatuses(db: string): string[] {
  return query<{ status: string }>(db, 'SELECT status FROM run ORDER BY id').map((r) => r.status);
}

/** slow.yaml run on one machine, once for the tests that compare against it. */
let slowReference: ReturnType<typeof dumpResults> | null = null;
function slowOnOneMachine(): ReturnType<typeof dumpResults> {
  if (!slowReference) {
    const db = join(tempDir('slurm-reference-'), 'single.sqlite');
    const single = harness(['run', fixture('slow.yaml'), '--db', db, '--threads', '2']);
    expect(single.code, single.stderr).toBe(0);
    slowReference = dumpResults(db);
  }
  return slowReference;
}

/** `harness slurm --submit --json`: the plan and the two job ids. */
function submit(study: string, out: string, extra: string[], env: NodeJS.ProcessEnv) {
  const r = harness(['slurm', study, '--out', out, '--array-size', '4', '--cpus-per-task', '1', '--pilot', '0', '--submit', '--json', ...extra], env);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const parsed = JSON.parse(r.stdout) as { tasks: number; jobs: { array: string; merge: string } };
  expect(parsed.tasks).toBe(4);
  return parsed.jobs;
}

describe('a study on Slurm', () => {
  it('as a 4-task array plus merge job gives the bytes of one machine', async (ctx) => {
    if (!slurm) return ctx.skip(unavailable);
    const { env } = slurm;
    const work = tempDir('slurm-e2e-');

    const t0 = performance.now();
    const single = harness(['run', fixture('tiny.yaml'), '--db', join(work, 'single.sqlite'), '--threads', '1']);
    expect(single.code, single.stderr).toBe(0);
    const report = harness(['report', join(work, 'single.sqlite'), '--out', join(work, 'single-report')]);
    expect(report.code, report.stderr).toBe(0);
    const singleMs = performance.now() - t0;

    const out = join(work, 'cluster');
    const t1 = performance.now();
    const jobs = submit(fixture('tiny.yaml'), out, [], env);
    await waitForJobs([jobs.array, jobs.merge], env, 240_000);
    const clusterMs = performance.now() - t1;
    console.log(`cluster-tiny: one machine (run + report, 1 thread) ${(singleMs / 1000).toFixed(1)} s; ` +
      `Slurm 4-task array + merge job, submit to merged report ${(clusterMs / 1000).toFixed(1)} s`);

    const log = readFileSync(join(out, 'logs/merge.out'), 'utf8');
    expect(existsSync(join(out, 'cluster-tiny.sqlite')), log).toBe(true);
    expect(dumpResults(join(out, 'cluster-tiny.sqlite'))).toEqual(dumpResults(join(work, 'single.sqlite')));
    const clusterReport = reportFiles(join(out, 'report'));
    expect(clusterReport.size).toBeGreaterThan(0);
    expect(clusterReport).toEqual(reportFiles(join(work, 'single-report')));

    const status = harness(['status', out], env);
    expect(status.code, status.stdout).toBe(0);
    expect(status.stdout).toContain('4 shards, 4 done');
  }, 360_000);

  it('reruns a task killed half way alone, and the merge is whole again', async (ctx) => {
    if (!slurm) return ctx.skip(unavailable);
    const { env } = slurm;
    const work = tempDir('slurm-kill-');
    const out = join(work, 'cluster');
    const jobs = submit(fixture('slow.yaml'), out, [], env);

    // Kill shard 1's harness (SIGKILL, by the pid its run row records) once it has stored some trials.
    const shard1 = await untilStored(out, 1);
    const [{ pid }] = query<{ pid: number }>(shard1, `SELECT pid FROM run WHERE status = 'running' ORDER BY id DESC LIMIT 1`) as [{ pid: number }];
    process.kill(pid, 'SIGKILL');
    await until('the killed harness to be gone', () => !existsSync(`/proc/${pid}`), 10_000);
    const storedBeforeKill = storedBy(out, 1);
    await waitForJobs([jobs.array, jobs.merge], env, 120_000);

    // The other shards finished; the merge job stopped and named the command that reruns shard 1 alone.
    expect(existsSync(join(out, 'cluster-slow.sqlite'))).toBe(false);
    const mergeLog = readFileSync(join(out, 'logs/merge.out'), 'utf8');
    expect(mergeLog).toMatch(/shard 1: unfinished\s+\d+\/8 trials/);
    const rerun = /^ {2}(array=\$\(sbatch --parsable --array=1 .*)$/m.exec(mergeLog)?.[1];
    expect(rerun, mergeLog).toBeDefined();
    expect(storedBeforeKill).toBeLessThan(8);

    const mergeJob = sh(`${rerun!.replace('&& sbatch ', '&& sbatch --parsable ')}`, env);
    await waitForJobs([mergeJob], env, 120_000);
    const merged = join(out, 'cluster-slow.sqlite');
    expect(existsSync(merged), readFileSync(join(out, 'logs/merge.out'), 'utf8')).toBe(true);

    expect(dumpResults(merged)).toEqual(slowOnOneMachine());
    // The rerun resumed: the trials stored before the kill were not computed again.
    const [{ n: firstRunTrials }] = query<{ n: number }>(shard1, 'SELECT COUNT(*) AS n FROM trial WHERE run_id = (SELECT MIN(id) FROM run)') as [{ n: number }];
    expect(runStatuses(shard1)).toEqual(['killed', 'done']);
    expect(firstRunTrials).toBe(storedBeforeKill);
  }, 360_000);

  it('a task cancelled (SIGTERM, as scancel and preemption send it) commits, stops, and is not requeued', async (ctx) => {
    if (!slurm) return ctx.skip(unavailable);
    const { env } = slurm;
    const work = tempDir('slurm-cancel-');
    const out = join(work, 'cluster');
    const jobs = submit(fixture('slow.yaml'), out, [], env);

    const shard3 = await untilStored(out, 3);
    sh(`scancel ${jobs.array}_3`, env);
    await waitForJobs([jobs.array, jobs.merge], env, 180_000);

    // The harness stopped cleanly (a clean stop is 'interrupted'; a kill would be found 'running'),
    // and ran once: nothing requeued it.
    const [{ stored }] = query<{ stored: number }>(shard3, 'SELECT COUNT(*) AS stored FROM trial') as [{ stored: number }];
    expect(runStatuses(shard3)).toEqual(['interrupted']);
    expect(stored).toBeGreaterThan(0);
    expect(readFileSync(join(out, 'logs/shard-3.out'), 'utf8')).not.toContain('requeueing');
    // The merge job then names the shard as unfinished, and writes no partial merge.
    expect(existsSync(join(out, 'cluster-slow.sqlite'))).toBe(false);
    expect(readFileSync(join(out, 'logs/merge.out'), 'utf8')).toMatch(new RegExp(`shard 3: unfinished\\s+${stored}/\\d+ trials`));
  }, 360_000);

  it('a task near its time limit commits, requeues itself and resumes its shard', async (ctx) => {
    if (!slurm) return ctx.skip(unavailable);
    const { env } = slurm;
    const work = tempDir('slurm-requeue-');
    const out = join(work, 'cluster');
    const jobs = submit(fixture('slow.yaml'), out, ['--time', '10'], env);

    const shard2 = await untilStored(out, 2);
    // What Slurm sends 60 s before the limit (--signal=B:USR1@60), sent now.
    sh(`scancel --batch --signal=USR1 ${jobs.array}_2`, env);
    await until('task 2 to requeue itself', () => sh(`squeue -h -r -o '%K %T %r' -j ${jobs.array}`, env).includes('2 PENDING BeginTime'), 60_000);
    // status says why the shard waits, as the queue does.
    const waiting = harness(['status', out, '--json'], env);
    const shard = (JSON.parse(waiting.stdout) as { shards: { index: number; state: string; waiting?: unknown }[] }).shards[2];
    expect(shard).toMatchObject({ index: 2, state: 'pending', waiting: { job: `${jobs.array}_2`, reason: 'BeginTime' } });
    expect(harness(['status', out], env).stdout).toMatch(/shard 2: pending +\d+\/\d+ trials; Slurm: BeginTime\n/);
    // A requeued task may start again about two minutes later, once the credential of its last
    // start has expired. Start it now instead, but in a later second than the one in which that
    // credential was revoked (Slurm compares them in whole seconds).
    await new Promise((r) => setTimeout(r, 2000));
    sh(`scontrol update jobid=${jobs.array}_2 StartTime=now`, env);
    await waitForJobs([jobs.array, jobs.merge], env, 180_000);

    const merged = join(out, 'cluster-slow.sqlite');
    expect(existsSync(merged), readFileSync(join(out, 'logs/merge.out'), 'utf8')).toBe(true);
    expect(dumpResults(merged)).toEqual(slowOnOneMachine());
    expect(runStatuses(shard2)).toEqual(['interrupted', 'done']);
    expect(readFileSync(join(out, 'logs/shard-2.out'), 'utf8')).toContain(`requeueing ${jobs.array}_2`);
  }, 360_000);
});
