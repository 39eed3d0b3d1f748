/**
 * The single writer: outcomes from the pool become rows, committed in batched transactions
 * (every `flushEveryMs`, or sooner when `maxPendingRows` are waiting). A group's rows always
 * land in the same transaction, so a killed process leaves whole groups or nothing. A
 * recomputed cell replaces its earlier (failed) row, and a group that ran replaces its curve
 * (the same rows where the code is the same): a retry after the experiment's code was fixed
 * keeps no curve of the code that failed. A group none of whose trials came out ok stores no
 * curve: it would describe results that were not kept.
 */
import { statSync } from 'node:fs';
import type { Scalar } from '../experiment.js';
import type { ManifestBody } from '../manifest.js';
import type { GroupOutcome } from '../pool/protocol.js';
import type { PlannedGroup } from '../run/tasks.js';
import { quoteIdent, sqlValueOf } from './columns.js';
import { curveColumnNames, fieldColumns, trialColumnNames } from './schema.js';
import * as msg from '../messages.js';
import { errnoCode } from '../folders.js';
import { DatabaseGoneError, RunTakenOverError, asWriteError } from './failures.js';
import type { Store } from './store.js';

/** Where it was first defined; harness/store/failures.ts holds it now. */
export { WriteError } from './failures.js';

export interface WriterOptions {
  flushEveryMs?: number;
  maxPendingRows?: number;
  now?: () => Date;
  /** Called when a timed flush fails (the caller stops the run). */
  onError?: (error: Error) => void;
}

export interface GroupCounts {
  ok: number;
  failed: number;
}

export class ResultWriter {
  readonly totals: GroupCounts = { ok: 0, failed: 0 };
  private trialRows: (Scalar | bigint)[][] = [];
  private curveRows: Scalar[][] = [];
  /** The groups whose curve `curveRows` replaces. */
  private curveGroups: string[] = [];
  private failureRows: Scalar[][] = [];
  private readonly insertTrial;
  private readonly insertCurve;
  private readonly deleteCurve;
  private readonly insertFailure;
  private readonly updateRun;
  private readonly touchRun;
  private readonly fields: string[];
  private readonly resultWidth: number;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly now: () => Date;
  private readonly maxPendingRows: number;
  private closed = false;
  /** The database file as opened (device and inode), to tell when its path names it no more; none in memory. */
  private readonly file: { dev: number; ino: number } | null;

  constructor(
    private readonly store: Store,
    body: ManifestBody,
    private readonly runId: number,
    private readonly options: WriterOptions = {},
  ) {
    const db = store.db;
    const trialColumns = trialColumnNames(body);
    const curveColumns = curveColumnNames(body);
    const placeholders = (n: number) => new Array(n).fill('?').join(', ');
    this.insertTrial = db.prepare(
      `INSERT OR REPLACE INTO trial (${trialColumns.map(quoteIdent).join(', ')}) VALUES (${placeholders(trialColumns.length)})`,
    );
    this.insertCurve = db.prepare(
      `INSERT OR REPLACE INTO curve (${curveColumns.map(quoteIdent).join(', ')}) VALUES (${placeholders(curveColumns.length)})`,
    );
    this.deleteCurve = db.prepare(`DELETE FROM curve WHERE group_key = ?`);
    this.insertFailure = db.prepare(`INSERT INTO failure (trial_key, cell_index, run_id, message, stack, at) VALUES (?, ?, ?, ?, ?, ?)`);
    // Only while the row still holds the database: one marked killed by a run that took it over changes no row.
    this.updateRun = db.prepare(`UPDATE run SET trials_done = ?, trials_failed = ?, heartbeat_at = ? WHERE id = ? AND status = 'running'`);
    this.touchRun = db.prepare(`UPDATE run SET heartbeat_at = ? WHERE id = ? AND status = 'running'`);
    this.fields = fieldColumns(body).map((c) => c.field);
    this.resultWidth = body.columns.trial.length;
    this.now = options.now ?? (() => new Date());
    this.file = store.path === ':memory:' ? null : statSync(store.path);
    this.maxPendingRows = options.maxPendingRows ?? 5000;
    const every = options.flushEveryMs ?? 200;
    this.timer = every > 0 ? setInterval(() => this.timedFlush(), every) : undefined;
    this.timer?.unref();
  }

  /** Queues the rows of one finished group; returns how its trials came out. */
  add(group: PlannedGroup, outcome: GroupOutcome): GroupCounts {
    const { task, indices } = group;
    const counts: GroupCounts = { ok: 0, failed: 0 };
    const share = outcome.durationMs / task.cells.length;
    let failedAt: string | undefined;
    for (let i = 0; i < task.cells.length; i++) {
      const cell = task.cells[i]!;
      const trial = outcome.kind === 'ok' ? outcome.trials[i]! : null;
      const row: (Scalar | bigint)[] = [indices[i]!, cell.key, task.groupKey, sqlValueOf(cell.values['replicate'] ?? null)];
      for (const field of this.fields) row.push(sqlValueOf(cell.values[field] ?? null));
      if (trial?.ok) {
        row.push('ok', ...trial.values, trial.diagnostics, null, share, this.runId);
        counts.ok++;
      } else {
        const error = outcome.kind === 'failed' ? outcome.message : trial && !trial.ok ? trial.message : 'unknown';
        row.push('failed');
        for (let c = 0; c < this.resultWidth; c++) row.push(null);
        row.push(null, error, share, this.runId);
        counts.failed++;
        failedAt ??= this.now().toISOString();
        this.failureRows.push([cell.key, indices[i]!, this.runId, error, outcome.kind === 'failed' ? outcome.stack : null, failedAt]);
      }
      this.trialRows.push(row);
    }
    if (outcome.kind === 'ok' && counts.ok > 0) {
      this.curveGroups.push(task.groupKey);
      for (let idx = 0; idx < outcome.curve.length; idx++) this.curveRows.push([task.groupKey, idx, ...outcome.curve[idx]!]);
    }
    this.totals.ok += counts.ok;
    this.totals.failed += counts.failed;
    if (this.trialRows.length + this.curveRows.length >= this.maxPendingRows) this.flush();
    return counts;
  }

  /**
   * Commits everything queued, in one transaction; a failure is thrown as failures.ts words it.
   * `always`: also with nothing queued, which checks that the run still holds the database.
   */
  flush(always = false): void {
    if (this.closed || (!always && this.trialRows.length === 0 && this.curveRows.length === 0 && this.failureRows.length === 0)) return;
    const trials = this.trialRows;
    const curves = this.curveRows;
    const curveGroups = this.curveGroups;
    const failures = this.failureRows;
    try {
      this.store.db.transaction(() => {
        for (const row of trials) this.insertTrial.run(row);
        for (const groupKey of curveGroups) this.deleteCurve.run(groupKey);
        for (const row of curves) this.insertCurve.run(row);
        for (const row of failures) this.insertFailure.run(row);
        // Taken over: the transaction rolls back, and nothing of this batch is written.
        if (this.updateRun.run(this.totals.ok, this.totals.failed, this.now().toISOString(), this.runId).changes !== 1) throw this.takenOver();
      })();
    } catch (thrown) {
      throw asWriteError(this.store.shown, thrown);
    }
    this.trialRows = [];
    this.curveRows = [];
    this.curveGroups = [];
    this.failureRows = [];
  }

  /**
   * Keeps the run's heartbeat fresh even when nothing finished lately. Only the time: the run's
   * counts change with the rows they count, in the same transaction, so a reader never sees a
   * count of rows that are not committed yet.
   */
  heartbeat(): void {
    if (this.closed) return;
    let changes: number;
    try {
      changes = this.touchRun.run(this.now().toISOString(), this.runId).changes;
    } catch {
      // A busy or read-only database shows up again at the next flush, which reports it.
      return;
    }
    // Taken over while this process was stopped, or its file moved away: the run stops before its next flush.
    const problem = changes !== 1 ? this.takenOver() : this.fileGone();
    if (problem) {
      if (this.timer) clearInterval(this.timer);
      this.options.onError?.(problem);
    }
  }

  /**
   * The error to stop on when the database's path no longer names the file this writer opened
   * (moved, renamed, deleted or replaced while the run wrote): its rows would go on into a file
   * the user cannot see at that path, and the run would report its results there. Null while it
   * does, and for a database in memory.
   */
  fileGone(): DatabaseGoneError | null {
    if (!this.file) return null;
    let now: { dev: number; ino: number };
    try {
      now = statSync(this.store.path);
    } catch (thrown) {
      // Only a missing file is known to be gone; a folder that cannot be read now is left to the writes.
      if (errnoCode(thrown) !== 'ENOENT' && errnoCode(thrown) !== 'ENOTDIR') return null;
      return new DatabaseGoneError(msg.dbGoneDuringRun(this.store.path, 'missing'));
    }
    return now.dev === this.file.dev && now.ino === this.file.ino ? null : new DatabaseGoneError(msg.dbGoneDuringRun(this.store.path, 'replaced'));
  }

  private takenOver(): RunTakenOverError {
    return new RunTakenOverError(msg.runTakenOver(this.store.shown, this.runId));
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.flush(true);
    this.closed = true;
  }

  /** Drops what is queued (used only when the database itself failed). */
  abandon(): void {
    if (this.timer) clearInterval(this.timer);
    this.closed = true;
  }

  private timedFlush(): void {
    try {
      this.flush();
    } catch (thrown) {
      if (this.timer) clearInterval(this.timer);
      this.options.onError?.(thrown as Error);
    }
  }
}
