/**
 * Clean stops with real processes: `harness run` gets SIGINT or SIGTERM at seeded moments
 * mid-run. It exits 130 or 143 with a message that counts the saved trials and gives the
 * command that resumes; the database is sound, the count is right, and after the last resume
 * the rows are byte-identical to an uninterrupted run's. Default: 3 stops per signal;
 * HARNESS_SLOW=1: 10.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resumeCommand } from '../../harness/cli/io.js';
import * as msg from '../../harness/messages.js';
import { tempDir } from '../harness/helpers.js';
import { runStatuses, seededRandom, slow } from './helpers.js';
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
