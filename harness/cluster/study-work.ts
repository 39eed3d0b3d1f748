/**
 * What `harness slurm` needs to know about a study before it runs, from the engine: its
 * simulation groups (grid blocks, the unit a shard never splits), its trials, the engine's
 * shard map, and the pilot of `harness plan`.
 */
import { Bitset } from '../bitset.js';
import * as msg from '../messages.js';
import { PILOT_GROUP_LIMIT_MS, planStudy } from '../run/plan.js';
import { countCells } from '../run/tasks.js';
import { loadStudy } from '../study/study.js';
import type { StudyWork } from './slurm.js';

export async function studyWork(
  ref: string,
  overrides: readonly string[],
  /**
   * `pilotGroups`: groups to time after one warm-up group (0: no estimate), as `harness plan --pilot`;
   * `taskTimeoutMs`: the tasks' --task-timeout, which limits the pilot's groups too where it is
   * the shorter limit.
   */
  options: { pilotGroups: number; cwd: string; taskTimeoutMs?: number; pilotGroupLimitMs?: number },
): Promise<StudyWork> {
  const study = await loadStudy(ref, { sets: overrides, cwd: options.cwd });
  const { grid } = study;
  // The pilot runs where `slurm` is typed (a login node, often): a longer --task-timeout than the
  // pilot's own limit is the tasks', not a licence to hold that node longer.
  const pilotGroupLimitMs = options.pilotGroupLimitMs ?? PILOT_GROUP_LIMIT_MS;
  const taskTimeoutMs = options.taskTimeoutMs !== undefined && options.taskTimeoutMs <= pilotGroupLimitMs ? options.taskTimeoutMs : undefined;
  // No database: the plan is of the whole grid, with nothing done yet.
  const plan = await planStudy({ study, dbPath: '', shard: null, pilotGroups: options.pilotGroups, threads: 1, taskTimeoutMs, pilotGroupLimitMs });
  const estimate = plan.estimate !== null && 'msPerCell' in plan.estimate ? plan.estimate : null;
  const nothingDone = new Bitset(0);
  return {
    study: study.name,
    studyFile: study.absPath,
    overrides,
    manifestHash: study.manifest.hash,
    groups: countCells(grid, null, nothingDone).groups,
    trials: grid.count,
    blocks: grid.blockCount,
    liveBlocks: Array.from({ length: grid.blockCount }, (_, block) => grid.blockHasCell(block)),
    shardLoads: (count) =>
      Array.from({ length: count }, (_, index) => {
        const { groups, cells } = countCells(grid, { index, count }, nothingDone);
        return { groups, trials: cells };
      }),
    pilotSecondsPerGroup: estimate ? (estimate.msPerCell * grid.blockSize) / 1000 : null,
    ...(estimate && { pilotWarnings: msg.pilotWarnings(estimate, options.taskTimeoutMs), pilotLowerBound: estimate.stopped?.byTaskTimeout === false }),
  };
}
