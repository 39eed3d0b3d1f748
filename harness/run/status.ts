/**
 * What a results database (or a folder of them) holds: the study, trials ok / failed /
 * missing, the shards it covers, and its runs. Read-only; safe while a run writes.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Json, RunRecord } from '../experiment.js';
import { canonicalJson } from '../identity.js';
import { statOrNull } from '../folders.js';
import { JOURNAL_FILE, hasSqliteHeader } from '../store/damage.js';
import { gridOf, type ManifestBody } from '../manifest.js';
import { codeVersions, type CodeVersion } from '../store/code-versions.js';
import { failedTrialsByRun, trialCells, type TrialCells } from '../store/reader.js';
import { runsAsOf } from '../store/runs.js';
import { Store } from '../store/store.js';
import { withoutOption } from '../text.js';
import { byShardIndex, parseShard, rerunLast, shardOf, type Shard } from './shard.js';
import { shardRunsOf, type RecordedCommand } from './recorded-command.js';

export interface DbStatus {
  db: string;
  study: string;
  experiment: { name: string; version: string };
  manifestHash: string;
  /** Cells this database is meant to hold (the whole grid, its shards' part, or the part asked about). */
  cells: number;
  ok: number;
  failed: number;
  missing: number;
  shards: string[];
  /** True while a run is writing: its heartbeat is fresh and, on this host, its process alive. */
  running: boolean;
  runs: RunRecord[];
  /**
   * The versions of the experiment's code whose trials are stored (by hash, oldest first), with
   * their runs and finished trials; more than one means results that mix code. Runs of an older
   * harness recorded no hash and are left out.
   */
  code: CodeVersion[];
  /** The counted cells by value of each dimension but the replicates: where the failed and missing ones lie. */
  byDimension: DimensionCounts[];
  /** The run writing now, how far it has come and its pace; null when none is. */
  live: LiveRun | null;
  /** The command that completes it (see completingCommand); null when it lacks nothing, or while a run writes it. */
  next: string | null;
}

/**
 * How far the run writing a database has come, from what it has stored: its trials (ok or
 * failed) over the time from its start (loading included) to its last heartbeat (every 5 s),
 * and the trials of its slice (its shard, or the whole grid) it has yet to finish: not ok, and
 * not failed by it (a run tries each cell once; it retries those that earlier runs failed).
 */
export interface LiveRun {
  run: number;
  stored: number;
  seconds: number;
  trialsPerSecond: number;
  left: number;
  /** At the pace so far; null before it has stored any. */
  etaSeconds: number | null;
}

/**
 * `scope`: count the cells of that shard (`cells`, `missing`), whatever slices the database's
 * runs say they ran; otherwise those of its runs' shards, or the whole grid.
 */
export function databaseStatus(path: string, now: Date = new Date(), cwd?: string, scope?: Shard): DbStatus {
  const store = Store.open(path, 'read', cwd);
  try {
    // One read transaction: every count comes from the same snapshot while a run writes.
    return store.db.transaction(() => statusOf(store, path, now, scope, cwd))();
  } finally {
    store.close();
  }
}

/** Who wrote a database: its runs, the shards they ran, and whether one is writing now. */
export type RunState = Pick<DbStatus, 'runs' | 'shards' | 'running'>;

/** The runs part of the status alone: a few rows, where the counts walk the whole grid. */
export function runState(store: Store, now: Date = new Date()): RunState {
  const runs = runsAsOf(store, now);
  return {
    runs,
    shards: [...new Set(runs.map((r) => r.shard))].filter((s): s is string => s !== null).sort(byShardIndex),
    running: runs.some((r) => r.status === 'running'),
  };
}

function statusOf(store: Store, path: string, now: Date, scope: Shard | undefined, cwd: string | undefined): DbStatus {
  const manifest = store.requireManifest();
  const body: ManifestBody = manifest.body;
  const grid = gridOf(body);
  const { runs, shards: shardNames, running } = runState(store, now);
  const shardTexts = [...new Set(runs.map((r) => r.shard))];
  const shards: Shard[] | null = scope ? [scope] : shardTexts.includes(null) || shardTexts.length === 0 ? null : shardTexts.map((s) => parseShard(s!));
  // A failed trial is a result, not missing work.
  const stored = trialCells(store, grid.size);
  const { done, recorded } = stored;
  const liveRun = runs.find((r) => r.status === 'running');
  const liveShard = liveRun?.shard ? parseShard(liveRun.shard) : null;
  let notOkForLiveRun = 0;
  let cells = 0;
  let doneInScope = 0;
  let recordedInScope = 0;
  const tally = new DimensionTally(grid);
  for (let block = 0; block < grid.blockCount; block++) {
    const ofLiveRun = liveRun !== undefined && (!liveShard || shardOf(block, liveShard.count) === liveShard.index);
    const inScope = !shards || shards.some((s) => shardOf(block, s.count) === s.index);
    if (!inScope && !ofLiveRun) continue;
    const end = (block + 1) * grid.blockSize;
    for (let i = block * grid.blockSize; i < end; i++) {
      if (grid.isExcluded(i)) continue;
      const isDone = done.has(i);
      if (ofLiveRun && !isDone) notOkForLiveRun++;
      if (!inScope) continue;
      cells++;
      const isRecorded = recorded.has(i);
      if (isDone) doneInScope++;
      if (isRecorded) recordedInScope++;
      tally.add(i, isDone ? 'ok' : isRecorded ? 'failed' : 'missing');
    }
  }
  // Asked about one slice: its trials alone; otherwise every trial the database holds.
  const { ok, failed } = scope ? { ok: doneInScope, failed: recordedInScope - doneInScope } : stored;
  const missing = cells - recordedInScope;
  return {
    db: path,
    study: manifest.study,
    experiment: body.experiment,
    manifestHash: manifest.hash,
    cells,
    ok,
    failed,
    missing,
    shards: shardNames,
    running,
    runs,
    code: codeVersions(runs, stored.okByRun),
    byDimension: tally.result(),
    live: liveRun ? liveRunOf(store, liveRun.id, stored, notOkForLiveRun) : null,
    next: running || missing + failed === 0 ? null : completingCommand(store, runs, failed, cwd),
  };
}

/**
 * The command that completes a database a run wrote, running the trials it lacks and retrying
 * its failed ones: its last run's again, as a report advises, to paste in `cwd`; without the
 * --task-timeout its trials hit, which would stop them again. Null for a merge's database (its
 * shards are completed in their own databases, whose commands `status` of their folder gives),
 * and for one no run recorded.
 */
function completingCommand(store: Store, runs: readonly RunRecord[], failed: number, cwd: string | undefined): string | null {
  if (runs.some((r) => r.status === 'merged')) return null;
  const command = rerunLast(runs, store.shown, cwd);
  // The failed trials' errors are read (a pass over the trial table) only where there are some.
  const timedOut = command !== null && failed > 0 && [...failedTrialsByRun(store).values()].some((f) => f.timedOut);
  return timedOut ? withoutOption(command, '--task-timeout') : command;
}

/**
 * Its time runs from its start to its last heartbeat, both by its own host's clock, which may
 * not be this one's (see LiveRun).
 */
function liveRunOf(store: Store, run: number, stored: TrialCells, notOk: number): LiveRun {
  const times = store.db.prepare(`SELECT started_at, heartbeat_at FROM run WHERE id = ?`).get(run) as { started_at: string; heartbeat_at: string | null };
  const failed = stored.failedByRun.get(run) ?? 0;
  const storedByRun = (stored.okByRun.get(run) ?? 0) + failed;
  const seconds = Math.max(0, (Date.parse(times.heartbeat_at ?? times.started_at) - Date.parse(times.started_at)) / 1000);
  const trialsPerSecond = seconds > 0 ? storedByRun / seconds : 0;
  const left = notOk - failed;
  return { run, stored: storedByRun, seconds, trialsPerSecond, left, etaSeconds: trialsPerSecond > 0 ? left / trialsPerSecond : null };
}

/** The cells of one value of a grid dimension, by state (the cells counted, as `cells` is). */
export interface ValueCounts {
  /** The value; a zipped dimension's values joined with " + ". */
  value: string;
  ok: number;
  failed: number;
  missing: number;
}

export interface DimensionCounts {
  /** The field (or zipped fields, joined with " + "): an axis, a swept parameter, `variant`. */
  name: string;
  values: ValueCounts[];
}

/** Counts per value of each dimension of the grid but the replicates, as status walks the cells. */
class DimensionTally {
  private readonly dims: { name: string; index: number; values: ValueCounts[] }[];
  private readonly digits: number[];

  constructor(private readonly grid: ReturnType<typeof gridOf>) {
    this.digits = new Array<number>(grid.dims.length);
    this.dims = grid.dims.flatMap((dim, index) =>
      dim.fields.some((f) => f.kind === 'replicate')
        ? []
        : [{
            name: dim.fields.map((f) => f.name).join(' + '),
            index,
            values: dim.fields[0]!.values.map((_, d) => ({ value: dim.fields.map((f) => valueText(f.values[d]!)).join(' + '), ok: 0, failed: 0, missing: 0 })),
          }],
    );
  }

  add(cell: number, state: 'ok' | 'failed' | 'missing'): void {
    if (this.dims.length === 0) return;
    this.grid.digitsOf(cell, this.digits);
    for (const dim of this.dims) dim.values[this.digits[dim.index]!]![state]++;
  }

  result(): DimensionCounts[] {
    return this.dims.map(({ name, values }) => ({ name, values }));
  }
}

function valueText(value: Json): string {
  return typeof value === 'string' ? value : canonicalJson(value);
}

/** A study cut into shards, some of which no database of a folder holds. */
export interface IncompleteCut {
  study: string;
  /** The shard count, and the shards (`i/N`) no database holds. */
  count: number;
  missing: string[];
  /** The databases that hold its shards, as their status names them. */
  dbs: string[];
  /** The command line that ran each shard held (for the missing ones' commands). */
  commands: Record<string, RecordedCommand>;
}

/**
 * The cuts of a folder's studies into shards that its databases hold only in part: listed one by
 * one, each shard looks like a database of its own, and none says which are not there. A study
 * that a database holds whole (run unsharded, or merged) has nothing missing.
 */
export function incompleteCuts(statuses: readonly DbStatus[]): IncompleteCut[] {
  const out: IncompleteCut[] = [];
  for (const hash of new Set(statuses.map((s) => s.manifestHash))) {
    const same = statuses.filter((s) => s.manifestHash === hash);
    if (same.some((s) => s.shards.length === 0)) continue;
    const held = new Set(same.flatMap((s) => s.shards));
    const cuts = [...new Set([...held].map((shard) => parseShard(shard).count))].map((count) => ({
      count,
      missing: Array.from({ length: count }, (_, i) => `${i}/${count}`).filter((shard) => !held.has(shard)),
    }));
    // A cut held whole covers the study: another, abandoned one, lacks nothing that matters.
    if (cuts.some((cut) => cut.missing.length === 0)) continue;
    for (const { count, missing } of cuts) {
      const holders = same.filter((s) => s.shards.some((shard) => parseShard(shard).count === count));
      const commands = shardRunsOf(holders.flatMap((s) => s.runs));
      out.push({ study: same[0]!.study, count, missing, dbs: holders.map((s) => s.db), commands });
    }
  }
  return out;
}

/**
 * Every `.sqlite` file directly inside `dir`, sorted. A `.sqlite` entry that cannot be looked at
 * (a dangling symlink) is listed too, so that its status says why instead of it vanishing; one
 * such entry must not hide the others.
 */
export function databasesIn(dir: string): string[] {
  return pathsIn(dir).filter((path) => path.endsWith('.sqlite') && statOrNull(path)?.isDirectory() !== true);
}

/**
 * The SQLite files directly inside `dir` that databasesIn does not list, by name (`study.db`),
 * sorted: status names them, so that a database saved under another extension is not
 * silently passed over.
 */
export function otherSqliteFilesIn(dir: string): string[] {
  return pathsIn(dir).filter((path) => !path.endsWith('.sqlite') && !JOURNAL_FILE.test(path) && statOrNull(path)?.isFile() === true && hasSqliteHeader(path));
}

/** The paths of the entries directly inside `dir`, sorted by name; none when it cannot be read. */
function pathsIn(dir: string): string[] {
  try {
    return readdirSync(dir).sort().map((name) => join(dir, name));
  } catch {
    return [];
  }
}
