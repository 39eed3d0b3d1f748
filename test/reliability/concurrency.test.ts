/**
 * Several processes on one database. A second `harness run` refuses with a message naming the
 * run that holds the database (pid, host, start time) — never "database is locked", never a
 * stack trace, never mixed rows. Runs started at the same instant on a new file (worker threads
 * released together) create, seal and register it exactly once. A lock left by a SIGKILLed run
 * is cleared by the next. `status`, `export` and `report` read consistent snapshots while a run
 * writes, and leave the study one file when all have closed; a write lock that another program
 * holds too long is reported as such.
 */
import Database from 'better-sqlite3';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import * as msg from '../../harness/messages.js';
import { collectProvenance } from '../../harness/run/provenance.js';
import { openForStudy, runStudy } from '../../harness/run/run.js';
import { busyTimeoutMs } from '../../harness/store/store.js';
import { beginRun } from '../../harness/store/runs.js';
import { loadStudy } from '../../harness/study/study.js';
import { cli, harnessOutside, query, root, tempDir, writeStudy } from '../harness/helpers.js';
import { delayVariable } from './fixtures/faults.js';
import {
  checkAgainstReference,
  committedTrials,
  faultsModule,
  pollUntil,
  readReference,
  runHarness,
  runStatuses,
  slow,
  startHarness,
  type Reference,
} from './helpers.js';
import { withoutProgress } from './interrupted-study.js';

const dir = tempDir('harness-concurrency-');
const studyFile = 'shared.yaml';
/** 300 groups of 2 trials, 15 ms each: about 2.5 s on 2 threads. */
const cells = 600;
const argv = (db: string) => ['run', studyFile, '--threads', '2', '--db', db];
/** A run a test acts on while it runs: 100 ms more per group (about 17 s in all), however busy the machine. */
const held = { cwd: dir, env: { [delayVariable]: '100' } };
let reference: Reference;

beforeAll(async () => {
  writeStudy(dir, studyFile, { name: 'shared', experiment: faultsModule, seeds: 300, axes: { part: ['a', 'b'] }, params: { rows: 3, delay_ms: 15 } });
  const study = await loadStudy(join(dir, studyFile), { cwd: dir });
  await runStudy({ study, dbPath: join(dir, 'reference.sqlite'), threads: 8, shard: null, commandLine: 'reference' });
  reference = readReference(join(dir, 'reference.sqlite'));
});

function firstRun(db: string): { id: number; pid: number; host: string; started_at: string } {
  return query<{ id: number; pid: number; host: string; started_at: string }>(join(dir, db), 'SELECT id, pid, host, started_at FROM run ORDER BY id')[0]!;
}

describe('two runs on one database', () => {
  it('the second refuses, naming the first (pid, host, start time); a SIGKILLed first is cleared by the next', async () => {
    const db = 'two.sqlite';
    const first = startHarness(argv(db), held);
    expect(await first.waitForStdout(/^Running /m)).not.toBeNull();
    const second = await runHarness(argv(db), { cwd: dir });
    const holder = firstRun(db);
    expect(holder).toMatchObject({ id: 1, pid: first.pid, host: hostname() });
    expect({ code: second.code, stdout: second.stdout, stderr: second.stderr }).toEqual({
      code: 2,
      stdout: '',
      stderr: `${msg.dbBusy(db, { id: 1, pid: first.pid, host: hostname(), startedAt: holder.started_at })}\n`,
    });
    expect(runStatuses(join(dir, db))).toEqual(['running']);

    // The holder dies without a chance to clean up; its row still says "running".
    await pollUntil(() => committedTrials(join(dir, db)), (n) => n > 0, () => false);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(runStatuses(join(dir, db))).toEqual(['running']);
    const third = await runHarness(argv(db), { cwd: dir });
    expect({ code: third.code, stderr: withoutProgress(third.stderr) }).toEqual({ code: 0, stderr: '' });
    expect(runStatuses(join(dir, db))).toEqual(['killed', 'done']);
    expect(checkAgainstReference(join(dir, db), reference)).toEqual({ problems: [], trials: cells });
  });

  it('a run stopped past its heartbeat (Ctrl-Z) and taken over writes nothing more once it resumes, and says why', async () => {
    const db = 'paused.sqlite';
    const paused = startHarness(argv(db), held);
    expect(await paused.waitForStdout(/^Running /m)).not.toBeNull();
    await pollUntil(() => committedTrials(join(dir, db)), (n) => n > 0, () => false);
    // What the next run does to a holder silent past the heartbeat's limit: marks it killed and
    // registers itself. Stopped inside a commit, the holder keeps the write lock: let it finish.
    for (let attempt = 0; ; attempt++) {
      paused.child.kill('SIGSTOP');
      const handle = new Database(join(dir, db), { timeout: 200 });
      try {
        handle.transaction(() => {
          handle.prepare(`UPDATE run SET status = 'killed' WHERE id = 1`).run();
          const stamp = new Date().toISOString();
          handle
            .prepare(`INSERT INTO run (started_at, heartbeat_at, status, node_version, cpu_model, threads, command_line, host, pid) VALUES (?, ?, 'running', 'v20', 'cpu', 1, 'the other run', ?, ?)`)
            .run(stamp, stamp, hostname(), process.pid);
        })();
        break;
      } catch (thrown) {
        if (attempt > 20 || !String((thrown as { code?: string }).code).startsWith('SQLITE_BUSY')) throw thrown;
        paused.child.kill('SIGCONT');
        await new Promise((r) => setTimeout(r, 20));
      } finally {
        handle.close();
      }
    }
    const stored = committedTrials(join(dir, db));
    paused.child.kill('SIGCONT');
    const exit = await paused.exited;
    expect({ code: exit.code, stderr: withoutProgress(exit.stderr) }).toEqual({ code: 2, stderr: `${msg.runTakenOver(db, 1)}\n` });
    expect(committedTrials(join(dir, db))).toBe(stored);
    expect(stored).toBeLessThan(cells);
    expect(runStatuses(join(dir, db))).toEqual(['killed', 'running']);
  });

  it('a database moved away while a run writes it stops the run, which says where its results are; moved back, it resumes to the same rows', async () => {
    const db = 'moved.sqlite';
    const run = startHarness(argv(db), held);
    expect(await run.waitForStdout(/^Running /m)).not.toBeNull();
    await pollUntil(() => committedTrials(join(dir, db)), (n) => n > 0, () => false);
    renameSync(join(dir, db), join(dir, 'moved-away.sqlite'));
    const exit = await run.exited;
    // Found within a heartbeat (5 s), while the run still has trials to compute.
    expect({ code: exit.code, stderr: withoutProgress(exit.stderr) }).toEqual({ code: 2, stderr: `${msg.dbGoneDuringRun(join(dir, db), 'missing')}\n` });
    expect(exit.stdout).not.toContain('Finished');
    // SQLite writes no more to a moved file, so its -wal stays at the old path: removed, lest it damage a file put there.
    expect([existsSync(join(dir, `${db}-wal`)), existsSync(join(dir, `${db}-shm`))]).toEqual([false, false]);
    expect(query<{ integrity_check: string }>(join(dir, 'moved-away.sqlite'), 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    renameSync(join(dir, 'moved-away.sqlite'), join(dir, db));
    expect((await runHarness(argv(db), { cwd: dir })).code).toBe(0);
    expect(checkAgainstReference(join(dir, db), reference).problems).toEqual([]);
  });

  it('--fresh refuses to move a database from under a live run', async () => {
    const db = 'fresh.sqlite';
    const holder = startHarness(argv(db), held);
    expect(await holder.waitForStdout(/^Running /m)).not.toBeNull();
    const fresh = await runHarness([...argv(db), '--fresh'], { cwd: dir });
    const run = firstRun(db);
    expect({ code: fresh.code, stderr: fresh.stderr }).toEqual({
      code: 2,
      stderr: `${msg.dbBusy(db, { id: 1, pid: holder.pid, host: hostname(), startedAt: run.started_at })}\n`,
    });
    holder.child.kill('SIGINT');
    expect((await holder.exited).code).toBe(130);
    expect(existsSync(join(dir, db))).toBe(true);
    expect(checkAgainstReference(join(dir, db), reference).problems).toEqual([]);
  });

  it("--fresh stopped by Ctrl-C while it waits for another host's run: exit 130, nothing moved, and the command that starts over", async () => {
    const db = 'fresh-waiting.sqlite';
    expect((await runHarness(argv(db), { cwd: dir })).code).toBe(0);
    const silentSince = new Date(Date.now() - 30_000).toISOString();
    const handle = new Database(join(dir, db));
    handle.prepare(`INSERT INTO run (started_at, heartbeat_at, status, node_version, cpu_model, threads, command_line, host, pid) VALUES (?, ?, 'running', 'v20', 'cpu', 1, 'harness run', 'elsewhere', 4242)`).run(silentSince, silentSince);
    handle.close();
    const fresh = startHarness([...argv(db), '--fresh'], { cwd: dir });
    expect(await fresh.waitForStdout(/another host cannot be checked/)).not.toBeNull();
    fresh.child.kill('SIGINT');
    const exit = await fresh.exited;
    expect(exit.code).toBe(130);
    expect(exit.stderr).toBe(`${msg.runStoppedBeforeFresh('SIGINT', db, `${harnessOutside} ${argv(db).join(' ')} --fresh`)}\n`);
    expect(runStatuses(join(dir, db))).toEqual(['done', 'running']);
    expect(checkAgainstReference(join(dir, db), reference).problems).toEqual([]);
  });

  it('runs started at the same instant on a new file create, seal and register it exactly once', async () => {
    const threads = 4;
    const rounds = slow ? 200 : 40;
    const gate = new Int32Array(new SharedArrayBuffer(4));
    const outcomes = new Map<number, string[]>();
    const workers = Array.from(
      { length: threads },
      () =>
        new Worker(join(root, 'test', 'reliability', 'fixtures', 'open-race-worker.mjs'), {
          workerData: { dir, studyFile: join(dir, studyFile), rounds, gate: gate.buffer },
        }),
    );
    try {
      let ready = 0;
      const roundDone = new Map<number, () => void>();
      for (const worker of workers) {
        worker.on('message', (m: { ready?: boolean; round?: number; outcome?: string }) => {
          if (m.ready) ready++;
          else {
            const list = outcomes.get(m.round!) ?? [];
            list.push(m.outcome!);
            outcomes.set(m.round!, list);
            if (list.length === threads) roundDone.get(m.round!)?.();
          }
        });
        worker.on('error', (error) => {
          throw error;
        });
      }
      await pollUntil(() => ready, (n) => n === threads, () => false, 20);
      for (let round = 1; round <= rounds; round++) {
        const done = new Promise<void>((resolve) => roundDone.set(round, resolve));
        Atomics.store(gate, 0, round);
        Atomics.notify(gate, 0);
        await done;
      }
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
    for (let round = 1; round <= rounds; round++) {
      const path = join(dir, `race-${round}.sqlite`);
      const winner = query<{ started_at: string }>(path, 'SELECT started_at FROM run')[0]!;
      const busy = `InputError: ${msg.dbBusy(path, { id: 1, pid: process.pid, host: hostname(), startedAt: winner.started_at })}`;
      expect({ round, outcomes: outcomes.get(round)!.sort() }).toEqual({ round, outcomes: [...Array<string>(threads - 1).fill(busy), 'registered'].sort() });
      expect(query(path, 'SELECT count(*) AS studies FROM study')).toEqual([{ studies: 1 }]);
      expect(query(path, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    }
  });
});

describe('readers while a run writes', () => {
  it('status, export and report see consistent snapshots, with no errors', async () => {
    const db = 'read.sqlite';
    const writer = startHarness(argv(db), { cwd: dir });
    let finished = false;
    void writer.exited.then(() => (finished = true));
    expect(await writer.waitForStdout(/^Running /m)).not.toBeNull();
    let statuses = 0;
    let exports = 0;
    let reports = 0;
    let lastOk = 0;
    const seen = new Set<number>();
    while (!finished) {
      // status through the CLI in this process (many snapshots), and now and then as a process of its own.
      const status = statuses % 10 === 9 ? await runHarness(['status', db, '--json'], { cwd: dir }) : await cli(['status', db, '--json'], dir);
      const s = JSON.parse(status.stdout) as { cells: number; ok: number; failed: number; missing: number; runs: { trialsDone: number }[] };
      // Exit 1 while trials are missing (or failed), 0 once every one is stored ok.
      expect({ code: status.code, stderr: status.stderr }).toEqual({ code: s.missing + s.failed > 0 ? 1 : 0, stderr: '' });
      expect(s.ok + s.failed + s.missing).toBe(cells);
      expect(s.runs).toHaveLength(1);
      expect(s.runs[0]!.trialsDone).toBe(s.ok);
      expect(s.ok).toBeGreaterThanOrEqual(lastOk);
      lastOk = s.ok;
      seen.add(s.ok);
      statuses++;

      // export too: one header and whole rows, at least as many as status saw committed.
      const exported = await cli(['export', db, '--format', 'csv'], dir);
      // Nothing else said but, while trials are missing, that the export is of an incomplete study.
      expect(exported.code).toBe(0);
      expect(exported.stderr).toMatch(/^(warning: [^\n]*holds \d+ successful trials of the study's \d+ [^\n]*, so this export is of an incomplete study[^\n]*\n)?$/);
      const lines = exported.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^cell_index,/);
      expect(lines.length - 1).toBeGreaterThanOrEqual(s.ok + s.failed);
      exports++;

      const out = join(dir, `report-${reports}`);
      const report = await cli(['report', db, '--out', out], dir);
      const reportStderr = report.stderr.replace(/^.*load trials.*\n/gm, '');
      // Before the first trial is committed there is nothing to report; after it, the report of
      // the unfinished run says so (last, on stderr), and nothing else is said.
      if (report.code === 2) {
        expect(reportStderr).toBe(`${msg.reportNoTrials(db, 'shared', cells, msg.reportNext.running(db))}\n`);
        continue;
      }
      expect(report.code).toBe(0);
      const snapshot = JSON.parse(readFileSync(join(out, 'snapshot.json'), 'utf8')) as {
        trials: number;
        ok: number;
        trialGroups: string[];
        curveGroups: string[];
        curveRows: number;
        runs: { done: number }[];
      };
      expect(snapshot.curveGroups).toEqual(snapshot.trialGroups);
      expect(snapshot.trials).toBe(2 * snapshot.trialGroups.length);
      expect(snapshot.curveRows).toBe(3 * snapshot.curveGroups.length);
      expect(snapshot.runs.map((r) => r.done)).toEqual([snapshot.ok]);
      const partial = snapshot.trials < cells ? `\n${msg.reportPartial(db, 'shared', snapshot.trials, cells, msg.reportNext.running(db))}\n` : '';
      expect(reportStderr).toBe(partial);
      reports++;
    }
    const exit = await writer.exited;
    expect({ code: exit.code, stderr: withoutProgress(exit.stderr) }).toEqual({ code: 0, stderr: '' });
    // Writer and readers all closed: the study is one file again. (Checked first: the read-only
    // connection below makes SQLite create both files again.)
    expect(['-wal', '-shm'].filter((suffix) => existsSync(join(dir, `${db}${suffix}`)))).toEqual([]);
    expect(checkAgainstReference(join(dir, db), reference)).toEqual({ problems: [], trials: cells });
    // The readers saw the run in progress, not just its start or its end.
    expect(seen.size).toBeGreaterThanOrEqual(3);
    console.log(`readers during one run: ${statuses} status, ${exports} export and ${reports} report snapshots, ${seen.size} distinct counts, all consistent`);
  });
});

describe('a write lock another program holds', () => {
  it('becomes a message that says so, not a "database is locked" trace', async () => {
    const study = await loadStudy(join(dir, studyFile), { cwd: dir });
    const path = join(dir, 'locked.sqlite');
    openForStudy(study, path, 'fresh', new Date()).close();
    const holder = new Database(path);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const store = openForStudy(study, path, 'fresh', new Date());
      store.db.pragma('busy_timeout = 50');
      try {
        const provenance = collectProvenance({ threads: 1, shard: null, commandLine: 'locked' });
        expect(() => beginRun(store, provenance, 'running', new Date())).toThrow(msg.dbLocked(path, busyTimeoutMs / 1000));
      } finally {
        store.close();
      }
      if (slow) {
        // The real thing: a `harness run` process waits out the whole busy timeout, then says why it stops.
        const result = await runHarness(argv('locked.sqlite'), { cwd: dir });
        expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({
          code: 2,
          stdout: '',
          stderr: `${msg.dbLocked('locked.sqlite', busyTimeoutMs / 1000)}\n`,
        });
      }
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });
});
