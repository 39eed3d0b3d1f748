/**
 * Clean stops with real processes: `harness run` gets SIGINT, SIGTERM or SIGUSR1 at seeded moments
 * mid-run. It exits 130, 143 or 138 with a message that counts the saved trials and gives the
 * command that resumes; the database is sound, the count is right, and after the last resume
 * the rows are byte-identical to an uninterrupted run's. Default: 3 stops per signal;
 * HARNESS_SLOW=1: 10. A command without a clean stop of its own (report) ends at once, by the
 * signal's default action, however busy it is.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resumeCommand } from '../../harness/cli/io.js';
import * as msg from '../../harness/messages.js';
import { BUSY_REPORT_STARTED } from '../fixtures/experiments/noop-busy-report.js';
import { fixtures, root, tempDir } from '../harness/helpers.js';
import { pollUntil, runHarness, runStatuses, seededRandom, slow, startHarness } from './helpers.js';
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
          stderr: `${msg.runInterrupted(signal, saved, 0, study.cells, db, resumeCommand(study.argv(db)), null)}\n`,
        });
      }
      await study.finishAndCompare(db);
      expect(runStatuses(join(study.dir, db))).toEqual([...Array<string>(stops).fill('interrupted'), 'done']);
    }, 60_000 + stops * 10_000);
  }
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
