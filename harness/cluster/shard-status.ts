/**
 * `status` over a shard folder: which shards are done, running, waiting in the queue,
 * unfinished (started, then stopped before storing all their trials) or missing, and the
 * command that reruns only the ones that need it.
 *
 * Readable while the jobs run, with nothing kept alive by us: each shard database is read once
 * through the engine's read-only `databaseStatus`, and the queue is asked once (`squeue`) when
 * the folder was submitted with `harness slurm`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError, NoStudyError } from '../errors.js';
import { errnoCode } from '../folders.js';
import { harnessCall } from '../paths.js';
import { databasesIn, databaseStatus } from '../run/status.js';
import { Store } from '../store/store.js';
import { ClusterPlanFile, PLAN_FILE, parseShardFileName, shardFileName } from './layout.js';
import * as msg from './messages.js';
import { rerunShard } from '../run/shard.js';
import { shellQuote } from './shell.js';
import { submitCommand } from './slurm.js';
import type { RecordedCommand } from '../run/recorded-command.js';

export type ShardState = 'done' | 'running' | 'pending' | 'unfinished' | 'missing';

/** What one shard database holds of its own slice, read in one snapshot. */
export interface ShardSnapshot {
  /** Null for a database its task has only just created (no study sealed yet). */
  manifestHash: string | null;
  ok: number;
  failed: number;
  /** Trials of its shard not stored yet (null: not known, as for a database with no study yet). */
  missing: number | null;
  /** A run is writing it now (its heartbeat is fresh). */
  writing: boolean;
  /** The study it holds, and the command line of its latest run (null: none yet). */
  study?: string | null;
  command?: RecordedCommand | null;
}

/** An array task in the queue: its job, and whether it waits (and why, in Slurm's words) or runs. */
export interface QueuedTask {
  job: string;
  state: 'pending' | 'running';
  /** squeue's REASON for a waiting task (e.g. "Priority", "Resources", "JobHeldUser"); null when none is given. */
  reason: string | null;
}

/** Where the queue has the array's tasks, by task index; null when the queue cannot be asked. */
export type QueueView = ReadonlyMap<number, QueuedTask> | null;

export interface ShardReport {
  index: number;
  state: ShardState;
  file: string;
  ok: number;
  failed: number;
  /** Trials the shard must store; null when neither the plan nor the database says. */
  expected: number | null;
  /** A pending shard's task in the queue: its job id (`<array job>_<task>`) and why it waits, when Slurm says. */
  waiting?: { job: string; reason: string | null };
}

export interface FolderStatus {
  folder: string;
  study: string | null;
  shardCount: number;
  shards: ShardReport[];
  /** Shards whose manifest differs from the plan's (without a plan: from the one most shards hold; on a tie, the lowest shard's). */
  foreignShards: number[];
  /** Shards to submit again: missing or unfinished and not in the queue. */
  rerun: number[];
  /** The command that reruns exactly those shards and then merges; null without a plan. */
  rerunCommand: string | null;
  /**
   * Without a plan (shards run by hand or by a Job): the command that runs each shard of `rerun`,
   * made from the commands the folder's shards recorded, and the merge after them.
   */
  rerunCommands: string[];
  mergeCommand: string | null;
  /** Every shard is done and all manifests agree: the folder can be merged. */
  complete: boolean;
  /** Other databases in the folder that hold the folder's whole study, every trial: the shards merged. */
  merged: string[];
  /** The failed trials each of `merged` holds: results, which a rerun of their shards retries. */
  mergedFailed: number[];
  /**
   * The jobs the plan records as submitted, when the queue could not be asked (squeue missing or
   * failing, as while Slurm's controller is down): a shard without a database may be queued yet.
   */
  queueUnknown: { array: string; merge: string } | null;
}

/** A database in a shard folder that is not one of its shards (a merge of them, say). */
export interface OtherDatabase {
  file: string;
  manifestHash: string;
  /** It holds every trial of the whole study (some may have failed). */
  whole: boolean;
  failed: number;
}

export interface FolderInput {
  folder: string;
  plan: ClusterPlanFile | null;
  shardCount: number;
  /** Shard index -> snapshot, for the shard databases that exist. */
  snapshots: ReadonlyMap<number, ShardSnapshot>;
  queue: QueueView;
  /** The folder's other results databases. */
  others?: readonly OtherDatabase[];
  /** The folder the commands it gives are to be pasted in (harnessCall). */
  cwd?: string;
}

export function summarizeFolder(input: FolderInput): FolderStatus {
  const { folder, plan, shardCount, snapshots, queue, others = [], cwd } = input;
  const present = [...snapshots.entries()].sort(([a], [b]) => a - b);
  const reference = plan?.manifestHash ?? mostCommon(present.map(([, s]) => s.manifestHash).filter((h): h is string => h !== null));
  const shards: ShardReport[] = [];
  for (let index = 0; index < shardCount; index++) {
    const snap = snapshots.get(index);
    const fromDb = snap && snap.missing !== null ? snap.ok + snap.failed + snap.missing : null;
    const queued = queue?.get(index);
    const state = shardState(snap, queue === null ? null : (queued?.state ?? 'absent'));
    shards.push({
      index,
      state,
      file: join(folder, shardFileName(index, shardCount)),
      ok: snap?.ok ?? 0,
      failed: snap?.failed ?? 0,
      expected: plan?.shardTrials[index] ?? fromDb,
      ...(state === 'pending' && queued ? { waiting: { job: `${queued.job}_${index}`, reason: queued.reason } } : {}),
    });
  }
  const foreignShards = present.filter(([, s]) => s.manifestHash !== null && s.manifestHash !== reference).map(([i]) => i);
  const rerun = shards.filter((s) => s.state === 'missing' || s.state === 'unfinished').map((s) => s.index);
  const merged = others.filter((o) => o.whole && o.manifestHash === reference);
  const own = present.filter(([, s]) => s.manifestHash === reference);
  const study = plan?.study ?? own.find(([, s]) => s.study)?.[1].study ?? null;
  const recorded = Object.fromEntries(own.flatMap(([i, s]) => (s.command ? [[`${i}/${shardCount}`, s.command] as const] : [])));
  const byHand = plan === null && rerun.length > 0;
  return {
    folder,
    study,
    shardCount,
    shards,
    foreignShards,
    rerun,
    // A rerun keeps the plan's limit of tasks at once: a command-line --array replaces the script's.
    rerunCommand: rerun.length > 0 && plan ? submitCommand(plan.arrayScript, plan.mergeScript, `${indexRanges(rerun, ',')}${plan.parallel ? `%${plan.parallel}` : ''}`) : null,
    rerunCommands: byHand ? rerun.map((i) => rerunShard(`${i}/${shardCount}`, recorded, join(folder, shardFileName(i, shardCount)), cwd)) : [],
    mergeCommand: byHand && study !== null ? `${harnessCall(cwd)} merge ${shellQuote(join(folder, `${study}.sqlite`))} ${shellQuote(folder)}/shard-*-of-${shardCount}.sqlite` : null,
    complete: foreignShards.length === 0 && shards.every((s) => s.state === 'done'),
    merged: merged.map((o) => o.file),
    mergedFailed: merged.map((o) => o.failed),
    queueUnknown: queue === null && plan?.jobs ? plan.jobs : null,
  };
}

/** The value held most often; on a tie, the first of them; null for none. */
function mostCommon(values: readonly string[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | null = null;
  for (const [v, n] of counts) if (best === null || n > counts.get(best)!) best = v;
  return best;
}

function shardState(snap: ShardSnapshot | undefined, queued: 'pending' | 'running' | 'absent' | null): ShardState {
  if (snap?.missing === 0) return 'done';
  if (queued === 'pending' || queued === 'running') return queued;
  if (!snap) return 'missing';
  // Without the queue, a fresh heartbeat is the sign of a live task.
  return queued === null && snap.writing ? 'running' : 'unfinished';
}

export function formatFolderStatus(status: FolderStatus): string {
  const counts = new Map<ShardState, number>();
  for (const s of status.shards) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  const order: ShardState[] = ['done', 'running', 'pending', 'unfinished', 'missing'];
  // The trials of the folder's study: a foreign shard's are of another.
  const own = status.shards.filter((s) => !status.foreignShards.includes(s.index));
  const stored = own.reduce((a, s) => a + s.ok + s.failed, 0);
  const failed = own.reduce((a, s) => a + s.failed, 0);
  const expected = status.foreignShards.length === 0 && status.shards.every((s) => s.expected !== null)
    ? status.shards.reduce((a, s) => a + s.expected!, 0)
    : null;
  const lines = [
    `${status.study ?? 'Shards'} in ${status.folder}: ${status.shardCount} shard${status.shardCount === 1 ? '' : 's'}, ` +
      order.filter((st) => counts.has(st)).map((st) => `${counts.get(st)} ${st}`).join(', '),
    `Trials stored: ${stored}${expected === null ? '' : ` of ${expected}`}${failed > 0 ? ` (${failed} failed)` : ''}`,
  ];
  const width = String(status.shardCount - 1).length;
  for (const s of status.shards) {
    if (s.state === 'done' && s.failed === 0) continue;
    const trials = `${s.ok + s.failed}${s.expected === null ? '' : `/${s.expected}`} trials`;
    const failedNote = s.failed > 0 ? `, ${s.failed} failed` : '';
    lines.push(`  shard ${String(s.index).padStart(width)}: ${s.state.padEnd(10)} ${trials}${failedNote}${s.waiting ? waitingNote(s.waiting) : ''}`);
  }
  for (const i of status.foreignShards) {
    lines.push(
      `  shard ${i}: made from another study, or other settings, than the folder's plan (or, without one, most of its shards); it cannot be merged with them: move ${shardFileName(i, status.shardCount)} aside and run that shard again`,
    );
  }
  if (status.queueUnknown && status.rerun.length > 0) lines.push(msg.queueUnknown(status.queueUnknown));
  if (status.rerunCommand) {
    lines.push(`Rerun only shard${status.rerun.length === 1 ? '' : 's'} ${indexRanges(status.rerun, ', ')} (each resumes its database), then merge:`);
    lines.push(`  ${status.rerunCommand}`);
  } else if (status.rerun.length > 0) {
    lines.push(`Rerun shard${status.rerun.length === 1 ? '' : 's'} ${indexRanges(status.rerun, ', ')} of ${status.shardCount} (each resumes its database), then merge:`);
    for (const command of [...status.rerunCommands, ...(status.mergeCommand ? [status.mergeCommand] : [])]) lines.push(`  ${command}`);
  }
  if (status.merged.length > 0) {
    const failed = (i: number) => (status.mergedFailed[i]! > 0 ? ` (${status.mergedFailed[i]} of its trials failed)` : '');
    const names = status.merged.map((file, i) => `${basename(file)}${failed(i)}`).join(', ');
    const retry = status.mergedFailed.some((n) => n > 0) ? ' Rerun the shards of its failed trials, then merge again, to retry them.' : '';
    lines.push(`${status.complete ? 'All shards are done, and merged' : 'Merged'}: ${names} hold${status.merged.length === 1 ? 's' : ''} the whole study, every trial.${retry}`);
  } else if (status.complete) lines.push('All shards are done: ready to merge.');
  return lines.join('\n');
}

/**
 * Why a pending task waits, as squeue says it ("Priority": other jobs go first; "Resources": no
 * free nodes yet; "Dependency", "BeginTime", a limit of the account or QOS, ...), and for a held
 * task the command that releases it: a held task waits until someone does.
 */
function waitingNote(waiting: NonNullable<ShardReport['waiting']>): string {
  if (waiting.reason === null) return '';
  const held = /^JobHeld(User|Admin)$/.test(waiting.reason);
  return `; Slurm: ${waiting.reason}${held ? ` (held until released: scontrol release ${waiting.job})` : ''}`;
}

/** A folder of shard databases (`shard-<i>-of-<n>.sqlite`) or of a `harness slurm` plan. */
export function isShardFolder(folder: string): boolean {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) return false;
  return existsSync(join(folder, PLAN_FILE)) || readdirSync(folder).some((n) => parseShardFileName(n) !== null);
}

/**
 * The plan `harness slurm` wrote into a shard folder; null when it holds none. A plan of an
 * older harness, which did not record --parallel, gets it from its array script's `%P`.
 */
export function readPlanFile(folder: string): ClusterPlanFile | null {
  const planPath = join(folder, PLAN_FILE);
  if (!existsSync(planPath)) return null;
  const plan = ClusterPlanFile.parse(JSON.parse(readFileSync(planPath, 'utf8')));
  if (plan.parallel !== undefined) return plan;
  let script = '';
  try {
    script = readFileSync(plan.arrayScript, 'utf8');
  } catch {
    // No script to read: no limit known.
  }
  const limit = /^#SBATCH --array=\S*%(\d+)\s*$/m.exec(script)?.[1];
  return { ...plan, parallel: limit === undefined ? null : Number(limit) };
}

/** Reads a shard folder (the `--out` of `harness slurm`, or any folder of shard databases). */
export function readShardFolder(folder: string, queueOf: (plan: ClusterPlanFile) => QueueView, now: Date, cwd?: string): FolderStatus {
  const plan = readPlanFile(folder);
  const found = existsSync(folder)
    ? readdirSync(folder).flatMap((name) => {
        const parsed = parseShardFileName(name);
        return parsed ? [{ ...parsed, name }] : [];
      })
    : [];
  const counts = [...new Set(found.map((f) => f.count))].sort((a, b) => a - b);
  const shardCount = plan?.shardCount ?? counts[0];
  if (shardCount === undefined) throw new InputError(msg.notAShardFolder(folder));
  if (counts.some((c) => c !== shardCount)) throw new InputError(msg.mixedShardCounts(folder, counts));
  const snapshots = new Map<number, ShardSnapshot>();
  for (const f of found) snapshots.set(f.index, readShardSnapshot(join(folder, f.name), f, now));
  const others = databasesIn(folder).flatMap((file) => (parseShardFileName(basename(file)) ? [] : readOtherDatabase(file, now)));
  return summarizeFolder({ folder, plan, shardCount, snapshots, queue: plan ? queueOf(plan) : null, others, cwd });
}

/**
 * A database of the folder that is not a shard, as a merge of its shards leaves it; none for one
 * that cannot be read as a study's results (it is not the folder's business).
 */
function readOtherDatabase(file: string, now: Date): OtherDatabase[] {
  try {
    // Counted as the one shard of a cut into one: the whole study, whatever its runs ran.
    const status = databaseStatus(file, now, undefined, { index: 0, count: 1 });
    // A failed trial is a result, and the merge keeps it: the merge of a study with failures is still its merge.
    return [{ file, manifestHash: status.manifestHash, whole: status.missing === 0, failed: status.failed }];
  } catch (thrown) {
    if (thrown instanceof InputError || errnoCode(thrown)?.startsWith('SQLITE_')) return [];
    throw thrown;
  }
}

/**
 * One read-only snapshot of shard `shard` in `file`: the trials of its own slice, whatever else
 * the database holds. A database its task has only just created (no study sealed yet) reads as
 * empty.
 */
export function readShardSnapshot(file: string, shard: { index: number; count: number }, now: Date): ShardSnapshot {
  return unlessNoStudy<ShardSnapshot>(
    () => {
      // Its own slice's trials, also when (run by hand, or from a job array's variables) it holds more.
      const status = databaseStatus(file, now, undefined, shard);
      const command = status.runs.findLast((r) => r.commandLine.startsWith('harness run ')) ?? null;
      return { manifestHash: status.manifestHash, ok: status.ok, failed: status.failed, missing: status.missing, writing: status.running, study: status.study, command };
    },
    { manifestHash: null, ok: 0, failed: 0, missing: null, writing: false },
  );
}

/** The hash of the study a shard database holds, without counting its trials; null before one is sealed. */
export function shardManifestHash(file: string): string | null {
  return unlessNoStudy<string | null>(
    () => {
      const store = Store.open(file, 'read');
      try {
        return store.manifest()?.hash ?? null;
      } finally {
        store.close();
      }
    },
    null,
  );
}

/** `read()`, or `none` for a database its task has only just created (no study sealed yet). */
function unlessNoStudy<T>(read: () => T, none: T): T {
  try {
    return read();
  } catch (thrown) {
    if (thrown instanceof NoStudyError) return none;
    throw thrown;
  }
}

/**
 * Sorted whole numbers as Slurm writes an array's tasks: runs of three or more as ranges,
 * `0-809`, `1,3`, `0-3,7,9-12`, so that 810 shards to rerun make one short --array.
 */
export function indexRanges(indices: readonly number[], separator: string): string {
  const parts: string[] = [];
  for (let i = 0; i < indices.length; ) {
    let j = i;
    while (j + 1 < indices.length && indices[j + 1] === indices[j]! + 1) j++;
    if (j - i >= 2) parts.push(`${indices[i]}-${indices[j]}`);
    else parts.push(...indices.slice(i, j + 1).map(String));
    i = j + 1;
  }
  return parts.join(separator);
}
