/**
 * The `run` table: one row per `harness run` (or merge) with its provenance, status and counts.
 * A row with status `running` doubles as the database's write lock: a second run refuses while
 * that process is alive (same host: its pid exists; any host: its heartbeat is fresh), and a
 * row left behind by a killed process is marked `killed` and ignored.
 */
import { hostname } from 'node:os';
import type { RunRecord } from '../experiment.js';
import { InputError } from '../errors.js';
import * as msg from '../messages.js';
import type { Provenance } from '../run/provenance.js';
import { processAlive, processHasOpen, processStartMs } from '../processes.js';
import { asWriteError } from './failures.js';
import type { Store } from './store.js';

export type RunStatus = 'running' | 'done' | 'failed' | 'interrupted' | 'stopped' | 'killed' | 'merged' | 'error';

/** A heartbeat older than this means the writer is gone, whatever its pid says. */
export const staleAfterMs = 60_000;
export const heartbeatEveryMs = 5_000;

interface RunRow {
  id: number;
  started_at: string;
  ended_at: string | null;
  heartbeat_at: string | null;
  status: string;
  git_commit: string | null;
  git_dirty_hash: string | null;
  /** Absent in a database of schema level 1. */
  code_hash?: string | null;
  /** Absent in a database of schema level 2 or lower. */
  cwd?: string | null;
  lockfile_hash: string | null;
  node_version: string;
  cpu_model: string;
  threads: number;
  shard: string | null;
  command_line: string;
  host: string;
  pid: number;
  trials_done: number;
  trials_failed: number;
}

function isAlive(store: Store, run: RunRow, now: Date): boolean {
  const fresh = now.getTime() - Date.parse(run.heartbeat_at ?? run.started_at) < staleAfterMs;
  return run.host === hostname() ? processAlive(run.pid) && fresh && writesThisFile(store, run) : fresh;
}

/**
 * Whether the process of a run of this host writes this very file, and not the one this was
 * copied from mid-run (`cp`, a backup), whose run row the copy holds as `running`: a copy is
 * nobody's to write, and its run is over. True where that cannot be told (see processHasOpen),
 * and for a database in memory.
 */
function writesThisFile(store: Store, run: RunRow): boolean {
  return store.path === ':memory:' || run.pid === process.pid || processHasOpen(run.pid, store.path) !== false;
}

/**
 * A run left `running` that is not alive, whose process may still be there on this host: paused
 * (Ctrl-Z, a suspended machine) or stuck. A silent run recorded with this process's own pid is a
 * dead one whose pid came round again, as in a container restarted under the same hostname,
 * where the harness is pid 1 again (the lock does not look at that: a program may run two
 * studies in one process); so is one whose pid names a process that started after the run did.
 * That start is read from the system's clock as it is now, which may have been set since: the
 * lock does not look at it either, only this label, and gives it a minute's leeway.
 */
function isStalled(store: Store, run: RunRow): boolean {
  if (run.host !== hostname() || run.pid === process.pid || !processAlive(run.pid) || !writesThisFile(store, run)) return false;
  const started = processStartMs(run.pid);
  return started === null || started <= Date.parse(run.started_at) + PID_START_LEEWAY_MS;
}

const PID_START_LEEWAY_MS = 60_000;

/** A run row as messages name it. */
function busyRun(run: RunRow): msg.BusyRun {
  return { id: run.id, pid: run.pid, host: run.host, startedAt: run.started_at };
}

function refuseBusy(store: Store, other: RunRow, message: typeof msg.dbBusy = msg.dbBusy): never {
  throw new InputError(message(store.shown, busyRun(other)));
}

/** The run writing the database now, if any: one left `running` by a dead process is not. */
export function liveRun(store: Store, now: Date): RunRow | undefined {
  return runningRows(store).find((run) => isAlive(store, run, now));
}

function runningRows(store: Store): RunRow[] {
  return store.db.prepare(`SELECT * FROM run WHERE status = 'running'`).all() as RunRow[];
}

/**
 * The runs as they stand at `now`: one left `running` by a process that is gone (killed, or its
 * machine lost) is shown `killed`, as the next run will record it. One whose process is still
 * there on this host but has written no heartbeat for `staleAfterMs` is `stalled`: paused (Ctrl-Z,
 * a suspended machine) or stuck; it may go on, but the next run takes the database over from
 * it. A reader cannot write that down.
 */
export function runsAsOf(store: Store, now: Date): RunRecord[] {
  const running = runningRows(store);
  const live = running.find((run) => isAlive(store, run, now))?.id;
  const stalled = new Set(running.filter((run) => run.id !== live && isStalled(store, run)).map((run) => run.id));
  return listRuns(store).map((run) => (run.status === 'running' && run.id !== live ? { ...run, status: stalled.has(run.id) ? 'stalled' : 'killed' } : run));
}

/**
 * A run of another host holding the database is alive by its heartbeat alone, as no pid can be
 * checked there: one whose process is gone (a container replaced, a node lost) holds it until its
 * heartbeat is `staleAfterMs` old. Rather than refuse such a writer at once, wait to see which it
 * is: a heartbeat that moves is a live writer (beginRun then refuses), and one that goes stale is
 * a dead one (beginRun marks it killed). A live writer beats every `heartbeatEveryMs`, so it is
 * told apart within seconds; a dead one costs at most the rest of the minute. Returns whether it
 * waited: false at once when no other host's run holds the database; it stops waiting when
 * `signal` aborts.
 */
export async function waitOutOtherHostsWriter(store: Store, now: () => Date, say: (line: string) => void, signal?: AbortSignal): Promise<boolean> {
  const held = liveRun(store, now());
  if (!held || held.host === hostname()) return false;
  const beat = (run: RunRow) => Date.parse(run.heartbeat_at ?? run.started_at);
  const first = beat(held);
  say(msg.waitingForOtherHostsWriter(store.shown, busyRun(held), Math.max(0, Math.round((now().getTime() - first) / 1000)), Math.ceil((first + staleAfterMs - now().getTime()) / 1000)));
  const read = store.db.prepare(`SELECT * FROM run WHERE id = ?`);
  // Bounded in real time too: the clock `now` gives may be a test's, standing still.
  const deadline = Date.now() + (first + staleAfterMs - now().getTime()) + POLL_MS;
  while (!signal?.aborted && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, POLL_MS));
    const run = read.get(held.id) as RunRow | undefined;
    if (!run || run.status !== 'running' || beat(run) !== first || !isAlive(store, run, now())) break;
  }
  return true;
}

const POLL_MS = 500;

/**
 * Throws the "being written by run N (pid, host, start)" error while a live run holds the
 * database, in the words of `message` (what the refused command suggests instead).
 */
export function assertNoLiveRun(store: Store, now: Date, message: typeof msg.dbBusy = msg.dbBusy): void {
  const live = liveRun(store, now);
  if (live) refuseBusy(store, live, message);
}

/**
 * Registers a run after checking that no live run holds the database; returns its id. Runs
 * left `running` by a dead process are marked `killed` in the same transaction.
 */
export function beginRun(store: Store, provenance: Provenance, status: RunStatus, now: Date, onTakeOver?: (stalled: msg.BusyRun) => void): number {
  try {
    return registerRun(store, provenance, status, now, onTakeOver);
  } catch (thrown) {
    throw asWriteError(store.shown, thrown);
  }
}

/** `onTakeOver` hears of each run taken over whose process is still there on this host (stalled, see runsAsOf). */
function registerRun(store: Store, provenance: Provenance, status: RunStatus, now: Date, onTakeOver?: (stalled: msg.BusyRun) => void): number {
  const stalled: RunRow[] = [];
  const id = store.db
    .transaction(() => {
      for (const other of runningRows(store)) {
        if (isAlive(store, other, now)) refuseBusy(store, other);
        if (isStalled(store, other)) stalled.push(other);
        store.db.prepare(`UPDATE run SET status = 'killed', ended_at = COALESCE(ended_at, heartbeat_at) WHERE id = ?`).run(other.id);
      }
      const stamp = now.toISOString();
      const result = store.db
        .prepare(
          `INSERT INTO run (started_at, heartbeat_at, status, git_commit, git_dirty_hash, code_hash, lockfile_hash, node_version,
             cpu_model, threads, shard, command_line, cwd, host, pid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          stamp, stamp, status, provenance.gitCommit, provenance.gitDirtyHash, provenance.codeHash, provenance.lockfileHash,
          provenance.nodeVersion, provenance.cpuModel, provenance.threads, provenance.shard, provenance.commandLine, provenance.cwd, provenance.host,
          provenance.pid,
        );
      return Number(result.lastInsertRowid);
    })
    .immediate();
  for (const run of stalled) onTakeOver?.(busyRun(run));
  return id;
}

export function endRun(store: Store, runId: number, status: RunStatus, counts: { done: number; failed: number }, now: Date): void {
  try {
    store.db
      .prepare(`UPDATE run SET status = ?, ended_at = ?, heartbeat_at = ?, trials_done = ?, trials_failed = ? WHERE id = ?`)
      .run(status, now.toISOString(), now.toISOString(), counts.done, counts.failed, runId);
  } catch (thrown) {
    throw asWriteError(store.shown, thrown);
  }
}

export function listRuns(store: Store): RunRecord[] {
  const rows = store.db.prepare(`SELECT * FROM run ORDER BY id`).all() as RunRow[];
  return rows.map((r) => ({
    id: r.id,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    status: r.status,
    gitCommit: r.git_commit,
    gitDirtyHash: r.git_dirty_hash,
    codeHash: r.code_hash ?? null,
    lockfileHash: r.lockfile_hash,
    nodeVersion: r.node_version,
    cpuModel: r.cpu_model,
    threads: r.threads,
    shard: r.shard,
    commandLine: r.command_line,
    cwd: r.cwd ?? null,
    trialsDone: r.trials_done,
    trialsFailed: r.trials_failed,
  }));
}
