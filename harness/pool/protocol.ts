/**
 * The thread boundary: what the main thread sends a worker and what comes back. Everything is
 * structured-clonable plain data. Outcomes are data: a group whose `runGroup` throws comes
 * back as `failed` with the error; only a worker that dies or hangs makes the task itself fail,
 * and the main side (pool.ts) turns that into `failed` outcomes too.
 */
import type { GroupTask, Scalar } from '../experiment.js';

/** main -> worker: run these groups with the experiment at `moduleUrl`. */
export interface RunGroupsRequest {
  kind: 'run-groups';
  /** Names this request in the worker's events. */
  token: number;
  moduleUrl: string;
  groups: GroupTask[];
  /**
   * Under a time limit: where the request is, which the worker writes and the main thread reads
   * (see markProgress), so that each group is timed from its own start without a message per
   * group. Without one, the worker posts no events either.
   */
  progress?: BigInt64Array;
}

/** A request's `progress` before a worker takes it, and while the worker loads the experiment. */
export const QUEUED = -2;
export const LOADING = -1;
/** The worker has finished the request (its response may not have been read yet): nothing of it runs. */
export const DONE = -3;

/** A new `progress`, shared with the worker that takes the request: QUEUED. */
export function newProgress(): BigInt64Array {
  const progress = new BigInt64Array(new SharedArrayBuffer(2 * BigInt64Array.BYTES_PER_ELEMENT));
  progress[0] = BigInt(QUEUED);
  return progress;
}

/** Worker side: the request is at `place` (a group's place in `groups`, or LOADING) from now on. */
export function markProgress(progress: BigInt64Array, place: number): void {
  // The time first: whoever reads the new place reads its time too (readProgress reads in the other order).
  Atomics.store(progress, 1, process.hrtime.bigint());
  Atomics.store(progress, 0, BigInt(place));
}

/** Where the request is, and for how many milliseconds it has been there (the monotonic clock all threads share). */
export function readProgress(progress: BigInt64Array): { place: number; forMs: number } {
  const place = Number(Atomics.load(progress, 0));
  return { place, forMs: Number(process.hrtime.bigint() - Atomics.load(progress, 1)) / 1e6 };
}

/**
 * worker -> main, while a request runs under a time limit (through the worker's parentPort):
 * the experiment is loaded and the groups start now. The main thread then times each group
 * from its own start (`progress`), so neither a worker's start-up (loading tsx and the
 * experiment) nor the groups before it in the request count against a group.
 */
export interface StartedEvent {
  kind: 'started';
  token: number;
}

/**
 * worker -> main, while a request runs under a time limit: the outcomes of its next groups
 * (following those of the last such event), posted when they took a while, so that the groups
 * finished before one that overruns its limit are kept when its worker is stopped. The response
 * still holds every outcome.
 */
export interface FinishedEvent {
  kind: 'finished';
  token: number;
  outcomes: GroupOutcome[];
}

export type WorkerEvent = StartedEvent | FinishedEvent;

/** One cell's outcome, in the order of its group's `cells`. */
export type TrialOutcome =
  | {
      ok: true;
      /** Values of the experiment's `trialColumns`, in their order. */
      values: Scalar[];
      /** Canonical JSON of the diagnostics, or null. */
      diagnostics: string | null;
    }
  | { ok: false; message: string };

export type GroupOutcome =
  | {
      kind: 'ok';
      groupKey: string;
      durationMs: number;
      trials: TrialOutcome[];
      /** Rows of the experiment's `curveColumns`, in their order. */
      curve: Scalar[][];
    }
  | {
      kind: 'failed';
      groupKey: string;
      durationMs: number;
      message: string;
      stack: string | null;
    };

/** worker -> main: one outcome per requested group, in request order. */
export interface RunGroupsResponse {
  kind: 'groups-done';
  outcomes: GroupOutcome[];
}
