/**
 * From grid blocks to pool tasks. A block's cells differ only in shared dimensions; within it,
 * cells are grouped by what `groupOf` says they simulate, and each group becomes one GroupTask
 * with a seed derived from identity. Lazy: one block at a time, skipping done cells.
 */
import type { GroupTask, Json } from '../experiment.js';
import type { Bitset } from '../bitset.js';
import { InputError, errorMessage } from '../errors.js';
import type { Grid } from '../grid.js';
import { canonicalJson, identityHash, identityKey } from '../identity.js';
import type { ManifestBody } from '../manifest.js';
import * as msg from '../messages.js';
import { declaredSharedAxes, differOnlyInSharedAxes, SharedAxesCheck } from '../study/shared-axes.js';
import type { Study } from '../study/study.js';
import type { Shard } from './shard.js';

export interface PlannedGroup {
  task: GroupTask;
  /** Grid cell indices, parallel to `task.cells`. */
  indices: number[];
}

/** What a study's keys and seeds derive from, besides a cell's values: its manifest's name, experiment and base seed. */
export type KeyIdentity = Pick<ManifestBody, 'study' | 'base_seed' | 'experiment'>;

export function trialKeyOf(body: KeyIdentity, values: Record<string, Json>): string {
  return identityKey({
    study: body.study,
    experiment: body.experiment.name,
    version: body.experiment.version,
    base_seed: body.base_seed,
    values,
  });
}

export function seedOf(body: KeyIdentity, seedIdentity: Json): string {
  return identityHash({
    study: body.study,
    base_seed: body.base_seed,
    experiment: body.experiment.name,
    version: body.experiment.version,
    seedIdentity,
  });
}

/** Includes the seed: cells with equal simulation and equal random numbers compute the same. */
export function groupKeyOf(body: KeyIdentity, simulation: Json, seed: string): string {
  return identityKey({ experiment: body.experiment.name, version: body.experiment.version, simulation, seed });
}

/** Blocks of the grid that belong to `shard`, in order. */
export function* shardBlocks(grid: Grid, shard: Shard | null): Generator<number> {
  const step = shard?.count ?? 1;
  for (let block = shard?.index ?? 0; block < grid.blockCount; block += step) yield block;
}

/** Cells of a shard, how many of them are in `done`, and its simulation groups with a cell to run (`groups`). */
export function countCells(grid: Grid, shard: Shard | null, done: Bitset): { cells: number; done: number; groups: number } {
  let cells = 0;
  let doneCells = 0;
  let groups = 0;
  for (const block of shardBlocks(grid, shard)) {
    const end = (block + 1) * grid.blockSize;
    const before = cells;
    for (let i = block * grid.blockSize; i < end; i++) {
      if (grid.isExcluded(i)) continue;
      cells++;
      if (done.has(i)) doneCells++;
    }
    if (cells > before) groups++;
  }
  return { cells, done: doneCells, groups };
}

/** The groups of one block, leaving out cells for which `skip` is true. */
export function groupsOfBlock(study: Study, block: number, skip: (index: number) => boolean): PlannedGroup[] {
  const { grid } = study;
  const body = study.manifest.body;
  const exp = study.loaded.experiment;
  const groups = new Map<string, PlannedGroup>();
  const firstBySimulation = new Map<string, { seedText: string; values: Record<string, Json> }>();
  const end = (block + 1) * grid.blockSize;
  if (!grid.blockHasCell(block, (index) => !skip(index))) return [];
  for (let index = block * grid.blockSize; index < end; index++) {
    if (grid.isExcluded(index)) continue;
    const values = grid.valuesOf(index);
    const params = study.paramsOf(index);
    let identity: { simulation: Json; seedIdentity: Json };
    try {
      identity = exp.groupOf(values, params.parsed);
    } catch (thrown) {
      throw new InputError(msg.experimentGroupOfFailed(exp.name, values, errorMessage(thrown)));
    }
    const simulationText = canonicalJson(identity.simulation);
    const seedText = canonicalJson(identity.seedIdentity);
    const first = firstBySimulation.get(simulationText);
    if (!first) firstBySimulation.set(simulationText, { seedText, values });
    else if (first.seedText !== seedText) throw new InputError(msg.experimentSeedConflict(exp.name, first.values, values, differOnlyInSharedAxes(declaredSharedAxes(exp), first.values, values)));
    const id = `${simulationText}\u0000${seedText}`;
    let group = groups.get(id);
    if (!group) {
      // A task's params are its group's first cell's, done or not: whatever a resume leaves to
      // run, an experiment that reads a cell's parameter off the task reads the same value.
      const seed = seedOf(body, identity.seedIdentity);
      group = { task: { groupKey: groupKeyOf(body, identity.simulation, seed), seed, params: params.json, cells: [] }, indices: [] };
      groups.set(id, group);
    }
    if (skip(index)) continue;
    group.task.cells.push({ key: trialKeyOf(body, values), values, params: params.json });
    group.indices.push(index);
  }
  for (const [id, group] of groups) if (group.task.cells.length === 0) groups.delete(id);
  // A block of one simulation splits none. Of several, the cells are checked here: the study's
  // check saw one replicate of each cell, not those its exclusions moved to another.
  if (firstBySimulation.size > 1) {
    const sharedAxes = new SharedAxesCheck(exp);
    for (const [id, group] of groups) {
      for (const cell of group.task.cells) {
        const split = sharedAxes.problem(cell.values, id.slice(0, id.indexOf('\u0000')));
        if (split) throw new InputError(split);
      }
    }
  }
  return [...groups.values()];
}

/** Every group still to run in a shard, block by block. */
export function* plannedGroups(study: Study, shard: Shard | null, skip: (index: number) => boolean): Generator<PlannedGroup> {
  for (const block of shardBlocks(study.grid, shard)) yield* groupsOfBlock(study, block, skip);
}
