/**
 * `harness status` on a folder: --json always prints the folder's list, [] when it holds no
 * database (or results/ does not exist), so that it parses like a full one; and a file that is
 * not a readable results database is reported with its reason beside every good database,
 * instead of hiding them; and the shards of a study that the folder holds in part are named as
 * missing, not only listed as databases of their own.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { shellQuote } from '../../harness/cluster/shell.js';
import * as msg from '../../harness/messages.js';
import { harnessCall } from '../../harness/paths.js';
import { cli, harnessOutside, noopStudy, tempDir, writeStudy } from './helpers.js';

const dir = tempDir('harness-status-folder-');

beforeAll(async () => {
  writeStudy(dir, 'noop.yaml', noopStudy({ name: 'statusfolder' }));
  mkdirSync(join(dir, 'mixed'));
  const run = await cli(['run', 'noop.yaml', '--threads', '1', '--db', 'mixed/good.sqlite'], dir);
  expect(run.code).toBe(0);
});

describe('status --json on a folder without databases', () => {
  it('prints [] for an empty folder, with the message on stderr', async () => {
    mkdirSync(join(dir, 'empty'));
    const result = await cli(['status', 'empty', '--json'], dir);
    expect(result).toEqual({ code: 0, stdout: '[]\n', stderr: `${msg.statusNoDatabases('empty', true, dir, harnessCall(dir))}\n` });
    expect(JSON.parse(result.stdout)).toEqual([]);
  });

  it('prints [] when there is no results/ folder', async () => {
    const bare = tempDir('harness-status-bare-');
    const result = await cli(['status', '--json'], bare);
    const said = msg.statusNoDatabases('results', false, bare, harnessCall(bare));
    expect(said).toMatch(/^No results folder in .*: no study has been run from here\. Run "node .* run <study>" to make one, or name a database or a folder of them: /);
    expect(result).toEqual({ code: 0, stdout: '[]\n', stderr: `${said}\n` });
    // Text mode is unchanged: the message only.
    expect(await cli(['status'], bare)).toEqual({ code: 0, stdout: '', stderr: `${said}\n` });
  });

  it('prints the same shape, a list, as for a folder with databases', async () => {
    mkdirSync(join(dir, 'one'));
    expect((await cli(['run', 'noop.yaml', '--threads', '1', '--db', 'one/only.sqlite'], dir)).code).toBe(0);
    const result = await cli(['status', 'one', '--json'], dir);
    expect(result.code).toBe(0);
    const list = JSON.parse(result.stdout) as { db: string; ok: number }[];
    expect(list).toEqual([expect.objectContaining({ db: 'one/only.sqlite', ok: 27 })]);
  });
});

describe('status on a folder with a file that is not a database', () => {
  beforeAll(() => {
    writeFileSync(join(dir, 'mixed', 'bad.sqlite'), 'not a database at all, not even close to one\n');
    symlinkSync(join(dir, 'gone.sqlite'), join(dir, 'mixed', 'dangling.sqlite'));
  });

  it('reports every good database, and each unreadable file with its reason, exiting 2', async () => {
    const text = await cli(['status', 'mixed'], dir);
    expect(text.code).toBe(2);
    expect(text.stdout).toContain('mixed/good.sqlite: study statusfolder (experiment noop v1, manifest ');
    expect(text.stdout).toContain('  trials: 27 in all, 27 ok, 0 failed, 0 missing');
    expect(text.stdout).not.toContain('bad.sqlite');
    expect(text.stderr).toBe(`${msg.dbNotSqlite('mixed/bad.sqlite')}\n${msg.dbNotFound('mixed/dangling.sqlite')}\n`);
  });

  it('lists them in --json too: the good ones as usual, the others as {db, error}', async () => {
    const json = await cli(['status', 'mixed', '--json'], dir);
    expect(json.code).toBe(2);
    expect(json.stderr).toBe(`${msg.dbNotSqlite('mixed/bad.sqlite')}\n${msg.dbNotFound('mixed/dangling.sqlite')}\n`);
    const list = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(list).toEqual([
      { db: 'mixed/bad.sqlite', error: msg.dbNotSqlite('mixed/bad.sqlite') },
      { db: 'mixed/dangling.sqlite', error: msg.dbNotFound('mixed/dangling.sqlite') },
      expect.objectContaining({ db: 'mixed/good.sqlite', study: 'statusfolder', ok: 27, failed: 0, missing: 0 }),
    ]);
  });

  it('still refuses a single named file that is not a database', async () => {
    expect(await cli(['status', 'mixed/bad.sqlite'], dir)).toEqual({ code: 2, stdout: '', stderr: `${msg.dbNotSqlite('mixed/bad.sqlite')}\n` });
  });
});

describe('status on a folder with SQLite files of other names', () => {
  it('names them, and how to see one, whether or not the folder has *.sqlite databases', async () => {
    mkdirSync(join(dir, 'named'));
    copyFileSync(join(dir, 'mixed', 'good.sqlite'), join(dir, 'named', 'study.db'));
    copyFileSync(join(dir, 'mixed', 'good.sqlite'), join(dir, 'named', 'copy.sqlite3'));
    // Neither a text file nor a folder under such a name is SQLite.
    writeFileSync(join(dir, 'named', 'notes.db'), 'not SQLite\n');
    mkdirSync(join(dir, 'named', 'folder.db'));
    const note = msg.statusOtherSqliteFiles(['named/copy.sqlite3', 'named/study.db']);
    expect(note).toContain('"harness status named/copy.sqlite3"');
    const alone = await cli(['status', 'named', '--json'], dir);
    expect(alone).toEqual({ code: 0, stdout: '[]\n', stderr: `${msg.statusNoDatabases('named', true, dir, harnessCall(dir))}\n${note}\n` });
    copyFileSync(join(dir, 'mixed', 'good.sqlite'), join(dir, 'named', 'main.sqlite'));
    const beside = await cli(['status', 'named'], dir);
    expect(beside).toMatchObject({ code: 0, stderr: `${note}\n` });
    expect(beside.stdout).toContain('named/main.sqlite: study statusfolder');
    expect(beside.stdout).not.toContain('study.db');
    // Named, one of them is read as any database is.
    const named = await cli(['status', 'named/study.db', '--json'], dir);
    expect(named.code).toBe(0);
    expect(JSON.parse(named.stdout)).toMatchObject({ db: 'named/study.db', ok: 27 });
  });
});

describe('status of an unfinished database', () => {
  it('says by which values of the grid the failed and missing trials lie, and counts the whole grid once a whole run ran', async () => {
    const { default: Database } = await import('better-sqlite3');
    // noop: 3 colors x 3 sizes x 3 seeds; a first shard, then the whole grid.
    expect((await cli(['run', 'noop.yaml', '--db', 'where.sqlite', '--shard', '0/3'], dir)).code).toBe(0);
    expect((await cli(['run', 'noop.yaml', '--db', 'where.sqlite'], dir)).code).toBe(0);
    const db = new Database(join(dir, 'where.sqlite'));
    db.exec(`DELETE FROM trial WHERE color = 'green' AND replicate = 1; UPDATE trial SET status = 'failed', error = 'lost' WHERE color = 'blue' AND size = 's' AND replicate = 0`);
    db.close();
    const text = await cli(['status', 'where.sqlite'], dir);
    // Trials missing or failed: exit 1, as for a folder with shards missing; 0 once finished.
    expect(text.code).toBe(1);
    expect(text.stdout.split('\n').slice(1, 4)).toEqual([
      '  trials: 27 in all, 23 ok, 1 failed, 3 missing',
      '    by color: green 3 missing; blue 1 failed',
      '    by size: s 1 failed, 1 missing; m 1 missing; l 1 missing',
    ]);
    // Then the command that completes it: its last run's, which also retries the failed trial.
    const complete = `${harnessOutside} run noop.yaml --db where.sqlite`;
    expect(text.stdout.endsWith(`\n  complete it, retrying its failed trials, with: ${complete}\n`)).toBe(true);
    const json = JSON.parse((await cli(['status', 'where.sqlite', '--json'], dir)).stdout) as { byDimension: unknown; next: string };
    expect(json.next).toBe(complete);
    expect(json.byDimension).toEqual([
      { name: 'color', values: [{ value: 'red', ok: 9, failed: 0, missing: 0 }, { value: 'green', ok: 6, failed: 0, missing: 3 }, { value: 'blue', ok: 8, failed: 1, missing: 0 }] },
      { name: 'size', values: [{ value: 's', ok: 7, failed: 1, missing: 1 }, { value: 'm', ok: 8, failed: 0, missing: 1 }, { value: 'l', ok: 8, failed: 0, missing: 1 }] },
    ]);
    // Finished: nothing to say by value.
    const done = await cli(['status', 'mixed/good.sqlite'], dir);
    expect(done.code).toBe(0);
    expect(done.stdout).not.toContain(' by ');
    // The command run as given, through a shell, completes it (its failed trial retried): 0, and
    // nothing more to do; one failed trial alone: 1, and the command that retries it.
    execFileSync('sh', ['-c', complete], { cwd: dir, stdio: 'pipe' });
    const completed = await cli(['status', 'where.sqlite', '--json'], dir);
    expect(completed.code).toBe(0);
    expect(JSON.parse(completed.stdout)).toMatchObject({ ok: 27, failed: 0, missing: 0, next: null });
    const failedOnly = new Database(join(dir, 'where.sqlite'));
    failedOnly.exec(`UPDATE trial SET status = 'failed', error = 'lost' WHERE color = 'red' AND size = 'm' AND replicate = 2`);
    failedOnly.close();
    const oneFailed = await cli(['status', 'where.sqlite'], dir);
    expect(oneFailed.code).toBe(1);
    expect(oneFailed.stdout.endsWith(`\n  retry its failed trials with: ${complete}\n`)).toBe(true);
    // A folder that holds it exits 1 too; one of finished databases, 0.
    mkdirSync(join(dir, 'unfinished'));
    copyFileSync(join(dir, 'where.sqlite'), join(dir, 'unfinished', 'where.sqlite'));
    expect((await cli(['status', 'unfinished'], dir)).code).toBe(1);
    mkdirSync(join(dir, 'finished'));
    copyFileSync(join(dir, 'mixed', 'good.sqlite'), join(dir, 'finished', 'good.sqlite'));
    expect((await cli(['status', 'finished'], dir)).code).toBe(0);
  });
});

describe('the command status gives, asked in another folder than the run was started in', () => {
  it('names the study file from there, and completes the run pasted there', async () => {
    const { default: Database } = await import('better-sqlite3');
    const here = join(dir, 'away', 'deeper');
    mkdirSync(here, { recursive: true });
    expect((await cli(['run', 'noop.yaml', '--threads', '1', '--db', 'away.sqlite'], dir)).code).toBe(0);
    const db = new Database(join(dir, 'away.sqlite'));
    db.exec(`DELETE FROM trial WHERE color = 'red'`);
    db.close();
    const asked = await cli(['status', '../../away.sqlite', '--json'], here);
    expect(asked.code).toBe(1);
    const next = (JSON.parse(asked.stdout) as { next: string }).next;
    // As typed, "noop.yaml" would name a file that is not there (nor a study of the project's).
    expect(next).toBe(`${harnessOutside} run ${shellQuote(join(dir, 'noop.yaml'))} --threads 1 --db ${shellQuote(join(dir, 'away.sqlite'))}`);
    execFileSync('sh', ['-c', next], { cwd: here, stdio: 'pipe' });
    expect(JSON.parse((await cli(['status', 'away.sqlite', '--json'], dir)).stdout)).toMatchObject({ ok: 27, missing: 0, next: null });
  });
});

describe('status on a folder with some shards of a study', () => {
  it('says which shards no database holds, the commands that run them, and the merge; nothing once they are all there', async () => {
    mkdirSync(join(dir, 'cut'));
    const shard = (i: number) => ['run', 'noop.yaml', '--shard', `${i}/3`, '--db', `cut/statusfolder.shard-${i}-of-3.sqlite`, '--threads', '1'];
    for (const i of [0, 2]) expect((await cli(shard(i), dir)).code).toBe(0);
    const note = msg.statusShardsMissing(
      'statusfolder',
      3,
      [{ shard: '1/3', command: `${harnessOutside} run noop.yaml --shard 1/3 --db cut/statusfolder.shard-1-of-3.sqlite --threads 1` }],
      'cut',
      `${harnessOutside} merge cut/statusfolder.sqlite cut/statusfolder.shard-*-of-3.sqlite`,
    );
    // Exit 1, as a Slurm shard folder with shards missing: the merge would refuse them.
    const listed = await cli(['status', 'cut'], dir);
    expect(listed.code).toBe(1);
    expect(listed.stdout.endsWith(`\n${note}\n`)).toBe(true);
    expect(note).toContain('Study statusfolder is cut into 3 shards, and shard 1/3 has no database in cut. Run it:');
    // With --json, stdout stays the list, each shard of the cut saying what the cut lacks; the note for people on stderr.
    const json = await cli(['status', 'cut', '--json'], dir);
    expect(json.code).toBe(1);
    const missingShards = {
      count: 3,
      missing: ['1/3'],
      run: [`${harnessOutside} run noop.yaml --shard 1/3 --db cut/statusfolder.shard-1-of-3.sqlite --threads 1`],
      merge: `${harnessOutside} merge cut/statusfolder.sqlite cut/statusfolder.shard-*-of-3.sqlite`,
    };
    expect(JSON.parse(json.stdout)).toMatchObject([{ db: 'cut/statusfolder.shard-0-of-3.sqlite', missingShards }, { db: 'cut/statusfolder.shard-2-of-3.sqlite', missingShards }]);
    expect(json.stderr).toContain(note);
    // The command it gives runs the missing shard; then nothing is missing, before or after the merge.
    expect((await cli(shard(1), dir)).code).toBe(0);
    const whole = await cli(['status', 'cut', '--json'], dir);
    expect(whole.code).toBe(0);
    expect(JSON.parse(whole.stdout).some((e: object) => 'missingShards' in e)).toBe(false);
    expect((await cli(['status', 'cut'], dir)).stdout).not.toContain('is cut into');
    // A shard of an abandoned cut beside them lacks nothing: the three cover the study.
    expect((await cli(['run', 'noop.yaml', '--shard', '0/2', '--db', 'cut/statusfolder.shard-0-of-2.sqlite', '--threads', '1'], dir)).code).toBe(0);
    expect((await cli(['status', 'cut'], dir)).stdout).not.toContain('is cut into');
    expect((await cli(['merge', 'cut/statusfolder.sqlite', ...[0, 1, 2].map((i) => `cut/statusfolder.shard-${i}-of-3.sqlite`)], dir)).code).toBe(0);
    expect((await cli(['status', 'cut'], dir)).stdout).not.toContain('is cut into');
  });

  it('gives the missing shards a database in the folder it reads, whatever folder the others were run into', async () => {
    expect((await cli(['run', 'noop.yaml', '--shard', '0/3', '--threads', '1'], dir)).code).toBe(0);
    mkdirSync(join(dir, 'copied'));
    copyFileSync(join(dir, 'results', 'statusfolder.shard-0-of-3.sqlite'), join(dir, 'copied', 'statusfolder.shard-0-of-3.sqlite'));
    const listed = await cli(['status', 'copied', '--json'], dir);
    expect(listed.code).toBe(1);
    expect(JSON.parse(listed.stdout)[0].missingShards.run).toEqual([1, 2].map((i) => `${harnessOutside} run noop.yaml --shard ${i}/3 --threads 1 --db copied/statusfolder.shard-${i}-of-3.sqlite`));
  });

  it('says when a folder mixes the shards of two setups of a study, instead of commands that would collide with them', async () => {
    mkdirSync(join(dir, 'two-setups'));
    const shard = (i: number, ...set: string[]) => cli(['run', 'noop.yaml', '--shard', `${i}/3`, '--db', `two-setups/statusfolder.shard-${i}-of-3.sqlite`, '--threads', '1', ...set], dir);
    expect((await shard(0)).code).toBe(0);
    expect((await shard(1, '--set', 'seeds=5')).code).toBe(0);
    const note = msg.statusShardSetupsMixed('statusfolder', [['two-setups/statusfolder.shard-0-of-3.sqlite'], ['two-setups/statusfolder.shard-1-of-3.sqlite']]);
    const listed = await cli(['status', 'two-setups'], dir);
    expect(listed.code).toBe(1);
    expect(listed.stdout.endsWith(`\n\n${note}\n`)).toBe(true);
    expect(listed.stdout).not.toContain('npx harness run');
    const json = await cli(['status', 'two-setups', '--json'], dir);
    expect(JSON.parse(json.stdout).map((e: { missingShards: unknown }) => e.missingShards)).toEqual([
      { count: 3, missing: ['1/3', '2/3'], run: [], merge: null, conflict: note },
      { count: 3, missing: ['0/3', '2/3'], run: [], merge: null, conflict: note },
    ]);
  });

  it('names a database of other results in the place of a missing shard, instead of a command that it would refuse', async () => {
    mkdirSync(join(dir, 'taken'));
    expect((await cli(['run', 'noop.yaml', '--shard', '0/2', '--db', 'taken/statusfolder.shard-0-of-2.sqlite', '--threads', '1'], dir)).code).toBe(0);
    expect((await cli(['run', 'noop.yaml', '--set', 'name=other', '--db', 'taken/statusfolder.shard-1-of-2.sqlite', '--threads', '1'], dir)).code).toBe(0);
    const listed = await cli(['status', 'taken'], dir);
    expect(listed.code).toBe(1);
    expect(listed.stdout.endsWith(`\n\n${msg.statusShardPathTaken('statusfolder', ['taken/statusfolder.shard-1-of-2.sqlite'])}\n`)).toBe(true);
    expect(listed.stdout).not.toContain('npx harness run');
  });

  it('quotes a folder with a space in the commands it gives, which then run as given', async () => {
    mkdirSync(join(dir, 'my cut'));
    const shard = (i: number) => ['run', 'noop.yaml', '--shard', `${i}/2`, '--db', `my cut/statusfolder.shard-${i}-of-2.sqlite`, '--threads', '1'];
    expect((await cli(shard(0), dir)).code).toBe(0);
    const listed = await cli(['status', 'my cut', '--json'], dir);
    expect(listed.code).toBe(1);
    const [entry] = JSON.parse(listed.stdout) as { missingShards: { run: string[]; merge: string } }[];
    expect(entry!.missingShards).toEqual({
      count: 2,
      missing: ['1/2'],
      run: [`${harnessOutside} run noop.yaml --shard 1/2 --db 'my cut/statusfolder.shard-1-of-2.sqlite' --threads 1`],
      merge: `${harnessOutside} merge 'my cut/statusfolder.sqlite' 'my cut/statusfolder.shard-'*-of-2.sqlite`,
    });
    // Run through a shell, as a user pastes them: the shard, then the merge, and the folder is whole.
    const sh = (line: string) => execFileSync('sh', ['-c', line], { cwd: dir, stdio: 'pipe' });
    sh(entry!.missingShards.run[0]!);
    sh(entry!.missingShards.merge);
    const merged = await cli(['status', 'my cut', '--json'], dir);
    expect(merged.code).toBe(0);
    expect(JSON.parse(merged.stdout).map((e: { db: string }) => e.db)).toEqual(['my cut/statusfolder.shard-0-of-2.sqlite', 'my cut/statusfolder.shard-1-of-2.sqlite', 'my cut/statusfolder.sqlite']);
  });
});
