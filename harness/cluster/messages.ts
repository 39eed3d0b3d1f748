/**
 * Every message the cluster commands print about bad input or unfinished work: what was wrong
 * (option, rule, value received) and what to do instead. Option errors take the engine's form
 * (harness/messages.ts `optionInvalid`).
 */
import { optionInvalid } from '../messages.js';
import { showValue } from '../text.js';
import { formatDuration } from './format.js';

export function emptyStudy(studyFile: string): string {
  return `${studyFile}: the study has no cells, so there is nothing to send to the cluster; check its axes and exclusions with "harness plan ${studyFile}".`;
}

export function arrayTooLarge(arraySize: number, maxArraySize: number, groups: number): string {
  return optionInvalid(
    'array-size',
    `must be at most the cluster's MaxArraySize (${maxArraySize})`,
    arraySize,
    `Use --array-size ${Math.min(maxArraySize, groups)} or less: each task then runs more of the ${groups} simulation groups.`,
  );
}

export function arrayLargerThanGrid(arraySize: number, groups: number): string {
  return optionInvalid(
    'array-size',
    `must be at most the number of simulation groups (${groups}), or some tasks would have nothing to do`,
    arraySize,
    `Use --array-size ${groups} or less.`,
  );
}

export function badPartition(partition: string): string {
  return optionInvalid('partition', 'must be a partition name or a comma list of names (letters, digits, _ . -)', partition, '"sinfo -s" lists the partitions.');
}

export function badTime(time: string): string {
  return optionInvalid(
    'time',
    'must be a positive Slurm time limit: minutes, minutes:seconds, hours:minutes:seconds, days-hours, days-hours:minutes or days-hours:minutes:seconds',
    time,
    'Example: --time 90, --time 1:30:00 or --time 2-00:00.',
  );
}

export function beyondTimeLimit(estimatedSeconds: number, time: string, maxRequeues: number): string {
  return (
    `the longest task is estimated at ${formatDuration(estimatedSeconds)}, beyond --time ${time}. ` +
    `Tasks that reach the limit commit their finished trials and requeue themselves (at most ${maxRequeues} times); ` +
    `to avoid that, raise --time, --array-size or --cpus-per-task.`
  );
}

export function notAShardFolder(folder: string): string {
  return `${folder} holds no shard databases (shard-<i>-of-<n>.sqlite) and no cluster plan; give the --out folder of "harness slurm".`;
}

export function mixedShardCounts(folder: string, counts: readonly number[]): string {
  return `${folder} mixes shard databases of different shard counts (${counts.join(', ')}); a study cut into N shards names them shard-<i>-of-N.sqlite. Move the stale ones away and run status again.`;
}

export function folderHasOtherShards(folder: string, counts: readonly number[], tasks: number): string {
  return optionInvalid(
    'out',
    `must not hold shards of another cut: ${folder} has shard databases of a run cut into ${counts.join(', ')} shards, and this plan cuts the study into ${tasks}`,
    folder,
    `Use --array-size ${counts[0]} to resume that run, or another --out.`,
  );
}

export function sbatchMissing(): string {
  return 'sbatch is not on PATH, so --submit cannot submit the jobs. The scripts are written; run the command again with --submit on the cluster\'s login node, or submit them by hand (see above).';
}

export function sbatchFailed(script: string, detail: string): string {
  return `sbatch refused ${script}: ${showValue(detail.trim(), 400)}. The scripts are written; fix the cause and submit them by hand (see "harness slurm --help").`;
}
