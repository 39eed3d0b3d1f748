/**
 * The results database: what it refuses to open (and how it says so), migrations, the sealed
 * manifest, the run lock, and a failing commit.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../harness/errors.js';
import { diffManifests } from '../../harness/manifest.js';
import * as msg from '../../harness/messages.js';
import { collectProvenance } from '../../harness/run/provenance.js';
import { openForStudy } from '../../harness/run/run.js';
import { databaseStatus } from '../../harness/run/status.js';
import { formatStatus } from '../../harness/cli/format.js';
import { groupsOfBlock } from '../../harness/run/tasks.js';
import { beginRun, endRun, listRuns, runsAsOf, staleAfterMs, waitOutOtherHostsWriter } from '../../harness/store/runs.js';
import { readSchemaVersion, schemaVersion } from '../../harness/store/schema.js';
import { Store } from '../../harness/store/store.js';
import { ResultWriter, WriteError } from '../../harness/store/writer.js';
import { DatabaseGoneError, RunTakenOverError } from '../../harness/store/failures.js';
import { loadStudy } from '../../harness/study/study.js';
import { noopStudy, tempDir, writeStudy } from './helpers.js';

const dir = tempDir();
const provenance = collectProvenance({ threads: 1, shard: null, commandLine: 'test' });
/** `s` seconds after this file loaded: after this process, and its parent, started (see the stalled runs' tests). */
const loaded = Date.now();
const at = (s: number) => new Date(loaded + s * 1000);

/** A process of this host that holds `path` open until killed, as a run's process holds its database. */
async function holdOpen(path: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'require("fs").openSync(process.argv[1], "r"); console.log("open"); setInterval(() => {}, 1000);', path], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((opened, failed) => {
    child.stdout!.once('data', () => opened());
    child.once('exit', (code) => failed(new Error(`the process holding ${path} exited with ${code}`)));
  });
  return child;
}

async function study(overrides: Record<string, unknown> = {}, file = 'study.yaml') {
  return loadStudy(writeStudy(dir, file, noopStudy(overrides)), { cwd: dir });
}

describe('opening a database', () => {
  it('refuses a missing file, a directory, a non-SQLite file, a foreign database, a newer schema, an empty database', () => {
    expect(() => Store.open(join(dir, 'none.sqlite'), 'read', dir)).toThrow(new InputError(msg.dbNotFound('none.sqlite')));
    mkdirSync(join(dir, 'folder.sqlite'));
    expect(() => Store.open(join(dir, 'folder.sqlite'), 'create', dir)).toThrow(msg.dbIsDirectory('folder.sqlite'));
    writeFileSync(join(dir, 'text.sqlite'), 'this is not a database, just text that is long enough to have a header');
    expect(() => Store.open(join(dir, 'text.sqlite'), 'read', dir)).toThrow(msg.dbNotSqlite('text.sqlite'));
    expect(() => Store.open(join(dir, 'text.sqlite'), 'create', dir)).toThrow(msg.dbNotSqlite('text.sqlite'));
    const foreign = new Database(join(dir, 'foreign.sqlite'));
    foreign.exec('CREATE TABLE people (name TEXT)');
    foreign.close();
    expect(() => Store.open(join(dir, 'foreign.sqlite'), 'create', dir)).toThrow(msg.dbForeign('foreign.sqlite'));
    const newer = Store.open(join(dir, 'newer.sqlite'), 'create', dir);
    newer.db.prepare(`UPDATE meta SET value = ? WHERE key = 'schema_version'`).run(String(schemaVersion + 1));
    newer.close();
    expect(() => Store.open(join(dir, 'newer.sqlite'), 'create', dir)).toThrow(msg.dbNewerSchema('newer.sqlite', schemaVersion + 1, schemaVersion));
    const empty = Store.open(join(dir, 'empty.sqlite'), 'create', dir);
    expect(() => empty.requireManifest()).toThrow(msg.dbNoStudy('empty.sqlite'));
    empty.close();
    writeFileSync(join(dir, 'a-file'), '');
    expect(() => Store.open(join(dir, 'a-file', 'x.sqlite'), 'create', dir)).toThrow(/^Cannot open the database a-file\/x\.sqlite: /);
  });

  it('migrates a new database in one step and records the schema version; works in memory', () => {
    const store = Store.open(':memory:', 'create');
    expect(readSchemaVersion(store.db)).toBe(schemaVersion);
    const tables = store.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all();
    expect(tables).toEqual(['column_info', 'failure', 'meta', 'run', 'sqlite_sequence', 'study']);
    store.close();
  });

  it('reads without writing and leaves no -wal or -shm file behind, the file unchanged', async () => {
    const path = join(dir, 'read.sqlite');
    openForStudy(await study({}, 'read.yaml'), path, 'fresh', at(0)).close();
    const bytes = readFileSync(path);
    const companions = () => readdirSync(dir).filter((f) => f.startsWith('read.sqlite-'));
    expect(companions()).toEqual([]);
    const store = Store.open(path, 'read', dir);
    expect(store.requireManifest().study).toBe('noop-test');
    expect(companions().length).toBeGreaterThan(0); // SQLite's own, while the connection is open
    expect(() => store.db.exec(`DELETE FROM run`)).toThrow(/readonly/i);
    store.close();
    expect(companions()).toEqual([]);
    expect(Buffer.compare(readFileSync(path), bytes)).toBe(0);
  });

  it('seals a study: trial columns per field and result, described in column_info', async () => {
    const s = await study({ sweep: { 'n': [2, 3] } });
    const store = openForStudy(s, ':memory:', 'x --fresh', at(0));
    const columns = store.db.prepare(`SELECT name FROM pragma_table_info('trial')`).pluck().all();
    expect(columns).toEqual([
      'cell_index', 'key', 'group_key', 'replicate', 'color', 'n', 'size', 'status', 'value', 'label', 'rank',
      'diagnostics', 'error', 'duration_ms', 'run_id',
    ]);
    const info = store.db.prepare(`SELECT tbl, name, kind FROM column_info WHERE kind != 'harness' ORDER BY tbl, name`).all();
    expect(info).toEqual([
      { tbl: 'curve', name: 'x', kind: 'result' },
      { tbl: 'curve', name: 'y', kind: 'result' },
      { tbl: 'trial', name: 'color', kind: 'axis' },
      { tbl: 'trial', name: 'label', kind: 'result' },
      { tbl: 'trial', name: 'n', kind: 'param' },
      { tbl: 'trial', name: 'rank', kind: 'result' },
      { tbl: 'trial', name: 'size', kind: 'axis' },
      { tbl: 'trial', name: 'value', kind: 'result' },
    ]);
    expect(store.requireManifest().hash).toBe(s.manifest.hash);
    store.close();
  });

  it('refuses a database made from another manifest, listing exactly what differs', async () => {
    const path = join(dir, 'mismatch.sqlite');
    openForStudy(await study(), path, 'x --fresh', at(0), dir).close();
    const changed = await study({ seeds: 4, params: { n: 4, scale: 3 }, axes: { color: ['red'], size: ['s', 'm', 'l'] } });
    const diffs = diffManifests((await study()).manifest.body, changed.manifest.body);
    expect(diffs.map((d) => d.path)).toEqual(['axes.color', 'cells', 'params.scale', 'seeds']);
    expect(() => openForStudy(changed, path, 'harness run s --fresh', at(1), dir)).toThrow(
      new InputError(msg.dbManifestMismatch('mismatch.sqlite', diffs, 'harness run s --fresh')),
    );
    const e = (() => {
      try {
        openForStudy(changed, path, 'harness run s --fresh', at(1), dir);
      } catch (thrown) {
        return (thrown as Error).message;
      }
      return '';
    })();
    expect(e).toContain('  - seeds: 3 in the database, 4 now');
    expect(e).toContain('  - axes.color: ["red","green","blue"] in the database, ["red"] now');
  });

  it("refuses another study's database by naming both studies first, and points at the study's own database", async () => {
    const path = join(dir, 'other-study.sqlite');
    openForStudy(await study(), path, 'x --fresh', at(0), dir).close();
    const other = await study({ name: 'second-study', seeds: 5 });
    const fresh = `harness run s --db ${path} --fresh`;
    expect(() => openForStudy(other, path, fresh, at(1), dir)).toThrow(
      new InputError(msg.dbHoldsOtherStudy('other-study.sqlite', 'noop-test', 'second-study', 'harness run s --db results/second-study.sqlite', fresh)),
    );
    // Where the database is the study's own default one, no other file is suggested by name.
    mkdirSync(join(dir, 'results'), { recursive: true });
    const own = join(dir, 'results', 'second-study.sqlite');
    openForStudy(await study(), own, 'x --fresh', at(0), dir).close();
    expect(() => openForStudy(other, own, 'harness run s --fresh', at(1), dir)).toThrow(
      new InputError(msg.dbHoldsOtherStudy('results/second-study.sqlite', 'noop-test', 'second-study', null, 'harness run s --fresh')),
    );
    expect(msg.dbHoldsOtherStudy('a.sqlite', 'paper', 'ablations', null, 'f')).toMatch(/^a\.sqlite holds the results of study "paper", not "ablations"; .* into another file with --db; /);
  });
});

describe('the run lock', () => {
  it('refuses a second writer while the first is alive, and clears a dead one', async () => {
    const store = openForStudy(await study(), ':memory:', 'x', at(0));
    const other = { ...provenance, pid: process.pid, host: hostname() };
    const first = beginRun(store, other, 'running', at(0));
    expect(() => beginRun(store, provenance, 'running', at(5))).toThrow(
      msg.dbBusy(':memory:', { id: first, pid: process.pid, host: hostname(), startedAt: at(0).toISOString() }),
    );
    const stale = beginRun(store, provenance, 'running', at(3600));
    expect(stale).toBeGreaterThan(first);
    expect(listRuns(store).map((r) => r.status)).toEqual(['killed', 'running']);
    endRun(store, stale, 'done', { done: 0, failed: 0 }, at(3601));
    const dead = { ...provenance, pid: 2 ** 22 + 12345 };
    beginRun(store, dead, 'running', at(3602));
    expect(() => beginRun(store, provenance, 'running', at(3603))).not.toThrow();
    store.close();
  });

  it('shows a reader a run whose process is gone as killed, without writing it down, and a live one as running', async () => {
    const store = openForStudy(await study(), ':memory:', 'x', at(0));
    const gone = beginRun(store, { ...provenance, pid: 2 ** 22 + 12345, host: hostname() }, 'running', at(0));
    expect(runsAsOf(store, at(1)).map((r) => [r.id, r.status])).toEqual([[gone, 'killed']]);
    expect(listRuns(store).map((r) => r.status)).toEqual(['running']);
    endRun(store, gone, 'killed', { done: 0, failed: 0 }, at(2));
    const live = beginRun(store, { ...provenance, pid: process.ppid, host: hostname() }, 'running', at(3));
    expect(runsAsOf(store, at(4)).map((r) => [r.id, r.status])).toEqual([[gone, 'killed'], [live, 'running']]);
    // Silent past the heartbeat's limit, a live pid does not keep it running: paused or stuck, the next run takes over.
    expect(runsAsOf(store, at(3600)).map((r) => r.status)).toEqual(['killed', 'stalled']);
    // A silent run recorded with this process's own pid is a dead one whose pid came round again (a restarted container's pid 1).
    const reused = beginRun(store, { ...provenance, pid: process.pid, host: hostname() }, 'running', at(3601));
    expect(runsAsOf(store, at(7200)).map((r) => [r.id, r.status])).toEqual([[gone, 'killed'], [live, 'killed'], [reused, 'killed']]);
    store.close();
  });

  it('shows a silent run whose pid a process started since then has as killed, not stalled: the pid came round again', async () => {
    const store = openForStudy(await study(), ':memory:', 'x', at(0));
    // This process's parent started after this run (an hour before this file loaded): not its process.
    const before = beginRun(store, { ...provenance, pid: process.ppid, host: hostname() }, 'running', at(-3600));
    expect(runsAsOf(store, at(3600)).map((r) => [r.id, r.status])).toEqual([[before, 'killed']]);
    store.close();
  });

  it('status names a stalled run and says what it means', async () => {
    const path = join(dir, 'stalled.sqlite');
    const store = openForStudy(await study(), path, 'x', at(0));
    const holder = await holdOpen(path);
    try {
      const started = new Date();
      const paused = beginRun(store, { ...provenance, pid: holder.pid!, host: hostname() }, 'running', started);
      store.close();
      const status = databaseStatus(path, new Date(started.getTime() + 3600_000));
      expect(status.runs.map((r) => r.status)).toEqual(['stalled']);
      expect(formatStatus(status, 'stalled.sqlite').split('\n').slice(-2)).toEqual([expect.stringContaining(`last #${paused} stalled,`), `  ${msg.runStalled(paused)}`]);
    } finally {
      holder.kill();
    }
  });

  it('takes a copy made mid-run for a database whose run is over: its process writes the original, not the copy', async () => {
    const original = join(dir, 'copied-mid-run.sqlite');
    const copy = join(dir, 'the-copy.sqlite');
    const store = openForStudy(await study(), original, 'x', at(0));
    const writer = await holdOpen(original);
    try {
      const started = new Date();
      const run = beginRun(store, { ...provenance, pid: writer.pid!, host: hostname() }, 'running', started);
      store.close();
      copyFileSync(original, copy);
      const soon = new Date(started.getTime() + 1000);
      const busy = msg.dbBusy(original, { id: run, pid: writer.pid!, host: hostname(), startedAt: started.toISOString() });
      const reopened = Store.open(original, 'write');
      expect(() => beginRun(reopened, provenance, 'running', soon)).toThrow(busy);
      expect(runsAsOf(reopened, soon).map((r) => r.status)).toEqual(['running']);
      reopened.close();
      const copied = Store.open(copy, 'write');
      expect(runsAsOf(copied, soon).map((r) => r.status)).toEqual(['killed']);
      // Not stalled either, whatever the time: that process never writes the copy.
      expect(runsAsOf(copied, new Date(started.getTime() + 3600_000)).map((r) => r.status)).toEqual(['killed']);
      const next = beginRun(copied, provenance, 'running', soon);
      expect(listRuns(copied).map((r) => [r.id, r.status])).toEqual([[run, 'killed'], [next, 'running']]);
      copied.close();
    } finally {
      writer.kill();
    }
  });

  it("waits out another host's writer that went silent, then takes the database over, saying why it waits", async () => {
    const store = openForStudy(await study(), ':memory:', 'x', at(0));
    // Its pid cannot be checked on another host; its last heartbeat, 2 s short of the limit.
    const silentSince = new Date(Date.now() - staleAfterMs + 2000);
    const gone = beginRun(store, { ...provenance, host: 'elsewhere', pid: 4242 }, 'running', silentSince);
    const said: string[] = [];
    const waited = Date.now();
    expect(await waitOutOtherHostsWriter(store, () => new Date(), (line) => said.push(line))).toBe(true);
    expect(Date.now() - waited).toBeGreaterThanOrEqual(1500);
    expect(said).toEqual([msg.waitingForOtherHostsWriter(':memory:', { id: gone, pid: 4242, host: 'elsewhere', startedAt: silentSince.toISOString() }, 58, 2)]);
    const next = beginRun(store, provenance, 'running', new Date());
    expect(listRuns(store).map((r) => [r.id, r.status])).toEqual([[gone, 'killed'], [next, 'running']]);
    store.close();
  });

  it("tells another host's live writer by its heartbeat moving, and refuses it within seconds", async () => {
    const store = openForStudy(await study(), ':memory:', 'x', at(0));
    const started = new Date();
    const live = beginRun(store, { ...provenance, host: 'elsewhere', pid: 4242 }, 'running', started);
    const beat = setInterval(() => store.db.prepare(`UPDATE run SET heartbeat_at = ? WHERE id = ?`).run(new Date().toISOString(), live), 300);
    try {
      const waited = Date.now();
      const said: string[] = [];
      await waitOutOtherHostsWriter(store, () => new Date(), (line) => said.push(line));
      expect(Date.now() - waited).toBeLessThan(5000);
      expect(said).toHaveLength(1);
      expect(() => beginRun(store, provenance, 'running', new Date())).toThrow(msg.dbBusy(':memory:', { id: live, pid: 4242, host: 'elsewhere', startedAt: started.toISOString() }));
    } finally {
      clearInterval(beat);
      store.close();
    }
  });

  it('says when it takes over a run of this host whose process is still there (stalled), not one that is gone', async () => {
    const store = openForStudy(await study(), ':memory:', 'x', at(0));
    const gone = beginRun(store, { ...provenance, pid: 2 ** 22 + 12345, host: hostname() }, 'running', at(0));
    const heard: unknown[] = [];
    const paused = beginRun(store, { ...provenance, pid: process.ppid, host: hostname() }, 'running', at(3600), (run) => heard.push(run));
    expect(heard).toEqual([]);
    const next = beginRun(store, provenance, 'running', at(7200), (run) => heard.push(run));
    expect(heard).toEqual([{ id: paused, pid: process.ppid, host: hostname(), startedAt: at(3600).toISOString() }]);
    expect(listRuns(store).map((r) => [r.id, r.status])).toEqual([[gone, 'killed'], [paused, 'killed'], [next, 'running']]);
    store.close();
  });

  it('stops waiting when the run is asked to stop (Ctrl-C), and says that it waited', async () => {
    const store = openForStudy(await study(), ':memory:', 'x', at(0));
    beginRun(store, { ...provenance, host: 'elsewhere', pid: 4242 }, 'running', new Date());
    const stop = new AbortController();
    setTimeout(() => stop.abort('SIGINT'), 300);
    const waited = Date.now();
    expect(await waitOutOtherHostsWriter(store, () => new Date(), () => {}, stop.signal)).toBe(true);
    expect(Date.now() - waited).toBeLessThan(2000);
    store.close();
  });

  it('does not wait for a writer of this host, whose process it checks', async () => {
    const store = openForStudy(await study(), ':memory:', 'x', at(0));
    beginRun(store, { ...provenance, pid: process.pid, host: hostname() }, 'running', new Date());
    const said: string[] = [];
    const waited = Date.now();
    expect(await waitOutOtherHostsWriter(store, () => new Date(), (line) => said.push(line))).toBe(false);
    expect([Date.now() - waited < 200, said]).toEqual([true, []]);
    store.close();
  });
});

describe('the writer', () => {
  // What a killed run can lose is what these two leave uncommitted: rows finished since the last tick.
  it('commits on its own: on a timer, and at once when too many rows wait', async () => {
    const s = await study();
    const path = join(dir, 'writer-commits.sqlite');
    const store = openForStudy(s, path, 'x', at(0));
    const runId = beginRun(store, provenance, 'running', at(0));
    const reader = new Database(path, { readonly: true });
    const committed = () => reader.prepare('SELECT count(*) FROM trial').pluck().get() as number;
    const groups = groupsOfBlock(s, 0, () => false).concat(groupsOfBlock(s, 1, () => false));
    expect(groups.length).toBeGreaterThanOrEqual(2);
    const outcome = (g: (typeof groups)[number]) => ({
      kind: 'ok' as const,
      groupKey: g.task.groupKey,
      durationMs: 1,
      trials: g.task.cells.map(() => ({ ok: true as const, values: [1, 'a', 2], diagnostics: null })),
      curve: [[0, 1]],
    });
    const perGroup = groups[0]!.task.cells.length + 1;
    // A limit one group's rows reach: each add commits before it returns.
    const eager = new ResultWriter(store, s.manifest.body, runId, { flushEveryMs: 0, maxPendingRows: perGroup });
    eager.add(groups[0]!, outcome(groups[0]!));
    expect(committed()).toBe(groups[0]!.task.cells.length);
    eager.abandon();
    // No limit reached, no flush called: the timer commits.
    const timed = new ResultWriter(store, s.manifest.body, runId, { flushEveryMs: 20 });
    timed.add(groups[1]!, outcome(groups[1]!));
    expect(committed()).toBe(groups[0]!.task.cells.length);
    while (committed() === groups[0]!.task.cells.length) await new Promise((r) => setTimeout(r, 5));
    expect(committed()).toBe(groups[0]!.task.cells.length + groups[1]!.task.cells.length);
    timed.abandon();
    reader.close();
    store.close();
  });

  it("stores no curve for a group whose every trial failed, and replaces a group's curve when it runs again", async () => {
    const s = await study();
    const store = openForStudy(s, ':memory:', 'x', at(0));
    const writer = new ResultWriter(store, s.manifest.body, beginRun(store, provenance, 'running', at(0)), { flushEveryMs: 0 });
    const [group] = groupsOfBlock(s, 0, () => false);
    const cells = group!.task.cells;
    const outcome = (ok: boolean, curve: number[][]) => ({
      kind: 'ok' as const,
      groupKey: group!.task.groupKey,
      durationMs: 1,
      trials: cells.map(() => (ok ? { ok: true as const, values: [1, 'a', 2], diagnostics: null } : { ok: false as const, message: 'invalid result' })),
      curve,
    });
    const curve = () => store.db.prepare('SELECT idx, x, y FROM curve ORDER BY idx').all();
    // Code that fails every trial: its curve is not kept.
    writer.add(group!, outcome(false, [[0, -1], [1, -1], [2, -1]]));
    writer.flush();
    expect(curve()).toEqual([]);
    // Fixed, then changed again to a shorter curve: each run's curve whole, nothing of the one before.
    writer.add(group!, outcome(true, [[0, 0.5], [1, 1], [2, 1.5]]));
    writer.flush();
    expect(curve()).toEqual([{ idx: 0, x: 0, y: 0.5 }, { idx: 1, x: 1, y: 1 }, { idx: 2, x: 2, y: 1.5 }]);
    writer.add(group!, outcome(true, [[0, 0.25], [1, 0.5]]));
    writer.flush();
    expect(curve()).toEqual([{ idx: 0, x: 0, y: 0.25 }, { idx: 1, x: 1, y: 0.5 }]);
    expect(store.db.prepare(`SELECT count(*) FROM trial WHERE status = 'ok'`).pluck().get()).toBe(cells.length);
    writer.abandon();
    store.close();
  });

  it('turns a failed commit into a clear message and keeps what was committed', async () => {
    const s = await study();
    const store = openForStudy(s, ':memory:', 'x', at(0));
    const runId = beginRun(store, provenance, 'running', at(0));
    const writer = new ResultWriter(store, s.manifest.body, runId, { flushEveryMs: 0 });
    const [group] = groupsOfBlock(s, 0, () => false);
    const outcome = {
      kind: 'ok' as const,
      groupKey: group!.task.groupKey,
      durationMs: 1,
      trials: group!.task.cells.map(() => ({ ok: true as const, values: [1, 'a', 2], diagnostics: null })),
      curve: [[0, 1]],
    };
    writer.add(group!, outcome);
    writer.flush();
    store.db.exec('DROP TABLE curve');
    writer.add(group!, outcome);
    expect(() => writer.flush()).toThrow(WriteError);
    expect(() => writer.flush()).toThrow(msg.dbWriteFailed(':memory:', 'no such table: curve'));
    expect(store.db.prepare('SELECT count(*) FROM trial').pluck().get()).toBe(3);
    writer.abandon();
    store.close();
  });
});

describe("a writer whose database's path names another file, or none", () => {
  it('tells a file moved away from one put in its place, and says nothing while the path names the file it opened', async () => {
    const s = await study();
    const path = join(dir, 'watched.sqlite');
    const store = openForStudy(s, path, 'x', at(0));
    const writer = new ResultWriter(store, s.manifest.body, beginRun(store, provenance, 'running', at(0)), { flushEveryMs: 0 });
    expect(writer.fileGone()).toBeNull();
    renameSync(path, `${path}.away`);
    expect(writer.fileGone()).toEqual(new DatabaseGoneError(msg.dbGoneDuringRun(path, 'missing')));
    writeFileSync(path, 'another file');
    expect(writer.fileGone()).toEqual(new DatabaseGoneError(msg.dbGoneDuringRun(path, 'replaced')));
    rmSync(path);
    renameSync(`${path}.away`, path);
    expect(writer.fileGone()).toBeNull();
    writer.abandon();
    store.close();
  });
});

describe('a run taken over while it was paused', () => {
  it('writes nothing more, once another run has marked it killed and holds the database', async () => {
    const s = await study();
    const store = openForStudy(s, ':memory:', 'x', at(0));
    const paused = beginRun(store, { ...provenance, pid: process.pid, host: hostname() }, 'running', at(0));
    const errors: Error[] = [];
    const writer = new ResultWriter(store, s.manifest.body, paused, { flushEveryMs: 0, now: () => at(1), onError: (e) => errors.push(e) });
    const [first, second] = groupsOfBlock(s, 0, () => false).concat(groupsOfBlock(s, 1, () => false));
    const outcome = (g: NonNullable<typeof first>) => ({
      kind: 'ok' as const,
      groupKey: g.task.groupKey,
      durationMs: 1,
      trials: g.task.cells.map(() => ({ ok: true as const, values: [1, 'a', 2], diagnostics: null })),
      curve: [[0, 1]],
    });
    writer.add(first!, outcome(first!));
    writer.flush();
    const stored = () => store.db.prepare('SELECT count(*) FROM trial').pluck().get();
    expect(stored()).toBe(first!.task.cells.length);
    // Silent for an hour (stopped): the next run takes it for dead and takes the database over.
    const other = beginRun(store, provenance, 'running', at(3600));
    expect(listRuns(store).map((r) => [r.id, r.status])).toEqual([[paused, 'killed'], [other, 'running']]);
    // Resumed: its heartbeat finds the row no longer its own, and so does its next commit, which writes nothing.
    writer.heartbeat();
    expect(errors).toEqual([new RunTakenOverError(msg.runTakenOver(':memory:', paused))]);
    writer.add(second!, outcome(second!));
    expect(() => writer.flush()).toThrow(new RunTakenOverError(msg.runTakenOver(':memory:', paused)));
    expect(() => writer.close()).toThrow(RunTakenOverError);
    expect(stored()).toBe(first!.task.cells.length);
    expect(listRuns(store).map((r) => [r.id, r.status])).toEqual([[paused, 'killed'], [other, 'running']]);
    writer.abandon();
    store.close();
  });
});

describe('a database of an older schema level', () => {
  it('is read as it is (status, merge), and a run brings it up to date', async () => {
    const { cli } = await import('./helpers.js');
    const old = tempDir();
    const studyFile = writeStudy(old, 'study.yaml', noopStudy());
    expect((await cli(['run', studyFile, '--db', 'level1.sqlite'], old)).code).toBe(0);
    // Level 1 had no run.code_hash (level 2) and no run.cwd (level 3).
    const level1 = new Database(join(old, 'level1.sqlite'));
    level1.exec(`ALTER TABLE run DROP COLUMN code_hash; ALTER TABLE run DROP COLUMN cwd; UPDATE meta SET value = '1' WHERE key = 'schema_version'`);
    level1.close();

    const status = await cli(['status', 'level1.sqlite', '--json'], old);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ ok: 27, runs: [{ id: 1, codeHash: null, cwd: null }], code: [] });
    const merged = await cli(['merge', 'merged.sqlite', 'level1.sqlite'], old);
    expect(merged.code, merged.stderr).toBe(0);
    const mergedRuns = new Database(join(old, 'merged.sqlite'), { readonly: true });
    expect(mergedRuns.prepare(`SELECT code_hash FROM run ORDER BY id`).pluck().all()).toEqual([null, null]);
    // The merge's own run first, then the copied one, which recorded no folder.
    expect(mergedRuns.prepare(`SELECT cwd FROM run ORDER BY id`).pluck().all()).toEqual([old, null]);
    mergedRuns.close();

    // A trial lost: the next run computes it, in the database brought up to the current level.
    const lose = new Database(join(old, 'level1.sqlite'));
    lose.exec(`DELETE FROM trial WHERE cell_index = 0`);
    lose.close();
    const rerun = await cli(['run', studyFile, '--db', 'level1.sqlite', '--json'], old);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ ok: 1, otherCode: null }); // the first run's code is not known
    const migrated = new Database(join(old, 'level1.sqlite'), { readonly: true });
    expect(readSchemaVersion(migrated)).toBe(schemaVersion);
    expect(migrated.prepare(`SELECT code_hash IS NOT NULL, cwd IS NOT NULL FROM run ORDER BY id`).raw(true).all()).toEqual([[0, 0], [1, 1]]);
    migrated.close();
  });
});
