/**
 * Every message the cluster commands print about bad input or unfinished work: what was wrong
 * (option, rule, value received) and what to do instead. Option errors take the engine's form
 * (harness/messages.ts `optionInvalid`).
 */
import { fileSystemReason, optionInvalid } from '../messages.js';
import { countOf, showValue } from '../text.js';
import { formatDuration } from './format.js';
import { shellQuote } from './shell.js';

export function emptyStudy(studyFile: string): string {
  return `${studyFile}: the study has no cells, so there is nothing to send to the cluster; check its axes and exclusions with "harness plan ${shellQuote(studyFile)}".`;
}

/** `blocks`: the most tasks (see StudyWork.blocks). */
export function arrayTooLarge(arraySize: number, maxArraySize: number, blocks: number): string {
  return optionInvalid(
    'array-size',
    `must be at most the cluster's MaxArraySize (${maxArraySize})`,
    arraySize,
    `Use --array-size ${Math.min(maxArraySize, blocks)} or less: each task then runs more of the study's simulation groups.`,
  );
}

/** `blocks`: the study's simulation groups, counting those it excludes whole (StudyWork.blocks). */
export function arrayLargerThanGrid(arraySize: number, blocks: number, groups: number): string {
  const counted = blocks === groups ? `${blocks}` : `${blocks}, counting the ${blocks - groups} whose every cell the study excludes`;
  return optionInvalid(
    'array-size',
    `must be at most the number of simulation groups (${counted}): tasks are dealt whole groups, so more tasks would have nothing to do`,
    arraySize,
    `Use --array-size ${blocks} or less.`,
  );
}

/**
 * Tasks dealt only groups whose every cell the study excludes. `fits`: the largest array size
 * below `count` that leaves no task idle; `fitsLoad` and `load`: the most groups with cells a
 * task is dealt then and now (more takes the array longer).
 */
export function idleTasks(tasks: readonly number[], count: number, fits: number, fitsLoad: number, load: number): string {
  const shown = tasks.length > 8 ? `${tasks.slice(0, 8).join(', ')} and ${tasks.length - 8} more` : tasks.join(', ');
  const longer = fitsLoad > load ? `, though a task then runs up to ${fitsLoad} groups where now it runs ${load}, which takes the array longer` : '';
  return `task${tasks.length === 1 ? '' : 's'} ${shown} of ${count} ${tasks.length === 1 ? 'is' : 'are'} dealt only simulation groups whose every cell the study excludes, and will end at once with nothing to run; --array-size ${fits} leaves none idle${longer}.`;
}

/** The plan's first line: what the study runs. */
export function studyWork(study: string, trials: number, groups: number, blocks: number): string {
  const excluded = blocks === groups ? '' : ` (and ${blocks - groups} more whose every cell the study excludes, which tasks are dealt too)`;
  return `Study ${study}: ${countOf(trials, 'trial')} in ${countOf(groups, 'simulation group')}${excluded}`;
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

export function timeWithinWarning(time: string, warningSeconds: number): string {
  return optionInvalid(
    'time',
    `must be more than ${warningSeconds} s: Slurm warns a task up to ${warningSeconds} s before its limit, and the task then stops to requeue itself, so it would hardly run`,
    time,
    'Example: --time 30 (minutes), or leave --time out for the partition\'s default.',
  );
}

export function beyondTimeLimit(estimatedSeconds: number, time: string, maxRequeues: number, warningSeconds: number): string {
  return (
    `the longest task is estimated at ${formatDuration(estimatedSeconds)}, beyond --time ${time} less the up to ${warningSeconds} s warning before it. ` +
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

export function submissionQueued(folder: string, jobs: readonly string[]): string {
  return optionInvalid(
    'out',
    `must not have an earlier submission still in the queue: ${folder}'s scripts have job${jobs.length === 1 ? '' : 's'} ${jobs.join(', ')} pending or running`,
    folder,
    `Wait for ${jobs.length === 1 ? 'it' : 'them'} (harness status ${shellQuote(folder)}), or cancel ${jobs.length === 1 ? 'it' : 'them'} (scancel ${jobs.join(' ')}), then submit again.`,
  );
}

export function folderHasOtherStudy(folder: string, files: readonly string[]): string {
  return optionInvalid(
    'out',
    `must not hold another study's shards: ${files.join(', ')} in ${folder} hold${files.length === 1 ? 's' : ''} the results of another study, or of this one with other settings, which this plan's tasks would refuse and its merge would mix in`,
    folder,
    'Give another --out, or move those databases away (merge them first if you want their results).',
  );
}

/**
 * What keeps the shard folder from taking the scripts (the `problem` of `outUnusable`), beyond
 * what keeps any folder from taking output (folderProblem in harness/messages.ts).
 */
export const outProblem = {
  folderInTheWay: (file: string) => `${file} is a folder, where the file must go`,
  notReadable: (folder: string, code: string) => `${folder} may not be read: ${fileSystemReason(code)}`,
};

/**
 * The shard folder cannot take the scripts. `typed` is --out as given, or null for the default
 * folder (then the fix is --out); `written` names the files this command replaced before it
 * failed (each one whole: files are written atomically); `jobs` the jobs it had submitted.
 */
export function outUnusable(
  typed: string | null,
  dir: string,
  problem: string,
  written: readonly string[] = [],
  jobs: { array: string; merge: string } | null = null,
): string {
  const head =
    typed === null
      ? `Cannot write the scripts into ${dir} (the default shard folder): ${problem}.`
      : `--out: must be a folder the scripts can be written into: ${problem}; received ${showValue(typed)}.`;
  if (jobs) {
    return `${head} The jobs were submitted (array job ${jobs.array}, merge job ${jobs.merge}) and will run; only their ids are missing from ${dir}/cluster-plan.json. Do not submit them again: follow them with "harness status ${shellQuote(dir)}" and "squeue -j ${jobs.array},${jobs.merge}".`;
  }
  const state = written.length ? `Only ${written.join(' and ')} ${written.length === 1 ? 'was' : 'were'} written (in full).` : 'No file was written.';
  const fix =
    typed === null
      ? `Give another folder with --out DIR (on the shared filesystem), or fix ${dir} (free space, permissions, a file in the way)`
      : 'Give --out another folder on the shared filesystem, one you may write to (it is created when missing), or fix this one (free space, permissions, a file in the way)';
  return `${head} ${state} ${fix}, then run the same command again.`;
}

export function sbatchMissing(): string {
  return 'sbatch is not on PATH, so --submit cannot submit the jobs. The scripts are written; run the command again with --submit on the cluster\'s login node, or submit them by hand (see above).';
}

export function sbatchFailed(script: string, detail: string, byHand: string): string {
  const said = detail.trim().slice(0, 2000).split('\n').map((line) => `  ${line}`).join('\n');
  return `sbatch refused ${script}:\n${said}\nThe scripts are written; fix the cause (or the options: run harness slurm again), then submit them by hand:\n  ${byHand}`;
}

export function queueUnknown(jobs: { array: string; merge: string }): string {
  return (
    `The queue could not be asked (squeue is missing or failed, as while Slurm's controller is down), so the shards to rerun may still be queued or running ` +
    `in array job ${jobs.array}: check "squeue -j ${jobs.array},${jobs.merge}" before submitting them again.`
  );
}

/**
 * What the array script prints when it runs outside a Slurm array (no SLURM_ARRAY_TASK_ID): how
 * to run its shards by hand. `byHand`: the script's own run command, `<i>` standing for the shard;
 * `workdir`: the project folder the tasks run in, where npx finds the harness.
 */
export function arrayScriptOutsideArray(byHand: string, workdir: string): string {
  return `harness: this script runs as a task of a Slurm array: submit it with sbatch, or run shard i by hand in ${workdir} (i in place of <i>) with:\n  ${byHand}`;
}
