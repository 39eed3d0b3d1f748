/**
 * `harness report` (and `run --report`) on what a user really has: a database of a run stopped
 * before its first trial finished (refused, nothing written), of an unfinished run (written,
 * with a warning on stderr, in --json and in the files), a report folder that earlier reports
 * wrote into (their files go, the user's stay), and a --out that cannot be written (refused
 * with exit 2 before the work, not "Internal error" after it).
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hostTag } from '../../harness/files.js';
import * as msg from '../../harness/messages.js';
import { defaultReportDir } from '../../harness/paths.js';
import { deadPid, faultsModule, fileModesCannotApply, runHarness } from '../reliability/helpers.js';
import { thrownMessage } from '../reliability/fixtures/faults.js';
import { writerState } from '../../harness/run/provenance.js';
import { cli, fixtures, harnessOutside, noopStudy, root, tempDir, writeStudy, type CliResult } from './helpers.js';

const dir = tempDir();
const isRoot = process.getuid?.() === 0;
const study = join(dir, 'rc.yaml');
const summaryStudy = join(dir, 'rc-summary.yaml');
/** Every file under `folder`, relative, sorted (folders end with a slash). */
const listing = (folder: string) =>
  readdirSync(folder, { recursive: true, withFileTypes: true })
    .map((e) => `${join(e.parentPath ?? e.path, e.name).slice(folder.length + 1)}${e.isDirectory() ? '/' : ''}`)
    .sort();

const badReportModule = join(fixtures, 'experiments', 'bad-report.ts');

/** `harness report` of a database of bad-report.ts's study into `out`, its report() being `mode`'s (BAD_REPORT). */
async function badReport(mode: string, out: string): Promise<CliResult> {
  process.env['BAD_REPORT'] = mode;
  try {
    return await cli(['report', 'bad-report.sqlite', '--out', out], dir);
  } finally {
    delete process.env['BAD_REPORT'];
  }
}

/** Exit 2 with `message` last on stderr (after the progress of reading the trials), nothing on stdout. */
function expectRefused(result: CliResult, message: string): void {
  expect({ code: result.code, stdout: result.stdout, last: result.stderr.split('\n').slice(-2) }).toEqual({ code: 2, stdout: '', last: [message, ''] });
}

beforeAll(async () => {
  writeStudy(dir, 'bad-report.yaml', noopStudy({ name: 'bad-report', experiment: badReportModule }));
  expect((await cli(['run', join(dir, 'bad-report.yaml'), '--db', 'bad-report.sqlite'], dir)).code).toBe(0);
  writeStudy(dir, 'rc.yaml', noopStudy({ name: 'rc' }));
  writeStudy(dir, 'rc-summary.yaml', noopStudy({ name: 'rc', experiment: join(fixtures, 'experiments', 'noop-summary.ts') }));
  expect((await cli(['run', study, '--db', 'full.sqlite'], dir)).code).toBe(0);
  // An unfinished run: 18 of the 27 trials (whole groups: noop's group is one color).
  expect((await cli(['run', study, '--db', 'partial.sqlite'], dir)).code).toBe(0);
  const db = new Database(join(dir, 'partial.sqlite'));
  db.exec(`DELETE FROM curve WHERE group_key IN (SELECT group_key FROM trial WHERE color = 'blue'); DELETE FROM trial WHERE color = 'blue';`);
  expect(db.prepare('SELECT count(*) FROM trial').pluck().get()).toBe(18);
  db.close();
});

describe('a stop asked for while a finished run loads', () => {
  it('stops the run: exit 130, the interruption said, and no report written', async () => {
    const stopped = await cli(['run', study, '--db', 'full.sqlite', '--report', '--out', 'stopped-report'], dir, { onListen: (send) => send('SIGINT') });
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain('Interrupted by SIGINT: 27 of 27 trials are saved in full.sqlite');
    expect(existsSync(join(dir, 'stopped-report'))).toBe(false);
    // The database says so too: its last run was interrupted.
    const runs = new Database(join(dir, 'full.sqlite'), { readonly: true });
    expect(runs.prepare('SELECT status FROM run ORDER BY id DESC LIMIT 1').pluck().get()).toBe('interrupted');
    runs.close();
    // Nothing was lost: the next run has nothing to do.
    expect(await cli(['run', study, '--db', 'full.sqlite'], dir)).toMatchObject({ code: 0, stdout: `${msg.runNothingToDo(27, 'full.sqlite', null)}\n` });
  });
});

describe('a database with no finished trial', () => {
  it('is refused with exit 2 and the command that runs its trials; nothing is written', async () => {
    // Stopped (SIGINT) as soon as it started: the study is in the database, no trial is.
    const stopped = await cli(['run', study, '--db', 'zero.sqlite'], dir, { onListen: (send) => send('SIGINT') });
    expect(stopped.code).toBe(130);
    const expected = msg.reportNoTrials('zero.sqlite', 'rc', 27, msg.reportNext.resume(`${harnessOutside} run ${study} --db zero.sqlite`));
    expect(await cli(['report', 'zero.sqlite'], dir)).toEqual({ code: 2, stdout: '', stderr: `${expected}\n` });
    // With --json, the same refusal as an object on stdout too.
    const json = await cli(['report', 'zero.sqlite', '--out', 'zero-report', '--json'], dir);
    expect(json).toEqual({ code: 2, stdout: `${JSON.stringify({ error: expected, exitCode: 2 })}\n`, stderr: `${expected}\n` });
    expect(expected).toContain('holds no finished trials yet');
    expect(existsSync(join(dir, 'reports', 'rc'))).toBe(false);
    expect(existsSync(join(dir, 'zero-report'))).toBe(false);
  });
});

describe('a database with failed trials', () => {
  /** A copy of the finished run's database whose trials `where` picks failed, most with one error and one with another. */
  function withFailures(name: string, where: string): void {
    copyFileSync(join(dir, 'full.sqlite'), join(dir, name));
    const db = new Database(join(dir, name));
    db.exec(`UPDATE trial SET status = 'failed', error = 'Error: out of memory in the worker' WHERE ${where}`);
    db.exec(`UPDATE trial SET error = 'Error: the\n  simulation timed out' WHERE rowid = (SELECT max(rowid) FROM trial WHERE status = 'failed')`);
    db.close();
  }
  // The run each copy's rows came from, as its database records it, resuming the copy.
  const resume = (db: string) => msg.reportNext.resume(`${harnessOutside} run ${study} --db ${db}`);

  it('gets its report, with a warning last on stderr that counts them, quotes the commonest error and says how to retry them', async () => {
    withFailures('some-failed.sqlite', "color = 'blue'");
    const warning = msg.reportFailedTrials('some-failed.sqlite', 'rc', 9, 27, { error: 'Error: out of memory in the worker', trials: 8 }, resume('some-failed.sqlite'));
    const report = await cli(['report', 'some-failed.sqlite', '--out', 'failed-report'], dir);
    expect(report.code).toBe(0);
    expect(report.stderr.endsWith(`\n${warning}\n`)).toBe(true);
    expect(warning).toContain('9 of the 27 trials in some-failed.sqlite failed (8 of them with: "Error: out of memory in the worker"; all of them: "harness export some-failed.sqlite --table failures"); this report of study rc leaves them out');
    expect(warning).toContain(`run the study again, which retries failed trials. Complete the run with: ${harnessOutside} run ${study} --db some-failed.sqlite`);
    const json = JSON.parse((await cli(['report', 'some-failed.sqlite', '--out', 'failed-report', '--json'], dir)).stdout) as Record<string, unknown>;
    expect(json['failed']).toEqual({ trials: 9, warning });
    expect('complete' in json).toBe(false);
  });

  it('of trials that hit the run\'s time limit, says to run again with a larger one, not the same command', async () => {
    writeStudy(dir, 'slow.yaml', noopStudy({ name: 'slow', params: { delay_ms: 400 }, seeds: 1, axes: { color: ['red'], size: ['s'] } }));
    expect((await cli(['run', 'slow.yaml', '--db', 'slow.sqlite', '--task-timeout', '0.05'], dir)).code).toBe(1);
    const refused = await cli(['report', 'slow.sqlite', '--out', 'slow-report'], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('(with: "timed out after 50 ms (--task-timeout); its worker was stopped")');
    expect(refused.stderr).toContain('They hit the time limit --task-timeout set: run the study again with a larger one (or none), which retries failed trials.');
    expect(refused.stderr).not.toContain('Fix the cause');
    // The command it gives leaves the limit out: the same one would fail the same way.
    expect(refused.stderr).toContain(msg.reportNext.resume(`${harnessOutside} run slow.yaml --db slow.sqlite`));
  });

  it("of a shard whose every group the study's exclusions leave out: says so, not that a run stopped early", async () => {
    writeStudy(dir, 'excluded.yaml', noopStudy({ name: 'excluded', seeds: 1, axes: { color: ['red', 'green', 'blue'], size: ['s'] }, exclude: [{ color: 'blue' }] }));
    const run = await cli(['run', 'excluded.yaml', '--shard', '2/3', '--db', 'excluded-2.sqlite'], dir);
    expect(run.code).toBe(0);
    expect(await cli(['report', 'excluded-2.sqlite', '--out', 'excluded-report'], dir)).toEqual({ code: 2, stdout: '', stderr: `${msg.reportEmptyShards('excluded-2.sqlite', 'excluded', ['2/3'])}\n` });
    expect(existsSync(join(dir, 'excluded-report'))).toBe(false);
  });

  it('of a merged database whose failed trials are in one shard: that shard to run again, then merge again', async () => {
    writeStudy(dir, 'shards.yaml', noopStudy({ name: 'shards', params: { delay_ms: 200 }, seeds: 1, axes: { color: ['red', 'green', 'blue'], size: ['s'] } }));
    // Shard 0 of 3 given its shard by a Job's index, afresh, under a time limit its trials cannot
    // keep; the others by hand, without one.
    const first = ['run', 'shards.yaml', '--shard-count', '3', '--db', 'sh0.sqlite', '--task-timeout=0.05', '--fresh'];
    expect((await cli(first, dir, { env: { JOB_COMPLETION_INDEX: '0' } })).code).toBe(1);
    for (const i of [1, 2]) expect((await cli(['run', 'shards.yaml', '--shard', `${i}/3`, '--db', `sh${i}.sqlite`], dir)).code).toBe(0);
    const merged = await cli(['merge', 'sh-all.sqlite', 'sh0.sqlite', 'sh1.sqlite', 'sh2.sqlite'], dir);
    expect(merged.stdout).toContain('Trials of shard 0/3 hit the time limit --task-timeout set: its command below leaves it out');
    // The shard written out, the limit and --fresh (which would set the shard's trials aside) left out.
    const again = `${harnessOutside} run shards.yaml --db sh0.sqlite --shard 0/3`;
    expect(merged.stdout).toContain(`  - shard 0/3: 1 failed; rerun it with: ${again}\n${msg.mergeAgain(`${harnessOutside} merge sh-all.sqlite sh0.sqlite sh1.sqlite sh2.sqlite`)}\n`);
    const report = await cli(['report', 'sh-all.sqlite', '--out', 'sh-report'], dir);
    expect(report.code).toBe(0);
    expect(report.stderr).toContain(msg.reportNext.retryShards([{ shard: '0/3', command: again }]));
    expect(report.stderr).not.toContain('complete them');
  });

  it('of failed trials only, is refused with exit 2 and nothing written', async () => {
    withFailures('all-failed.sqlite', '1');
    const expected = msg.reportOnlyFailed('all-failed.sqlite', 'rc', 27, { error: 'Error: out of memory in the worker', trials: 26 }, resume('all-failed.sqlite'));
    expect(await cli(['report', 'all-failed.sqlite', '--out', 'all-failed-report'], dir)).toEqual({ code: 2, stdout: '', stderr: `${expected}\n` });
    expect(expected).toContain('all-failed.sqlite holds no successful trial of study rc: the 27 trials it holds failed (26 of them with: "Error: out of memory in the worker"; all of them: "harness export all-failed.sqlite --table failures"), so nothing was reported');
    expect(existsSync(join(dir, 'all-failed-report'))).toBe(false);
    // One error in all: "each"; its line breaks and indentation as single spaces.
    const db = new Database(join(dir, 'all-failed.sqlite'));
    db.exec(`UPDATE trial SET error = 'Error: the\n  simulation timed out'`);
    db.close();
    const single = msg.reportOnlyFailed('all-failed.sqlite', 'rc', 27, { error: 'Error: the\n  simulation timed out', trials: 27 }, resume('all-failed.sqlite'));
    expect(single).toContain('(each with: "Error: the simulation timed out")');
    expect((await cli(['report', 'all-failed.sqlite'], dir)).stderr).toBe(`${single}\n`);
  });

  it('run --report whose trials all failed: the run exits 1, says why there is no report, and writes none', async () => {
    writeStudy(dir, 'thrown.yaml', { name: 'thrown', experiment: faultsModule, seeds: 2, axes: { fault: ['throw'], part: ['a'] } });
    const run = await runHarness(['run', 'thrown.yaml', '--db', 'thrown.sqlite', '--report', '--out', 'thrown-report'], { cwd: dir, env: { FAULTS_ARMED: 'throw' } });
    expect(run.code).toBe(1);
    const why = msg.reportOnlyFailed('thrown.sqlite', 'thrown', 2, { error: thrownMessage, trials: 2 }, msg.reportNext.resume(`${harnessOutside} run thrown.yaml --db thrown.sqlite --report --out thrown-report`));
    expect(run.stderr).toContain(why);
    expect(existsSync(join(dir, 'thrown-report'))).toBe(false);
    // With --json, the run's object says why there is no report.
    const json = await runHarness(['run', 'thrown.yaml', '--db', 'thrown.sqlite', '--report', '--out', 'thrown-report', '--json'], { cwd: dir, env: { FAULTS_ARMED: 'throw' } });
    expect(JSON.parse(json.stdout)).toMatchObject({ exitCode: 1, report: { none: expect.stringContaining('holds no successful trial of study thrown') } });
    // Some of them: the report, and the warning last.
    writeStudy(dir, 'thrown-some.yaml', { name: 'thrown-some', experiment: faultsModule, seeds: 2, axes: { fault: ['none', 'throw'], part: ['a'] } });
    const some = await runHarness(['run', 'thrown-some.yaml', '--db', 'thrown-some.sqlite', '--report', '--out', 'thrown-some-report'], { cwd: dir, env: { FAULTS_ARMED: 'throw' } });
    expect(some.code).toBe(1);
    const warning = msg.reportFailedTrials('thrown-some.sqlite', 'thrown-some', 2, 4, { error: thrownMessage, trials: 2 }, msg.reportNext.resume(`${harnessOutside} run thrown-some.yaml --db thrown-some.sqlite --report --out thrown-some-report`));
    expect(some.stderr.trimEnd().endsWith(warning)).toBe(true);
    expect(existsSync(join(dir, 'thrown-some-report'))).toBe(true);
  });
});

describe('a database of an unfinished run', () => {
  const warning = msg.reportPartial('partial.sqlite', 'rc', 18, 27, msg.reportNext.resume(`${harnessOutside} run ${study} --db partial.sqlite`));

  it('gets its report, with a warning last on stderr that names the share and the command that completes the run', async () => {
    const report = await cli(['report', 'partial.sqlite', '--out', 'peek'], dir);
    expect(report.code).toBe(0);
    expect(report.stdout).toBe(`${msg.reportWritten(2, 'peek')}\n`);
    expect(report.stderr.endsWith(`\n${warning}\n`)).toBe(true);
    expect(warning).toContain('covers 18 of the 27 trials (66.6%) of study rc');
    expect(readFileSync(join(dir, 'peek', 'notes', 'summary.txt'), 'utf8')).toBe('rc: 18 ok of 18\n');
  });

  it('of a copy, names the copy in the command that completes it, not the database the run wrote', async () => {
    mkdirSync(join(dir, 'copies'), { recursive: true });
    copyFileSync(join(dir, 'partial.sqlite'), join(dir, 'copies', 'partial copy.sqlite'));
    const report = await cli(['report', 'copies/partial copy.sqlite', '--out', 'peek-copy'], dir);
    expect(report.code).toBe(0);
    expect(report.stderr).toContain(msg.reportNext.resume(`${harnessOutside} run ${study} --db 'copies/partial copy.sqlite'`));
  });

  it('--json says complete: false with the trials done and expected; a complete report has neither', async () => {
    const report = await cli(['report', 'partial.sqlite', '--out', 'peek', '--json'], dir);
    expect(report.code).toBe(0);
    expect(JSON.parse(report.stdout)).toMatchObject({ db: 'partial.sqlite', dir: 'peek', complete: false, trials: { done: 18, expected: 27 }, warning });
    expect(report.stderr).toContain(warning);
    const complete = JSON.parse((await cli(['report', 'full.sqlite', '--out', 'whole', '--json'], dir)).stdout) as Record<string, unknown>;
    expect(complete['dir']).toBe('whole');
    expect('complete' in complete || 'trials' in complete || 'warning' in complete).toBe(false);
  });

  it('of a finished shard, says that the other shards are missing, not that the shard is unfinished', async () => {
    expect((await cli(['run', study, '--db', 'shard-1.sqlite', '--shard', '1/3'], dir)).code).toBe(0);
    const report = await cli(['report', 'shard-1.sqlite', '--out', 'shard-report', '--json'], dir);
    expect(report.code).toBe(0);
    const { trials, warning: said } = JSON.parse(report.stdout) as { trials: { done: number; expected: number }; warning: string };
    expect(trials.done).toBeLessThan(trials.expected);
    expect(said).toBe(msg.reportPartial('shard-1.sqlite', 'rc', trials.done, 27, msg.reportNext.otherShards(), ['1/3']));
    expect(said).toContain('shard-1.sqlite holds shard 1/3 of the study, finished, and not the other shards');
    expect(report.stderr).toContain(said);
    // A shard stopped before its end is an unfinished run, with the command that completes it.
    const db = new Database(join(dir, 'shard-1.sqlite'));
    db.exec(`DELETE FROM trial WHERE rowid = (SELECT max(rowid) FROM trial)`);
    db.close();
    const stopped = JSON.parse((await cli(['report', 'shard-1.sqlite', '--out', 'shard-report', '--json'], dir)).stdout) as { warning: string };
    expect(stopped.warning).toContain('holds an unfinished run');
    expect(stopped.warning).toContain(`It holds shard 1/3 of the study: complete it (${harnessOutside} run ${study} --db shard-1.sqlite --shard 1/3)`);
    // Its copy elsewhere is completed where it is, not where the run wrote.
    mkdirSync(join(dir, 'elsewhere'), { recursive: true });
    copyFileSync(join(dir, 'shard-1.sqlite'), join(dir, 'elsewhere', 's1.sqlite'));
    const copied = JSON.parse((await cli(['report', 'elsewhere/s1.sqlite', '--out', 'shard-copy-report', '--json'], dir)).stdout) as { warning: string };
    expect(copied.warning).toContain(`complete it (${harnessOutside} run ${study} --db elsewhere/s1.sqlite --shard 1/3)`);
    // A shard a Job's variables gave: written out in the command, in place of its --shard-count.
    expect((await cli(['run', study, '--db', 'shard-env.sqlite', '--shard-count', '3'], dir, { env: { JOB_COMPLETION_INDEX: '1' } })).code).toBe(0);
    const byEnv = new Database(join(dir, 'shard-env.sqlite'));
    byEnv.exec(`DELETE FROM trial WHERE rowid = (SELECT max(rowid) FROM trial)`);
    byEnv.close();
    const fromEnv = JSON.parse((await cli(['report', 'shard-env.sqlite', '--out', 'shard-env-report', '--json'], dir)).stdout) as { warning: string };
    expect(fromEnv.warning).toContain(`complete it (${harnessOutside} run ${study} --db shard-env.sqlite --shard 1/3)`);
  });

  it('hands the experiment its coverage, so that its files can say so', async () => {
    const { writeReport } = await import('../../harness/run/report.js');
    const seen: unknown[] = [];
    const { default: noop } = await import('../fixtures/experiments/noop.js');
    const original = noop.report;
    noop.report = async (input) => {
      seen.push(input.coverage);
      return original(input);
    };
    try {
      expect((await cli(['run', study, '--db', 'shard-2.sqlite', '--shard', '2/3'], dir)).code).toBe(0);
      for (const db of ['partial.sqlite', 'full.sqlite', 'shard-2.sqlite']) {
        await writeReport({ dbPath: join(dir, db), outDir: () => join(dir, `coverage-${db}`), experimentPath: join(fixtures, 'experiments', 'noop.ts') });
      }
    } finally {
      noop.report = original;
    }
    expect(seen).toEqual([
      { done: 18, expected: 27 },
      { done: 27, expected: 27 },
      { done: 9, expected: 27, finishedShards: ['2/3'] },
    ]);
  });
});

describe('the code that writes a report', () => {
  it('is the version and commit git names, modified only by changes to tracked files', async () => {
    const repo = join(dir, 'writer-repo');
    mkdirSync(repo);
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo, encoding: 'utf8' });
    git('init', '-q');
    writeFileSync(join(repo, 'code.ts'), 'one\n');
    git('add', 'code.ts');
    git('commit', '-q', '-m', 'first');
    const commit = git('rev-parse', 'HEAD').trim();
    const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    expect(await writerState(repo)).toEqual({ version, commit, modified: false });
    // A report written inside the checkout leaves the next report's provenance as it was.
    mkdirSync(join(repo, 'figures'));
    writeFileSync(join(repo, 'figures', 'a.svg'), '<svg/>');
    expect(await writerState(repo)).toEqual({ version, commit, modified: false });
    writeFileSync(join(repo, 'code.ts'), 'two\n');
    expect(await writerState(repo)).toEqual({ version, commit, modified: true });
    const plain = join(dir, 'not-a-checkout');
    mkdirSync(plain);
    expect(await writerState(plain)).toEqual({ version, commit: null, modified: null });
  });
});

describe('a report folder that an earlier report wrote into', () => {
  it("holds this report's files only: the earlier report's go, files the user put there (or changed) stay", async () => {
    const out = join(dir, 'shared');
    expect((await cli(['report', 'full.sqlite', '--out', 'shared'], dir)).code).toBe(0);
    expect(listing(out)).toEqual(['notes/', 'notes/summary.txt', 'trials.csv']);
    writeFileSync(join(out, 'mine.txt'), 'my notes\n');
    mkdirSync(join(out, 'drafts'));
    writeFileSync(join(out, 'drafts', 'draft.md'), 'draft\n');
    // Another study's report (another experiment, as after "run --set ... --report") into the same folder.
    expect((await cli(['run', summaryStudy, '--db', 'other.sqlite'], dir)).code).toBe(0);
    const second = await cli(['report', 'other.sqlite', '--out', 'shared'], dir);
    expect(second.code).toBe(0);
    expect(listing(out)).toEqual(['drafts/', 'drafts/draft.md', 'mine.txt', 'page/', 'page/index.html', 'summary.md']);
    expect(second.stderr).toContain(msg.reportRemovedStale(2, 'shared'));
    // Back to the first: the second's files go; a file of the harness the user edited is theirs now.
    writeFileSync(join(out, 'summary.md'), 'edited by hand\n');
    expect((await cli(['report', 'full.sqlite', '--out', 'shared'], dir)).code).toBe(0);
    expect(listing(out)).toEqual(['drafts/', 'drafts/draft.md', 'mine.txt', 'notes/', 'notes/summary.txt', 'summary.md', 'trials.csv']);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toBe('edited by hand\n');
    // The same report again removes nothing and says nothing about it.
    const again = await cli(['report', 'full.sqlite', '--out', 'shared'], dir);
    expect(again.stderr).not.toContain('Removed');
    expect(listing(out)).toEqual(['drafts/', 'drafts/draft.md', 'mine.txt', 'notes/', 'notes/summary.txt', 'summary.md', 'trials.csv']);
  });

  it("the default folder: reports/<study> for the study's own database, reports/<study>--<name> for another, which leaves the study's report alone", async () => {
    const own = join(dir, 'reports', 'rc');
    expect((await cli(['run', study, '--report'], dir)).code).toBe(0);
    expect(listing(own)).toEqual(['notes/', 'notes/summary.txt', 'trials.csv']);
    // A side database of the same study name (as after "run --set ... --db try.sqlite --report").
    const side = await cli(['run', summaryStudy, '--db', 'other.sqlite', '--report'], dir);
    expect(side.code).toBe(0);
    expect(side.stdout).toContain(msg.reportWritten(2, join('reports', 'rc--other'), join('reports', 'rc--other', 'page', 'index.html')));
    expect(listing(join(dir, 'reports', 'rc--other'))).toEqual(['page/', 'page/index.html', 'summary.md']);
    const report = await cli(['report', 'full.sqlite'], dir);
    expect(report.stdout).toBe(`${msg.reportWritten(2, join('reports', 'rc--full'))}\n`);
    expect(listing(own)).toEqual(['notes/', 'notes/summary.txt', 'trials.csv']);
    // A database named as the study is, elsewhere (a shard folder's merge): by its folder's name.
    mkdirSync(join(dir, 'shards'), { recursive: true });
    copyFileSync(join(dir, 'full.sqlite'), join(dir, 'shards', 'rc.sqlite'));
    expect((await cli(['report', join('shards', 'rc.sqlite')], dir)).stdout).toBe(`${msg.reportWritten(2, join('reports', 'rc--shards'))}\n`);
    // The study's own database named by another path is still its own.
    expect((await cli(['report', join(dir, 'results', '..', 'results', 'rc.sqlite')], dir)).stdout).toBe(`${msg.reportWritten(2, join('reports', 'rc'))}\n`);
  });
});

describe('a report folder that cannot be written', () => {
  it('an existing file as --out: exit 2 naming --out, the path and the reason, before any work; the file is untouched', async () => {
    writeFileSync(join(dir, 'taken.txt'), 'keep me\n');
    const expected = msg.reportFolderUnusable('taken.txt', 'taken.txt', msg.reportFolderIsFile());
    const report = await cli(['report', 'full.sqlite', '--out', 'taken.txt'], dir);
    // No "load trials" progress: refused before the results were read.
    expect(report).toEqual({ code: 2, stdout: '', stderr: `${expected}\n` });
    expect(expected).toContain('--out: cannot write the report into "taken.txt": it is an existing file, not a folder. Nothing was written.');
    const inside = await cli(['report', 'full.sqlite', '--out', 'taken.txt/sub'], dir);
    expect(inside).toEqual({ code: 2, stdout: '', stderr: `${msg.reportFolderUnusable('taken.txt/sub', 'taken.txt/sub', msg.folderProblem.insideFile('taken.txt'))}\n` });
    expect(readFileSync(join(dir, 'taken.txt'), 'utf8')).toBe('keep me\n');
  });

  it('run --report --out <file> is refused before the study runs', async () => {
    const run = await cli(['run', study, '--db', 'never.sqlite', '--report', '--out', 'taken.txt'], dir);
    expect(run).toEqual({ code: 2, stdout: '', stderr: `${msg.reportFolderUnusable('taken.txt', 'taken.txt', msg.reportFolderIsFile())}\n` });
    expect(existsSync(join(dir, 'never.sqlite'))).toBe(false);
  });

  it('a file in the way while writing: exit 2 naming the file and the reason, not "Internal error"', async () => {
    // The report's second file: its first, trials.csv, stays the earlier report's.
    expect((await cli(['report', 'full.sqlite', '--out', 'blocked'], dir)).code).toBe(0);
    const before = readFileSync(join(dir, 'blocked', 'trials.csv'), 'utf8');
    rmSync(join(dir, 'blocked', 'notes'), { recursive: true });
    mkdirSync(join(dir, 'blocked', 'notes', 'summary.txt'), { recursive: true });
    const report = await cli(['report', 'partial.sqlite', '--out', 'blocked'], dir);
    expect(report.code).toBe(2);
    expect(report.stderr).toContain(
      msg.reportFolderUnusable('blocked', 'blocked', msg.folderProblem.failed('writing', join('blocked', 'notes', 'summary.txt'), 'EISDIR'), false),
    );
    expect(report.stderr).not.toMatch(/Internal error|^\s+at /m);
    expect(readFileSync(join(dir, 'blocked', 'trials.csv'), 'utf8')).toBe(before);
  });

  it('a write that fails replaces nothing: the earlier report stays whole, and no temporary file is left', async () => {
    expect((await cli(['report', 'full.sqlite', '--out', 'whole'], dir)).code).toBe(0);
    const before = readFileSync(join(dir, 'whole', 'trials.csv'), 'utf8');
    // The second file's temporary file cannot be written: a folder is in its way. (This process
    // runs the command, and is alive, so the folder is not taken for one a dead writer left.)
    const blocker = join(dir, 'whole', 'notes', `.${process.pid}.${hostTag}.tmp-summary.txt`);
    mkdirSync(blocker);
    const report = await cli(['report', 'partial.sqlite', '--out', 'whole'], dir);
    expect(report.code).toBe(2);
    expect(report.stderr).toContain('Nothing was written');
    // The partial study's trials.csv was written before the failure, and not put in place.
    expect(readFileSync(join(dir, 'whole', 'trials.csv'), 'utf8')).toBe(before);
    expect(listing(join(dir, 'whole')).filter((f) => f.includes('.tmp-') && !f.startsWith('notes/.'))).toEqual([]);
    rmdirSync(blocker);
    // The earlier report's files are still the harness's: another experiment's report removes them.
    expect((await cli(['run', summaryStudy, '--db', 'other-after-failure.sqlite'], dir)).code).toBe(0);
    expect((await cli(['report', 'other-after-failure.sqlite', '--out', 'whole'], dir)).code).toBe(0);
    expect(listing(join(dir, 'whole'))).toEqual(['page/', 'page/index.html', 'summary.md']);
  });

  // Root writes into read-only folders, so as root the harness runs without that privilege.
  it('a read-only folder (existing, or to be created in one): exit 2 before any work, nothing written', async () => {
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    try {
      for (const [out, folder] of [
        ['locked', 'locked'],
        ['locked/report', 'locked'],
      ] as const) {
        const exit = await runHarness(['report', 'full.sqlite', '--out', out], { cwd: dir, withoutFileOverride: isRoot });
        const expected = msg.reportFolderUnusable(out, out, msg.folderProblem.notWritable(folder, 'EACCES'));
        expect({ code: exit.code, stdout: exit.stdout, stderr: exit.stderr }).toEqual({ code: 2, stdout: '', stderr: `${expected}\n` });
      }
      expect(readdirSync(locked)).toEqual([]);
    } finally {
      chmodSync(locked, 0o755);
    }
  }, 30_000);
});

describe("an experiment's report() that fails", () => {
  it('on a terminal, says so on a line of its own, below the bar of the stage it stopped in', async () => {
    process.env['BAD_REPORT'] = 'throw-in-stage';
    try {
      const threw = await cli(['report', 'bad-report.sqlite', '--out', 'stage-out'], dir, { terminal: 80, env: { NO_COLOR: '1' } });
      expect(threw.code).toBe(2);
      const lines = threw.stderr.split('\n');
      const failed = lines.findIndex((line) => line.includes('report() of experiment noop'));
      expect(lines[failed - 1]).toMatch(/\rfigures \[#+-+\] 1\/3 *$/);
      expect(lines[failed]).toMatch(/^report\(\) of experiment noop \(\S*bad-report\.ts\) failed: TypeError: cannot draw the second figure/);
    } finally {
      delete process.env['BAD_REPORT'];
    }
  });

  it('is the experiment\'s error, not the harness\'s: exit 2, what failed and where, and nothing written', async () => {
    // In a process of its own, whose stack names the fixture's file as Node loads it.
    const threw = await runHarness(['report', 'bad-report.sqlite', '--out', 'bad-report-out'], { cwd: dir, env: { BAD_REPORT: 'throw' } });
    expect(threw.code).toBe(2);
    expect(threw.stderr).toMatch(/report\(\) of experiment noop \(\S*bad-report\.ts\) failed/);
    expect(threw.stderr).toContain('failed: TypeError: cannot read the trials (a bug in the report)');
    expect(threw.stderr).toContain('The results database is untouched');
    expect(threw.stderr).toMatch(/\n\s+at failingReport \(.*bad-report\.ts:\d+:\d+\)/);
    expect(threw.stderr).not.toContain('Internal error');
    const returned: [string, string][] = [
      ['nothing', msg.reportBadFiles('noop', badReportModule, 'nothing (undefined)')],
      ['number', msg.reportBadFiles('noop', badReportModule, 'a value of type number, not an array')],
      ['no-content', msg.reportBadFiles('noop', badReportModule, 'the file "a.txt" with content of type undefined')],
      ['twice', msg.reportPathTwice('noop', badReportModule, 'a.txt')],
      ['outside', msg.reportBadPath('noop', badReportModule, '../a.txt')],
      // Refused before any write: it was written as far as the folder a.txt, which then blocked every report.
      ['file-and-folder', msg.reportPathFileAndFolder('noop', badReportModule, 'a.txt', 'a.txt/b.txt')],
    ];
    for (const [mode, expected] of returned) {
      expectRefused(await badReport(mode, 'bad-report-out'), expected);
    }
    expect(existsSync(join(dir, 'bad-report-out'))).toBe(false);
    expect(await badReport('fine', 'bad-report-out')).toMatchObject({ code: 0 });
    expect(readFileSync(join(dir, 'bad-report-out', 'a.txt'), 'utf8')).toBe('fine');
  }, 60_000);
});

describe('a report whose layout differs from the earlier one in its folder', () => {
  it("replaces the earlier report's file by a folder and its folder by a file, never what the harness did not write", async () => {
    const out = join(dir, 'layout');
    expect(await badReport('fine', 'layout')).toMatchObject({ code: 0 });
    // The file a.txt becomes a folder, and back.
    const nested = await badReport('nested', 'layout');
    expect(nested.code).toBe(0);
    expect(nested.stderr).toContain(msg.reportRemovedStale(1, 'layout'));
    expect(listing(out)).toEqual(['a.txt/', 'a.txt/b.txt', 'c.txt']);
    const flat = await badReport('fine', 'layout');
    expect(flat.code).toBe(0);
    expect(flat.stderr).toContain(msg.reportRemovedStale(2, 'layout'));
    expect(listing(out)).toEqual(['a.txt']);
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('fine');
    // A folder holding a file of the user's stays, and so does everything else.
    expect(await badReport('nested', 'layout')).toMatchObject({ code: 0 });
    writeFileSync(join(out, 'a.txt', 'mine.txt'), 'mine\n');
    const mine = await badReport('fine', 'layout');
    const blocked = msg.reportPathTaken('layout', 'layout', 'a.txt', join('layout', 'a.txt'), join('layout', 'a.txt', 'mine.txt'));
    expectRefused(mine, blocked);
    expect(listing(out)).toEqual(['a.txt/', 'a.txt/b.txt', 'a.txt/mine.txt', 'c.txt']);
    rmSync(join(out, 'a.txt', 'mine.txt'));
    // A file of the harness's that its user edited is theirs: no folder takes its place.
    expect(await badReport('fine', 'layout')).toMatchObject({ code: 0 });
    writeFileSync(join(out, 'a.txt'), 'edited\n');
    const edited = await badReport('nested', 'layout');
    expectRefused(edited, msg.reportPathTaken('layout', 'layout', 'a.txt/b.txt', join('layout', 'a.txt'), null));
    expect(listing(out)).toEqual(['a.txt']);
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('edited\n');
  });

  it("never writes over a file of the user's at a report file's path: one no report wrote in a folder given with --out, or one edited since", async () => {
    // A paper's own folder, with a file named as one of the report's.
    const out = join(dir, 'paper-folder');
    mkdirSync(out);
    writeFileSync(join(out, 'a.txt'), 'my own\n');
    expectRefused(await badReport('fine', 'paper-folder'), msg.reportFileTaken('paper-folder', 'paper-folder', 'a.txt', join('paper-folder', 'a.txt')));
    expect(listing(out)).toEqual(['a.txt']);
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('my own\n');
    // Holding the report's bytes already, it is written over (by the same bytes), and recorded as the harness's.
    writeFileSync(join(out, 'a.txt'), 'fine');
    expect(await badReport('fine', 'paper-folder')).toMatchObject({ code: 0 });
    // The report's file, edited since: its user's.
    writeFileSync(join(out, 'a.txt'), 'fine, edited\n');
    expectRefused(await badReport('fine', 'paper-folder'), msg.reportFileTaken('paper-folder', 'paper-folder', 'a.txt', join('paper-folder', 'a.txt')));
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('fine, edited\n');
    // In the harness's own folder (reports/<study>/), a file no record names is an earlier report's
    // whose record went with the cache, and is written over; one the record shows edited is not.
    const own = defaultReportDir('bad-report', dir, join(dir, 'bad-report.sqlite'));
    mkdirSync(own, { recursive: true });
    writeFileSync(join(own, 'a.txt'), 'an earlier report, its record gone\n');
    process.env['BAD_REPORT'] = 'fine';
    try {
      expect(await cli(['report', 'bad-report.sqlite'], dir)).toMatchObject({ code: 0 });
      expect(readFileSync(join(own, 'a.txt'), 'utf8')).toBe('fine');
      writeFileSync(join(own, 'a.txt'), 'fine, edited\n');
      expectRefused(await cli(['report', 'bad-report.sqlite'], dir), msg.reportFileTaken(null, relative(dir, own), 'a.txt', join(relative(dir, own), 'a.txt')));
      expect(readFileSync(join(own, 'a.txt'), 'utf8')).toBe('fine, edited\n');
    } finally {
      delete process.env['BAD_REPORT'];
    }
  });

  it("names every file of the user's in the report's way at once, so that one move clears them all", async () => {
    const out = join(dir, 'two-taken');
    mkdirSync(out);
    // A file where the report's folder a.txt goes, and one at the path of its file c.txt.
    writeFileSync(join(out, 'a.txt'), 'my own\n');
    writeFileSync(join(out, 'c.txt'), 'mine too\n');
    expectRefused(await badReport('nested', 'two-taken'), msg.reportPathsTaken('two-taken', 'two-taken', [join('two-taken', 'a.txt'), join('two-taken', 'c.txt')]));
    expect(listing(out)).toEqual(['a.txt', 'c.txt']);
    expect(msg.reportPathsTaken('two-taken', 'two-taken', [join('two-taken', 'a.txt'), join('two-taken', 'c.txt')])).toContain(': two-taken/a.txt, two-taken/c.txt; ');
  });

  it('a write that fails leaves the earlier file in place of the new folder, and no folder or temporary file', async () => {
    const out = join(dir, 'layout-failing');
    expect(await badReport('fine', 'layout-failing')).toMatchObject({ code: 0 });
    // c.txt's temporary file cannot be written: a folder is in its way (this process runs the command, and is alive).
    const blocker = join(out, `.${process.pid}.${hostTag}.tmp-c.txt`);
    mkdirSync(blocker);
    const failed = await badReport('nested', 'layout-failing');
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('Nothing was written');
    expect(listing(out)).toEqual([`${basename(blocker)}/`, 'a.txt']);
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('fine');
    rmdirSync(blocker);
    // A killed report's hidden folder of a.txt's new files goes with the next write of a.txt.
    const abandoned = join(out, `.${deadPid()}.${hostTag}.tmp-a.txt`);
    mkdirSync(abandoned);
    writeFileSync(join(abandoned, 'b.txt'), 'half');
    expect(await badReport('nested', 'layout-failing')).toMatchObject({ code: 0 });
    expect(listing(out)).toEqual(['a.txt/', 'a.txt/b.txt', 'c.txt']);
  });

  it("puts none of a dead process's files of the same pid into the new folder (a container's pid 1)", async () => {
    const out = join(dir, 'layout-same-pid');
    expect(await badReport('fine', 'layout-same-pid')).toMatchObject({ code: 0 });
    const left = join(out, `.${process.pid}.${hostTag}.tmp-a.txt`);
    mkdirSync(left);
    writeFileSync(join(left, 'stale.txt'), 'stale');
    expect(await badReport('nested', 'layout-same-pid')).toMatchObject({ code: 0 });
    expect(listing(out)).toEqual(['a.txt/', 'a.txt/b.txt', 'c.txt']);
  });

  it.skipIf(fileModesCannotApply() !== null)('takes a folder out of a file\'s way whole, even where it cannot delete what is in it (a read-only folder)', async () => {
    const out = join(dir, 'layout-read-only');
    expect(await badReport('nested', 'layout-read-only')).toMatchObject({ code: 0 });
    chmodSync(join(out, 'a.txt'), 0o555);
    // Another process, where this one's root would ignore the folder's mode.
    const flat = await runHarness(['report', 'bad-report.sqlite', '--out', 'layout-read-only'], { cwd: dir, env: { BAD_REPORT: 'fine' }, withoutFileOverride: isRoot });
    expect(flat.code, flat.stderr).toBe(0);
    // The new file in place; the old folder whole under a hidden name beside it, not half deleted in place.
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('fine');
    const aside = readdirSync(out).find((name) => name.startsWith('.') && name.endsWith('a.txt~'))!;
    expect(readFileSync(join(out, aside, 'b.txt'), 'utf8')).toBeDefined();
    // Its process gone, the next write of a.txt removes it, once it can.
    chmodSync(join(out, aside), 0o755);
    expect(await badReport('nested', 'layout-read-only')).toMatchObject({ code: 0 });
    expect(listing(out)).toEqual(['a.txt/', 'a.txt/b.txt', 'c.txt']);
  });
});
