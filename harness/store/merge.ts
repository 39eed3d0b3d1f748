/**
 * Combining shard databases into one. All inputs must hold the same manifest (differences are
 * listed). The merge is built in a temporary file and renamed into place only when it
 * succeeds, so a refused merge writes nothing. A cell present in several inputs is fine when
 * its rows are byte-identical (apart from run_id and duration_ms); different values are a
 * conflict and refuse the merge. An `ok` row wins over a `failed` one. The temporary files a
 * merge into the same database killed earlier left are removed (removeAbandonedMerges).
 * Progress is reported as counts of inputs merged (see MergeProgress); showing it is the caller's.
 */
import { copyFileSync, existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { hostTag, removeAbandonedTemps, type TempOwner } from '../files.js';
import { outputFolderProblem } from '../folders.js';
import { diffManifests, gridOf, type Manifest } from '../manifest.js';
import { canonicalPath, displayPath } from '../paths.js';
import * as msg from '../messages.js';
import type { Provenance } from '../run/provenance.js';
import { parseShard, shardOf } from '../run/shard.js';
import { snapshotToAttach } from './connect.js';
import { codeVersions, type CodeVersion } from './code-versions.js';
import { quoteIdent } from './columns.js';
import { trialCells } from './reader.js';
import { assertNoLiveRun, beginRun, endRun, listRuns } from './runs.js';
import { curveColumnNames, trialColumnNames } from './schema.js';
import { Store } from './store.js';
import type { RecordedCommand } from '../run/recorded-command.js';

export interface MergeResult {
  out: string;
  /** The study's name, as its manifest gives it. */
  study: string;
  inputs: number;
  cells: number;
  ok: number;
  failed: number;
  added: number;
  duplicates: number;
  missing: number;
  /** Shard specs found in the merged run table. */
  shardsSeen: string[];
  /** Shards of the common shard count with no input. */
  missingShards: string[];
  /** Missing cells per shard (of the common shard count), when the inputs are shards. */
  missingByShard: { shard: string; cells: number }[];
  /** Failed trials per shard (of the common shard count): rerunning a shard retries them. */
  failedByShard: { shard: string; cells: number }[];
  /** The latest command line each shard seen was run with ("harness run ..."), by shard. */
  shardCommands: Record<string, RecordedCommand>;
  /** The versions of the experiment's code whose trials the merged database holds (more than one: shards ran different code). */
  code: CodeVersion[];
}

/** Told (stage, 0, inputs) once merging starts, then the count of inputs merged after each one, as a report's stages are. */
export type MergeProgress = (stage: string, done: number, total: number) => void;

const mergeStage = 'merge shards';

const conflictExamples = 10;

/** `cwd` (optional) makes messages show paths relative to it. */
export function mergeDatabases(
  outPath: string,
  inputPaths: readonly string[],
  provenance: Provenance,
  now: () => Date,
  cwd?: string,
  progress: MergeProgress = () => {},
): MergeResult {
  const shown = (path: string) => (cwd ? displayPath(path, cwd) : path);
  if (inputPaths.length === 0) throw new InputError(msg.mergeNoInputs());
  // Paths compared as the files they name: a symlink to an input is that input.
  const seen = new Set<string>();
  const out = canonicalPath(resolve(outPath));
  for (const p of inputPaths) {
    const input = canonicalPath(resolve(p));
    if (input === out) throw new InputError(msg.mergeOutputIsInput(shown(outPath)));
    if (seen.has(input)) throw new InputError(msg.mergeInputTwice(shown(p)));
    seen.add(input);
  }
  // Before any work: the merge is built beside the output, so its folder must take files.
  const folder = outputFolderProblem(dirname(outPath));
  if (folder) throw new InputError(msg.mergeOutUnusable(shown(outPath), msg.folderProblem.of(folder, shown)));
  const inputs = inputPaths.map((path) => {
    const store = Store.open(path, 'read', cwd);
    try {
      const manifest = store.requireManifest();
      assertNoLiveRun(store, now(), msg.mergeInputBusy);
      return { path, shown: store.shown, manifest, described: store.described() };
    } finally {
      store.close();
    }
  });
  const reference = inputs[0]!;
  const mixed = inputs
    .slice(1)
    .filter((i) => i.manifest.hash !== reference.manifest.hash)
    .map((i) => ({ path: shown(i.path), diffs: diffManifests(reference.manifest.body, i.manifest.body) }));
  if (mixed.length) throw new InputError(msg.mergeMixedManifests(shown(reference.path), mixed));

  const temp = join(dirname(outPath), `${MERGING_PREFIX(outPath)}${process.pid}.${hostTag}`);
  removeDb(temp);
  if (existsSync(outPath)) {
    const existing = Store.open(outPath, 'write', cwd);
    try {
      const stored = existing.requireManifest();
      if (stored.hash !== reference.manifest.hash) {
        throw new InputError(msg.mergeOutputDiffers(existing.shown, diffManifests(stored.body, reference.manifest.body)));
      }
      // Before the copy, and in its own name: the copy's would be a temporary file's.
      assertNoLiveRun(existing, now(), msg.mergeOutputBusy);
      existing.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      existing.close();
    }
    copyFileSync(outPath, temp);
  }
  // Only once the merge is accepted: a refused merge touches nothing.
  removeAbandonedMerges(outPath);
  let result: MergeResult;
  try {
    const target = Store.open(temp, 'create');
    try {
      if (!target.manifest()) {
        target.seal(reference.manifest, reference.manifest.experimentModule, reference.described, now().toISOString());
      }
      result = mergeInto(target, inputs, provenance, now, `${temp}${INPUT_COPY}`, progress);
      result.out = outPath;
      target.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      target.close();
    }
  } catch (thrown) {
    removeDb(temp);
    // An input's copy that failed to attach (a full disk, a damaged snapshot) goes too.
    removeDb(`${temp}${INPUT_COPY}`, ['', '-journal']);
    throw thrown;
  }
  removeDb(outPath, ['-wal', '-shm']);
  renameSync(temp, outPath);
  removeDb(temp);
  return result;
}

function shardsOf(store: Store): string[] {
  const rows = store.db.prepare(`SELECT DISTINCT shard FROM run WHERE shard IS NOT NULL ORDER BY shard`).pluck().all() as string[];
  return rows;
}

function shardCommandsOf(store: Store): Record<string, RecordedCommand> {
  const rows = store.db.prepare(`SELECT shard, command_line, cwd FROM run WHERE shard IS NOT NULL ORDER BY id`).raw(true).all() as [string, string, string | null][];
  return Object.fromEntries(rows.map(([shard, commandLine, cwd]) => [shard, { commandLine, cwd }]));
}

/** A merge into `outPath` builds its database in `.<out>.merging-<pid>.<host tag>` beside it: hidden, like every temporary file the harness writes. */
const MERGING_PREFIX = (outPath: string) => `.${basename(outPath)}.merging-`;
/** Beside it, the copy of an input that SQLite could not attach in place (see mergeInto). */
const INPUT_COPY = '.input';

/**
 * Removes the temporary databases (with SQLite's -wal, -shm and -journal files) that merges
 * into `outPath` by processes now gone left beside it (see writerGone): hidden ones, and an
 * older harness's visible `<out>.merging-<pid>.<host tag>` and `<out>.merging-<pid>`, the last
 * recording no host.
 */
function removeAbandonedMerges(outPath: string): void {
  const prefixes = [MERGING_PREFIX(outPath), MERGING_PREFIX(outPath).slice(1)];
  removeAbandonedTemps(dirname(outPath), (name): TempOwner | null => {
    const prefix = prefixes.find((p) => name.startsWith(p));
    if (prefix === undefined) return null;
    const match = /^(\d+)(?:\.([0-9a-f]{8}))?(-wal|-shm|-journal|\.input|\.input-journal)?$/.exec(name.slice(prefix.length));
    if (!match) return null;
    return { pid: Number(match[1]), host: match[2] ?? null, group: name.slice(0, name.length - (match[3]?.length ?? 0)) };
  });
}

function removeDb(path: string, suffixes: readonly string[] = ['', '-wal', '-shm']): void {
  for (const s of suffixes) rmSync(path + s, { force: true });
}

/**
 * Merges the inputs into `target`, one attached at a time. An input SQLite could not attach in
 * place (read-only, or in a read-only folder) is attached as a copy of its snapshot at `copyPath`.
 */
function mergeInto(
  target: Store,
  inputs: readonly { path: string; shown: string; manifest: Manifest }[],
  provenance: Provenance,
  now: () => Date,
  copyPath: string,
  progress: MergeProgress,
): MergeResult {
  const db = target.db;
  const body = inputs[0]!.manifest.body;
  const trialCols = trialColumnNames(body);
  const compared = trialCols.filter((c) => c !== 'run_id' && c !== 'duration_ms');
  const curveCols = curveColumnNames(body);
  const q = (cols: readonly string[], alias: string) => cols.map((c) => `${alias}.${quoteIdent(c)}`).join(', ');
  const differs = (cols: readonly string[]) => cols.map((c) => `m.${quoteIdent(c)} IS NOT s.${quoteIdent(c)}`).join(' OR ');
  const runColumns = [
    'started_at', 'ended_at', 'heartbeat_at', 'status', 'git_commit', 'git_dirty_hash', 'lockfile_hash', 'node_version',
    'cpu_model', 'threads', 'shard', 'command_line', 'host', 'pid', 'trials_done', 'trials_failed', 'code_hash', 'cwd',
  ];
  const conflicts: { key: string; table: string; from: string }[] = [];
  let conflictCount = 0;
  let added = 0;
  let duplicates = 0;
  const mergeRunId = beginRun(target, provenance, 'running', now());
  progress(mergeStage, 0, inputs.length);
  for (const [index, input] of inputs.entries()) {
    const snapshot = snapshotToAttach(input.path);
    if (snapshot) writeFileSync(copyPath, snapshot);
    db.prepare(`ATTACH DATABASE ? AS src`).run(snapshot ? copyPath : input.path);
    try {
      db.transaction(() => {
        const trialConflicts = db
          .prepare(
            `SELECT s.key FROM src.trial s JOIN main.trial m ON m.cell_index = s.cell_index
             WHERE s.status = 'ok' AND m.status = 'ok' AND (${differs(compared)}) ORDER BY s.cell_index`,
          )
          .pluck()
          .all() as string[];
        const curveConflicts = db
          .prepare(
            `SELECT s.group_key || '#' || s.idx FROM src.curve s JOIN main.curve m ON m.group_key = s.group_key AND m.idx = s.idx
             WHERE ${differs(curveCols)} ORDER BY s.group_key, s.idx`,
          )
          .pluck()
          .all() as string[];
        conflictCount += trialConflicts.length + curveConflicts.length;
        for (const key of trialConflicts) if (conflicts.length < conflictExamples) conflicts.push({ key, table: 'trial', from: input.shown });
        for (const key of curveConflicts) if (conflicts.length < conflictExamples) conflicts.push({ key, table: 'curve', from: input.shown });
        if (conflictCount > 0) return;
        duplicates += db
          .prepare(
            `SELECT count(*) FROM src.trial s JOIN main.trial m ON m.cell_index = s.cell_index
             WHERE NOT (s.status = 'ok' AND m.status = 'failed')`,
          )
          .pluck()
          .get() as number;
        db.exec(`CREATE TEMP TABLE IF NOT EXISTS run_map (old INTEGER PRIMARY KEY, new INTEGER NOT NULL); DELETE FROM temp.run_map;`);
        // A database of an older schema lacks the later columns: copied as NULL.
        const inSource = new Set((db.prepare(`PRAGMA src.table_info(run)`).all() as { name: string }[]).map((c) => c.name));
        const column = (c: string) => (inSource.has(c) ? `s.${c}` : 'NULL');
        // A run merged before (into this database, or into an input merged again) is that run:
        // the same start, process and command line. Copied again it would be listed twice.
        const same = ['started_at', 'host', 'pid', 'shard', 'command_line'].map((c) => `m.${c} IS ${column(c)}`).join(' AND ');
        const oldRuns = db.prepare(`SELECT s.id, (SELECT m.id FROM main.run m WHERE ${same}) FROM src.run s ORDER BY s.id`).raw(true).all() as [number, number | null][];
        // No input has a live writer (checked before), so a run left `running` was killed: the
        // merged database must not take its row for a lock.
        const copied = (c: string) =>
          c === 'status' ? `CASE s.status WHEN 'running' THEN 'killed' ELSE s.status END` : c === 'ended_at' ? `COALESCE(${column('ended_at')}, ${column('heartbeat_at')})` : column(c);
        const copyRun = db.prepare(`INSERT INTO main.run (${runColumns.join(', ')}) SELECT ${runColumns.map(copied).join(', ')} FROM src.run s WHERE s.id = ?`);
        const mapRun = db.prepare(`INSERT INTO temp.run_map (old, new) VALUES (?, ?)`);
        for (const [id, existing] of oldRuns) mapRun.run(id, existing ?? Number(copyRun.run(id).lastInsertRowid));
        const selectMapped = `SELECT ${q(trialCols.filter((c) => c !== 'run_id'), 's')}, (SELECT new FROM temp.run_map WHERE old = s.run_id)`;
        const into = `main.trial (${trialCols.map(quoteIdent).join(', ')})`;
        added += db
          .prepare(`INSERT INTO ${into} ${selectMapped} FROM src.trial s WHERE NOT EXISTS (SELECT 1 FROM main.trial m WHERE m.cell_index = s.cell_index)`)
          .run().changes;
        added += db
          .prepare(
            `INSERT OR REPLACE INTO ${into} ${selectMapped} FROM src.trial s
             WHERE s.status = 'ok' AND EXISTS (SELECT 1 FROM main.trial m WHERE m.cell_index = s.cell_index AND m.status = 'failed')`,
          )
          .run().changes;
        db.prepare(`INSERT OR IGNORE INTO main.curve (${curveCols.map(quoteIdent).join(', ')}) SELECT ${q(curveCols, 's')} FROM src.curve s`).run();
        db.prepare(
          `INSERT INTO main.failure (trial_key, cell_index, run_id, message, stack, at)
           SELECT f.trial_key, f.cell_index, (SELECT new FROM temp.run_map WHERE old = f.run_id), f.message, f.stack, f.at
           FROM src.failure f ORDER BY f.id`,
        ).run();
      })();
    } finally {
      db.prepare(`DETACH DATABASE src`).run();
      if (snapshot) removeDb(copyPath, ['', '-journal']);
    }
    progress(mergeStage, index + 1, inputs.length);
  }
  if (conflictCount > 0) throw new InputError(msg.mergeConflicts(conflictCount, conflicts));

  const grid = gridOf(body);
  const counts = trialCells(target, grid.size);
  const { done, recorded } = counts;
  endRun(target, mergeRunId, 'merged', { done: added, failed: counts.failed }, now());
  // The target's run table holds every shard merged so far, this time and earlier.
  const shardsSeen = shardsOf(target);
  const shardCounts = new Set(shardsSeen.map((s) => parseShard(s).count));
  let missing = 0;
  const missingByShard = new Map<number, number>();
  const failedByShard = new Map<number, number>();
  const commonCount = shardCounts.size === 1 ? [...shardCounts][0]! : null;
  const countIn = (byShard: Map<number, number>, block: number) => {
    if (commonCount === null) return;
    const index = shardOf(block, commonCount);
    byShard.set(index, (byShard.get(index) ?? 0) + 1);
  };
  for (let block = 0; block < grid.blockCount; block++) {
    const end = (block + 1) * grid.blockSize;
    for (let i = block * grid.blockSize; i < end; i++) {
      if (grid.isExcluded(i) || done.has(i)) continue;
      if (recorded.has(i)) {
        countIn(failedByShard, block);
        continue;
      }
      missing++;
      countIn(missingByShard, block);
    }
  }
  const perShard = (byShard: Map<number, number>) => [...byShard].sort((a, b) => a[0] - b[0]).map(([i, cells]) => ({ shard: `${i}/${commonCount}`, cells }));
  const missingShards: string[] = [];
  if (commonCount) {
    for (let i = 0; i < commonCount; i++) {
      if (!shardsSeen.includes(`${i}/${commonCount}`) && i < grid.blockCount) missingShards.push(`${i}/${commonCount}`);
    }
  }
  return {
    out: target.path,
    study: inputs[0]!.manifest.study,
    inputs: inputs.length,
    cells: grid.count,
    ok: counts.ok,
    failed: counts.failed,
    added,
    duplicates,
    missing,
    shardsSeen,
    missingShards,
    missingByShard: perShard(missingByShard),
    failedByShard: perShard(failedByShard),
    shardCommands: shardCommandsOf(target),
    code: codeVersions(listRuns(target), counts.okByRun),
  };
}
