/**
 * The contract between the harness and an experiment plugin.
 *
 * The harness knows nothing about what an experiment computes. A study file names an
 * experiment; the experiment declares which axes a study may vary, what its parameters look
 * like, which cells share one simulation, and what columns its results fill. Everything a
 * worker needs travels as structured-clonable data.
 *
 * An experiment module lives at `experiments/<name>/experiment.ts` (or any path a study file
 * gives) and has a default export of type `Experiment`.
 */
import type { ZodType } from 'zod';
import type { CurveTable } from './curves.js';
import type { RenderPool } from './render/pool.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A scalar that can be stored in one SQLite column. */
export type Scalar = number | string | null;

export interface AxisDef {
  description: string;
  /**
   * Valid values, or a function of the study's params when a study may add its own (e.g.
   * scenarios defined in the study file). Unknown names are rejected with this list and the
   * nearest match.
   */
  choices?: readonly string[] | ((params: unknown) => readonly string[]);
  /** Values used when a study does not list the axis. */
  defaults?: readonly string[];
  /**
   * True when the axis does not change the simulation (e.g. the selector): cells that differ
   * only in such axes share one simulation, so they are enumerated innermost and run in one
   * pool task with common random numbers.
   */
  shared?: boolean;
}

export interface ColumnDef {
  /** SQL column name: lower snake case. */
  name: string;
  type: 'INTEGER' | 'REAL' | 'TEXT';
  description: string;
}

/** One cell of the grid as the worker sees it. */
export interface CellSpec {
  /** Stable trial key: hash of the cell's identity. */
  key: string;
  /** Axis name -> value, swept parameter path -> value, `variant` -> variant name, and `replicate`. */
  values: Record<string, Json>;
  /** The cell's resolved parameters (base params with its sweep values and variant overrides applied). */
  params: Json;
}

/** One pool task: cells that share a simulation (same group identity and seed). */
export interface GroupTask {
  groupKey: string;
  /** Hex seed derived from the study and the experiment's `seedIdentity`; never from order. */
  seed: string;
  /**
   * The resolved parameters of the group's first cell in the grid, whether or not that cell is
   * in this task (a resume leaves out the cells already done). Only what `groupOf` puts into
   * `simulation` is the same for every cell of the group: read anything else a cell may vary (a
   * shared axis's parameter) from that cell's own `params`; `harness plan` warns where a cell's
   * results change with the cells it runs with.
   */
  params: Json;
  cells: CellSpec[];
}

/** Why a cell cannot run, in the terms of a study-file message. */
export interface CellProblem {
  /** The parameter at fault, as a path inside `params` (e.g. ["fixed_k"]). */
  path: string[];
  /** What the value must be, completing "params.<path> ..." (e.g. "must be one of ..."). */
  rule: string;
  received: Json;
  /** How to fix it. */
  hint?: string;
}

export interface TrialOutput {
  key: string;
  /** Values for `trialColumns`; columns left out are stored as NULL. */
  result: Record<string, Scalar>;
  /** Free-form details stored as JSON (selector diagnostics, reasons for "none"). */
  diagnostics?: Json;
}

export interface GroupOutput {
  groupKey: string;
  trials: TrialOutput[];
  /** Per-index rows for `curveColumns` (e.g. one per candidate k), stored once per group. */
  curve: Record<string, Scalar>[];
}

export interface Experiment<Params = unknown> {
  name: string;
  /** Part of every identity: bump it when a change alters results. */
  version: string;
  description: string;
  axes: Record<string, AxisDef>;
  /** Validates the study's `params` block (after sweep values and variant overrides are applied). */
  paramsSchema: ZodType<Params>;
  trialColumns: ColumnDef[];
  curveColumns: ColumnDef[];
  /**
   * What the simulation of a cell depends on. Cells with equal `simulation` run as one task;
   * `seedIdentity` names the random stream (leave out what should share random numbers, such
   * as the selector or the Monte Carlo size). `values.replicate` belongs in both: replicates are
   * the same cell drawn again with other random numbers (the harness refuses a study whose
   * replicates would share a seedIdentity). `simulation` must hold every parameter the
   * simulation reads from `GroupTask.params`.
   */
  groupOf(values: Record<string, Json>, params: Params): { simulation: Json; seedIdentity: Json };
  /**
   * Optional: what a cell's axis values ask of its params that neither the axes' choices nor
   * `paramsSchema` sees alone (e.g. a selector that needs a parameter to name one of the
   * scenario's candidates). Returns the problem, or null for a cell that can run. The harness
   * calls it before anything runs, once per cell (replicates aside), and refuses the study with
   * every distinct problem. `values` has no `replicate`.
   */
  checkCell?(values: Record<string, Json>, params: Params): CellProblem | null;
  /** Runs one task inside a worker thread. Pure: same task, same output. May throw. */
  runGroup(task: GroupTask): GroupOutput;
  /**
   * Optional: builds the study's report from its stored results. Called in the main thread by
   * `harness report`; returns files (paths relative to the report folder) that the harness
   * writes atomically.
   */
  report?(input: ReportInput): Promise<ReportFile[]>;
  /**
   * Set when report() draws figures with the harness's render pool: `harness report` then starts
   * the drawing threads before it reads the results (they load their renderers meanwhile) and
   * hands them over as `ReportInput.figures`.
   */
  drawsFigures?: boolean;
}

/**
 * One stored trial, as the report reads it back. `harness report` hands over views onto trials
 * stored by column (harness/trials.ts): read their fields (`result` is built anew at each read,
 * so read it once per trial); JSON gives the plain record, spreading gives nothing.
 */
export interface TrialRecord {
  key: string;
  cellIndex: number;
  groupKey: string;
  replicate: number;
  /**
   * Axis name (and swept parameter path) -> value, as in `CellSpec.values` minus `replicate`.
   * Frozen: the replicates of a cell share one object.
   */
  values: Readonly<Record<string, Json>>;
  status: 'ok' | 'failed';
  result: Record<string, Scalar>;
  diagnostics: Json;
  error: string | null;
}

export interface RunRecord {
  id: number;
  startedAt: string;
  endedAt: string | null;
  status: string;
  gitCommit: string | null;
  gitDirtyHash: string | null;
  /** Hash of the experiment's code the run's trials ran; null for a run that computed none, or stored by an older harness. */
  codeHash: string | null;
  /** Hash of package-lock.json where the run started (the packages the code ran with); null when there was none. */
  lockfileHash: string | null;
  nodeVersion: string;
  cpuModel: string;
  threads: number;
  shard: string | null;
  commandLine: string;
  /** The folder the command line was typed in (its relative paths read from there); null where stored by an older harness. */
  cwd: string | null;
  trialsDone: number;
  trialsFailed: number;
}

export interface ReportInput {
  /** The sealed manifest of the study (see harness/manifest). */
  manifest: { study: string; hash: string; body: Json };
  /**
   * Every finished trial, failed ones too (`status` 'failed', `error` set, no results): a report
   * leaves those out of its numbers, as the harness's warning about them tells the user, and may
   * count them.
   */
  trials: TrialRecord[];
  /** Curves keyed by group key, column by column, rows ordered by idx. */
  curves: Map<string, CurveTable>;
  runs: RunRecord[];
  /** Reports progress of long stages (a bar on a terminal, plain lines otherwise). */
  progress(stage: string, done: number, total: number): void;
  /** Drawing threads already started for this report (see Experiment.drawsFigures); owned by the caller. */
  figures?: RenderPool;
  /** PNG resolution the user asked for (`--dpi`); absent: DEFAULT_PNG_DPI (harness/render/png.ts). */
  pngDpi?: number;
  /**
   * How much of the study the database holds: its finished trials (ok or failed) and the trials
   * of the study's grid. `done < expected` for an interrupted run (`harness report` writes such a
   * report too); its files must then say, where a reader sees them, that everything in them is
   * provisional. Absent where nobody counted (an input built by hand): read as complete.
   * `finishedShards`: the shards the database holds (e.g. "1/4") when each of them is finished,
   * so that what is missing is the other shards' trials, not a run's to resume.
   */
  coverage?: { done: number; expected: number; finishedShards?: readonly string[] };
  /**
   * Set only when the finished trials were computed by more than one version of the experiment's
   * code (the code a run ran, by its hash; a resume after the code changed): each version with
   * its runs and trials, oldest first. Its files must then say so where a reader sees them, as
   * for an incomplete study: numbers may mix the versions' results.
   */
  codeVersions?: readonly { codeHash: string; runs: readonly number[]; trials: number }[];
  /** The harness writing the report, for its provenance; absent in an input built by hand. */
  writer?: Writer;
}

/** A harness's version, its commit (null outside git) and whether tracked files differ from it. */
export interface Writer {
  version: string;
  commit: string | null;
  modified: boolean | null;
}

export interface ReportFile {
  /** Path relative to the report folder, forward slashes. */
  path: string;
  content: string | Uint8Array;
  /**
   * `entry`: the file a reader opens first (the harness prints its path). `summary`: a few
   * lines of text the harness prints after writing the report (e.g. the headline results).
   */
  role?: 'entry' | 'summary';
}
