/**
 * A dry run: the grid's dimensions, how many cells are done / failed / missing in the database,
 * how the cells split over N shards, and a time estimate from a short pilot (a few groups from
 * all over the grid run in this process, results discarded). Writes nothing.
 */
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Bitset } from '../bitset.js';
import type { Experiment, GroupTask, Json } from '../experiment.js';
import { canonicalJson } from '../identity.js';
import { diffManifests, type Difference } from '../manifest.js';
import { isTimeLimitError } from '../messages.js';
import { compiledModule } from '../pool/compile.js';
import { GroupPool } from '../pool/pool.js';
import type { GroupOutcome } from '../pool/protocol.js';
import { trialsOfOtherCode, type OtherCode } from '../store/code-versions.js';
import { doneCells } from '../store/reader.js';
import { listRuns } from '../store/runs.js';
import { Store } from '../store/store.js';
import type { Study } from '../study/study.js';
import { formatShard, type Shard } from './shard.js';
import { countCells, groupsOfBlock, shardBlocks, type PlannedGroup } from './tasks.js';

export interface PlanReport {
  study: string;
  experiment: { name: string; version: string };
  manifestHash: string;
  db: string;
  database: 'new' | 'matches' | 'differs';
  differences: Difference[];
  dims: { fields: string[]; values: number; shared: boolean }[];
  /** Cells of the whole grid. */
  cells: number;
  /** Groups of the whole grid with a cell (blocks: cells that differ only in shared dimensions). */
  groups: number;
  /** Cells of a group: of every group, or at most, where exclusions leave some with fewer. */
  cellsPerGroup: number;
  shard: string | null;
  /** Counts within the shard (or the grid). */
  scope: { cells: number; done: number; failed: number; missing: number };
  shardMap: { shard: string; cells: number; groups: number }[];
  /** Stored trials that other code of the experiment computed: a run now would mix its own with them. */
  otherCode: OtherCode | null;
  estimate: PilotEstimate | { error: string } | null;
}

export interface PilotEstimate {
  /** Groups timed, `stopped` among them. */
  pilotGroups: number;
  msPerCell: number;
  threads: number;
  seconds: number;
  /** Groups of the pilot that threw (left out of the timing), with the first one's error. */
  failedGroups?: number;
  firstError?: string;
  /**
   * The group that ran past the pilot's time limit and was stopped there, ending the pilot; the
   * timing counts it at the limit. Without `byTaskTimeout` (the pilot's own limit) the estimate
   * is a lower bound; with it, a run would fail its trials at that limit too.
   */
  stopped?: { cell: Record<string, Json>; limitMs: number; byTaskTimeout: boolean };
  /** A group the pilot ran twice (warming up, then timing) that gave different results: where, and the two values. */
  differed?: { cell: Record<string, Json>; where: string; first: Json; second: Json };
  /** The first group, as long as the whole pilot, ran once (seconds): whether its results repeat was not checked. */
  unrepeated?: { seconds: number };
  /**
   * A cell of the first group, run alone (a task of its own, with its own params), gave other
   * results than in its group: its results depend on what else its task holds. `params`: where
   * the task's params differ from the cell's own, when the cell run alone with the task's params
   * gave its group's results again (runGroup reads a cell's parameter off the task).
   */
  alone?: { cell: Record<string, Json>; where: string; inGroup: Json; alone: Json; params?: JsonDifference[] };
}

export interface PlanOptions {
  study: Study;
  dbPath: string;
  shard: Shard | null;
  /** Show how the grid splits over this many shards. */
  shards?: number;
  /** Groups to time for the estimate, after a short warm-up (0: no estimate). */
  pilotGroups: number;
  /** The run's --task-timeout, which the pilot's groups run under too. */
  taskTimeoutMs?: number;
  /** Without one, how long the pilot waits for one group (default PILOT_GROUP_LIMIT_MS). */
  pilotGroupLimitMs?: number;
  threads: number;
  /** Messages show paths relative to this folder. */
  cwd?: string;
}

export async function planStudy(options: PlanOptions): Promise<PlanReport> {
  const { study, shard } = options;
  const grid = study.grid;
  let done = new Bitset(grid.size);
  let failedIndices: number[] = [];
  let database: PlanReport['database'] = 'new';
  let differences: Difference[] = [];
  let otherCode: OtherCode | null = null;
  if (existsSync(options.dbPath)) {
    const store = Store.open(options.dbPath, 'read', options.cwd, 'option');
    try {
      const stored = store.manifest();
      if (stored && stored.hash !== study.manifest.hash) {
        database = 'differs';
        differences = diffManifests(stored.body, study.manifest.body);
      } else if (stored) {
        database = 'matches';
        done = doneCells(store, grid.size);
        failedIndices = store.db.prepare(`SELECT cell_index FROM trial WHERE status = 'failed'`).pluck().all() as number[];
        // What a resume would say at its start, said before it.
        if (listRuns(store).some((r) => r.codeHash !== null)) otherCode = trialsOfOtherCode(store, compiledModule(study.loaded.modulePath).codeHash);
      }
    } finally {
      store.close();
    }
  }
  const scoped = countCells(grid, shard, done);
  const failedSet = new Bitset(grid.size);
  for (const i of failedIndices) failedSet.add(i);
  const failed = countCells(grid, shard, failedSet).done;
  const shardMap: PlanReport['shardMap'] = [];
  if (options.shards && options.shards > 1) {
    for (let index = 0; index < options.shards; index++) {
      const s = { index, count: options.shards };
      // Groups whose every cell is excluded count for nothing: a shard may be dealt none else.
      const { cells, groups } = countCells(grid, s, new Bitset(0));
      shardMap.push({ shard: formatShard(s)!, cells, groups });
    }
  }
  const missing = scoped.cells - scoped.done - failed;
  return {
    study: study.name,
    experiment: study.manifest.body.experiment,
    manifestHash: study.manifest.hash,
    db: options.dbPath,
    database,
    differences,
    otherCode,
    dims: grid.dims.map((d, j) => ({ fields: d.fields.map((f) => f.name), values: grid.lengths[j]!, shared: d.shared })),
    cells: grid.count,
    groups: countCells(grid, null, new Bitset(0)).groups,
    cellsPerGroup: grid.blockSize,
    shard: formatShard(shard),
    scope: { cells: scoped.cells, done: scoped.done, failed, missing },
    shardMap,
    estimate: options.pilotGroups > 0 ? await pilot(study, shard, done, options, scoped.cells - scoped.done) : null,
  };
}

/** Untimed warm-up (group time) before the pilot's clock starts, and the time after which it times no more groups. */
const warmUpMs = 100;
const pilotBudgetMs = 2000;
const maxWarmUpBatch = 256;
/** Without --task-timeout, how long the pilot waits for one group: a plan must end, even where a group hangs. */
export const PILOT_GROUP_LIMIT_MS = 60_000;

/**
 * Times up to `count` groups in one worker thread of the pool a run uses, after warming up on
 * the first of them, which so runs twice or more (the first groups of a fresh thread run several
 * times slower than the rest while the JIT compiles them); a warm-up run past the whole budget
 * is timed as it is.
 * The groups come from blocks spread over the whole grid (sampledGroups), since the cost of a
 * group may change along it (the ablations' variants at M = 3000 cost ten times the baseline's).
 * A group that throws is left out of the timing and counted, as a run would fail its trials and
 * go on; only when every group tried fails is there no estimate. A group past the time limit is
 * stopped there and ends the pilot (see PilotEstimate.stopped).
 */
async function pilot(study: Study, shard: Shard | null, done: Bitset, options: PlanOptions, todoCells: number): Promise<PlanReport['estimate']> {
  const { pilotGroups: count, threads } = options;
  const limitMs = options.taskTimeoutMs ?? options.pilotGroupLimitMs ?? PILOT_GROUP_LIMIT_MS;
  const sample = sampledGroups(study, shard, done, count);
  if (sample.length === 0) return { pilotGroups: 0, msPerCell: 0, threads, seconds: 0 };
  const moduleUrl = pathToFileURL(compiledModule(study.loaded.modulePath).path).href;
  const pool = new GroupPool({ threads: 1, taskTimeoutMs: limitMs });
  let timed = 0;
  let cells = 0;
  let ms = 0;
  let failed = 0;
  let firstError: string | null = null;
  let stopped: PilotEstimate['stopped'];
  let differed: PilotEstimate['differed'];
  let unrepeated: PilotEstimate['unrepeated'];
  let alone: PilotEstimate['alone'];
  /** The first group that ran: the one whose results the pilot checks. */
  let checked: PlannedGroup | undefined;
  const outputs = new Map<string, OkOutcome>();
  /** Milliseconds `copies` runs of the group took in all; null when one threw; the limit when one was stopped there. */
  const time = async (group: PlannedGroup, copies = 1): Promise<number | null> => {
    let total = 0;
    for (const outcome of (await pool.run(moduleUrl, Array<GroupTask>(copies).fill(group.task)))!) {
      if (outcome.kind === 'ok') {
        total += outcome.durationMs;
        const before = outputs.get(group.task.groupKey);
        if (!before) outputs.set(group.task.groupKey, outcome);
        else differed ??= firstDifference(study.loaded.experiment, group.task, before, outcome);
      } else if (isTimeLimitError(outcome.message)) {
        stopped = { cell: group.task.cells[0]!.values, limitMs, byTaskTimeout: options.taskTimeoutMs !== undefined };
        return limitMs;
      } else {
        failed++;
        firstError ??= outcome.message;
        return null;
      }
    }
    return total;
  };
  /**
   * Runs cells of the group alone, each a task of its own with its own params as the task's, and
   * compares their results with the group's (untimed): a cell's results must depend on the
   * group's seed and the cell's own values and params alone, whatever else its task holds (a
   * resume or a retry runs only some cells of a group). The cells run are one for each params
   * the group's cells have besides the task's, then the last, while within the pilot's budget.
   */
  const runAlone = async (group: PlannedGroup): Promise<PilotEstimate['alone']> => {
    const { task } = group;
    const exp = study.loaded.experiment;
    const inGroup = outputs.get(task.groupKey)!;
    const seen = new Set([canonicalJson(task.params)]);
    const places = task.cells.flatMap((cell, place) => {
      const params = canonicalJson(cell.params);
      if (seen.has(params)) return [];
      seen.add(params);
      return [place];
    });
    if (!places.includes(task.cells.length - 1)) places.push(task.cells.length - 1);
    const runCell = async (place: number, params: Json) => {
      const cell = task.cells[place]!;
      const [outcome] = (await pool.run(moduleUrl, [{ ...task, params, cells: [cell] }]))!;
      if (outcome!.kind === 'failed' && isTimeLimitError(outcome!.message)) return undefined;
      const ran: OkOutcome = outcome!.kind === 'ok' ? outcome! : { ...inGroup, trials: [{ ok: false, message: outcome!.message }] };
      const before: OkOutcome = { ...inGroup, trials: [inGroup.trials[place]!] };
      return { took: ran.durationMs, difference: firstDifference(exp, { ...task, cells: [cell] }, before, ran) ?? null };
    };
    let spent = 0;
    for (const place of places) {
      if (spent > pilotBudgetMs) break;
      const cell = task.cells[place]!;
      const own = await runCell(place, cell.params);
      if (!own) break;
      spent += own.took;
      if (!own.difference) continue;
      const { where, first, second } = own.difference;
      const found = { cell: cell.values, where, inGroup: first, alone: second };
      const params = jsonDifferences(task.params, cell.params);
      if (params.length === 0) return found;
      // Alone again with the task's params: its group's results back mean they came from there.
      const withTasks = await runCell(place, task.params);
      return withTasks && !withTasks.difference ? { ...found, params } : found;
    }
    return undefined;
  };
  const record = (group: PlannedGroup, took: number) => {
    ms += took;
    cells += group.task.cells.length;
    timed++;
  };
  try {
    for (const group of sample) {
      const first = await time(group);
      if (first === null) continue;
      // Repeated in batches, doubling, so that the thread warms up on short groups without a
      // message to it per run; within a few times the warm-up, messages included, for the shortest.
      const warmUntil = performance.now() + 3 * warmUpMs;
      for (let warm = first, copies = 2; warm < warmUpMs && !stopped && performance.now() < warmUntil; copies = Math.min(2 * copies, maxWarmUpBatch)) {
        const took = await time(group, copies);
        if (took === null) break;
        warm += took;
      }
      if (stopped || first >= pilotBudgetMs) record(group, stopped ? limitMs : first);
      if (!stopped && first >= pilotBudgetMs) unrepeated = { seconds: first / 1000 };
      checked = group;
      break;
    }
    if (timed === 0 && !stopped) {
      failed = 0;
      firstError = null;
      for (const group of sample) {
        const took = await time(group);
        if (took !== null) record(group, took);
        if (stopped || timed >= count || ms > pilotBudgetMs || (timed === 0 && failed >= sample.length)) break;
      }
    }
    // Once its results have repeated (else the experiment is not deterministic, said above).
    if (checked && checked.task.cells.length > 1 && !stopped && !differed && !unrepeated) alone = await runAlone(checked);
  } finally {
    await pool.destroy();
  }
  if (timed === 0 && failed > 0) return { error: failed === 1 ? firstError! : `${failed} groups failed; the first: ${firstError}` };
  const failures = failed > 0 ? { failedGroups: failed, firstError: firstError! } : {};
  const ended = { ...(stopped && { stopped }), ...(differed && { differed }), ...(unrepeated && { unrepeated }), ...(alone && { alone }) };
  if (cells === 0 || todoCells === 0) return { pilotGroups: 0, msPerCell: 0, threads, seconds: 0, ...failures, ...ended };
  const msPerCell = ms / cells;
  return { pilotGroups: timed, msPerCell, threads, seconds: (msPerCell * todoCells) / threads / 1000, ...failures, ...ended };
}

type OkOutcome = Extract<GroupOutcome, { kind: 'ok' }>;

export interface JsonDifference {
  /** Dotted, as in a study's sweeps. */
  path: string;
  /** Undefined where the path is absent. */
  first?: Json;
  second?: Json;
}

/** The paths (in key order) where two JSON values differ, with the two values there. */
export function jsonDifferences(a: Json | undefined, b: Json | undefined, path = ''): JsonDifference[] {
  const isObject = (x: Json | undefined): x is { [key: string]: Json } => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) => jsonDifferences(a[key], b[key], path ? `${path}.${key}` : key));
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  return [{ path, ...(a !== undefined && { first: a }), ...(b !== undefined && { second: b }) }];
}

/**
 * Where two runs of one group gave different results, and the two values; undefined when they
 * agree. Each run starts from the group's seed, so an experiment whose results depend on it
 * alone gives the same ones: else it draws on Math.random, the clock, or state kept from one
 * group to the next, and reruns, resumes, thread and shard counts would store other numbers.
 */
function firstDifference(exp: Experiment, task: GroupTask, a: OkOutcome, b: OkOutcome): PilotEstimate['differed'] {
  const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  for (const [i, cell] of task.cells.entries()) {
    const [x, y] = [a.trials[i]!, b.trials[i]!];
    const at = (where: string, first: unknown, second: unknown) => ({ cell: cell.values, where, first: first as Json, second: second as Json });
    if (x.ok !== y.ok) return at('its outcome', x.ok ? 'ok' : `failed: ${(x as { message: string }).message}`, y.ok ? 'ok' : `failed: ${(y as { message: string }).message}`);
    if (!x.ok || !y.ok) continue;
    // Diagnostics are free-form (timings, counters): results only.
    const column = exp.trialColumns.findIndex((_, j) => !same(x.values[j], y.values[j]));
    if (column >= 0) return at(`column "${exp.trialColumns[column]!.name}"`, x.values[column], y.values[column]);
  }
  if (a.curve.length !== b.curve.length) return { cell: task.cells[0]!.values, where: 'the number of curve rows', first: a.curve.length, second: b.curve.length };
  const row = a.curve.findIndex((r, i) => !same(r, b.curve[i]));
  if (row >= 0) {
    const column = exp.curveColumns.findIndex((_, j) => !same(a.curve[row]![j], b.curve[row]![j]));
    return { cell: task.cells[0]!.values, where: `curve row ${row}, column "${exp.curveColumns[column]!.name}"`, first: a.curve[row]![column]!, second: b.curve[row]![column]! };
  }
  return undefined;
}

/**
 * Groups still to run, one from the middle of each of `count` equal stretches of the shard's
 * blocks with work left, in an order whose every prefix is spread too (the stretches in
 * bit-reversed order: the first, the one half-way along, a quarter, three quarters...), so that a
 * pilot its time budget stops early has still seen the whole grid. Then, for a pilot whose groups
 * fail, to tell a study that cannot run from a few bad groups, those of 8 stretches not yet taken.
 * Two passes over the blocks, none of them kept: a grid may have hundreds of millions.
 */
function sampledGroups(study: Study, shard: Shard | null, done: Bitset, count: number): PlannedGroup[] {
  const { grid } = study;
  const hasWork = (block: number) => grid.blockHasCell(block, (i) => !done.has(i));
  let total = 0;
  for (const block of shardBlocks(grid, shard)) if (hasWork(block)) total++;
  const spread = (n: number) => {
    const k = Math.min(n, total);
    return bitReversedOrder(k).map((j) => Math.floor(((j + 0.5) * total) / k));
  };
  const ranks = [...new Set([...spread(count), ...spread(Math.max(count, 8))])];
  const wanted = new Set(ranks);
  const blockAt = new Map<number, number>();
  let rank = 0;
  for (const block of shardBlocks(grid, shard)) {
    if (!hasWork(block)) continue;
    if (wanted.has(rank)) blockAt.set(rank, block);
    rank++;
  }
  const skip = (i: number) => done.has(i);
  return ranks.map((r) => groupsOfBlock(study, blockAt.get(r)!, skip)[0]!);
}
/** 0..n-1 ordered by the bit-reversal of their index (0, n/2, n/4, 3n/4, ... for n a power of 2). */
function bitReversedOrder(n: number): number[] {
  const bits = Math.max(1, Math.ceil(Math.log2(n)));
  const reverse = (i: number) => parseInt(i.toString(2).padStart(bits, '0').split('').reverse().join(''), 2);
  return Array.from({ length: 2 ** bits }, (_, i) => reverse(i)).filter((i) => i < n);
}
