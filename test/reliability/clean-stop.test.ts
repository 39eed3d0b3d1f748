/**
 * Clean stops with real processes: `harness run` gets SIGINT, SIGTERM or SIGUSR1 at seeded moments
 * mid-run. It exits 130, 143 or 138 with a message that counts the saved trials and gives the
 * command that resumes; the database is sound, the count is right, and after the last resume
 * the rows are byte-identical to an uninterrupted run's. Default: 3 stops per signal;
 * HARNESS_SLOW=1: 10. A command without a clean stop of its own (report) ends at once, by the
 * signal's default action, however busy it is.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resumeCommand } from '../../harness/cli/io.js';
import * as msg from '../../harness/messages.js';
import { BUSY_REPORT_STARTED } from '../fixtures/experiments/noop-busy-report.js';
import { fixtures, root, tempDir } from '../harness/helpers.js';
import { committedTrials, harnessBin, pollUntil, runHarness, runStatuses, seededRandom, slow, startHarness } from './helpers.js';
import { InterruptedStudy, drawMoment, withoutProgress } from './interrupted-study.js';

const stops = slow ? 10 : 3;
const study = new InterruptedStudy(tempDir('harness-stop-'), slow ? 2500 : 1000);

beforeAll(() => study.setUp());

describe('clean stop and resume', () => {
  // SIGUSR1: Slurm's warning before a time limit; without a listener Node would open its debugger instead.
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGUSR1', 138]] as const) {
    it(`stops cleanly on ${signal} at ${stops} seeded moments: exit ${code}, a resume hint, and the same bytes in the end`, async () => {
      const db = `${signal.toLowerCase()}.sqlite`;
      const random = seededRandom(`reliability: ${signal} moments`);
      for (let i = 0; i < stops; i++) {
        const { exit, seen, delivered } = await study.interrupt(db, signal, drawMoment(random, false));
        expect(delivered).toBe(true);
        const saved = study.expectSound(db, seen);
        expect({ code: exit.code, stderr: withoutProgress(exit.stderr) }).toEqual({
          code,
          stderr: `${msg.runInterrupted(signal, saved, 0, study.cells, db, resumeCommand(study.argv(db), null, study.dir), null)}\n`,
        });
      }
      await study.finishAndCompare(db);
      expect(runStatuses(join(study.dir, db))).toEqual([...Array<string>(stops).fill('interrupted'), 'done']);
    }, 60_000 + stops * 10_000);
  }
});

/** Single-quoted for sh. */
const sh = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * `harness <argv>` in `cwd` on a terminal of its own (a pseudo-terminal, by util-linux's
 * `script`), started by a shell that writes its pid and exit code to `pid` and `code` there.
 * `hangUp` closes the terminal, as a closed window or a dropped ssh connection does: the system
 * then sends SIGHUP to the shell, which ignores it, to outlive the hangup and record the code (the
 * harness is not spared: Node resets an ignored SIGHUP).
 */
function startOnTerminal(argv: readonly string[], cwd: string, redirect = '') {
  for (const file of ['pid', 'code']) rmSync(join(cwd, file), { force: true });
  const command = [process.execPath, harnessBin, ...argv].map(sh).join(' ') + redirect;
  const script = spawn('script', ['-qfec', `trap '' HUP; ${command} & echo $! > pid; wait $!; echo $? > code`, '/dev/null'], {
    cwd,
    env: { ...process.env, SHELL: '/bin/sh', NO_COLOR: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  script.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const read = (file: string) => (existsSync(join(cwd, file)) ? readFileSync(join(cwd, file), 'utf8').trim() : '');
  return {
    get output() {
      return output;
    },
    /** Resolves once the terminal is gone. */
    hangUp: () => new Promise<void>((resolve) => (script.once('exit', () => resolve()), script.kill('SIGKILL'))),
    pid: () => Number(read('pid')) || null,
    /** The exit code, once the run has ended (null until then). */
    code: () => (read('code') === '' ? null : Number(read('code'))),
  };
}

describe('a hung-up terminal (SIGHUP)', () => {
  it('stops a run on that terminal cleanly: exit 129, its saved trials sound, and a resume gives the same bytes', async () => {
    const db = 'sighup.sqlite';
    const terminal = startOnTerminal(study.argv(db), study.dir);
    const gone = () => terminal.code() !== null;
    expect(await pollUntil(() => terminal.output, (text) => /Running /.test(text), gone)).not.toBeNull();
    expect(await pollUntil(() => committedTrials(join(study.dir, db)), (n) => n > 0, gone)).not.toBeNull();
    const pid = terminal.pid()!;
    await terminal.hangUp();
    // A shell that loses its terminal passes SIGHUP on to its jobs; this one ignores it, so here it is passed on.
    process.kill(pid, 'SIGHUP');
    expect(await pollUntil(() => terminal.code(), (code) => code !== null, () => false, 20)).toBe(129);
    // A clean stop, not an exit at once: the run is recorded as interrupted, and what it saved is sound.
    expect(runStatuses(join(study.dir, db))).toEqual(['interrupted']);
    study.expectSound(db, 1);
    await study.finishAndCompare(db);
  }, 60_000);

  // Whether its shell passes SIGHUP on (an interactive one does) or not (setsid, a subshell).
  for (const signalled of [true, false]) {
    it(`does not stop a run whose output goes to a log, though its input was that terminal (\`run ... > log 2>&1 &\`)${signalled ? ': it says so, and finishes' : ', with no SIGHUP: it finishes'}`, async () => {
      const db = `sighup-log-${signalled}.sqlite`;
      const terminal = startOnTerminal(study.argv(db), study.dir, ' < /dev/tty > log 2>&1');
      const gone = () => terminal.code() !== null;
      expect(await pollUntil(() => committedTrials(join(study.dir, db)), (n) => n > 0, gone)).not.toBeNull();
      const pid = terminal.pid()!;
      await terminal.hangUp();
      if (signalled) process.kill(pid, 'SIGHUP');
      expect(await pollUntil(() => terminal.code(), (code) => code !== null, () => false, 20)).toBe(0);
      const log = withoutProgress(readFileSync(join(study.dir, 'log'), 'utf8'));
      if (signalled) expect(log).toContain(`${msg.hangupIgnored(pid)}\n`);
      else expect(log).not.toContain('SIGHUP');
      expect(study.expectSound(db, study.cells)).toBe(study.cells);
    }, 60_000);
  }

  it('does not stop a run that writes to no terminal (nohup, a log): it says so, and finishes', async () => {
    const db = 'nohup.sqlite';
    const run = startHarness(study.argv(db), { cwd: study.dir });
    let exited = false;
    void run.exited.then(() => (exited = true));
    expect(await pollUntil(() => committedTrials(join(study.dir, db)), (n) => n > 0, () => exited)).not.toBeNull();
    expect(run.child.kill('SIGHUP')).toBe(true);
    const exit = await run.exited;
    expect({ code: exit.code, stderr: withoutProgress(exit.stderr) }).toEqual({ code: 0, stderr: `${msg.hangupIgnored(run.pid)}\n` });
    expect(study.expectSound(db, study.cells)).toBe(study.cells);
  }, 60_000);
});

describe('a signal to a command that does not stop cleanly on its own', () => {
  it('ends it at once, even while it computes without pause, by the signal itself (a shell says 130), and leaves no report behind', async () => {
    const dir = tempDir('harness-stop-report-');
    expect((await runHarness(['run', join(fixtures, 'studies', 'noop.yaml'), '--db', 'noop.sqlite'], { cwd: dir })).code).toBe(0);
    // Its report() computes for a minute: a signal that waited for it would outlast the test.
    const report = startHarness(['report', 'noop.sqlite', '--out', 'report', '--json', '--experiment', join(fixtures, 'experiments', 'noop-busy-report.ts')], { cwd: dir });
    let exited = false;
    void report.exited.then(() => (exited = true));
    expect(await pollUntil(() => report.stderr, (text) => text.includes(BUSY_REPORT_STARTED), () => exited)).not.toBeNull();
    report.child.kill('SIGINT');
    expect(await report.exited).toMatchObject({ code: null, signal: 'SIGINT', stdout: '' });
    expect(existsSync(join(dir, 'report'))).toBe(false);
    // SIGTERM (Slurm's scancel, Kubernetes) alike.
    const again = startHarness(['report', 'noop.sqlite', '--out', 'report', '--experiment', join(fixtures, 'experiments', 'noop-busy-report.ts')], { cwd: dir });
    void again.exited.then(() => (exited = true));
    exited = false;
    expect(await pollUntil(() => again.stderr, (text) => text.includes(BUSY_REPORT_STARTED), () => exited)).not.toBeNull();
    again.child.kill('SIGTERM');
    expect(await again.exited).toMatchObject({ code: null, signal: 'SIGTERM' });
  }, 30_000);

  it("ends it at once under npm too (npm start, npm run harness): Ctrl-C signals npm's whole process group", async () => {
    const dir = tempDir('harness-stop-npm-');
    expect((await runHarness(['run', join(fixtures, 'studies', 'noop.yaml'), '--db', join(dir, 'noop.sqlite')], { cwd: dir })).code).toBe(0);
    const argv = ['run', '--silent', 'harness', '--', 'report', join(dir, 'noop.sqlite'), '--out', join(dir, 'report'), '--experiment', join(fixtures, 'experiments', 'noop-busy-report.ts')];
    // Its own process group, as a terminal gives a foreground job.
    const npm = spawn('npm', argv, { cwd: root, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    npm.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const ended = new Promise<void>((resolve) => npm.on('exit', () => resolve()));
    let exited = false;
    void ended.then(() => (exited = true));
    expect(await pollUntil(() => stderr, (text) => text.includes(BUSY_REPORT_STARTED), () => exited)).not.toBeNull();
    process.kill(-npm.pid!, 'SIGINT');
    // The report computes for a minute: ended within the test's time, it took the signal.
    await ended;
    expect(existsSync(join(dir, 'report'))).toBe(false);
  }, 30_000);
});
