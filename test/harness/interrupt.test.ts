/**
 * A real `harness run` process interrupted (SIGINT: clean stop; SIGKILL: no chance to clean up)
 * and then resumed ends with the same bytes as an uninterrupted run, nothing lost that was
 * committed, and a sound database.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runStudy } from '../../harness/run/run.js';
import { loadStudy } from '../../harness/study/study.js';
import { cli, dumpResults, noopStudy, query, root, tempDir, writeStudy } from './helpers.js';

const dir = tempDir();
const studyFile = join(dir, 'interrupt.yaml');
let reference: ReturnType<typeof dumpResults>;

beforeAll(async () => {
  writeStudy(dir, 'interrupt.yaml', noopStudy({ name: 'interrupt', seeds: 60, params: { n: 3, delay_ms: 8 } }));
  const study = await loadStudy(studyFile, { cwd: dir });
  await runStudy({ study, dbPath: join(dir, 'reference.sqlite'), threads: 2, shard: null, commandLine: 'reference' });
  reference = dumpResults(join(dir, 'reference.sqlite'));
  expect(reference.trialCount).toBe(540);
});

function saved(db: string): number {
  try {
    return query<{ n: number }>(db, 'SELECT count(*) AS n FROM trial')[0]!.n;
  } catch {
    return 0;
  }
}

/** Starts `harness run` as a child, sends `signal` once `atLeast` trials are committed. */
async function interruptedRun(db: string, signal: NodeJS.Signals, atLeast: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'harness/cli/main.ts'), 'run', studyFile, '--threads', '2', '--db', db], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, sig) => resolve({ code, signal: sig })),
  );
  let savedAtSignal = -1;
  const poll = setInterval(() => {
    const n = saved(db);
    if (n >= atLeast && savedAtSignal < 0) {
      savedAtSignal = n;
      child.kill(signal);
    }
  }, 10);
  const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
  try {
    const result = await exited;
    return { ...result, stderr, savedAtSignal };
  } finally {
    clearInterval(poll);
    clearTimeout(timer);
  }
}

describe('interrupted runs', () => {
  it('SIGINT: stops cleanly with exit 130 and a resume command; the resumed run gives the same bytes', async () => {
    const db = join(dir, 'sigint.sqlite');
    const result = await interruptedRun(db, 'SIGINT', 60);
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/Interrupted by SIGINT: (\d+) of 540 trials are saved in .*sigint\.sqlite; trials in flight were dropped\. Resume with: npx harness run /);
    const kept = Number(/: (\d+) of 540 trials are saved/.exec(result.stderr)![1]);
    expect(kept).toBeGreaterThanOrEqual(result.savedAtSignal);
    expect(kept).toBeLessThan(540);
    expect(saved(db)).toBe(kept);
    expect(query(db, 'SELECT status FROM run')).toEqual([{ status: 'interrupted' }]);
    const resumed = await cli(['run', studyFile, '--threads', '2', '--db', db], dir);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`Running interrupt: ${540 - kept} of 540 trials`);
    const dump = dumpResults(db);
    expect(dump.trials).toBe(reference.trials);
    expect(dump.curves).toBe(reference.curves);
  });

  it('SIGKILL: loses at most the uncommitted batch; the stale run is cleared; the resumed run gives the same bytes', async () => {
    const db = join(dir, 'sigkill.sqlite');
    const result = await interruptedRun(db, 'SIGKILL', 100);
    expect(result.signal).toBe('SIGKILL');
    const kept = saved(db);
    expect(kept).toBeGreaterThanOrEqual(result.savedAtSignal);
    expect(kept).toBeLessThan(540);
    expect(query(db, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(query(db, 'SELECT status FROM run')).toEqual([{ status: 'running' }]);
    // Its heartbeat is still fresh, but its process is gone: status does not call it writing.
    const status = await cli(['status', db, '--json'], dir);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: false });
    const resumed = await cli(['run', studyFile, '--threads', '2', '--db', db], dir);
    expect(resumed.code).toBe(0);
    expect(query(db, 'SELECT status FROM run ORDER BY id')).toEqual([{ status: 'killed' }, { status: 'done' }]);
    const dump = dumpResults(db);
    expect(dump.trials).toBe(reference.trials);
    expect(dump.curves).toBe(reference.curves);
    expect(query(db, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  });
});
