/**
 * The study that the crash and clean-stop tests interrupt, its uninterrupted reference run, and
 * the interrupt-check-resume steps they share.
 *
 * 4 parts x `seeds`: one group (4 trials, 4 curve rows, 8 ms of sleep) per replicate. An
 * interrupted run works for at most about half a second, so the grid outlasts every
 * interruption; the reference and the final resume use more threads (sleeping groups need no
 * cores), which also checks that the thread count does not change the bytes.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import { runStudy } from '../../harness/run/run.js';
import { loadStudy } from '../../harness/study/study.js';
import { dumpResults, writeStudy } from '../harness/helpers.js';
import {
  checkAgainstReference,
  committedTrials,
  faultsModule,
  pollUntil,
  readReference,
  runHarness,
  runStatuses,
  sleep,
  startHarness,
  type Exit,
  type Reference,
} from './helpers.js';

/**
 * A moment to interrupt at: `ms` after the process starts (start-up, opening and sealing the
 * database, the first tasks), or `ms` after its first commit (between later commits, or
 * inside one).
 */
export type Moment = { after: 'start' | 'first commit'; ms: number };

export function drawMoment(random: () => number, allowStartup: boolean): Moment {
  if (allowStartup && random() < 0.25) return { after: 'start', ms: Math.floor(random() * 1200) };
  return { after: 'first commit', ms: Math.floor(random() * 300) };
}

export interface Interruption {
  exit: Exit;
  /** Trials committed just before the signal. */
  seen: number;
  landed: 'in start-up (before registering its run)' | 'after registering, before its first commit' | 'while writing results';
  /** False when the process had already exited (the grid was too small). */
  delivered: boolean;
}

export class InterruptedStudy {
  readonly studyFile = 'crash.yaml';
  readonly cells: number;
  private reference: Reference | undefined;
  private referenceDump: ReturnType<typeof dumpResults> | undefined;

  constructor(
    readonly dir: string,
    private readonly seeds: number,
  ) {
    this.cells = 4 * seeds;
  }

  argv(db: string, threads = 2): string[] {
    return ['run', this.studyFile, '--threads', String(threads), '--db', db];
  }

  /** Writes the study and runs it once, uninterrupted, in this process. */
  async setUp(): Promise<void> {
    writeStudy(this.dir, this.studyFile, {
      name: 'crash',
      experiment: faultsModule,
      seeds: this.seeds,
      base_seed: 5,
      axes: { fault: ['none'], part: ['a', 'b', 'c', 'd'] },
      params: { rows: 4, delay_ms: 8 },
    });
    const study = await loadStudy(join(this.dir, this.studyFile), { cwd: this.dir });
    const path = join(this.dir, 'reference.sqlite');
    const summary = await runStudy({ study, dbPath: path, threads: 8, shard: null, commandLine: 'reference' });
    expect(summary).toMatchObject({ status: 'done', ok: this.cells, failed: 0 });
    this.reference = readReference(path);
    this.referenceDump = dumpResults(path);
  }

  /** Starts `harness run` into `db` and sends `signal` at `moment`. */
  async interrupt(db: string, signal: NodeJS.Signals, moment: Moment): Promise<Interruption> {
    const path = join(this.dir, db);
    const before = committedTrials(path);
    const runsBefore = runStatuses(path).length;
    const run = startHarness(this.argv(db), { cwd: this.dir });
    let exited = false;
    void run.exited.then(() => (exited = true));
    if (moment.after === 'first commit') {
      // A clean stop is only promised once the run has started (its handlers are installed).
      if (signal !== 'SIGKILL') await run.waitForStdout(/^Running /m);
      await pollUntil(() => committedTrials(path), (n) => n > before, () => exited);
    }
    await sleep(moment.ms);
    const seen = committedTrials(path);
    const delivered = !exited && run.child.kill(signal);
    const exit = await run.exited;
    const landed =
      seen > before
        ? 'while writing results'
        : runStatuses(path).length > runsBefore
          ? 'after registering, before its first commit'
          : 'in start-up (before registering its run)';
    return { exit, seen, landed, delivered };
  }

  /** The database is sound, holds only reference rows in whole groups, and at least `atLeast` trials (nothing committed was lost). */
  expectSound(db: string, atLeast: number): number {
    const { problems, trials } = checkAgainstReference(join(this.dir, db), this.reference!);
    expect(problems).toEqual([]);
    expect(trials).toBeGreaterThanOrEqual(atLeast);
    return trials;
  }

  /** Resumes to the end (on 8 threads) and compares every trial and curve row with the reference. */
  async finishAndCompare(db: string): Promise<void> {
    const last = await runHarness(this.argv(db, 8), { cwd: this.dir });
    expect({ code: last.code, stderr: withoutProgress(last.stderr) }).toEqual({ code: 0, stderr: '' });
    expect(this.expectSound(db, this.cells)).toBe(this.cells);
    const dump = dumpResults(join(this.dir, db));
    expect(dump.trials).toBe(this.referenceDump!.trials);
    expect(dump.curves).toBe(this.referenceDump!.curves);
  }
}

/** stderr without the plain progress lines (their rates vary). */
export function withoutProgress(stderr: string): string {
  return stderr.replace(/^.* trials\/s, ETA .*(\n|$)/gm, '');
}
