/** Merging shard databases: what is combined, what is refused, and what is reported missing. */
import Database from 'better-sqlite3';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatStatus } from '../../harness/cli/format.js';
import { InputError } from '../../harness/errors.js';
import { diffManifests } from '../../harness/manifest.js';
import * as msg from '../../harness/messages.js';
import { collectProvenance } from '../../harness/run/provenance.js';
import { runStudy } from '../../harness/run/run.js';
import { databaseStatus } from '../../harness/run/status.js';
import { mergeDatabases } from '../../harness/store/merge.js';
import { loadStudy, type Study } from '../../harness/study/study.js';
import { cli, dumpResults, noopStudy, query, tempDir, writeStudy } from './helpers.js';
import { isRoot, runHarness } from '../reliability/helpers.js';

const dir = tempDir();
const provenance = collectProvenance({ threads: 0, shard: null, commandLine: 'test' });
const now = () => new Date();
const p = (name: string) => join(dir, name);
let study: Study;

beforeAll(async () => {
  study = await loadStudy(writeStudy(dir, 's.yaml', noopStudy({ name: 'm', seeds: 4 })), { cwd: dir });
  for (const index of [0, 1, 2]) {
    await runStudy({ study, dbPath: p(`m-${index}.sqlite`), threads: 1, shard: { index, count: 3 }, commandLine: 'test' });
  }
  await runStudy({ study, dbPath: p('whole.sqlite'), threads: 1, shard: null, commandLine: 'test' });
});

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (thrown) {
    expect(thrown).toBeInstanceOf(InputError);
    return (thrown as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('merge', () => {
  it('reports missing shards with the command to rerun them, then completes when they come', () => {
    const partial = mergeDatabases(p('out.sqlite'), [p('m-0.sqlite'), p('m-2.sqlite')], provenance, now, dir);
    expect(partial).toMatchObject({ cells: 36, missing: 12, missingShards: ['1/3'], missingByShard: [{ shard: '1/3', cells: 12 }] });
    expect(msg.mergeMissing(partial.missing, partial.missingByShard, partial.missingShards, (s) => `npx harness run s.yaml --shard ${s}`)).toBe(
      '12 trials are missing.\nShards with no database: 1/3.\n  - shard 1/3: 12 missing; rerun it with: npx harness run s.yaml --shard 1/3',
    );
    const full = mergeDatabases(p('out.sqlite'), [p('m-1.sqlite'), p('m-2.sqlite')], provenance, now, dir);
    expect(full).toMatchObject({ missing: 0, ok: 36, added: 12, duplicates: 12 });
    const merged = dumpResults(p('out.sqlite'));
    const whole = dumpResults(p('whole.sqlite'));
    expect(merged.trials).toBe(whole.trials);
    expect(merged.curves).toBe(whole.curves);
    expect(readdirSync(dir).filter((name) => name.includes('.merging-'))).toEqual([]);
    // status names the last merge as the last run (the shards' runs have higher ids), without threads.
    const runs = query<{ id: number; status: string }>(p('out.sqlite'), 'SELECT id, status FROM run ORDER BY started_at DESC, id DESC LIMIT 1');
    expect(runs).toEqual([{ id: expect.any(Number), status: 'merged' }]);
    const maxId = query<{ id: number }>(p('out.sqlite'), 'SELECT max(id) AS id FROM run')[0]!.id;
    expect(runs[0]!.id).toBeLessThan(maxId);
    const line = formatStatus(databaseStatus(p('out.sqlite')), 'out.sqlite').split('\n').find((l) => l.startsWith('  runs: '));
    expect(line).toMatch(new RegExp(`^  runs: \\d+; last #${runs[0]!.id} merged, started [^,]+, commit [0-9a-f]{10}(?: \\+ changes)?, node v`));
  });

  it('reports its progress input by input, from none merged to all', () => {
    const calls: [string, number, number][] = [];
    mergeDatabases(p('progress.sqlite'), [p('m-0.sqlite'), p('m-1.sqlite'), p('m-2.sqlite')], provenance, now, dir, (...call) => calls.push(call));
    expect(calls).toEqual([0, 1, 2, 3].map((done) => ['merge shards', done, 3]));
  });

  it('shows its progress on stderr, plain lines where stderr is no terminal, stdout under --json the object alone', async () => {
    const merged = await cli(['merge', 'progress-cli.sqlite', 'm-0.sqlite', 'm-1.sqlite', 'm-2.sqlite', '--json'], dir);
    expect(merged.code, merged.stderr).toBe(0);
    expect(JSON.parse(merged.stdout)).toMatchObject({ out: 'progress-cli.sqlite', inputs: 3, missing: 0 });
    const lines = merged.stderr.split('\n').filter((line) => line.startsWith('merge shards'));
    // A line at the start and one at the end; one in between only should a merge take 5 s.
    expect([lines[0], lines.at(-1)]).toEqual(['merge shards: 0/3', 'merge shards: 3/3']);
    for (const line of lines) expect(line).toMatch(/^merge shards: [0-3]\/3(, ETA \S+)?$/);
    expect(merged.stderr).not.toContain('\r');
    // The words for people follow the progress.
    const summary = msg.mergeSummary({ out: 'progress-cli.sqlite', inputs: 3, ok: 36, failed: 0, added: 36, duplicates: 0, cells: 36 });
    expect(merged.stderr.slice(merged.stderr.lastIndexOf('merge shards'))).toBe(`merge shards: 3/3\n${summary}\n`);
    // On a terminal, a bar redrawn in place, its line ended once all are merged.
    const onTerminal = await cli(['merge', 'progress-tty.sqlite', 'm-0.sqlite', 'm-1.sqlite', 'm-2.sqlite'], dir, { terminal: 100, env: { NO_COLOR: '1' } });
    expect(onTerminal.stderr).toMatch(/^\rmerge shards \[-+\] 0\/3/);
    expect(onTerminal.stderr).toMatch(/\rmerge shards \[#+\] 3\/3, \S+ *\n$/);
    expect(onTerminal.stdout.split('\n')[0]).toBe(summary.replace('progress-cli', 'progress-tty'));
  });

  // Root reads and writes any file, so as root the harness runs without that privilege.
  it('reads shards it may not write: read-only files, in a read-only folder or a writable one, each left as it was', async () => {
    const locked = p('locked-shards');
    mkdirSync(locked);
    copyFileSync(p('m-0.sqlite'), join(locked, 'm-0.sqlite'));
    copyFileSync(p('m-1.sqlite'), join(locked, 'm-1.sqlite'));
    copyFileSync(p('m-2.sqlite'), p('m-2-read-only.sqlite'));
    for (const file of [join(locked, 'm-0.sqlite'), join(locked, 'm-1.sqlite'), p('m-2-read-only.sqlite')]) chmodSync(file, 0o444);
    chmodSync(locked, 0o555);
    try {
      const exit = await runHarness(['merge', 'from-read-only.sqlite', 'locked-shards/m-0.sqlite', 'locked-shards/m-1.sqlite', 'm-2-read-only.sqlite'], { cwd: dir, withoutFileOverride: isRoot });
      expect(exit.code, exit.stderr).toBe(0);
      const merged = dumpResults(p('from-read-only.sqlite'));
      const whole = dumpResults(p('whole.sqlite'));
      expect(merged.trials).toBe(whole.trials);
      expect(merged.curves).toBe(whole.curves);
      // No -wal or -shm beside an input, and no copy of one left beside the output.
      expect(readdirSync(locked).sort()).toEqual(['m-0.sqlite', 'm-1.sqlite']);
      expect(readdirSync(dir).filter((name) => name.startsWith('m-2-read-only') || name.includes('.merging-'))).toEqual(['m-2-read-only.sqlite']);
    } finally {
      chmodSync(locked, 0o755);
    }
  }, 60_000);

  it('refuses databases of different setups, listing the differences', async () => {
    const other = await loadStudy(writeStudy(dir, 'o.yaml', noopStudy({ name: 'm', seeds: 5 })), { cwd: dir });
    await runStudy({ study: other, dbPath: p('other.sqlite'), threads: 1, shard: null, commandLine: 'test' });
    const message = refusal(() => mergeDatabases(p('mixed.sqlite'), [p('m-0.sqlite'), p('other.sqlite')], provenance, now, dir));
    expect(message).toBe(
      msg.mergeMixedManifests('m-0.sqlite', [{ path: 'other.sqlite', diffs: diffManifests(study.manifest.body, other.manifest.body) }]),
    );
    expect(message).toContain('  - seeds: 4 in m-0.sqlite, 5 in other.sqlite');
    expect(existsSync(p('mixed.sqlite'))).toBe(false);
    expect(refusal(() => mergeDatabases(p('out.sqlite'), [p('other.sqlite')], provenance, now, dir))).toBe(
      msg.mergeOutputDiffers('out.sqlite', diffManifests(study.manifest.body, other.manifest.body)),
    );
  });

  it('refuses results computed twice with different values, writing nothing', () => {
    copyFileSync(p('m-1.sqlite'), p('tampered.sqlite'));
    const db = new Database(p('tampered.sqlite'));
    const key = db.prepare('SELECT key FROM trial ORDER BY cell_index LIMIT 1').pluck().get() as string;
    db.prepare('UPDATE trial SET value = value + 1e-12 WHERE key = ?').run(key);
    db.close();
    const message = refusal(() => mergeDatabases(p('conflict.sqlite'), [p('m-1.sqlite'), p('tampered.sqlite')], provenance, now, dir));
    expect(message).toBe(msg.mergeConflicts(1, [{ key, table: 'trial', from: 'tampered.sqlite' }]));
    expect(existsSync(p('conflict.sqlite'))).toBe(false);
  });

  it('prefers an ok row to a failed one for the same cell', () => {
    copyFileSync(p('m-0.sqlite'), p('failed.sqlite'));
    const db = new Database(p('failed.sqlite'));
    db.prepare(`UPDATE trial SET status = 'failed', value = NULL, error = 'boom' WHERE cell_index = 0`).run();
    db.close();
    const result = mergeDatabases(p('healed.sqlite'), [p('failed.sqlite'), p('m-0.sqlite')], provenance, now, dir);
    expect(result.failed).toBe(0);
    expect(query(p('healed.sqlite'), 'SELECT status FROM trial WHERE cell_index = 0')).toEqual([{ status: 'ok' }]);
  });

  it('counts a failed trial as failed, not as missing', () => {
    const alone = mergeDatabases(p('failed-only.sqlite'), [p('failed.sqlite'), p('m-1.sqlite'), p('m-2.sqlite')], provenance, now, dir);
    expect(alone).toMatchObject({ failed: 1, missing: 0, missingByShard: [], failedByShard: [{ shard: '0/3', cells: 1 }] });
    expect(alone.ok).toBe(alone.cells - 1);
  });

  it('says which shards to rerun for their failed trials', async () => {
    const merged = await cli(['merge', 'failed-cli.sqlite', 'failed.sqlite', 'm-1.sqlite', 'm-2.sqlite'], dir);
    expect(merged.code).toBe(1);
    expect(merged.stdout).toContain('1 trial failed; the merge keeps it as a result, and rerunning a shard retries its failed trials.\n  - shard 0/3: 1 failed; rerun it with: ');
    expect(merged.stdout).not.toContain('missing');
    // Inputs that are not the shards of one cut: each input's own run command.
    await runStudy({ study, dbPath: p('half-1.sqlite'), threads: 1, shard: { index: 1, count: 2 }, commandLine: 'test' });
    const mixed = await cli(['merge', 'failed-mixed.sqlite', 'failed.sqlite', 'half-1.sqlite'], dir);
    expect(mixed.code).toBe(1);
    expect(mixed.stdout).toContain('1 trial failed; the merge keeps it as a result');
    expect(mixed.stdout).toContain('Rerun the "harness run" command that made each input with failed trials');
  });

  it('refuses an output that is an input, an input listed twice, and no inputs', () => {
    expect(refusal(() => mergeDatabases(p('m-0.sqlite'), [p('m-0.sqlite')], provenance, now, dir))).toBe(msg.mergeOutputIsInput('m-0.sqlite'));
    // A path through a symlink names the same file: merging into it would replace the input.
    symlinkSync(p('m-0.sqlite'), p('link-to-m-0.sqlite'));
    expect(refusal(() => mergeDatabases(p('link-to-m-0.sqlite'), [p('m-0.sqlite')], provenance, now, dir))).toBe(msg.mergeOutputIsInput('link-to-m-0.sqlite'));
    expect(refusal(() => mergeDatabases(p('x.sqlite'), [p('m-0.sqlite'), p('link-to-m-0.sqlite')], provenance, now, dir))).toBe(msg.mergeInputTwice('link-to-m-0.sqlite'));
    expect(lstatSync(p('link-to-m-0.sqlite')).isSymbolicLink()).toBe(true);
    expect(refusal(() => mergeDatabases(p('x.sqlite'), [p('m-0.sqlite'), p('m-0.sqlite')], provenance, now, dir))).toBe(msg.mergeInputTwice('m-0.sqlite'));
    expect(refusal(() => mergeDatabases(p('x.sqlite'), [], provenance, now, dir))).toBe(msg.mergeNoInputs());
    expect(refusal(() => mergeDatabases(p('x.sqlite'), [p('nope.sqlite')], provenance, now, dir))).toBe(msg.dbNotFound('nope.sqlite'));
  });

  it('takes no shard that a run is still writing, copies a killed run as killed, and lists each run once however often it merges', () => {
    for (const name of ['live-0', 'dead-1', 'other-2']) copyFileSync(p(`m-${name.at(-1)}.sqlite`), p(`${name}.sqlite`));
    const writing = (db: string, pid: number) => {
      const handle = new Database(p(db));
      const stamp = new Date().toISOString();
      const id = handle
        .prepare(`INSERT INTO run (started_at, heartbeat_at, status, node_version, cpu_model, threads, shard, command_line, host, pid) VALUES (?, ?, 'running', 'v20', 'cpu', 1, NULL, 'harness run s.yaml', ?, ?)`)
        .run(stamp, stamp, hostname(), pid).lastInsertRowid;
      handle.close();
      return { id: Number(id), pid, host: hostname(), startedAt: stamp };
    };
    // A live writer (this process) on an input: refused, nothing written.
    const live = writing('live-0.sqlite', process.pid);
    expect(refusal(() => mergeDatabases(p('busy-out.sqlite'), [p('live-0.sqlite'), p('m-1.sqlite')], provenance, now, dir))).toBe(msg.mergeInputBusy('live-0.sqlite', live));
    expect(existsSync(p('busy-out.sqlite'))).toBe(false);
    // A writer that is gone: merged, its row no lock on the merge.
    const gone = writing('dead-1.sqlite', 2 ** 22 + 12_345);
    mergeDatabases(p('runs.sqlite'), [p('m-0.sqlite'), p('dead-1.sqlite')], provenance, now, dir);
    const statusOf = (id: number) => query<{ status: string }>(p('runs.sqlite'), `SELECT status FROM run WHERE pid = ? AND started_at = ?`, id, gone.startedAt);
    expect(statusOf(gone.pid)).toEqual([{ status: 'killed' }]);
    // Merged again, with the same inputs and one more: each shard's run once, and one merge run per merge.
    const runs = () => query<{ command_line: string; shard: string | null }>(p('runs.sqlite'), `SELECT command_line, shard FROM run ORDER BY id`);
    const before = runs();
    mergeDatabases(p('runs.sqlite'), [p('m-0.sqlite'), p('dead-1.sqlite'), p('other-2.sqlite')], provenance, now, dir);
    const after = runs();
    expect(after.filter((r) => r.shard !== null)).toEqual([...before.filter((r) => r.shard !== null), { command_line: 'test', shard: '2/3' }]);
    expect(after.filter((r) => r.command_line === 'harness run s.yaml')).toHaveLength(1);
    expect(after.filter((r) => r.command_line === provenance.commandLine && r.shard === null).length).toBe(
      before.filter((r) => r.command_line === provenance.commandLine && r.shard === null).length + 1,
    );
    // A live writer on the output: refused in the output's name, before anything is copied.
    const busy = writing('runs.sqlite', process.pid);
    expect(refusal(() => mergeDatabases(p('runs.sqlite'), [p('m-1.sqlite')], provenance, now, dir))).toBe(msg.mergeOutputBusy('runs.sqlite', busy));
    expect(readdirSync(dir).filter((name) => name.includes('.merging-'))).toEqual([]);
  });

  it('refuses an output no folder can hold, naming the output, not its temporary file', () => {
    writeFileSync(p('a-file'), 'keep');
    expect(refusal(() => mergeDatabases(p('a-file/m.sqlite'), [p('m-0.sqlite')], provenance, now, dir))).toBe(
      msg.mergeOutUnusable(join('a-file', 'm.sqlite'), msg.folderProblem.isFile('a-file')),
    );
    expect(readdirSync(dir).filter((name) => name.startsWith('a-file'))).toEqual(['a-file']);
  });

  it('refuses an output ending in "/" where no folder is, which names a folder, creating nothing', async () => {
    const result = await cli(['merge', 'merged-here/', 'm-0.sqlite', 'm-1.sqlite'], dir);
    expect(result).toEqual({ code: 2, stdout: '', stderr: `${msg.mergeOutNamesFolder('merged-here/', 'merged-here/merged.sqlite')}\n` });
    expect(readdirSync(dir).filter((name) => name.startsWith('merged-here'))).toEqual([]);
  });
});
