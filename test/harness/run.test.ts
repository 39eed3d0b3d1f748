/**
 * The engine end to end, in process: identical bytes for any thread count and for shards
 * merged, failure isolation (throws, worker crashes, hangs, bad values), early stop, resume,
 * and --fresh.
 */
import Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import * as msg from '../../harness/messages.js';
import { compiledModule } from '../../harness/pool/compile.js';
import { GroupPool } from '../../harness/pool/pool.js';
import { planStudy } from '../../harness/run/plan.js';
import { collectProvenance } from '../../harness/run/provenance.js';
import { runStudy, type RunOptions } from '../../harness/run/run.js';
import { staleAfterMs } from '../../harness/store/runs.js';
import { databaseStatus } from '../../harness/run/status.js';
import { formatStatus } from '../../harness/cli/format.js';
import { hostname } from 'node:os';
import { groupsOfBlock } from '../../harness/run/tasks.js';
import { mergeDatabases } from '../../harness/store/merge.js';
import { loadStudy, type Study } from '../../harness/study/study.js';
import { faultMessage } from '../fixtures/experiments/faulty.js';
import { dumpResults, faultyModule, fixtures, noopStudy, query, tempDir, writeStudy } from './helpers.js';

const dir = tempDir();
const provenance = collectProvenance({ threads: 0, shard: null, commandLine: 'test merge' });
const now = () => new Date();

/** 4 colours x 2 n x 12 replicates x 4 sizes = 384 cells in 96 groups. */
const gridStudy = noopStudy({
  name: 'grid',
  seeds: 12,
  axes: { color: ['red', 'green', 'blue', 'cyan'], size: ['s', 'm', 'l', 'xl'] },
  sweep: { n: [2, 3] },
});

async function load(doc: Record<string, unknown>, file: string): Promise<Study> {
  return loadStudy(writeStudy(dir, file, doc), { cwd: dir });
}

function run(study: Study, db: string, options: Partial<RunOptions> = {}) {
  return runStudy({ study, dbPath: join(dir, db), threads: 2, shard: null, commandLine: 'test', ...options });
}

describe('determinism', () => {
  let study: Study;
  let reference: ReturnType<typeof dumpResults>;
  beforeAll(async () => {
    study = await load(gridStudy, 'grid.yaml');
    const summary = await run(study, 'one-thread.sqlite', { threads: 1 });
    expect(summary).toMatchObject({ status: 'done', ok: 384, failed: 0, cells: 384 });
    reference = dumpResults(join(dir, 'one-thread.sqlite'));
  });

  it('writes byte-identical trial and curve rows with 1, 2 and 4 threads', async () => {
    expect(reference.trialCount).toBe(384);
    for (const threads of [2, 4]) {
      await run(study, `threads-${threads}.sqlite`, { threads });
      const dump = dumpResults(join(dir, `threads-${threads}.sqlite`));
      expect(dump.trials).toBe(reference.trials);
      expect(dump.curves).toBe(reference.curves);
    }
    expect(query(join(dir, 'one-thread.sqlite'), 'SELECT count(*) AS n FROM curve')).toEqual([{ n: 4 * 12 * (2 + 3) }]);
    // A swept parameter's column has no declared type: it holds the study's whole numbers as integers, not 2.0.
    expect(query(join(dir, 'one-thread.sqlite'), 'SELECT DISTINCT typeof(n) AS type, n FROM trial ORDER BY n')).toEqual([{ type: 'integer', n: 2 }, { type: 'integer', n: 3 }]);
  });

  it('gives the same bytes from 3 shards merged as from one run', async () => {
    const shards = [0, 1, 2].map((index) => `shard-${index}.sqlite`);
    for (const [index, db] of shards.entries()) {
      const summary = await run(study, db, { shard: { index, count: 3 } });
      expect(summary.cells).toBe(128);
    }
    const result = mergeDatabases(join(dir, 'merged.sqlite'), shards.map((s) => join(dir, s)), provenance, now);
    expect(result).toMatchObject({ cells: 384, ok: 384, failed: 0, missing: 0, added: 384, duplicates: 0, missingShards: [] });
    const merged = dumpResults(join(dir, 'merged.sqlite'));
    expect(merged.trials).toBe(reference.trials);
    expect(merged.curves).toBe(reference.curves);
    const runs = query<{ shard: string | null; status: string }>(join(dir, 'merged.sqlite'), 'SELECT shard, status FROM run ORDER BY id');
    expect(runs).toEqual([{ shard: null, status: 'merged' }, { shard: '0/3', status: 'done' }, { shard: '1/3', status: 'done' }, { shard: '2/3', status: 'done' }]);
  });

  it('resumes a partial database by computing only the missing cells, to the same bytes', async () => {
    const path = join(dir, 'partial.sqlite');
    await run(study, 'partial.sqlite');
    const db = new Database(path);
    const deleted = db.prepare('DELETE FROM trial WHERE cell_index % 7 = 3').run().changes;
    db.prepare(`UPDATE trial SET status = 'failed', value = NULL, label = NULL, rank = NULL, diagnostics = NULL, error = 'x' WHERE cell_index % 11 = 5`).run();
    const failedBefore = db.prepare(`SELECT count(*) FROM trial WHERE status = 'failed'`).pluck().get() as number;
    db.close();
    const summary = await run(study, 'partial.sqlite');
    expect(summary.alreadyDone).toBe(384 - deleted - failedBefore);
    expect(summary.ok).toBe(deleted + failedBefore);
    const dump = dumpResults(path);
    expect(dump.trials).toBe(reference.trials);
    expect(dump.curves).toBe(reference.curves);
    const again = await run(study, 'partial.sqlite');
    expect(again).toMatchObject({ ok: 0, failed: 0, alreadyDone: 384, status: 'done' });
  });

  it("resumes a group whose first cell is done to the same bytes, also where runGroup reads a cell's parameter off the task", async () => {
    // faulty's `misread` adds task.params.offset, which the cells of a group differ in (plan warns of it).
    const misread = await load({ name: 'misread', experiment: faultyModule, seeds: 3, axes: { behavior: ['misread'], variant: ['a', 'b'] }, sweep: { offset: [0, 5] } }, 'misread.yaml');
    expect(misread.grid.blockSize).toBe(4);
    await run(misread, 'misread-whole.sqlite');
    await run(misread, 'misread-resumed.sqlite');
    const db = new Database(join(dir, 'misread-resumed.sqlite'));
    expect(db.prepare('DELETE FROM trial WHERE cell_index % 4 <> 0').run().changes).toBe(9);
    db.close();
    // The plan of the resume still finds the misread, its group's first cell done.
    const plan = await planStudy({ study: misread, dbPath: join(dir, 'misread-resumed.sqlite'), shard: null, pilotGroups: 2, threads: 1 });
    expect(plan.estimate).toMatchObject({ alone: { cell: { variant: 'a', offset: 5 }, params: [{ path: 'offset', first: 0, second: 5 }] } });
    expect(await run(misread, 'misread-resumed.sqlite')).toMatchObject({ alreadyDone: 3, ok: 9 });
    expect(dumpResults(join(dir, 'misread-resumed.sqlite')).trials).toBe(dumpResults(join(dir, 'misread-whole.sqlite')).trials);
  });

  it('shares one simulation across a swept parameter that does not change it', async () => {
    const shared = await load({ ...gridStudy, name: 'modes', seeds: 2, sweep: { mode: ['plain', 'fancy'] } }, 'modes.yaml');
    await run(shared, 'modes.sqlite');
    const groups = query<{ g: number; n: number }>(join(dir, 'modes.sqlite'), 'SELECT count(DISTINCT group_key) AS g, count(*) AS n FROM trial');
    expect(groups).toEqual([{ g: 4 * 2, n: 4 * 2 * 4 * 2 }]);
  });

  it('--fresh moves the old database aside and starts over', async () => {
    const lines: string[] = [];
    await run(study, 'one-thread.sqlite', { fresh: true, cwd: dir, log: (l) => lines.push(l) });
    const moved = readdirSync(dir).find((f) => /^one-thread\.\d{4}-.*\.sqlite$/.test(f))!;
    expect(lines[0]).toBe(msg.freshMovedAside('one-thread.sqlite', moved));
    expect(dumpResults(join(dir, moved)).trials).toBe(reference.trials);
    expect(dumpResults(join(dir, 'one-thread.sqlite')).trials).toBe(reference.trials);
    expect(query(join(dir, 'one-thread.sqlite'), 'SELECT count(*) AS n FROM run')).toEqual([{ n: 1 }]);
  });

  it("--fresh waits out another host's run that went silent on the database, as a resuming run does, then moves it aside", async () => {
    await run(study, 'other-host.sqlite');
    // A run of another host, its pid not to be checked here, its last heartbeat 2 s short of the limit.
    const silentSince = new Date(Date.now() - staleAfterMs + 2000).toISOString();
    const db = new Database(join(dir, 'other-host.sqlite'));
    const id = db
      .prepare(`INSERT INTO run (started_at, heartbeat_at, status, node_version, cpu_model, threads, command_line, host, pid) VALUES (?, ?, 'running', 'v20', 'cpu', 1, 'harness run', 'elsewhere', 4242)`)
      .run(silentSince, silentSince).lastInsertRowid;
    db.close();
    const lines: string[] = [];
    await run(study, 'other-host.sqlite', { fresh: true, cwd: dir, log: (l) => lines.push(l) });
    expect(lines[0]).toBe(msg.waitingForOtherHostsWriter('other-host.sqlite', { id: Number(id), pid: 4242, host: 'elsewhere', startedAt: silentSince }, 58, 2));
    const moved = readdirSync(dir).find((f) => /^other-host\.\d{4}-.*\.sqlite$/.test(f))!;
    expect(lines[1]).toBe(msg.freshMovedAside('other-host.sqlite', moved));
    expect(dumpResults(join(dir, 'other-host.sqlite')).trials).toBe(reference.trials);
  });

  it("--fresh stopped while it waits for another host's run moves nothing and says so; the run it waited for keeps the database", async () => {
    await run(study, 'other-host-stop.sqlite');
    const silentSince = new Date(Date.now() - 30_000).toISOString();
    const db = new Database(join(dir, 'other-host-stop.sqlite'));
    db.prepare(`INSERT INTO run (started_at, heartbeat_at, status, node_version, cpu_model, threads, command_line, host, pid) VALUES (?, ?, 'running', 'v20', 'cpu', 1, 'harness run', 'elsewhere', 4242)`).run(silentSince, silentSince);
    db.close();
    const before = dumpResults(join(dir, 'other-host-stop.sqlite')).trials;
    const controller = new AbortController();
    setTimeout(() => controller.abort('SIGINT'), 300);
    const summary = await run(study, 'other-host-stop.sqlite', { fresh: true, cwd: dir, signal: controller.signal });
    expect(summary).toMatchObject({ status: 'interrupted', signal: 'SIGINT', runId: 0, ok: 0, freshNotBegun: true });
    expect(readdirSync(dir).filter((f) => /^other-host-stop\.\d{4}-/.test(f))).toEqual([]);
    expect(dumpResults(join(dir, 'other-host-stop.sqlite')).trials).toBe(before);
    expect(query(join(dir, 'other-host-stop.sqlite'), `SELECT status, host FROM run ORDER BY id`)).toEqual([{ status: 'done', host: hostname() }, { status: 'running', host: 'elsewhere' }]);
  });

  it('status gives the pace of the run writing the database: its trials stored, those of its slice to go, and the time left', async () => {
    for (const shard of [null, { index: 0, count: 2 }]) {
      const db = `live-${shard ? 'shard' : 'whole'}.sqlite`;
      await run(study, db, { shard });
      const path = join(dir, db);
      const started = new Date(Date.now() - 10_000);
      const writer = new Database(path);
      // A run of this process, its last heartbeat 10 s after its start: 30 trials stored, one of
      // them failed; 12 cells missing, one failed by the run before it (this one retries it).
      const live = Number(
        writer
          .prepare(`INSERT INTO run (started_at, heartbeat_at, status, node_version, cpu_model, threads, command_line, host, pid, shard) VALUES (?, ?, 'running', 'v20', 'cpu', 2, 'harness run', ?, ?, ?)`)
          .run(started.toISOString(), new Date(started.getTime() + 10_000).toISOString(), hostname(), process.pid, shard ? '0/2' : null).lastInsertRowid,
      );
      const cells = writer.prepare(`SELECT cell_index FROM trial ORDER BY cell_index`).pluck().all() as number[];
      const byLive = cells.slice(0, 30);
      writer.prepare(`UPDATE trial SET run_id = ? WHERE cell_index IN (${byLive.join(',')})`).run(live);
      writer.prepare(`UPDATE trial SET status = 'failed', error = 'x' WHERE cell_index IN (?, ?)`).run(byLive[0], cells[30]);
      writer.prepare(`DELETE FROM trial WHERE cell_index IN (${cells.slice(-12).join(',')})`).run();
      writer.close();
      const status = databaseStatus(path, new Date(started.getTime() + 12_000));
      expect(status.live).toEqual({ run: live, stored: 30, seconds: 10, trialsPerSecond: 3, left: 13, etaSeconds: 13 / 3 });
      expect(formatStatus(status, db)).toContain(`  run #${live} has stored 30 trials in 10 s (3.0 trials/s); 13 trials of its slice to go, about 4.3 s left at that pace`);
    }
    const done = databaseStatus(join(dir, 'one-thread.sqlite'));
    expect(done.live).toBeNull();
    expect(formatStatus(done, 'one-thread.sqlite')).not.toContain('to go');
  });

  it('refuses a database of another setup with the command line that starts over: --fresh once, whatever form the run gave it in', async () => {
    const other = await load({ ...gridStudy, seeds: 2 }, 'grid-2-seeds.yaml');
    for (const given of ['--fresh=false', '--fresh false']) {
      const refusal = run(other, 'one-thread.sqlite', { commandLine: `harness run grid.yaml ${given} --db one-thread.sqlite` });
      await expect(refusal).rejects.toThrow('Start a new database with "harness run grid.yaml --db one-thread.sqlite --fresh"');
    }
  });
});

describe('failure isolation', () => {
  it('marks the trials of throwing, crashing, NaN and partial groups failed with their reason; the rest are right', async () => {
    const study = await loadStudy(join(fixtures, 'studies', 'faulty.yaml'), { cwd: dir });
    const summary = await run(study, 'faulty.sqlite', { threads: 2 });
    expect(summary).toMatchObject({ status: 'failed', cells: 20, ok: 6, failed: 14 });
    const rows = query<{ behavior: string; variant: string; status: string; error: string | null; value: number | null }>(
      join(dir, 'faulty.sqlite'),
      'SELECT behavior, variant, status, error, value FROM trial ORDER BY cell_index',
    );
    const byBehavior = (b: string) => rows.filter((r) => r.behavior === b);
    expect(byBehavior('ok').every((r) => r.status === 'ok' && r.error === null && r.value !== null)).toBe(true);
    expect(byBehavior('throw').every((r) => r.status === 'failed' && r.error === faultMessage)).toBe(true);
    expect(byBehavior('crash').every((r) => r.status === 'failed' && r.error === 'its worker died while running this group (worker exited with code: 3)')).toBe(true);
    expect(byBehavior('nan').every((r) => r.error === 'invalid result: column "value" (REAL) got NaN; store null for "no value"')).toBe(true);
    expect(byBehavior('partial').map((r) => [r.variant, r.status])).toEqual([['a', 'ok'], ['b', 'failed'], ['a', 'ok'], ['b', 'failed']]);
    const failures = query<{ n: number }>(join(dir, 'faulty.sqlite'), 'SELECT count(*) AS n FROM failure');
    expect(failures).toEqual([{ n: 14 }]);
    const stack = query<{ stack: string }>(join(dir, 'faulty.sqlite'), `SELECT stack FROM failure WHERE message = ? LIMIT 1`, faultMessage);
    // The worker runs compiled code; its source map names the real file, line and column.
    expect(stack[0]!.stack).toContain(`(${faultyModule}:`);

    const rerun = await run(study, 'faulty.sqlite', { threads: 1 });
    expect(rerun).toMatchObject({ alreadyDone: 6, ok: 0, failed: 14, status: 'failed' });
    expect(query(join(dir, 'faulty.sqlite'), 'SELECT count(*) AS n FROM failure')).toEqual([{ n: 28 }]);
  });

  it('fails a group that overruns --task-timeout, stops its worker, and goes on', async () => {
    const study = await load({ name: 'hang', experiment: faultyModule, seeds: 2, axes: { behavior: ['ok', 'hang'], variant: ['a'] } }, 'hang.yaml');
    // A worker left running its endless group would keep the run from ever finishing.
    const summary = await run(study, 'hang.sqlite', { threads: 2, taskTimeoutMs: 400 });
    expect(summary).toMatchObject({ ok: 2, failed: 2, status: 'failed' });
    const errors = query<{ error: string }>(join(dir, 'hang.sqlite'), `SELECT DISTINCT error FROM trial WHERE status = 'failed'`);
    expect(errors).toEqual([{ error: 'timed out after 400 ms (--task-timeout); its worker was stopped' }]);
  });

  it('times each group of a batch from its own start: one that hangs fails at the limit and runs once, the rest of its batch runs', async () => {
    // 96 groups of one cell on one thread go in batches of 12: replicate 5 hangs in the middle of the first.
    const study = (name: string, params: Record<string, unknown>) => load({ name, experiment: faultyModule, seeds: 96, axes: { behavior: ['ok'], variant: ['a'] }, params }, `${name}.yaml`);
    const limitMs = 1000;
    const timed = async (name: string, params: Record<string, unknown>) => {
      const start = performance.now();
      const summary = await run(await study(name, params), `${name}.sqlite`, { threads: 1, taskTimeoutMs: limitMs });
      return { summary, ms: performance.now() - start };
    };
    const plain = await timed('batch-plain', { touch: join(dir, 'batch-plain-touched') });
    const touched = join(dir, 'batch-hang-touched');
    const hung = await timed('batch-hang', { touch: touched, hang_replicates: [5] });
    expect(plain.summary).toMatchObject({ ok: 96, failed: 0 });
    expect(hung.summary).toMatchObject({ ok: 95, failed: 1, status: 'failed' });
    const failed = query<{ group_key: string; replicate: number; error: string }>(join(dir, 'batch-hang.sqlite'), `SELECT group_key, replicate, error FROM trial WHERE status = 'failed'`);
    expect(failed).toEqual([{ group_key: expect.any(String), replicate: 5, error: `timed out after ${limitMs} ms (--task-timeout); its worker was stopped` }]);
    const ran = readFileSync(touched, 'utf8').trim().split('\n');
    expect(new Set(ran).size).toBe(96);
    expect(ran.filter((key) => key === failed[0]!.group_key)).toHaveLength(1);
    // The limit, plus the run's own work (a worker's start-up in it) once more, with as much to
    // spare: the stopped worker's successor starts anew, and the short groups before the hanging
    // one run again (their outcomes went down with its worker). Not a limit per group of its batch (12 s).
    expect(hung.ms).toBeLessThan(limitMs + 3 * plain.ms);
  });

  it('keeps the groups of a batch that finished before one past the limit, when they took a while', async () => {
    const touched = join(dir, 'keep-touched');
    const study = await load({ name: 'keep', experiment: faultyModule, seeds: 4, axes: { behavior: ['ok'], variant: ['a'] }, params: { delay_ms: 150, hang_replicates: [2], touch: touched } }, 'keep.yaml');
    const tasks = Array.from({ length: study.grid.blockCount }, (_, block) => groupsOfBlock(study, block, () => false).map((g) => g.task)).flat();
    const pool = new GroupPool({ threads: 1, taskTimeoutMs: 1000 });
    try {
      const outcomes = await pool.run(pathToFileURL(compiledModule(study.loaded.modulePath).path).href, tasks);
      expect(outcomes!.map((o) => [o.groupKey, o.kind])).toEqual(tasks.map((t) => [t.groupKey, t.cells[0]!.values['replicate'] === 2 ? 'failed' : 'ok']));
    } finally {
      await pool.destroy();
    }
    expect(readFileSync(touched, 'utf8').trim().split('\n')).toEqual(tasks.map((t) => t.groupKey));
  });

  it('fails a whole batch at once, and not as past the time limit, when its worker does not load the experiment within its grace', async () => {
    const study = await load(noopStudy({ name: 'slow-load', experiment: join(fixtures, 'experiments', 'slow-load.ts'), seeds: 1 }), 'slow-load.yaml');
    const tasks = Array.from({ length: study.grid.blockCount }, (_, block) => groupsOfBlock(study, block, () => false).map((g) => g.task)).flat();
    expect(tasks.length).toBeGreaterThan(1);
    const loads = join(dir, 'slow-load-touched');
    process.env['SLOW_LOAD_TOUCH'] = loads;
    const pool = new GroupPool({ threads: 1, taskTimeoutMs: 10_000, loadGraceMs: 300 });
    try {
      const outcomes = await pool.run(pathToFileURL(compiledModule(study.loaded.modulePath).path).href, tasks);
      const message = msg.experimentLoadTimedOut(300);
      expect(outcomes).toEqual(tasks.map((t) => ({ kind: 'failed', groupKey: t.groupKey, durationMs: 0, message, stack: null })));
      // A larger --task-timeout would not help: the failure is not advised as one.
      expect(msg.isTimeLimitError(message)).toBe(false);
    } finally {
      delete process.env['SLOW_LOAD_TOUCH'];
      await pool.destroy();
    }
    // One worker loaded it, once: its groups were not sent again one by one, each to wait as long.
    expect(readFileSync(loads, 'utf8')).toBe('loading\n');
  });

  it('leaves a batch that finished alone when the main thread reads its response only after the last group\'s limit', async () => {
    const study = await load({ name: 'busy-main', experiment: faultyModule, seeds: 4, axes: { behavior: ['ok'], variant: ['a'] }, params: { delay_ms: 100 } }, 'busy-main.yaml');
    const tasks = Array.from({ length: study.grid.blockCount }, (_, block) => groupsOfBlock(study, block, () => false).map((g) => g.task)).flat();
    const url = pathToFileURL(compiledModule(study.loaded.modulePath).path).href;
    const pool = new GroupPool({ threads: 1, taskTimeoutMs: 1000 });
    try {
      await pool.run(url, tasks); // the worker started and warm
      const running = pool.run(url, tasks);
      await new Promise((done) => setTimeout(done, 50));
      // Busy (as when it records another batch) from before the batch ends until past its last group's limit.
      await new Promise<void>((done) => setImmediate(() => {
        const until = Date.now() + 1500;
        while (Date.now() < until);
        done();
      }));
      expect((await running)!.map((o) => o.kind)).toEqual(tasks.map(() => 'ok'));
    } finally {
      await pool.destroy();
    }
  });

  it('refuses a study whose groupOf throws for a cell before any database is made: no run half done', async () => {
    await expect(load({ name: 'breach', experiment: faultyModule, seeds: 1, axes: { behavior: ['ok', 'bad-group'], variant: ['a'] } }, 'breach.yaml')).rejects.toThrow(
      msg.experimentGroupOfFailed('faulty', { behavior: 'bad-group', replicate: 0, variant: 'a' }, 'fixture: groupOf refuses this cell'),
    );
    expect(existsSync(join(dir, 'breach.sqlite'))).toBe(false);
  });

  it('stops early at --max-failures, keeping what finished', async () => {
    const study = await load({ name: 'stop', experiment: faultyModule, seeds: 40, axes: { behavior: ['throw'], variant: ['a'] } }, 'stop.yaml');
    const summary = await run(study, 'stop.sqlite', { threads: 1, maxFailures: 3 });
    expect(summary.status).toBe('stopped');
    expect(summary.failed).toBeGreaterThanOrEqual(3);
    expect(summary.failed).toBeLessThan(40);
    const [row] = query<{ n: number }>(join(dir, 'stop.sqlite'), 'SELECT count(*) AS n FROM trial');
    expect(row!.n).toBe(summary.failed);
    expect(query(join(dir, 'stop.sqlite'), 'SELECT status FROM run')).toEqual([{ status: 'stopped' }]);
  });

  it('stops cleanly on an abort signal: finished trials committed, the run marked interrupted', async () => {
    const study = await load(noopStudy({ name: 'abort', seeds: 40, params: { n: 2, delay_ms: 20 } }), 'abort.yaml');
    const controller = new AbortController();
    const seen: number[] = [];
    const summary = await run(study, 'abort.sqlite', {
      threads: 2,
      signal: controller.signal,
      progress: {
        start: () => {},
        update: (done) => {
          seen.push(done);
          if (done >= 30) controller.abort('SIGINT');
        },
        finish: () => {},
      },
    });
    expect(summary.status).toBe('interrupted');
    expect(summary.signal).toBe('SIGINT');
    const [row] = query<{ n: number }>(join(dir, 'abort.sqlite'), `SELECT count(*) AS n FROM trial WHERE status = 'ok'`);
    expect(row!.n).toBe(summary.ok);
    expect(summary.ok).toBeGreaterThanOrEqual(30);
    expect(summary.ok).toBeLessThan(360);
    expect(existsSync(join(dir, 'abort.sqlite'))).toBe(true);
  });
});

describe('the plan\'s pilot', () => {
  it('times groups spread over the whole grid, in an order whose every prefix is spread, not the first groups', async () => {
    // 24 groups (3 colors x 8 seeds; size is shared), sampled at the middles of 4 equal stretches
    // (3, 9, 15, 21), taken in bit-reversed order: the first, half-way along, then the quarters.
    const dir = tempDir();
    const touched = join(dir, 'touched');
    const study = await loadStudy(writeStudy(dir, 'p.yaml', noopStudy({ name: 'p', seeds: 8, params: { n: 4, scale: 2, touch: touched } })), { cwd: dir });
    const report = await planStudy({ study, dbPath: '', shard: null, pilotGroups: 4, threads: 1 });
    expect(report.estimate).toMatchObject({ pilotGroups: 4 });
    const blockOf = new Map(Array.from({ length: study.grid.blockCount }, (_, block) => [groupsOfBlock(study, block, () => false)[0]!.task.groupKey, block]));
    const ran = readFileSync(touched, 'utf8').trim().split('\n').map((key) => blockOf.get(key));
    // The first sampled group warms up (run more than once), then the four are timed in turn,
    // then a cell of the first runs alone (its cells' params all alike: the last one).
    expect([...new Set(ran)]).toEqual([3, 15, 9, 21]);
    expect(ran.slice(-5)).toEqual([3, 15, 9, 21, 3]);
  });
});
