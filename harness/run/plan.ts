/**
 * A dry run: the grid's dimensions, how many cells are done / failed / missing in the database,
 * how the cells split over N shards, and a time estimate from a short pilot (a few groups run
 * in this process, results discarded). Writes nothing.
 */
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Bitset } from '../bitset.js';
import { errorMessage } from '../errors.js';
import { diffManifests, type Difference } from '../manifest.js';
import { doneCells } from '../store/reader.js';
import { Store } from '../store/store.js';
import type { Study } from '../study/study.js';
import { formatShard, type Shard } from './shard.js';
import { countCells, plannedGroups, type PlannedGroup } from './tasks.js';

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
      const { cells } = countCells(grid, s, new Bitset(0));
      const groups = Math.max(0, Math.ceil((grid.liveBlockCount - index) / options.shards));
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
 * Times up to `count` groups in this thread, after warming up (the first groups of a fresh
 * process run several times slower than the rest while the JIT compiles them). A group that
 * throws is left out of the timing and counted, as a run would fail its trials and go on; only
 * when every group tried fails is there no estimate.
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
  const warmUntil = performance.now() + warmUpMs;
  let warmed = false;
  let gaveUp = false;
  // The warm-up reuses the first groups; the timed part continues from where it stopped.
  for (const group of plannedGroups(study, shard, (i) => done.has(i))) {
    const started = performance.now();
    const took = time(group);
    // No group runs: enough tried.
    if (timed === 0 && failed >= Math.max(count, 8)) {
      gaveUp = true;
      break;
    }
    if (!warmed) {
      warmed = started >= warmUntil;
      if (!warmed) continue;
    }
    if (took === null) continue;
    ms += took;
    cells += group.task.cells.length;
    if (++timed >= count || ms > pilotBudgetMs) break;
  }
  if (timed === 0 && !gaveUp) {
    // Fewer groups than the warm-up needed: time them all again, warm.
    failed = 0;
    for (const group of plannedGroups(study, shard, (i) => done.has(i))) {
      const took = time(group);
      if (took !== null) {
        ms += took;
        cells += group.task.cells.length;
        timed++;
      }
      if (timed + failed >= count) break;
    }
  }
  if (timed === 0 && failed > 0) return { error: failed === 1 ? firstError! : `${failed} groups failed; the first: ${firstError}` };
  const failures = failed > 0 ? { failedGroups: failed, firstError: firstError! } : {};
  if (cells === 0 || todoCells === 0) return { pilotGroups: 0, msPerCell: 0, threads, seconds: 0, ...failures };
  const msPerCell = ms / cells;
  return { pilotGroups: timed, msPerCell, threads, seconds: (msPerCell * todoCells) / threads / 1000, ...failures };
}
