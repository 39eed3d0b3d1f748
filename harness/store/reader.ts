/**
 * Reading results back: which cells are done (a bitset, fast for a million rows), counts, and
 * the whole study as the `ReportInput` an experiment's report takes. Needs no experiment code:
 * the grid comes from the stored manifest.
 */
import type { Json, ReportInput, Scalar } from '../experiment.js';
import { Bitset } from '../bitset.js';
import type { Grid } from '../grid.js';
import { gridOf, type ManifestBody } from '../manifest.js';
import { CurveTable, CurveTables, WrongKindError, type ColumnKind } from '../curves.js';
import { TrialTable } from '../trials.js';
import { quoteIdent } from './columns.js';
import { DamageFound, storedJson } from './damage.js';
import { missingColumns } from './schema.js';
import * as msg from '../messages.js';
import { listRuns } from './runs.js';
import type { Store } from './store.js';

/** Cells with an `ok` row (failed ones count as not done: a rerun retries them). */
export function doneCells(store: Store, size: number): Bitset {
  const done = new Bitset(size);
  const rows = store.db.prepare(`SELECT cell_index FROM trial WHERE status = 'ok'`).pluck();
  for (const index of rows.iterate() as IterableIterator<number>) {
    if (index >= size) continue;
    if (done.has(index)) throw repeatedCell(index);
    done.add(index);
  }
  return done;
}

/**
 * A cell that the trial table gives twice: the table's b-tree is damaged in a way SQLite reads
 * without complaint (a copy made while a run wrote it), and a count or statistic over its rows
 * would take that cell twice.
 */
function repeatedCell(index: number): DamageFound {
  return new DamageFound(msg.rowsRepeated('trial', 'cell_index', index));
}

/** What one pass over a database's trials tells (see trialCells). */
export interface TrialCells {
  /** Cells with a finished (ok) trial. */
  done: Bitset;
  /** Cells with a trial row, ok or failed: a failed trial is a result, not missing work. */
  recorded: Bitset;
  /** Trials stored, finished and failed, in the whole database. */
  ok: number;
  failed: number;
  /** Finished trials by the run that stored them (what tells the versions of the code apart, see code-versions.ts). */
  okByRun: Map<number | null, number>;
  /** Failed trials by the run that stored them. */
  failedByRun: Map<number | null, number>;
}

/** The cells done and recorded, and the trials counted, in one pass over the trials. */
export function trialCells(store: Store, size: number): TrialCells {
  const done = new Bitset(size);
  const recorded = new Bitset(size);
  const okByRun = new Map<number | null, number>();
  const failedByRun = new Map<number | null, number>();
  let ok = 0;
  let failed = 0;
  const rows = store.db.prepare(`SELECT cell_index, status = 'ok', run_id FROM trial`).raw();
  for (const [index, isOk, run] of rows.iterate() as IterableIterator<[number, number, number | null]>) {
    if (isOk) {
      ok++;
      okByRun.set(run, (okByRun.get(run) ?? 0) + 1);
    } else {
      failed++;
      failedByRun.set(run, (failedByRun.get(run) ?? 0) + 1);
    }
    if (index >= size) continue;
    if (recorded.has(index)) throw repeatedCell(index);
    recorded.add(index);
    if (isOk) done.add(index);
  }
  return { done, recorded, ok, failed, okByRun, failedByRun };
}

/** The error most failed trials stored (of run `runId` alone, given one; the first in order among equals), and how many; null when none failed. */
export function commonFailure(store: Store, runId?: number): { error: string; trials: number } | null {
  const ofRun = runId === undefined ? '' : ' AND run_id = ?';
  const row = store.db
    .prepare(`SELECT coalesce(error, '') AS error, count(*) AS trials FROM trial WHERE status = 'failed'${ofRun} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`)
    .get(...(runId === undefined ? [] : [runId])) as { error: string; trials: number } | undefined;
  return row ?? null;
}

/** The runs that recorded failed trials, by id: how many each, and whether any hit the time limit --task-timeout set. */
export function failedTrialsByRun(store: Store): Map<number, { trials: number; timedOut: boolean }> {
  const rows = store.db.prepare(`SELECT run_id, coalesce(error, '') AS error, count(*) AS n FROM trial WHERE status = 'failed' GROUP BY 1, 2`).all() as { run_id: number; error: string; n: number }[];
  const byRun = new Map<number, { trials: number; timedOut: boolean }>();
  for (const row of rows) {
    const run = byRun.get(row.run_id) ?? { trials: 0, timedOut: false };
    byRun.set(row.run_id, { trials: run.trials + row.n, timedOut: run.timedOut || msg.isTimeLimitError(row.error) });
  }
  return byRun;
}

/** The shards (`i/N`) of the runs some of whose failed trials hit the time limit --task-timeout set. */
export function timedOutShards(store: Store): Set<string> {
  const failed = failedTrialsByRun(store);
  return new Set(listRuns(store).flatMap((run) => (run.shard !== null && failed.get(run.id)?.timedOut ? [run.shard] : [])));
}

export function statusCounts(store: Store): { ok: number; failed: number } {
  const rows = store.db.prepare(`SELECT status, count(*) AS n FROM trial GROUP BY status`).all() as { status: string; n: number }[];
  return {
    ok: rows.find((r) => r.status === 'ok')?.n ?? 0,
    failed: rows.find((r) => r.status === 'failed')?.n ?? 0,
  };
}

/** The whole study, read in one transaction: a consistent snapshot even while a run writes. */
export function loadReportInput(store: Store, progress: ReportInput['progress'] = () => {}): ReportInput {
  return store.db.transaction(() => readReportInput(store, progress))();
}

function readReportInput(store: Store, progress: ReportInput['progress']): ReportInput {
  const manifest = store.requireManifest();
  const body: ManifestBody = manifest.body;
  const grid = gridOf(body);
  const resultColumns = storedColumns(body.columns.trial);
  const trialColumns = ['cell_index', 'key', 'group_key', 'replicate', 'status', 'diagnostics', 'error', ...resultColumns.map((c) => c.name)];
  const curveColumns = storedColumns(body.columns.curve);
  for (const [table, names] of [['trial', trialColumns], ['curve', ['group_key', 'idx', ...curveColumns.map((c) => c.name)]]] as const) {
    const missing = missingColumns(store.db, table, names);
    if (missing.length) throw new DamageFound(msg.columnsMissing(table, missing), 'altered');
  }
  const total = (store.db.prepare(`SELECT count(*) FROM trial`).pluck().get() as number) ?? 0;
  const select = store.db
    .prepare(
      `SELECT ${trialColumns.map(quoteIdent).join(', ')} FROM trial ORDER BY cell_index`,
    )
    .raw(true);
  const trials = new TrialTable(resultColumns, total);
  const valuesOf = replicateValues(grid);
  let last = -1;
  for (const row of select.iterate() as IterableIterator<Scalar[]>) {
    const [cellIndex, key, groupKey, replicate, status, diagnostics, error, ...results] = row;
    if (!((cellIndex as number) > last)) throw repeatedCell(cellIndex as number);
    last = cellIndex as number;
    try {
      trials.add({
        cellIndex: cellIndex as number,
        key: key as string,
        groupKey: groupKey as string,
        replicate: replicate as number,
        values: valuesOf(cellIndex as number),
        status: status as 'ok' | 'failed',
        results,
        diagnostics: diagnostics === null ? null : (storedJson(diagnostics as string, 'trial', `cell ${cellIndex as number}`, 'diagnostics') as Json),
        error: error as string | null,
      });
    } catch (thrown) {
      throw storedRowDamage(thrown, 'trial', `cell ${cellIndex as number}`);
    }
    if (trials.size % 10_000 === 0) progress('load trials', trials.size, total);
  }
  progress('load trials', trials.size, total);
  const curveTotal = store.db.prepare(`SELECT count(*) FROM curve`).pluck().get() as number;
  const tables = new CurveTables(curveColumns, curveTotal);
  const curves = new Map<string, CurveTable>();
  const curveRows = store.db
    .prepare(`SELECT group_key${curveColumns.map((c) => `, ${quoteIdent(c.name)}`).join('')} FROM curve ORDER BY group_key, idx`)
    .raw(true);
  // Rows arrive group by group, each led by its group key.
  let group: string | null = null;
  for (const row of curveRows.iterate() as IterableIterator<Scalar[]>) {
    if (row[0] !== group) {
      if (group !== null) curves.set(group, tables.endGroup());
      group = row[0] as string;
    }
    try {
      tables.add(row, 1);
    } catch (thrown) {
      throw storedRowDamage(thrown, 'curve', `group_key ${row[0] as string}`);
    }
  }
  if (group !== null) curves.set(group, tables.endGroup());
  return {
    manifest: { study: manifest.study, hash: manifest.hash, body: body as unknown as Json },
    trials: trials.records(),
    curves,
    runs: listRuns(store),
    progress,
  };
}

/**
 * What adding a stored row of `table` threw, as damage when a value was of the wrong kind (a text
 * where numbers belong); anything else passes unchanged.
 */
function storedRowDamage(thrown: unknown, table: string, row: string): unknown {
  if (!(thrown instanceof WrongKindError)) return thrown;
  const holds = thrown.kind === 'number' ? 'numbers' : 'texts';
  return new DamageFound(msg.storedValueWrong(table, row, thrown.column, holds, thrown.value), 'altered');
}

/** Each column's name and what it holds, from its SQL type. */
function storedColumns(columns: readonly { name: string; type: string }[]): { name: string; type: ColumnKind }[] {
  return columns.map((c) => ({ name: c.name, type: c.type === 'TEXT' ? 'text' : 'number' }));
}

/**
 * A trial's `values` (its cell's, without `replicate`). The replicates of a cell share one
 * frozen object: as one object per trial they took about 0.5 kB each, a quarter of a trial's
 * memory in the report. Sharing needs `replicate` in a dimension of its own; zipped with other
 * fields, which then differ between replicates, each trial gets its own object.
 */
function replicateValues(grid: Grid): (index: number) => Record<string, Json> {
  const { replicateDim } = grid;
  const shared = new Map<number, Record<string, Json>>();
  const digits: number[] = [];
  return (index) => {
    if (replicateDim < 0) return Object.freeze(grid.valuesOf(index, 'replicate'));
    grid.digitsOf(index, digits);
    digits[replicateDim] = 0;
    const first = grid.indexOf(digits);
    let values = shared.get(first);
    if (values === undefined) {
      values = Object.freeze(grid.valuesOf(first, 'replicate'));
      shared.set(first, values);
    }
    return values;
  };
}
