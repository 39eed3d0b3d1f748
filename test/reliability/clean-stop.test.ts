/**
 * Clean stops with real processes: `harness run` gets SIGINT or SIGTERM at seeded moments
 * mid-run. It exits 130 or 143 with a message that counts the saved trials and gives the
 * command that resumes; the database is sound, the count is right, and after the last resume
 * the rows are byte-identical to an uninterrupted run's. Default: 3 stops per signal;
 * HARNESS_SLOW=1: 10. A command without a clean stop of its own (report) exits at once, and
 * says so, also to a script that reads its --json.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resumeCommand } from '../../harness/cli/io.js';
import * as msg from '../../harness/messages.js';
import { tempDir } from '../harness/helpers.js';
import { pollUntil, runHarness, runStatuses, seededRandom, slow, startHarness } from './helpers.js';
import { InterruptedStudy, drawMoment, withoutProgress } from './interrupted-study.js';

const stops = slow ? 10 : 3;
const study = new InterruptedStudy(tempDir('harness-stop-'), slow ? 2500 : 1000);

beforeAll(() => study.setUp());

describe('clean stop and resume', () => {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`stops cleanly on ${signal} at ${stops} seeded moments: exit ${code}, a resume hint, and the same bytes in the end`, async () => {
      const db = `${signal.toLowerCase()}.sqlite`;
      const random = seededRandom(`reliability: ${signal} moments`);
      for (let i = 0; i < stops; i++) {
        const { exit, seen, delivered } = await study.interrupt(db, signal, drawMoment(random, false));
        expect(delivered).toBe(true);
        const saved = study.expectSound(db, seen);
        expect({ code: exit.code, stderr: withoutProgress(exit.stderr) }).toEqual({
          code,
          stderr: `${msg.runInterrupted(signal, saved, study.cells, db, resumeCommand(study.argv(db)))}\n`,
        });
      }
      await study.finishAndCompare(db);
      expect(runStatuses(join(study.dir, db))).toEqual([...Array<string>(stops).fill('interrupted'), 'done']);
    }, 60_000 + stops * 10_000);
  }
});

describe('a signal to a command that does not stop cleanly on its own', () => {
  it('exits 130 with a message, as a --json object too, and leaves no report behind', async () => {
    const dir = tempDir('harness-stop-report-');
    expect((await runHarness(['run', 'paper', '--set', 'seeds=2', '--db', 'paper.sqlite'], { cwd: dir })).code).toBe(0);
    const report = startHarness(['report', 'paper.sqlite', '--out', 'report', '--json'], { cwd: dir });
    let exited = false;
    void report.exited.then(() => (exited = true));
    // Its first progress line: the command has started its work, and the files come at the end.
    const started = await pollUntil(() => report.stderr, (text) => text.includes('load trials'), () => exited);
    expect(started).not.toBeNull();
    report.child.kill('SIGINT');
    const exit = await report.exited;
    const message = msg.interrupted('SIGINT');
    expect(exit).toMatchObject({ code: 130, signal: null, stdout: `${JSON.stringify({ error: message, exitCode: 130 })}\n` });
    expect(exit.stderr.endsWith(`${message}\n`)).toBe(true);
    expect(existsSync(join(dir, 'report'))).toBe(false);
  }, 60_000);
});
