/**
 * Crash and resume with real processes: `harness run` is killed with SIGKILL at seeded random
 * moments (during start-up, while it creates and seals the database, between and during
 * commits) and resumed after each. After every kill the database is sound and holds only rows
 * byte-identical to an uninterrupted run's, in whole groups, and nothing committed is lost; at
 * the end it is identical to that run. Default: 20 kill points; HARNESS_SLOW=1: 60.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../harness/helpers.js';
import { runStatuses, seededRandom, slow } from './helpers.js';
import { InterruptedStudy, drawMoment } from './interrupted-study.js';

const killPoints = slow ? 60 : 20;
const study = new InterruptedStudy(tempDir('harness-crash-'), slow ? 5000 : 2000);

beforeAll(() => study.setUp());

describe('crash and resume', () => {
  it(`survives SIGKILL at ${killPoints} seeded random moments, resuming after each, to the uninterrupted bytes`, async () => {
    const db = 'sigkill.sqlite';
    const random = seededRandom('reliability: SIGKILL moments');
    const landings = new Map<string, number>();
    for (let i = 0; i < killPoints; i++) {
      const { exit, seen, landed, delivered } = await study.interrupt(db, 'SIGKILL', drawMoment(random, true));
      expect({ i, delivered, signal: exit.signal, stderr: exit.stderr }).toMatchObject({ i, delivered: true, signal: 'SIGKILL' });
      landings.set(landed, (landings.get(landed) ?? 0) + 1);
      if (existsSync(join(study.dir, db))) study.expectSound(db, seen);
      // A killed run leaves its row "running" until the next run marks it "killed".
      expect(runStatuses(join(study.dir, db)).filter((s) => s === 'running').length).toBeLessThanOrEqual(1);
    }
    await study.finishAndCompare(db);
    const statuses = runStatuses(join(study.dir, db));
    expect(statuses.at(-1)).toBe('done');
    expect(statuses.slice(0, -1).every((s) => s === 'killed')).toBe(true);
    console.log(
      `SIGKILL: ${killPoints} kill points survived (${[...landings].map(([k, n]) => `${n} ${k}`).join(', ')}); ` +
        `${statuses.length - 1} runs had registered and were marked killed`,
    );
  }, 60_000 + killPoints * 5_000);
});
