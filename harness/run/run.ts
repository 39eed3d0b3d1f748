/**
 * Running a study: open (or create) its database and check the manifest, work out which cells
 * of the shard are still missing or failed, stream them block by block to the pool (at most
 * one batch per thread in flight, so memory stays flat for any grid size), and hand every
 * outcome to the single writer. An abort signal (SIGINT/SIGTERM/SIGUSR1) stops submission, abandons
 * batches in flight, and commits everything that finished.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Shard } from './shard.js';
import { formatShard, rerunLast, withDbOption } from './shard.js';
import { InputError } from '../errors.js';
import { diffManifests } from '../manifest.js';
import * as msg from '../messages.js';
import { defaultDbPath, displayPath, samePath } from '../paths.js';
import { compiledModule } from '../pool/compile.js';
import { GroupPool } from '../pool/pool.js';
import { commonFailure, doneCells } from '../store/reader.js';
import { trialsOfOtherCode, type OtherCode } from '../store/code-versions.js';
import { assertNoLiveRun, beginRun, endRun, heartbeatEveryMs, listRuns, waitOutOtherHostsWriter, type RunStatus } from '../store/runs.js';
import { Store } from '../store/store.js';
import { DatabaseGoneError, RunTakenOverError, WriteError, asWriteError } from '../store/failures.js';
import { ResultWriter } from '../store/writer.js';
import type { Study } from '../study/study.js';
import { withoutFresh } from '../text.js';
import { collectProvenance, gitCommitProblem, gitState } from './provenance.js';
import { countCells, plannedGroups, type PlannedGroup } from './tasks.js';
import { Bitset } from '../bitset.js';

export interface ProgressSink {
  start(total: number, done: number): void;
  update(done: number, failed: number): void;
  finish(): void;
}

export interface RunOptions {
  study: Study;
  dbPath: string;
  threads: number;
  shard: Shard | null;
  /** Move an existing database aside and start a new one. */
  fresh?: boolean;
  /** Refuse, rather than warn, when stored trials were computed by other code of the experiment. */
  sameCode?: boolean;
  taskTimeoutMs?: number;
  /** Stop after this many failed trials. */
  maxFailures?: number;
  signal?: AbortSignal;
  progress?: ProgressSink;
  /** The command line, stored in the run table. */
  commandLine: string;
  /** The user's folder: messages show paths relative to it. */
  cwd?: string;
  /** The command that starts over (quoted when a manifest differs); default: the command line with --fresh. */
  freshCommand?: string;
  /** Target cells per pool task (groups are packed up to this). */
  cellsPerTask?: number;
  resourceLimits?: { maxOldGenerationSizeMb?: number };
  /**
   * A pool started by the caller (e.g. before loading the study, so that the workers boot
   * meanwhile); it must have `threads` threads. The run destroys it when it ends.
   */
  pool?: GroupPool;
  log?: (line: string) => void;
  now?: () => Date;
}

export interface RunSummary {
  study: string;
  db: string;
  /** 0 for a run stopped before it was recorded (while it waited for another host's writer). */
  runId: number;
  status: RunStatus;
  /** The abort reason (e.g. 'SIGINT') when interrupted. */
  signal: string | null;
  shard: string | null;
  cells: number;
  alreadyDone: number;
  ok: number;
  failed: number;
  seconds: number;
  trialsPerSecond: number;
  /** Stored trials that other code of the experiment computed (this run's results mix with them); null when none. */
  otherCode: OtherCode | null;
  /** The error most of this run's failed trials stored, and how many; null when none failed. */
  commonFailure: msg.CommonFailure | null;
  /** Stopped while --fresh waited for another host's writer: the database was not moved aside, and starting over is still to do. */
  freshNotBegun?: true;
}

/** The errors of a rename in a folder that may not be written (read-only file system, permissions). */
const FOLDER_NOT_WRITABLE = new Set(['EROFS', 'EACCES', 'EPERM']);

/** Moves a database and its WAL files aside under a timestamped name; returns the new path. */
export function moveAside(path: string, now: Date): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const stem = basename(path).replace(/\.sqlite$/, '');
  let target = join(dirname(path), `${stem}.${stamp}.sqlite`);
  for (let n = 1; existsSync(target); n++) target = join(dirname(path), `${stem}.${stamp}-${n}.sqlite`);
  renameSync(path, target);
  for (const suffix of ['-wal', '-shm']) if (existsSync(path + suffix)) renameSync(path + suffix, target + suffix);
  return target;
}

/**
 * Before --fresh moves a database aside: a live run would keep writing into the moved file, so
 * refuse; another host's run that may be gone is waited out first, as a run resuming waits
 * (waitOutOtherHostsWriter). Returns true when `signal` stopped that wait: the database is then
 * left where it is. Closing the connection also checkpoints the WAL into the main file, so the
 * move renames one self-contained file (a WAL left behind would be replayed into the new
 * database). A file that is no harness database at all is simply moved.
 */
async function refuseIfLive(dbPath: string, now: () => Date, log: (line: string) => void, signal?: AbortSignal, cwd?: string): Promise<boolean> {
  let store: Store;
  try {
    store = Store.open(dbPath, 'write', cwd, 'option');
  } catch (thrown) {
    if (thrown instanceof InputError) return false;
    throw thrown;
  }
  try {
    if ((await waitOutOtherHostsWriter(store, now, log, signal)) && signal?.aborted) return true;
    assertNoLiveRun(store, now());
    return false;
  } finally {
    store.close();
  }
}

/**
 * Opens a database for writing this study: seals a new one, refuses one of another manifest
 * (the message lists the differences and suggests `freshCommand`).
 */
export function openForStudy(study: Study, dbPath: string, freshCommand: string, now: Date, cwd?: string): Store {
  const store = Store.open(dbPath, 'create', cwd, 'option');
  try {
    const exp = study.loaded.experiment;
    const stored =
      store.manifest() ??
      store.seal(
        study.manifest,
        study.loaded.modulePath,
        {
          trial: exp.trialColumns,
          curve: exp.curveColumns,
          axes: Object.fromEntries(Object.entries(exp.axes).map(([name, def]) => [name, def.description])),
        },
        now.toISOString(),
      );
    if (stored.study !== study.name) {
      throw new InputError(msg.dbHoldsOtherStudy(store.shown, stored.study, study.name, elsewhereCommand(study.name, dbPath, freshCommand, cwd), freshCommand));
    }
    if (stored.hash !== study.manifest.hash) {
      throw new InputError(msg.dbManifestMismatch(store.shown, diffManifests(stored.body, study.manifest.body), freshCommand, storedSetupCommand(store, cwd)));
    }
    return store;
  } catch (thrown) {
    store.close();
    throw asWriteError(store.shown, thrown);
  }
}

/**
 * `freshCommand` made to write the study's own default database instead of `dbPath`; null when
 * `dbPath` is that database, so that no other file is the obvious place.
 */
function elsewhereCommand(study: string, dbPath: string, freshCommand: string, cwd: string | undefined): string | null {
  const here = cwd ?? process.cwd();
  const own = defaultDbPath(study, null, here);
  if (samePath(own, dbPath)) return null;
  return withDbOption(withoutFresh(freshCommand), displayPath(own, here));
}

/**
 * The command that goes on with the setup a database holds: its last run's, as recorded (less
 * --fresh, its shard written out), writing this database; null for one no run has written (a
 * merge's, or a new one).
 */
function storedSetupCommand(store: Store, cwd: string | undefined): string | null {
  return rerunLast(listRuns(store), store.shown, cwd);
}

/**
 * SQLite names a database's -wal and -shm by the path it opened, and writes no more to a file
 * moved or deleted from under it (SQLITE_READONLY_DBMOVED), so the -wal of a run stopped for that
 * stays at the old path, holding the last commits. Any other file put at that path later would
 * take it for its own, and be damaged: removed, at the cost of those last commits, which the file
 * never had (it stays consistent without them) and a resume computes again.
 */
function removeStrandedWal(dbPath: string): void {
  for (const suffix of ['-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true });
}

/** The command that starts this run over, in a new database. */
function freshCommandOf(options: RunOptions): string {
  return options.freshCommand ?? `${withoutFresh(options.commandLine)} --fresh`;
}

export async function runStudy(options: RunOptions): Promise<RunSummary> {
  const now = options.now ?? (() => new Date());
  const { study } = options;
  const log = options.log ?? (() => {});
  const shown = (path: string) => (options.cwd ? displayPath(path, options.cwd) : path);
  if (options.fresh && existsSync(options.dbPath)) {
    // Stopped while it waited for another host's writer: nothing began, nothing moved.
    if (await refuseIfLive(options.dbPath, now, log, options.signal, options.cwd)) return stoppedBeforeFresh(options);
    let movedTo: string;
    try {
      movedTo = moveAside(options.dbPath, now());
    } catch (thrown) {
      const code = (thrown as NodeJS.ErrnoException).code ?? '';
      if (!FOLDER_NOT_WRITABLE.has(code)) throw thrown;
      throw new InputError(msg.freshCannotMoveAside(shown(options.dbPath), code));
    }
    log(msg.freshMovedAside(shown(options.dbPath), shown(movedTo)));
  }
  const freshCommand = freshCommandOf(options);
  // Before the database is open: see gitState.
  const git = gitState();
  try {
    const store = openForStudy(study, options.dbPath, freshCommand, now(), options.cwd);
    let gone = false;
    try {
      return await runInto(store, options, now, log, git);
    } catch (thrown) {
      gone = thrown instanceof DatabaseGoneError;
      throw thrown;
    } finally {
      store.close();
      if (gone) removeStrandedWal(options.dbPath);
    }
  } finally {
    await options.pool?.destroy();
  }
}

/** The summary of a --fresh run stopped before it began: the cells a fresh run has to compute, none done. */
function stoppedBeforeFresh(options: RunOptions): RunSummary {
  const { cells } = countCells(options.study.grid, options.shard, new Bitset(options.study.grid.size));
  return {
    study: options.study.name, db: options.dbPath, runId: 0, status: 'interrupted', signal: String(options.signal?.reason), shard: formatShard(options.shard), cells,
    alreadyDone: 0, ok: 0, failed: 0, seconds: 0, trialsPerSecond: 0, otherCode: null, commonFailure: null, freshNotBegun: true,
  };
}

async function runInto(store: Store, options: RunOptions, now: () => Date, log: (line: string) => void, git: ReturnType<typeof gitState>): Promise<RunSummary> {
  const { study, shard, threads } = options;
  // First: the trials another host's writer stores meanwhile are done, not this run's to compute.
  const waited = await waitOutOtherHostsWriter(store, now, log, options.signal);
  const started = performance.now();
  const done = doneCells(store, study.grid.size);
  const { cells, done: alreadyDone } = countCells(study.grid, shard, done);
  const shardText = formatShard(shard);
  const todo = cells - alreadyDone;
  // Compiled before the run is recorded: the hash of the code its trials run is provenance.
  const compiled = todo > 0 ? compiledModule(study.loaded.modulePath) : null;
  const provenance = collectProvenance({ threads, shard: shardText, commandLine: options.commandLine, cwd: options.cwd, codeHash: compiled?.codeHash, git });
  const otherCode = compiled && alreadyDone > 0 ? trialsOfOtherCode(store, compiled.codeHash) : null;
  if (otherCode && options.sameCode) throw new InputError(msg.runRefusesOtherCode(store.shown, otherCode, freshCommandOf(options)));
  // Stopped while it waited: nothing began, and the writer waited for may still hold the database.
  if (waited && options.signal?.aborted) {
    return { study: study.name, db: store.path, runId: 0, status: 'interrupted', signal: String(options.signal.reason), shard: shardText, cells, alreadyDone, ok: 0, failed: 0, seconds: 0, trialsPerSecond: 0, otherCode, commonFailure: null };
  }
  const runId = beginRun(store, provenance, 'running', now(), (stalled) => log(msg.runTookOverStalled(store.shown, stalled)));
  const summary = (status: RunStatus, ok: number, failed: number, signal: string | null): RunSummary => {
    const seconds = (performance.now() - started) / 1000;
    return {
      study: study.name, db: store.path, runId, status, signal, shard: shardText, cells, alreadyDone, ok, failed,
      seconds, trialsPerSecond: seconds > 0 ? (ok + failed) / seconds : 0, otherCode,
      commonFailure: failed > 0 ? commonFailure(store, runId) : null,
    };
  };
  if (todo === 0) {
    // A stop asked for while the study loaded is a stop, also with nothing left to run: the
    // caller must not go on to its next step (a report) as if the run had ended.
    const stopped = options.signal?.aborted === true;
    endRun(store, runId, stopped ? 'interrupted' : 'done', { done: 0, failed: 0 }, now());
    if (stopped) return summary('interrupted', 0, 0, String(options.signal?.reason ?? 'abort'));
    log(msg.runNothingToDo(cells, store.shown, shardText));
    return summary('done', 0, 0, null);
  }
  if (otherCode) log(msg.runMixesCode(store.shown, otherCode, freshCommandOf(options)));
  if (provenance.gitCommit === null) {
    const problem = gitCommitProblem();
    if (problem) log(msg.runWithoutCommit(problem));
  }
  log(msg.runStarting(study.name, todo, cells, alreadyDone, threads, shardText, store.shown));

  let stopReason: { status: RunStatus; signal: string | null } | null = null;
  let fatal: unknown = null;
  const pool = options.pool ?? new GroupPool({ threads, taskTimeoutMs: options.taskTimeoutMs, resourceLimits: options.resourceLimits });
  const stop = (status: RunStatus, signal: string | null) => {
    if (stopReason) return;
    stopReason = { status, signal };
    void pool.destroy();
  };
  const writer = new ResultWriter(store, study.manifest.body, runId, {
    now,
    onError: (error) => {
      fatal = error;
      stop('error', null);
    },
  });
  const heartbeat = setInterval(() => writer.heartbeat(), heartbeatEveryMs);
  heartbeat.unref();
  const onAbort = () => stop('interrupted', String(options.signal?.reason ?? 'abort'));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort);
  options.progress?.start(cells, alreadyDone);

  const groupsLeft = Math.max(1, Math.ceil(todo / study.grid.blockSize));
  const maxGroupsPerBatch = Math.max(1, Math.floor(groupsLeft / (threads * 8)));
  const batches = batchesOf(plannedGroups(study, shard, (i) => done.has(i)), options.cellsPerTask ?? 64, maxGroupsPerBatch);
  const moduleUrl = pathToFileURL(compiled!.path).href;

  await new Promise<void>((resolve) => {
    let inFlight = 0;
    const pump = () => {
      // Two batches per thread: a worker starts its next batch while the main thread records the
      // last one. Queued batches do not run down the time limit (each group's starts with the group).
      while (!stopReason && inFlight < threads * 2) {
        let next: IteratorResult<PlannedGroup[]>;
        try {
          next = batches.next();
        } catch (thrown) {
          fatal = thrown;
          stop('error', null);
          break;
        }
        if (next.done) break;
        const batch = next.value;
        inFlight++;
        pool.run(moduleUrl, batch.map((g) => g.task)).then(
          (outcomes) => {
            inFlight--;
            try {
              if (outcomes && !stopReason) record(batch, outcomes);
            } catch (thrown) {
              fatal ??= thrown;
              stop('error', null);
            }
            pump();
          },
          (thrown: unknown) => {
            inFlight--;
            fatal ??= thrown;
            stop('error', null);
            pump();
          },
        );
      }
      if (inFlight === 0) resolve();
    };
    const record = (batch: PlannedGroup[], outcomes: NonNullable<Awaited<ReturnType<GroupPool['run']>>>) => {
      batch.forEach((group, i) => writer.add(group, outcomes[i]!));
      options.progress?.update(alreadyDone + writer.totals.ok, writer.totals.failed);
      if (options.maxFailures !== undefined && writer.totals.failed >= options.maxFailures) stop('stopped', null);
    };
    pump();
  });

  options.signal?.removeEventListener('abort', onAbort);
  clearInterval(heartbeat);
  await pool.destroy();
  options.progress?.finish();
  // A database moved or deleted in the last seconds, since the heartbeat last looked: not "finished" there.
  fatal ??= writer.fileGone();
  // Commit what finished, unless committing is what failed.
  const counts = () => ({ done: writer.totals.ok, failed: writer.totals.failed });
  if (fatal instanceof WriteError) writer.abandon();
  else {
    try {
      writer.close();
    } catch (thrown) {
      fatal ??= thrown;
    }
  }
  if (fatal) {
    // A run taken over leaves its row as the run that took over marked it (killed): the database is that one's now.
    if (!(fatal instanceof RunTakenOverError)) {
      try {
        endRun(store, runId, 'error', counts(), now());
      } catch {
        // The database is what failed; the run row stays "running" and is cleared as stale later.
      }
    }
    throw fatal;
  }
  const reason = stopReason as { status: RunStatus; signal: string | null } | null;
  const status: RunStatus = reason?.status ?? (writer.totals.failed > 0 ? 'failed' : 'done');
  endRun(store, runId, status, counts(), now());
  return summary(status, writer.totals.ok, writer.totals.failed, reason?.signal ?? null);
}

/** Packs consecutive groups into batches of about `cellsPerTask` cells (at most `maxGroups`). */
function* batchesOf(groups: Iterable<PlannedGroup>, cellsPerTask: number, maxGroups: number): Generator<PlannedGroup[]> {
  let batch: PlannedGroup[] = [];
  let cells = 0;
  for (const group of groups) {
    batch.push(group);
    cells += group.task.cells.length;
    if (cells >= cellsPerTask || batch.length >= maxGroups) {
      yield batch;
      batch = [];
      cells = 0;
    }
  }
  if (batch.length) yield batch;
}
