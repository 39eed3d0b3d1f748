/**
 * Databases that are damaged, or that may not be written, with real processes.
 *
 * Damaged: garbage over some pages (as a disk fault or a torn copy leaves them), or a file cut
 * short with its header intact. SQLite finds the damage at whichever query first reads a bad
 * page, at open or long after; every command (status, export, report, plan, run) then exits 2
 * with one message that names the file, says it is damaged or truncated and that nothing was
 * changed, and names the fix; the file stays byte-identical, and the fix it names (run --fresh)
 * works.
 *
 * May not be written: a finished database (no -wal file, or an empty one) on a read-only mount,
 * in a folder this user may not write, or a file it may not write, is read like any other, and
 * nothing appears beside it.
 * One whose -wal file holds commits cannot be read there (SQLite needs a -shm file beside it):
 * exit 2 and a message that says so.
 * The mount needs root (as CI has), the folder a process that file modes apply to (as root:
 * without root's file-override capabilities); elsewhere those tests are skipped with the reason
 * printed.
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, closeSync, readdirSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as msg from '../../harness/messages.js';
import { fixtures } from '../harness/helpers.js';
import { fileModesCannotApply, isRoot, runHarness, seededRandom, smallDisk, treeSnapshot, type Exit } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'harness-damaged-'));
const study = join(fixtures, 'studies', 'noop.yaml');
/** 1,800 trials: about a hundred 4 KB pages, of which some sixty hold trials. */
const studyArgs = [study, '--set', 'seeds=200'];
const finished = join(dir, 'finished.sqlite');
const malformed: msg.DbDamage = { kind: 'malformed', reason: 'database disk image is malformed' };

beforeAll(async () => {
  const made = await runHarness(['run', ...studyArgs, '--threads', '2', '--db', finished], { cwd: dir });
  expect(made.code, made.stderr).toBe(0);
  mkdirSync(join(dir, 'out'));
}, 60_000);

afterAll(() => {
  // The folder test makes this folder read-only; give it back so that it can be removed.
  if (existsSync(join(dir, 'locked'))) chmodSync(join(dir, 'locked'), 0o755);
  rmSync(dir, { recursive: true, force: true });
});

const harness = (argv: string[], options: { withoutFileOverride?: boolean } = {}) => runHarness(argv, { cwd: dir, ...options });

/** The report's progress lines ("load trials: n/N") are not part of what is checked. */
const withoutProgress = (exit: Exit) => ({ code: exit.code, stdout: exit.stdout, stderr: exit.stderr.replace(/^load trials: .*\n/gm, '') });

/** Skips a test of file modes where they cannot apply (root without setpriv), saying why. */
function skipUnlessFileModesApply(ctx: { skip: () => void }): void {
  const cannot = fileModesCannotApply();
  if (cannot) {
    console.warn(`skipped: ${cannot}`);
    ctx.skip();
  }
}

const refused = (message: string) => ({ code: 2, stdout: '', stderr: `${message}\n` });

/** Every command that opens a database, on `db` (relative to `dir`); writes go to out/. */
function commandsOn(db: string): [string, string[]][] {
  return [
    ['status', ['status', db]],
    ['export', ['export', db, '--out', 'out/trials.csv']],
    ['report', ['report', db, '--out', 'out/report']],
    ['plan', ['plan', ...studyArgs, '--db', db]],
    ['run', ['run', ...studyArgs, '--threads', '1', '--db', db]],
  ];
}

/**
 * Copies the finished database to `target` with the middle page of each b-tree of `tables` (the
 * table and its indexes) overwritten by garbage, the same garbage on every run.
 */
function damaged(target: string, tables: readonly string[]): void {
  copyFileSync(finished, target);
  const source = new Database(finished, { readonly: true, fileMustExist: true });
  let pages: number[];
  let pageSize: number;
  try {
    pageSize = source.pragma('page_size', { simple: true }) as number;
    const rows = source
      .prepare(`SELECT name, pageno FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name IN (SELECT value FROM json_each(?))) ORDER BY name, pageno`)
      .all(JSON.stringify(tables)) as { name: string; pageno: number }[];
    const byTree = new Map<string, number[]>();
    for (const row of rows) byTree.set(row.name, [...(byTree.get(row.name) ?? []), row.pageno]);
    pages = [...byTree.values()].map((tree) => tree[Math.floor(tree.length / 2)]!);
  } finally {
    source.close();
  }
  expect(pages.length).toBeGreaterThan(0);
  const random = seededRandom(`damaged ${tables.join(',')}`);
  const fd = openSync(target, 'r+');
  try {
    for (const page of pages) {
      const garbage = Buffer.from(Array.from({ length: pageSize }, () => Math.floor(random() * 256)));
      writeSync(fd, garbage, 0, pageSize, (page - 1) * pageSize);
    }
  } finally {
    closeSync(fd);
  }
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Each command on `db` exits 2 with `message`; nothing in its folder or in out/ changes. */
async function expectRefusedByEveryCommand(db: string, message: string): Promise<void> {
  const folder = join(dir, db, '..');
  const before = treeSnapshot(folder);
  for (const [name, argv] of commandsOn(db)) {
    expect({ name, ...withoutProgress(await harness(argv)) }).toEqual({ name, ...refused(message) });
  }
  expect(treeSnapshot(folder)).toEqual(before);
  expect(readdirSync(join(dir, 'out'))).toEqual([]);
}

describe('a damaged database', () => {
  it('garbage in the pages of its trials: every command names the file, changes nothing, and --fresh starts anew', async () => {
    mkdirSync(join(dir, 'trials'));
    const db = 'trials/results.sqlite';
    damaged(join(dir, db), ['trial']);
    const bytes = sha(join(dir, db));
    await expectRefusedByEveryCommand(db, msg.dbDamaged(db, malformed, true));

    // The fix the message names: --fresh moves the file aside, as it was, and runs anew.
    const fresh = await harness(['run', ...studyArgs, '--threads', '2', '--db', db, '--fresh']);
    expect(fresh.code, fresh.stderr).toBe(0);
    const aside = readdirSync(join(dir, 'trials')).filter((name) => name !== 'results.sqlite');
    expect(aside).toHaveLength(1);
    expect(sha(join(dir, 'trials', aside[0]!))).toBe(bytes);
    expect((await harness(['status', db])).code).toBe(0);
  }, 60_000);

  it('garbage in the pages of its curves, which a resumed run never reads: run, and a merge into it, refuse before writing, the file unchanged', async () => {
    mkdirSync(join(dir, 'curves'));
    const db = 'curves/results.sqlite';
    damaged(join(dir, db), ['curve']);
    const before = treeSnapshot(join(dir, 'curves'));
    for (const argv of [
      ['run', ...studyArgs, '--threads', '1', '--db', db],
      ['merge', db, 'finished.sqlite'],
    ]) {
      const exit = withoutProgress(await harness(argv));
      expect({ argv, ...exit }).toEqual({ argv, ...refused(msg.dbDamaged(db, malformed, true)) });
    }
    expect(treeSnapshot(join(dir, 'curves'))).toEqual(before);
  }, 60_000);

  it('garbage in the page of its schema version: damaged, not "not an SQLite database"', async () => {
    mkdirSync(join(dir, 'meta'));
    const db = 'meta/results.sqlite';
    damaged(join(dir, db), ['meta']);
    await expectRefusedByEveryCommand(db, msg.dbDamaged(db, malformed, true));
  }, 60_000);

  it('a leaf of its trials copied over another, as a copy made while a run wrote can be: the rows SQLite reads without complaint give a cell twice', async () => {
    mkdirSync(join(dir, 'torn'));
    const db = 'torn/results.sqlite';
    copyFileSync(finished, join(dir, db));
    const source = new Database(finished, { readonly: true, fileMustExist: true });
    const pageSize = source.pragma('page_size', { simple: true }) as number;
    const leaves = source.prepare(`SELECT pageno FROM dbstat WHERE name = 'trial' AND pagetype = 'leaf' ORDER BY pageno`).pluck().all() as number[];
    source.close();
    expect(leaves.length).toBeGreaterThan(2);
    const fd = openSync(join(dir, db), 'r+');
    try {
      const first = readFileSync(finished).subarray((leaves[0]! - 1) * pageSize, leaves[0]! * pageSize);
      writeSync(fd, first, 0, pageSize, (leaves[Math.floor(leaves.length / 2)]! - 1) * pageSize);
    } finally {
      closeSync(fd);
    }
    // The cell SQLite gives a second time, in the order it reads them (read from a copy: a reader leaves -wal and -shm files).
    copyFileSync(join(dir, db), join(dir, 'torn-probe.sqlite'));
    const reader = new Database(join(dir, 'torn-probe.sqlite'), { readonly: true, fileMustExist: true });
    const seen = new Set<number>();
    const twice = (reader.prepare('SELECT cell_index FROM trial').pluck().all() as number[]).find((cell) => seen.has(cell) || !seen.add(cell));
    reader.close();
    expect(twice).toBeDefined();
    const message = msg.dbDamaged(db, { kind: 'inconsistent', reason: msg.rowsRepeated('trial', 'cell_index', twice) }, true);
    const before = treeSnapshot(join(dir, 'torn'));
    for (const argv of [['status', db], ['export', db, '--out', 'out/trials.csv'], ['export', db, '--format', 'json'], ['report', db, '--out', 'out/report']]) {
      const exit = withoutProgress(await harness(argv));
      expect({ argv, code: exit.code, stderr: exit.stderr }).toEqual({ argv, code: 2, stderr: `${message}\n` });
    }
    // A command that writes checks every page first, and SQLite's check finds the leaf out of place.
    expect(withoutProgress(await harness(['run', ...studyArgs, '--threads', '1', '--db', db]))).toEqual(refused(msg.dbDamaged(db, malformed, true)));
    expect(treeSnapshot(join(dir, 'torn'))).toEqual(before);
    expect(readdirSync(join(dir, 'out'))).toEqual([]);
  }, 60_000);

  it('cut short with its header intact: truncated, here and in a folder', async () => {
    mkdirSync(join(dir, 'truncated'));
    const db = 'truncated/results.sqlite';
    copyFileSync(finished, join(dir, db));
    truncateSync(join(dir, db), 8192);
    const truncated = (shown: string) => msg.dbDamaged(shown, { kind: 'truncated', bytes: 8192, pages: statSync(finished).size / 4096, pageSize: 4096 }, true);
    await expectRefusedByEveryCommand(db, truncated(db));
    expect(withoutProgress(await harness(['status', 'truncated']))).toEqual(refused(truncated(db)));
    expect(truncated(db)).toMatch(/^truncated\/results\.sqlite is truncated: its header announces \d+ pages of 4096 bytes \(\d+ bytes\) but the file has only 8192 bytes/);
  }, 60_000);
});

/** Copies the finished database to `db` (relative to `dir`, in a new folder) and changes it with `sql`, as another program or a hand might. */
function altered(db: string, ...sql: string[]): void {
  mkdirSync(join(dir, dirname(db)));
  copyFileSync(finished, join(dir, db));
  const handle = new Database(join(dir, db));
  try {
    for (const statement of sql) handle.exec(statement);
  } finally {
    handle.close();
  }
}

const alteredBecause = (db: string, reason: string) => msg.dbDamaged(db, { kind: 'altered', reason }, true);

describe('a database changed by another program, or by hand', () => {
  it('a table dropped, or the schema level deleted: every command names the file and what is gone, and changes nothing', async () => {
    altered('no-trial/results.sqlite', 'DROP TABLE trial');
    await expectRefusedByEveryCommand('no-trial/results.sqlite', alteredBecause('no-trial/results.sqlite', msg.tablesMissing(['trial'])));
    for (const table of ['curve', 'study', 'run', 'failure', 'column_info']) {
      const db = `no-${table}/results.sqlite`;
      altered(db, `DROP TABLE ${table}`);
      expect({ table, ...withoutProgress(await harness(['report', db, '--out', 'out/report'])) }).toEqual({ table, ...refused(alteredBecause(db, msg.tablesMissing([table]))) });
    }
    altered('two-gone/results.sqlite', 'DROP TABLE run', 'DROP TABLE curve');
    expect(withoutProgress(await harness(['status', 'two-gone/results.sqlite']))).toEqual(refused(alteredBecause('two-gone/results.sqlite', msg.tablesMissing(['run', 'curve']))));
    for (const [db, sql] of [
      ['no-meta/results.sqlite', 'DROP TABLE meta'],
      ['no-level/results.sqlite', "DELETE FROM meta WHERE key = 'schema_version'"],
    ] as const) {
      altered(db, sql);
      expect({ sql, ...withoutProgress(await harness(['status', db])) }).toEqual({ sql, ...refused(alteredBecause(db, msg.schemaVersionMissing())) });
    }
    expect(readdirSync(join(dir, 'out'))).toEqual([]);
  }, 60_000);

  it('a stored value not of its column\'s kind, a JSON text that is not JSON, or a column dropped: the commands that read it name the table, row and column', async () => {
    altered('manifest/results.sqlite', "UPDATE study SET manifest = '{not json'");
    await expectRefusedByEveryCommand('manifest/results.sqlite', alteredBecause('manifest/results.sqlite', msg.storedValueWrong('study', "the study's row", 'manifest', 'JSON texts', '{not json')));

    const source = new Database(finished, { readonly: true, fileMustExist: true });
    const firstCurve = source.prepare('SELECT group_key FROM curve ORDER BY group_key, idx LIMIT 1').pluck().get() as string;
    source.close();
    for (const [db, sql, reason] of [
      ['value/results.sqlite', "UPDATE trial SET value = 'abc' WHERE cell_index = 5", msg.storedValueWrong('trial', 'cell 5', 'value', 'numbers', 'abc')],
      ['diagnostics/results.sqlite', "UPDATE trial SET diagnostics = '{oops' WHERE cell_index = 6", msg.storedValueWrong('trial', 'cell 6', 'diagnostics', 'JSON texts', '{oops')],
      ['curve-value/results.sqlite', `UPDATE curve SET y = 'abc' WHERE group_key = '${firstCurve}' AND idx = 0`, msg.storedValueWrong('curve', `group_key ${firstCurve}`, 'y', 'numbers', 'abc')],
      ['no-value/results.sqlite', 'ALTER TABLE trial DROP COLUMN value', msg.columnsMissing('trial', ['value'])],
      ['no-y/results.sqlite', 'ALTER TABLE curve DROP COLUMN y', msg.columnsMissing('curve', ['y'])],
    ] as const) {
      altered(db, sql);
      const before = treeSnapshot(join(dir, dirname(db)));
      expect({ sql, ...withoutProgress(await harness(['report', db, '--out', 'out/report'])) }).toEqual({ sql, ...refused(alteredBecause(db, reason)) });
      expect(treeSnapshot(join(dir, dirname(db)))).toEqual(before);
    }
    expect(readdirSync(join(dir, 'out'))).toEqual([]);
  }, 60_000);
});

/** Reading `db` (a copy of the finished database) gives what reading the original gives. */
async function readsLikeTheOriginal(db: string, options: { withoutFileOverride?: boolean } = {}): Promise<void> {
  for (const [name, argv] of [
    ['status', ['status', '--json']],
    ['plan', ['plan', ...studyArgs, '--db']],
  ] as const) {
    const original = await harness([...argv, 'finished.sqlite']);
    const here = await harness([...argv, db], options);
    expect({ name, code: here.code, stderr: here.stderr, stdout: here.stdout.replaceAll(db, 'finished.sqlite') }).toEqual({
      name,
      code: 0,
      stderr: '',
      stdout: original.stdout,
    });
  }
  const exported = await harness(['export', db, '--out', 'out/read.csv'], options);
  expect({ code: exported.code, stderr: exported.stderr }).toEqual({ code: 0, stderr: `${msg.exportWritten(1800, 'trials', 'out/read.csv')}\n` });
  expect((await harness(['export', finished])).stdout).toBe(readFileSync(join(dir, 'out', 'read.csv'), 'utf8'));
  const report = await harness(['report', db, '--out', 'out/read-report'], options);
  expect({ code: report.code, stderr: withoutProgress(report).stderr }).toEqual({ code: 0, stderr: '' });
  rmSync(join(dir, 'out'), { recursive: true });
  mkdirSync(join(dir, 'out'));
}

describe('a finished database on a read-only file system', () => {
  const mount = join(dir, 'ro');
  const disk = smallDisk(mount, '8m');

  it('is read like any other (no -wal, or an empty one), nothing appears beside it, and damage is still named', async (ctx) => {
    disk.skipUnlessMounted(ctx);
    copyFileSync(finished, join(mount, 'finished.sqlite'));
    copyFileSync(finished, join(mount, 'empty-wal.sqlite'));
    writeFileSync(join(mount, 'empty-wal.sqlite-wal'), '');
    damaged(join(mount, 'damaged.sqlite'), ['trial']);
    execFileSync('mount', ['-o', 'remount,ro', mount], { stdio: 'pipe' });
    try {
      const before = treeSnapshot(mount);
      await readsLikeTheOriginal('ro/finished.sqlite');
      await readsLikeTheOriginal('ro/empty-wal.sqlite');
      const db = 'ro/damaged.sqlite';
      for (const [name, argv] of commandsOn(db).filter(([n]) => n !== 'run')) {
        expect({ name, ...withoutProgress(await harness(argv)) }).toEqual({ name, ...refused(msg.dbDamaged(db, malformed, true)) });
      }
      expect(treeSnapshot(mount)).toEqual(before);
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mount], { stdio: 'pipe' });
    }
  }, 120_000);

  it('one whose -wal holds commits cannot be read there: exit 2, saying why and what to do instead', async (ctx) => {
    disk.skipUnlessMounted(ctx);
    const source = join(dir, 'pending.sqlite');
    copyFileSync(finished, source);
    const writer = new Database(source);
    try {
      writer.pragma('wal_autocheckpoint = 0');
      // A real change: SQLite writes no page for an update that leaves a row as it was.
      writer.prepare(`UPDATE run SET threads = 7`).run();
      // Copied while the writer is open: the commit is in the -wal file only.
      for (const suffix of ['', '-wal']) copyFileSync(source + suffix, join(mount, `pending.sqlite${suffix}`));
    } finally {
      writer.close();
    }
    execFileSync('mount', ['-o', 'remount,ro', mount], { stdio: 'pipe' });
    try {
      const before = treeSnapshot(mount);
      const db = 'ro/pending.sqlite';
      const message = msg.dbPendingWal(db, statSync(join(mount, 'pending.sqlite-wal')).size, 'EROFS');
      for (const [name, argv] of commandsOn(db).filter(([n]) => n !== 'run')) {
        expect({ name, ...withoutProgress(await harness(argv)) }).toEqual({ name, ...refused(message) });
      }
      expect(treeSnapshot(mount)).toEqual(before);
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mount], { stdio: 'pipe' });
    }
  });
});

/**
 * A read-only copy of the finished database in `folder` (made here; read-only too when
 * `lockFolder`) is read like the original by a user to whom file modes apply, and nothing
 * appears beside it.
 */
async function readsReadOnlyCopy(folder: string, lockFolder: boolean): Promise<void> {
  mkdirSync(folder);
  copyFileSync(finished, join(folder, 'finished.sqlite'));
  chmodSync(join(folder, 'finished.sqlite'), 0o444);
  if (lockFolder) chmodSync(folder, 0o555);
  const before = treeSnapshot(folder);
  await readsLikeTheOriginal(`${basename(folder)}/finished.sqlite`, { withoutFileOverride: isRoot });
  expect(treeSnapshot(folder)).toEqual(before);
}

describe('a finished database in a folder this user may not write', () => {
  it('is read like any other, and nothing appears beside it', async (ctx) => {
    skipUnlessFileModesApply(ctx);
    const locked = join(dir, 'locked');
    try {
      await readsReadOnlyCopy(locked, true);
    } finally {
      chmodSync(locked, 0o755);
    }
  }, 120_000);
});

describe('a finished database this user may not write, in a folder it may', () => {
  it('is read like any other, leaves no -wal or -shm file beside it, and runs again once writable', async (ctx) => {
    skipUnlessFileModesApply(ctx);
    const folder = join(dir, 'read-only-file');
    // SQLite's files, made read-only beside a read-only file, would refuse the next writer.
    await readsReadOnlyCopy(folder, false);
    chmodSync(join(folder, 'finished.sqlite'), 0o644);
    const resumed = await harness(['run', ...studyArgs, '--db', 'read-only-file/finished.sqlite'], { withoutFileOverride: isRoot });
    expect({ code: resumed.code, stderr: resumed.stderr }).toMatchObject({ code: 0 });
  }, 120_000);
});

describe('a database read through a symlink, its commits still in the -wal of another process', () => {
  it('is read with those commits: the -wal is the one beside the file, not beside the link', async (ctx) => {
    skipUnlessFileModesApply(ctx);
    const real = join(dir, 'linked-real', 'db.sqlite');
    mkdirSync(dirname(real));
    mkdirSync(join(dir, 'linked'));
    copyFileSync(finished, real);
    symlinkSync(real, join(dir, 'linked', 'db.sqlite'));
    // A writer that has not checkpointed: 9 trials deleted, in its -wal only.
    const writer = new Database(real);
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('DELETE FROM trial WHERE rowid IN (SELECT rowid FROM trial ORDER BY rowid LIMIT 9)');
    // Not writable by the reader, who may then read a finished file from a snapshot.
    chmodSync(real, 0o444);
    try {
      const counts = async (db: string) => {
        const exit = await harness(['status', db, '--json'], { withoutFileOverride: isRoot });
        expect(exit.code, exit.stderr).toBe(1); // read, and 9 trials missing
        // Named as given, in the command that completes it too.
        const { db: shown, next, ...status } = JSON.parse(exit.stdout) as Record<string, unknown>;
        expect(next).toMatch(new RegExp(` --db ${String(shown).replace('.', '\\.')}$`));
        return status;
      };
      const direct = await counts('linked-real/db.sqlite');
      expect(direct).toMatchObject({ ok: 1791, missing: 9 });
      expect(await counts('linked/db.sqlite')).toEqual(direct);
    } finally {
      writer.close();
      chmodSync(real, 0o644);
    }
  }, 120_000);
});
