/**
 * The code behind the trials: every run records the hash of the experiment code its trials ran,
 * a resume by other code warns that results will mix (naming the runs and the way out), and
 * status lists the versions whose trials are stored.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import * as msg from '../../harness/messages.js';
import { gitState } from '../../harness/run/provenance.js';
import { fixtures, noopModule, noopStudy, root, writeStudy } from './helpers.js';
import { runHarness, withDb } from '../reliability/helpers.js';

/** A copy of the noop experiment that a test may edit, and a study of it, in a folder of their own. */
function editableStudy(name: string): { dir: string; experiment: string; study: string } {
  // Inside the project: the experiment imports packages from its node_modules.
  const dir = mkdtempSync(join(fixtures, `${name}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const experiment = join(dir, 'experiment.ts');
  copyFileSync(noopModule, experiment);
  return { dir, experiment, study: writeStudy(dir, 'study.yaml', noopStudy({ name, experiment })) };
}

describe('the experiment code behind the stored trials', () => {
  const { dir, experiment, study } = editableStudy('code-version');
  const db = join(dir, 'results.sqlite');
  const run = async (...extra: string[]) => {
    const exit = await runHarness(['run', study, '--db', db, '--json', ...extra], { cwd: dir });
    expect(exit.code, exit.stderr).toBe(0);
    return { summary: JSON.parse(exit.stdout) as { ok: number; otherCode: { trials: number; runs: number[] } | null }, stderr: exit.stderr };
  };

  it('warns when a resume runs other code than the stored trials ran, and status names both versions', async () => {
    const first = await run('--shard', '0/3');
    const second = await run('--shard', '1/3');
    expect([first.summary.otherCode, second.summary.otherCode]).toEqual([null, null]);
    expect(second.stderr).not.toContain('other code');

    const planned = async () => (await runHarness(['plan', study, '--db', db, '--pilot', '0', '--json'], { cwd: dir })).stdout;
    expect(JSON.parse(await planned())).toMatchObject({ database: 'matches', otherCode: null });
    appendFileSync(experiment, '\n// Edited after two shards ran: a change to the code the trials run.\n');
    // The dry run says it before the run does.
    const stored0 = first.summary.ok + second.summary.ok;
    expect(JSON.parse(await planned())).toMatchObject({ otherCode: { trials: stored0, runs: [1, 2] } });
    expect((await runHarness(['plan', study, '--db', db, '--pilot', '0'], { cwd: dir })).stdout).toContain(`  ${msg.planMixesCode({ trials: stored0, runs: [1, 2] })}`);
    // Told to keep to one code, a resume refuses before it runs anything.
    const refused = await runHarness(['run', study, '--db', db, '--same-code'], { cwd: dir });
    expect({ code: refused.code, stderr: refused.stderr }).toEqual({
      code: 2,
      stderr: `${msg.runRefusesOtherCode('results.sqlite', { trials: stored0, runs: [1, 2] }, `npx harness run ${study} --db ${db} --same-code --fresh`)}\n`,
    });
    expect(withDb(db, (d) => d.prepare('SELECT count(*) FROM run').pluck().get())).toBe(2);
    const third = await run();
    const stored = first.summary.ok + second.summary.ok;
    expect(third.summary.otherCode).toEqual({ trials: stored, runs: [1, 2] });
    expect(third.stderr).toContain(`Warning: ${stored} trials in results.sqlite were computed by other code of the experiment (runs 1, 2)`);
    expect(third.stderr).toContain('--fresh');
    expect(third.stderr.trim().split('\n').at(-1)).toBe(
      `Note: results.sqlite now holds trials of more than one version of the experiment's code: ${stored} trials of other code (see the warning at the start, or "harness status results.sqlite").`,
    );

    const hashes = withDb(db, (d) => d.prepare('SELECT code_hash FROM run ORDER BY id').pluck().all() as string[])!;
    expect(hashes.every((h) => /^[0-9a-f]{64}$/.test(h))).toBe(true);
    expect(hashes[0]).toBe(hashes[1]);
    expect(hashes[2]).not.toBe(hashes[0]);

    const status = await runHarness(['status', db, '--json'], { cwd: dir });
    const code = (JSON.parse(status.stdout) as { code: unknown[] }).code;
    expect(code).toEqual([
      { codeHash: hashes[0], runs: [1, 2], trials: stored },
      { codeHash: hashes[2], runs: [3], trials: third.summary.ok },
    ]);
    const text = await runHarness(['status', db], { cwd: dir });
    expect(text.stdout).toContain(`warning: the trials were computed by 2 versions of the experiment's code (${hashes[0]!.slice(0, 12)}: ${stored} trials, runs 1, 2;`);

    // The report says so too, and hands the versions to the experiment's report() for its files.
    const report = await runHarness(['report', db, '--out', 'report', '--json'], { cwd: dir });
    expect(report.code, report.stderr).toBe(0);
    expect(report.stderr).toContain(`Warning: the trials in results.sqlite were computed by 2 versions of the experiment's code (${hashes[0]!.slice(0, 12)}: ${stored} trials, runs 1, 2;`);
    expect((JSON.parse(report.stdout) as { mixedCode: { versions: unknown } }).mixedCode.versions).toEqual(code);
  }, 60_000);
});

describe('merging shards that ran different code', () => {
  const { dir, experiment, study } = editableStudy('code-merge');

  it('warns, naming the versions, and lists them in --json', async () => {
    const shard = async (index: number) => expect((await runHarness(['run', study, '--shard', `${index}/2`, '--db', `s${index}.sqlite`], { cwd: dir })).code).toBe(0);
    await shard(0);
    appendFileSync(experiment, '\n// Edited between the two shards.\n');
    await shard(1);
    const merged = await runHarness(['merge', 'merged.sqlite', 's0.sqlite', 's1.sqlite', '--json'], { cwd: dir });
    expect(merged.code, merged.stderr).toBe(0);
    const { code } = JSON.parse(merged.stdout) as { code: { codeHash: string; trials: number }[] };
    expect(code).toHaveLength(2);
    expect(code[0]!.codeHash).not.toBe(code[1]!.codeHash);
    expect(code[0]!.trials + code[1]!.trials).toBe(27);
    expect(merged.stderr).toContain("Warning: the trials in merged.sqlite were computed by 2 versions of the experiment's code (");
    expect(merged.stderr).toContain('the shards ran different code');
    // Shards of one code merge without a word about it.
    const again = await runHarness(['merge', 'one.sqlite', 's1.sqlite'], { cwd: dir });
    expect(again.stderr).not.toContain('versions of the experiment');
  }, 60_000);
});

describe("a run's record of uncommitted changes", () => {
  it('changes with the content of a file git does not track yet (a new experiment), not only with its name', () => {
    const repo = mkdtempSync(join(tmpdir(), 'dirty-'));
    try {
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo });
      git('init', '-q');
      writeFileSync(join(repo, '.gitignore'), 'results/\n');
      git('add', '.gitignore');
      git('commit', '-q', '-m', 'start');
      expect(gitState(repo).dirtyHash).toBeNull();
      writeFileSync(join(repo, 'experiment.ts'), 'export const k = 1;\n');
      const first = gitState(repo).dirtyHash;
      expect(first).toMatch(/^[0-9a-f]{64}$/);
      writeFileSync(join(repo, 'experiment.ts'), 'export const k = 2;\n');
      expect(gitState(repo).dirtyHash).not.toBe(first);
      writeFileSync(join(repo, 'experiment.ts'), 'export const k = 1;\n');
      expect(gitState(repo).dirtyHash).toBe(first);
      // Ignored files (results) are not the code; nor is a results database left in the checkout, as it is written.
      mkdirSync(join(repo, 'results'));
      writeFileSync(join(repo, 'results', 'study.sqlite'), 'data');
      expect(gitState(repo).dirtyHash).toBe(first);
      const database = new Database(join(repo, 'here.db'));
      database.exec('PRAGMA journal_mode = WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1)');
      expect(readdirSync(repo)).toEqual(expect.arrayContaining(['here.db', 'here.db-wal']));
      expect(gitState(repo).dirtyHash).toBe(first);
      database.exec('INSERT INTO t VALUES (2)');
      database.close();
      expect(gitState(repo).dirtyHash).toBe(first);
      // Only such a database beside a clean checkout: clean.
      rmSync(join(repo, 'experiment.ts'));
      expect(gitState(repo).dirtyHash).toBeNull();
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it("leaves the locks of a database this process holds open in the checkout, so that another process's reader does not delete its -wal", (ctx) => {
    if (!existsSync('/proc/locks')) return ctx.skip('no /proc/locks to read locks from');
    const repo = mkdtempSync(join(tmpdir(), 'held-'));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo });
    git('init', '-q');
    git('commit', '-q', '--allow-empty', '-m', 'start');
    const path = join(repo, 'runs', 'night.sqlite');
    mkdirSync(join(repo, 'runs'));
    /** This process's POSIX locks on a file (SQLite's: on the database and on its -shm). */
    const locksOn = (file: string) => {
      const inode = `:${statSync(file).ino} `;
      return readFileSync('/proc/locks', 'utf8').split('\n').filter((line) => line.split(/\s+/)[4] === String(process.pid) && line.includes(inode)).length;
    };
    const database = new Database(path);
    try {
      database.exec('PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (x); INSERT INTO t VALUES (1)');
      database.prepare('SELECT COUNT(*) FROM t').get();
      const before = [locksOn(path), locksOn(`${path}-shm`)];
      expect(before[0]).toBeGreaterThan(0);
      expect(before[1]).toBeGreaterThan(0);
      expect(gitState(repo).dirtyHash).toBeNull();
      expect([locksOn(path), locksOn(`${path}-shm`)]).toEqual(before);
      // A reader in another process (status, export) comes and goes: it is not the last connection, so the -wal stays.
      execFileSync(process.execPath, ['-e', `const D = require('better-sqlite3'); const d = new D(${JSON.stringify(path)}, { readonly: true }); d.prepare('SELECT COUNT(*) FROM t').get(); d.close();`], { cwd: root });
      expect(existsSync(`${path}-wal`)).toBe(true);
      database.exec('INSERT INTO t VALUES (2)');
    } finally {
      database.close();
    }
    expect(new Database(path, { readonly: true }).prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 2 });
    rmSync(repo, { recursive: true, force: true });
  });
});
