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
  /** Names this request in the worker's `started` event. */
  token: number;
  moduleUrl: string;
  groups: GroupTask[];
}

/**
 * worker -> main, while a request runs (through the worker's parentPort): the experiment is
 * loaded and the groups start now. The task timeout is measured from here, so a worker's
 * start-up (loading tsx and the experiment) never counts against a group.
 */
export interface StartedEvent {
  kind: 'started';
  token: number;
}

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
