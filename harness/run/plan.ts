/**
 * A dry run: the grid's dimensions, how many cells are done / failed / missing in the database,
 * how the cells split over N shards, and a time estimate from a short pilot (a few groups from
 * all over the grid run in this process, results discarded). Writes nothing.
 */
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Bitset } from '../bitset.js';
import { errorMessage } from '../errors.js';
import { diffManifests, type Difference } from '../manifest.js';
import { compiledModule } from '../pool/compile.js';
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
  cellsPerGroup: number;
  shard: string | null;
  /** Counts within the shard (or the grid). */
  scope: { cells: number; done: number; failed: number; missing: number };
  shardMap: { shard: string; cells: number; groups: number }[];
  /** Stored trials that other code of the experiment computed: a run now would mix its own with them. */
  otherCode: OtherCode | null;
  /** `failedGroups`: groups of the pilot that threw (left out of the timing), with the first one's error. */
  estimate: { pilotGroups: number; msPerCell: number; threads: number; seconds: number; failedGroups?: number; firstError?: string } | { error: string } | null;
}

export interface PlanOptions {
  study: Study;
  dbPath: string;
  shard: Shard | null;
  /** Show how the grid splits over this many shards. */
  shards?: number;
  /** Groups to time for the estimate, after a short warm-up (0: no estimate). */
  pilotGroups: number;
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
    cellsPerGroup: grid.blockSize,
    shard: formatShard(shard),
    scope: { cells: scoped.cells, done: scoped.done, failed, missing },
    shardMap,
    estimate: options.pilotGroups > 0 ? pilot(study, shard, done, options.pilotGroups, options.threads, scoped.cells - scoped.done) : null,
  };
}

/** Untimed warm-up before the pilot's clock starts, and the most time a pilot may take. */
const warmUpMs = 100;
const pilotBudgetMs = 2000;

/**
 * Times up to `count` groups in this thread, after warming up on the first of them, which so
 * runs twice or more (the first groups of a fresh process run several times slower than the rest
 * while the JIT compiles them).
 * The groups come from blocks spread over the whole grid (sampledGroups), since the cost of a
 * group may change along it (the ablations' variants at M = 3000 cost ten times the baseline's).
 * A group that throws is left out of the timing and counted, as a run would fail its trials and
 * go on; only when every group tried fails is there no estimate.
 */
function pilot(study: Study, shard: Shard | null, done: Bitset, count: number, threads: number, todoCells: number): PlanReport['estimate'] {
  const exp = study.loaded.experiment;
  let timed = 0;
  let cells = 0;
  let ms = 0;
  let failed = 0;
  let firstError: string | null = null;
  /** Milliseconds the group took, or null when it threw. */
  const time = (group: PlannedGroup): number | null => {
    const start = performance.now();
    try {
      exp.runGroup(group.task);
    } catch (thrown) {
      failed++;
      firstError ??= errorMessage(thrown);
      return null;
    }
    return performance.now() - start;
  };
  const sample = sampledGroups(study, shard, done, count);
  const warmUntil = performance.now() + warmUpMs;
  for (const group of sample) {
    if (time(group) === null) continue;
    while (performance.now() < warmUntil) time(group);
    break;
  }
  failed = 0;
  firstError = null;
  for (const group of sample) {
    const took = time(group);
    if (took !== null) {
      ms += took;
      cells += group.task.cells.length;
      timed++;
    }
    if (timed >= count || ms > pilotBudgetMs || (timed === 0 && failed >= sample.length)) break;
  }
  if (timed === 0 && failed > 0) return { error: failed === 1 ? firstError! : `${failed} groups failed; the first: ${firstError}` };
  const failures = failed > 0 ? { failedGroups: failed, firstError: firstError! } : {};
  if (cells === 0 || todoCells === 0) return { pilotGroups: 0, msPerCell: 0, threads, seconds: 0, ...failures };
  const msPerCell = ms / cells;
  return { pilotGroups: timed, msPerCell, threads, seconds: (msPerCell * todoCells) / threads / 1000, ...failures };
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
  const hasWork = (block: number) => {
    for (let i = block * grid.blockSize; i < (block + 1) * grid.blockSize; i++) if (!grid.isExcluded(i) && !done.has(i)) return true;
    return false;
  };
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
