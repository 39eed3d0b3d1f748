/**
 * Workers that die, with a real `harness run` process: a group that calls process.exit inside
 * its worker, one that hangs past --task-timeout, one that exhausts the worker's heap
 * (--worker-memory), and one that throws. The run goes on, those trials are `failed` with a
 * reason that says what happened, and `run` again retries exactly them: they fail the same way
 * while the fault persists (FAULTS_ARMED set), and come out byte-identical to a clean run once
 * it is gone.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as msg from '../../harness/messages.js';
import { runStudy } from '../../harness/run/run.js';
import { loadStudy } from '../../harness/study/study.js';
import { dumpResults, query, tempDir, writeStudy } from '../harness/helpers.js';
import { thrownMessage } from './fixtures/faults.js';
import { faultsModule, integrity, runHarness } from './helpers.js';
import { withoutProgress } from './interrupted-study.js';

const dir = tempDir('harness-workers-');
const db = 'workers.sqlite';
const argv = ['run', 'workers.yaml', '--threads', '2', '--task-timeout', '1', '--worker-memory', '64', '--db', db];
const armed = { FAULTS_ARMED: 'exit,hang,oom,throw' };

const expectedErrors: Record<string, string> = {
  none: '',
  exit: 'its worker died while running this group (worker exited with code: 7)',
  hang: 'timed out after 1000 ms (--task-timeout); its worker was stopped',
  oom:
    'its worker ran out of memory while running this group (Worker terminated due to reaching memory limit: JS heap out of memory); ' +
    'give workers more with --worker-memory, or make the group smaller',
  throw: thrownMessage,
};

interface Row {
  cell_index: number;
  fault: string;
  status: string;
  error: string | null;
  run_id: number;
}

const rows = () => query<Row>(join(dir, db), 'SELECT cell_index, fault, status, error, run_id FROM trial ORDER BY cell_index');
const failedCells = () => rows().filter((r) => r.status === 'failed').map((r) => r.cell_index);

let clean: ReturnType<typeof dumpResults>;

beforeAll(async () => {
  writeStudy(dir, 'workers.yaml', {
    name: 'workers',
    experiment: faultsModule,
    seeds: 2,
    axes: { fault: ['none', 'exit', 'hang', 'oom', 'throw'], part: ['a', 'b'] },
  });
  const study = await loadStudy(join(dir, 'workers.yaml'), { cwd: dir });
  await runStudy({ study, dbPath: join(dir, 'clean.sqlite'), threads: 2, shard: null, commandLine: 'clean' });
  clean = dumpResults(join(dir, 'clean.sqlite'));
});

describe('workers that exit, hang, run out of memory or throw', () => {
  it('fail only their own trials, with a reason; the run goes on and exits 1', async () => {
    const first = await runHarness(argv, { cwd: dir, env: armed });
    expect(first.code).toBe(1);
    // Four trials fail each way: the summary quotes the first error of the tie, in the database's order.
    const quoted = Object.values(expectedErrors).filter(Boolean).sort()[0];
    expect(first.stdout).toContain(`Finished: 4 trials ok, 16 failed (4 of them with: ${JSON.stringify(quoted)}; all of them: "harness export workers.sqlite --table failures") in `);
    for (const row of rows()) {
      expect({ fault: row.fault, status: row.status, error: row.error ?? '' }).toEqual({
        fault: row.fault,
        status: row.fault === 'none' ? 'ok' : 'failed',
        error: expectedErrors[row.fault],
      });
    }
    const failures = query<{ message: string; stack: string | null }>(join(dir, db), 'SELECT message, stack FROM failure');
    expect(failures).toHaveLength(16);
    expect(failures.filter((f) => f.message === thrownMessage).every((f) => f.stack?.includes('faults.ts'))).toBe(true);
    expect(integrity(join(dir, db))).toBe('ok');
  });

  it('retries exactly the failed trials; a persistent fault fails them again the same way', async () => {
    const failedBefore = failedCells();
    const okBefore = rows().filter((r) => r.status === 'ok');
    const again = await runHarness(argv, { cwd: dir, env: armed });
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(msg.runStarting('workers', 16, 20, 4, 2, null, db));
    expect(failedCells()).toEqual(failedBefore);
    expect(rows().filter((r) => r.status === 'ok')).toEqual(okBefore);
    expect(rows().filter((r) => r.status === 'failed').every((r) => r.run_id === 2 && r.error === expectedErrors[r.fault])).toBe(true);
    expect(query(join(dir, db), 'SELECT count(*) AS n FROM failure')).toEqual([{ n: 32 }]);
  });

  it('heals a transient fault: the retried trials succeed, byte-identical to a clean run', async () => {
    const healed = await runHarness(argv, { cwd: dir });
    expect({ code: healed.code, stderr: withoutProgress(healed.stderr) }).toEqual({ code: 0, stderr: '' });
    expect(healed.stdout).toContain(msg.runStarting('workers', 16, 20, 4, 2, null, db));
    expect(rows().every((r) => r.status === 'ok' && r.run_id === (r.fault === 'none' ? 1 : 3))).toBe(true);
    const dump = dumpResults(join(dir, db));
    expect(dump.trials).toBe(clean.trials);
    expect(dump.curves).toBe(clean.curves);
    const done = await runHarness(argv, { cwd: dir, env: armed });
    expect(done).toMatchObject({ code: 0, stdout: `${msg.runNothingToDo(20, db, null)}\n` });
  });
});
